// Delete every node and relationship of the database, one batch per transaction. Used by
// the live test-suite (which refuses to run unless told the database is disposable).
// Parameters:
//   $batch_size: nodes per transaction
MATCH (n)
WITH n
LIMIT $batch_size
DETACH DELETE n
RETURN count(*) AS deleted
