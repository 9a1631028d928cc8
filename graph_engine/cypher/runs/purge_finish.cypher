// After their scores are purged: delete the runs' community profiles, and the run nodes
// themselves if they were expired (failed and abandoned runs stay listed).
// Parameters:
//   $run_ids: list of run ids
MATCH (r:Run)
WHERE r.run_id IN $run_ids
OPTIONAL MATCH (p:CommunityProfile {run_id: r.run_id})
DELETE p
WITH DISTINCT r
WHERE r.status = 'expired'
DELETE r
