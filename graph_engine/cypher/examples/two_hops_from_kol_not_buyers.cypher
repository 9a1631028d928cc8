// Analyst example: people two hops from a KOL who are not customers yet (no order):
// they follow someone who follows the KOL but do not follow the KOL themselves. `warmth`
// counts the KOL's followers they follow.
// Parameters:
//   $kol_id: the KOL's customer id
//   $limit: how many
MATCH (k:Customer:KOL {id: $kol_id})<-[f1:FOLLOWS]-(middle:Customer)<-[f2:FOLLOWS]-(p:Customer)
WHERE f1.active AND f2.active AND p <> k AND p.order_count = 0
  AND NOT EXISTS { (p)-[f:FOLLOWS]->(k) WHERE f.active }
WITH p, count(DISTINCT middle) AS warmth
RETURN p.id AS prospect, p.name AS name, warmth, p.tags AS tags
ORDER BY warmth DESC, prospect
LIMIT $limit
