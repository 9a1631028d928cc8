// Write one batch of a published run's scores back onto the Customer nodes (so Cypher
// users can query them) and keep the :KOL, :KOC and :Employee labels in sync with the
// tier; every written customer is stamped with the run id. Copies server-side from the
// run's Score nodes, next batch after the last customer id written (keyset paging: a
// seek on the (run_id, customer_id) constraint's index, hinted because the planner
// otherwise scans that index whenever its statistics make $after look unselective).
// Parameters:
//   $run_id: the published run
//   $after: write customers with ids greater than this ('' for the first batch)
//   $batch_size: customers per transaction
MATCH (s:Score {run_id: $run_id})
USING INDEX SEEK s:Score(run_id, customer_id)
WHERE s.customer_id > $after
WITH s
ORDER BY s.customer_id
LIMIT $batch_size
CALL (s) {
  MATCH (c:Customer {id: s.customer_id})
  SET c.tier = s.tier, c.tier_level = s.tier_level, c.tier_reason = s.tier_reason,
      c.community_id = s.community_id, c.social_value = s.social_value,
      c.influence = s.influence, c.expected_reach = s.expected_reach,
      c.audience = s.audience, c.participation = s.participation, c.bridge = s.bridge,
      c.conversions = s.conversions, c.score_run_id = $run_id
  FOREACH (_ IN CASE WHEN s.tier = 'kol' THEN [1] ELSE [] END | SET c:KOL)
  FOREACH (_ IN CASE WHEN s.tier <> 'kol' THEN [1] ELSE [] END | REMOVE c:KOL)
  FOREACH (_ IN CASE WHEN s.tier = 'koc' THEN [1] ELSE [] END | SET c:KOC)
  FOREACH (_ IN CASE WHEN s.tier <> 'koc' THEN [1] ELSE [] END | REMOVE c:KOC)
  FOREACH (_ IN CASE WHEN s.tier = 'employee' THEN [1] ELSE [] END | SET c:Employee)
  FOREACH (_ IN CASE WHEN s.tier <> 'employee' THEN [1] ELSE [] END | REMOVE c:Employee)
}
RETURN count(s) AS written, max(s.customer_id) AS last
