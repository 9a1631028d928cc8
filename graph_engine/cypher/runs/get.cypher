// One run by id.
// Parameters:
//   $run_id: run id
MATCH (r:Run {run_id: $run_id})
RETURN r {.*} AS run
