// Resolve a customer reference: a canonical id, an id merged into someone, or an
// identity key (already normalised and hashed by the caller; null to skip).
// Parameters:
//   $id: the reference as given
//   $key: the reference as an identity key, or null
OPTIONAL MATCH (c:Customer {id: $id})
OPTIONAL MATCH (:MergedId {id: $id})-[:MERGED_INTO]->(m:Customer)
OPTIONAL MATCH (:Identity {key: $key})<-[:HAS_IDENTITY]-(i:Customer)
RETURN coalesce(c.pk, m.pk, i.pk) AS pk, coalesce(c.id, m.id, i.id) AS id
LIMIT 1
