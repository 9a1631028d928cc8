// Snapshot read: active FOLLOWS edges leaving one page of customers, as two aligned lists
// of pks (one record per page keeps the transfer compact; no whole-graph collect).
// Parameters:
//   $pks: list of customer pks (one page)
UNWIND $pks AS pk
MATCH (a:Customer {pk: pk})-[f:FOLLOWS]->(b:Customer)
WHERE f.active
RETURN collect(a.pk) AS source, collect(b.pk) AS target
