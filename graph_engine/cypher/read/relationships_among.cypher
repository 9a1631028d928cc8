// Relationships between customers of a set (both ends in it), counted per pair and type:
// 1 for an active follow, share events for SHARED_TO, campaigns for REFERRED. The most
// counted first, ties by source, target, type.
// Parameters:
//   $ids: list of canonical customer ids
//   $limit: most rows to return
UNWIND $ids AS id
MATCH (a:Customer {id: id})-[r:FOLLOWS|SHARED_TO|REFERRED]->(b:Customer)
WHERE b.id IN $ids AND (r.active OR NOT r:FOLLOWS)
WITH a.id AS source, b.id AS target, type(r) AS type, count(r) AS weight
RETURN source, target, type, weight
ORDER BY weight DESC, source, target, type
LIMIT $limit
