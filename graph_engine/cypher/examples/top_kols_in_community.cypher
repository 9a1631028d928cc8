// Analyst example: the top KOLs of one community by social value, from the scores the
// last published run wrote back onto the customers (paste into Neo4j Browser and set
// the parameters first, e.g. :param community_id => 3; :param limit => 20).
// Parameters:
//   $community_id: community id (see `graph-engine communities`)
//   $limit: how many
MATCH (c:Customer:KOL {community_id: $community_id})
RETURN c.id AS customer, c.name AS name, c.tier_level AS level,
       c.social_value AS social_value, c.audience AS audience,
       c.expected_reach AS expected_reach, c.tier_reason AS why
ORDER BY c.social_value DESC, c.id
LIMIT $limit
