// After a write-back: customers not scored by the run (stamped with an older run id)
// lose the written-back properties and tier labels, one batch per transaction.
// Parameters:
//   $run_id: the published run
//   $batch_size: customers per transaction
MATCH (c:Customer)
WHERE c.score_run_id IS NOT NULL AND c.score_run_id <> $run_id
WITH c
LIMIT $batch_size
REMOVE c:KOL:KOC:Employee, c.tier, c.tier_level, c.tier_reason, c.community_id,
       c.social_value, c.influence, c.expected_reach, c.audience, c.participation,
       c.bridge, c.conversions, c.score_run_id
RETURN count(c) AS cleared
