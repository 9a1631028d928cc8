// Community profiles of a run, largest first (optionally one community).
// Parameters:
//   $run_id: run id
//   $community_id: community id, or null for all
MATCH (p:CommunityProfile {run_id: $run_id})
WHERE $community_id IS NULL OR p.community_id = $community_id
RETURN p.profile AS profile
ORDER BY p.size DESC, p.community_id
