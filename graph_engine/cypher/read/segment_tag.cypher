// Customers carrying a profile tag, by id.
// Parameters:
//   $tag: the tag
MATCH (c:Customer)
WHERE $tag IN c.tags
RETURN c.id AS id
ORDER BY id
