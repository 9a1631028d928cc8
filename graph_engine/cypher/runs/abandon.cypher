// Mark a run that died while running as abandoned (its rows are purged next).
// Parameters:
//   $run_id: run id
MATCH (r:Run {run_id: $run_id, status: 'running'})
SET r.status = 'abandoned', r.error = 'interrupted'
