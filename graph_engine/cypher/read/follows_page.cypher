// Snapshot read: active FOLLOWS edges leaving one page of customers, as two aligned lists
// of pks (one record per page keeps the transfer compact; no whole-graph collect).
// Parameters:
//   $lo, $hi: the page's first and last customer pk (a range: one index seek)
MATCH (a:Customer)
WHERE $lo <= a.pk <= $hi
MATCH (a)-[f:FOLLOWS]->(b:Customer)
WHERE f.active
RETURN collect(a.pk) AS source, collect(b.pk) AS target
