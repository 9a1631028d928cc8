// Every API key, oldest first (never their secret hashes).
// Parameters: none.
MATCH (k:ApiKey)
RETURN k {.key_id, .role, .pii, .name, .created_at, .revoked_at, .last_used_at} AS key
ORDER BY k.created_at, k.key_id
