// The latest audit entries, newest first.
// Parameters:
//   $limit: most entries to return
MATCH (a:AuditEntry)
RETURN a {.seq, .at, .key_id, .action, .detail} AS entry
ORDER BY a.seq DESC
LIMIT $limit
