// Append to the audit log.
// Parameters:
//   $entry: {at, key_id (or null), action, detail (JSON string)}
MERGE (n:Meta {key: 'seq:audit'})
  ON CREATE SET n.value = 0
SET n.value = n.value + 1
CREATE (a:AuditEntry {seq: n.value})
SET a += $entry
