// Mark complete runs beyond the newest `keep` as expired (their rows are purged next).
// Parameters:
//   $keep: complete runs to keep
MATCH (r:Run {status: 'complete'})
WITH r
ORDER BY r.seq DESC
SKIP $keep
SET r.status = 'expired'
RETURN r.run_id AS run_id
