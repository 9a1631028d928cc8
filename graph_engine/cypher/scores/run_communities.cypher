// The community of every customer of a run, in customer id order, one page at a time
// (keyset paging on the (run_id, customer_id) index, as scores/page): what compute needs
// to keep community ids stable across runs, without reading whole score nodes.
// Parameters:
//   $run_id: run id
//   $after: return customer ids greater than this ('' for the first page)
//   $page: page size
MATCH (s:Score {run_id: $run_id})
USING INDEX SEEK s:Score(run_id, customer_id)
WHERE s.customer_id > $after
RETURN s.customer_id AS customer_id, s.community_id AS community_id
ORDER BY s.customer_id
LIMIT $page
