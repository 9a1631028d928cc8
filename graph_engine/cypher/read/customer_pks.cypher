// Current customers in pk order, one page at a time (keyset paging on pk), as one record
// of two aligned lists (a record per customer costs more to decode than to find).
// Parameters:
//   $after: return pks greater than this (0 for the first page)
//   $page: page size
MATCH (c:Customer)
WHERE c.pk > $after
WITH c
ORDER BY c.pk
LIMIT $page
RETURN collect(c.pk) AS pk, collect(c.id) AS id
