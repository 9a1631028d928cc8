// Ids merged into other customers and the survivor's pk, one page at a time.
// Parameters:
//   $after: return merged pks greater than this (0 for the first page)
//   $page: page size
MATCH (a:MergedId)-[:MERGED_INTO]->(c:Customer)
WHERE a.pk > $after
RETURN a.pk AS pk, a.id AS id, c.pk AS parent
ORDER BY a.pk
LIMIT $page
