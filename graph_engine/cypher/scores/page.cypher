// Every score of a run in customer id order, one page at a time (keyset paging; the seek
// on the (run_id, customer_id) index is hinted, as in writeback/customers).
// Parameters:
//   $run_id: run id
//   $after: return customer ids greater than this ('' for the first page)
//   $page: page size
MATCH (s:Score {run_id: $run_id})
USING INDEX SEEK s:Score(run_id, customer_id)
WHERE s.customer_id > $after
RETURN s {.*} AS score
ORDER BY s.customer_id
LIMIT $page
