// Identity merge, step 2, for a wave of independent merges: each survivor takes over its
// merged customer's orders, engagements and identity keys (the old relationships go with
// the node in step 3).
// Parameters:
//   $merges: list of {merged: pk of the customer merged away, survivor: pk of the one
//            that stays}
UNWIND $merges AS mg
MATCH (m:Customer {pk: mg.merged})
MATCH (s:Customer {pk: mg.survivor})
WITH m, s,
     [(m)-[:PLACED]->(o:Order) | o] AS orders,
     [(m)-[:PERFORMED]->(e:Engagement) | e] AS engagements,
     [(m)-[:HAS_IDENTITY]->(i:Identity) | i] AS identities
FOREACH (o IN orders | MERGE (s)-[:PLACED]->(o))
FOREACH (e IN engagements | MERGE (s)-[:PERFORMED]->(e))
FOREACH (i IN identities | MERGE (s)-[:HAS_IDENTITY]->(i))
