// Scores of the given ids (a customer and the ids merged into it) in every kept complete
// run, oldest run first.
// Parameters:
//   $customer_ids: list of customer ids
MATCH (r:Run {status: 'complete'})
MATCH (s:Score {run_id: r.run_id})
WHERE s.customer_id IN $customer_ids
RETURN s {.*} AS score
ORDER BY r.seq
