// Identity keys and the customer pk each belongs to, one page at a time (keyset paging).
// Parameters:
//   $after: return keys greater than this ('' for the first page)
//   $page: page size
MATCH (c:Customer)-[:HAS_IDENTITY]->(i:Identity)
WHERE i.key > $after
RETURN i.key AS key, c.pk AS customer
ORDER BY i.key
LIMIT $page
