// Publish a running run: mark it complete and move the current-run pointer, in one
// transaction, so readers see the whole previous run or the whole new one.
// Parameters:
//   $run_id: run id
//   $finished_at: ISO-8601 string
//   $timings: JSON string
//   $summary: JSON string
MATCH (r:Run {run_id: $run_id, status: 'running'})
SET r.status = 'complete', r.finished_at = $finished_at, r.timings = $timings,
    r.summary = $summary
MERGE (m:Meta {key: 'current_run'})
SET m.value = r.run_id
RETURN r.run_id AS run_id
