// Analyst example: the people who bridge two communities: members of either one with
// follows, shares or referrals to members of the other, ranked by how many people on
// the other side they reach, then by their bridge score.
// Parameters:
//   $community_a: one community id
//   $community_b: the other community id
//   $limit: how many
MATCH (x:Customer)
WHERE x.community_id IN [$community_a, $community_b]
MATCH (x)-[r:FOLLOWS|SHARED_TO|REFERRED]-(y:Customer)
WHERE y.community_id IN [$community_a, $community_b]
  AND y.community_id <> x.community_id
  AND (type(r) <> 'FOLLOWS' OR r.active)
WITH x, count(DISTINCT y) AS contacts, collect(DISTINCT type(r)) AS via
RETURN x.id AS customer, x.community_id AS community, x.tier AS tier, x.bridge AS bridge,
       contacts, via
ORDER BY contacts DESC, bridge DESC, customer
LIMIT $limit
