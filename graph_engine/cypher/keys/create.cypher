// Create an API key (only the SHA-256 of its secret is stored).
// Parameters:
//   $key: {key_id, secret_hash, role, pii, name, created_at}
CREATE (k:ApiKey)
SET k += $key
