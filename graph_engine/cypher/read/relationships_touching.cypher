// Relationships with at least one end in a set of customers, counted per pair and type:
// 1 for an active follow, share events for SHARED_TO, campaigns for REFERRED. The most
// counted first, ties by source, target, type.
// Parameters:
//   $ids: list of canonical customer ids
//   $limit: most rows to return
UNWIND $ids AS id
MATCH (:Customer {id: id})-[r:FOLLOWS|SHARED_TO|REFERRED]-(:Customer)
WHERE r.active OR NOT r:FOLLOWS
WITH DISTINCT r
WITH startNode(r).id AS source, endNode(r).id AS target, type(r) AS type, count(r) AS weight
RETURN source, target, type, weight
ORDER BY weight DESC, source, target, type
LIMIT $limit
