// Snapshot read: active FOLLOWS edges leaving one page of customers, as pk pairs.
// Parameters:
//   $pks: list of customer pks (one page)
UNWIND $pks AS pk
MATCH (a:Customer {pk: pk})-[f:FOLLOWS]->(b:Customer)
WHERE f.active
RETURN a.pk AS source, b.pk AS target
