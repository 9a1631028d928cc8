// Identity merge, step 2: the survivor takes over the merged customer's orders,
// engagements and identity keys (the old relationships go with the node in step 3).
// Parameters:
//   $merged: pk of the customer merged away
//   $survivor: pk of the customer that stays
MATCH (m:Customer {pk: $merged})
MATCH (s:Customer {pk: $survivor})
WITH m, s,
     [(m)-[:PLACED]->(o:Order) | o] AS orders,
     [(m)-[:PERFORMED]->(e:Engagement) | e] AS engagements,
     [(m)-[:HAS_IDENTITY]->(i:Identity) | i] AS identities
FOREACH (o IN orders | MERGE (s)-[:PLACED]->(o))
FOREACH (e IN engagements | MERGE (s)-[:PERFORMED]->(e))
FOREACH (i IN identities | MERGE (s)-[:HAS_IDENTITY]->(i))
