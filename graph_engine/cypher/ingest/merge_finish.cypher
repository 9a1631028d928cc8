// Identity merge, step 3, for a wave of independent merges: write each survivor's
// combined profile and revenue, keep the merged id findable (a MergedId node pointing at
// the survivor; ids merged into the merged customer earlier are re-pointed too) and
// delete the merged customer with all its remaining relationships.
// Parameters:
//   $merges: list of {merged: pk merged away, survivor: pk that stays, profile: map of
//            the survivor's profile properties (name, is_employee, employee_of,
//            external_followers, tags, region, profile_at, first_seen, last_active)}
UNWIND $merges AS mg
MATCH (m:Customer {pk: mg.merged})
MATCH (s:Customer {pk: mg.survivor})
SET s += mg.profile
WITH m, s, COUNT { (s)-[:PLACED]->(:Order) } AS orders,
     [(s)-[:PLACED]->(o:Order) | o.amount] AS amounts
SET s.order_count = orders,
    s.revenue_total = toFloat(reduce(total = 0.0, a IN amounts | total + a))
MERGE (alias:MergedId {id: m.id})
  ON CREATE SET alias.pk = m.pk
MERGE (alias)-[:MERGED_INTO]->(s)
WITH m, s, [(older:MergedId)-[:MERGED_INTO]->(m) | older] AS earlier
FOREACH (older IN earlier | MERGE (older)-[:MERGED_INTO]->(s))
DETACH DELETE m
