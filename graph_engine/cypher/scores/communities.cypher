// Community profiles of a run, largest first (optionally one community).
// Parameters:
//   $run_id: run id
//   $community_id: community id, or null for all
MATCH (p:CommunityProfile {run_id: $run_id})
USING INDEX p:CommunityProfile(run_id, community_id)
WHERE p.community_id IS NOT NULL  // always set: lets the (run_id, community_id) index seek
  AND ($community_id IS NULL OR p.community_id = $community_id)
RETURN p.profile AS profile
ORDER BY p.size DESC, p.community_id
