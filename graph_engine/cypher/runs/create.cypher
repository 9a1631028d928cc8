// Start a run (readers ignore it until it is published).
// Parameters:
//   $run: {run_id, seq, started_at, config (JSON string), counts (JSON string)}
CREATE (r:Run)
SET r += $run, r.status = 'running', r.timings = '{}', r.summary = '{}'
RETURN r {.*} AS run
