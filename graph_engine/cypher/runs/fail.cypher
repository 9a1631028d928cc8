// Mark a running run failed (the previous run keeps serving); returns its id only if it
// was running, so a published run is never treated as failed.
// Parameters:
//   $run_id: run id
//   $finished_at: ISO-8601 string
//   $error: the error message
MATCH (r:Run {run_id: $run_id, status: 'running'})
SET r.status = 'failed', r.finished_at = $finished_at, r.error = $error
RETURN r.run_id AS run_id
