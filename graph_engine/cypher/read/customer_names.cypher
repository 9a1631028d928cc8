// Display names of canonical customer ids (ids nobody has are left out).
// Parameters:
//   $ids: list of canonical customer ids
UNWIND $ids AS id
MATCH (c:Customer {id: id})
RETURN c.id AS id, c.name AS name
