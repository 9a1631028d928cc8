// Ranked customers of a run: optional filters (null = no filter), sorted by one score
// field descending (ties by customer id), one page.
// Parameters:
//   $run_id: run id
//   $by: score field to sort by (validated by the store against SCORE_FIELDS)
//   $tier, $tier_level, $community_id: exact filters or null
//   $tag: profile tag the customer must carry, or null
//   $platform: external platform with followers > 0, or null
//   $min_audience, $min_expected_reach: lower bounds or null
//   $offset, $limit: page
MATCH (s:Score {run_id: $run_id})
USING INDEX s:Score(run_id, tier)
// The tier filter as a range on the (run_id, tier) index: one tier when $tier is given,
// every tier (all are non-empty ASCII words) when it is null. An `$tier IS NULL OR ...`
// form would make the server read every score of the run before filtering.
WHERE coalesce($tier, '') <= s.tier <= coalesce($tier, '~')
  AND ($tier_level IS NULL OR s.tier_level = $tier_level)
  AND ($community_id IS NULL OR s.community_id = $community_id)
  AND ($min_audience IS NULL OR s.audience >= $min_audience)
  AND ($min_expected_reach IS NULL OR s.expected_reach >= $min_expected_reach)
  AND ($platform IS NULL OR $platform IN s.platforms)
  AND ($tag IS NULL OR EXISTS { (c:Customer {id: s.customer_id}) WHERE $tag IN c.tags })
RETURN s {.*} AS score
ORDER BY s[$by] DESC, s.customer_id
SKIP $offset
LIMIT $limit
