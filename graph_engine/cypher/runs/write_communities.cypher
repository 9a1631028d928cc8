// Write a running run's community profiles (profile as a JSON string).
// Parameters:
//   $run_id: run id
//   $rows: list of {community_id: integer, size: integer, profile: JSON string}
UNWIND $rows AS row
MERGE (p:CommunityProfile {run_id: $run_id, community_id: row.community_id})
SET p.size = row.size, p.profile = row.profile
