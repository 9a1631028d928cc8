// Delete up to one batch of score nodes of the given runs; the store repeats it until
// it deletes nothing (one transaction per batch).
// Parameters:
//   $run_ids: list of run ids
//   $batch_size: most nodes to delete in this transaction
MATCH (s:Score)
WHERE s.run_id IN $run_ids
WITH s
LIMIT $batch_size
DELETE s
RETURN count(*) AS deleted
