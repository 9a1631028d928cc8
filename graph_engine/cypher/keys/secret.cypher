// The stored secret hash and revocation time of a key, for verification.
// Parameters:
//   $key_id: key id
MATCH (k:ApiKey {key_id: $key_id})
RETURN k.secret_hash AS secret_hash, k.revoked_at AS revoked_at
