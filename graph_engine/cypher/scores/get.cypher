// One customer's scores in one run.
// Parameters:
//   $run_id: run id
//   $customer_id: canonical customer id
MATCH (s:Score {run_id: $run_id, customer_id: $customer_id})
// without the hint the planner, with some index statistics, scans every score instead
USING INDEX SEEK s:Score(run_id, customer_id)
RETURN s {.*} AS score
