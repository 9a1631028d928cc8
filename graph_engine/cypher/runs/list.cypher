// Runs, newest first (complete, failed, abandoned and running; not those being purged).
// Parameters:
//   $limit: most runs to return
MATCH (r:Run)
WHERE r.status <> 'expired'
RETURN r {.*} AS run
ORDER BY r.seq DESC
LIMIT $limit
