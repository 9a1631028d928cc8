// Current customers in pk order, one page at a time (keyset paging on pk).
// Parameters:
//   $after: return pks greater than this (0 for the first page)
//   $page: page size
MATCH (c:Customer)
WHERE c.pk > $after
RETURN c.pk AS pk, c.id AS id
ORDER BY c.pk
LIMIT $page
