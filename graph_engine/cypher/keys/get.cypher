// One API key by id (never its secret hash).
// Parameters:
//   $key_id: key id
MATCH (k:ApiKey {key_id: $key_id})
RETURN k {.key_id, .role, .pii, .name, .created_at, .revoked_at, .last_used_at} AS key
