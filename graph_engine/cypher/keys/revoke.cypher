// Revoke an API key (the first revocation time is kept).
// Parameters:
//   $key_id: key id
//   $now: ISO-8601 string
MATCH (k:ApiKey {key_id: $key_id})
SET k.revoked_at = coalesce(k.revoked_at, $now)
