// Customers, mean social value, revenue and audience per tier and level in a run.
// Parameters:
//   $run_id: run id
MATCH (s:Score {run_id: $run_id})
USING INDEX s:Score(run_id, tier)
WHERE s.tier IS NOT NULL  // every score has a tier: lets the (run_id, tier) index seek
RETURN s.tier AS tier, s.tier_level AS tier_level, count(*) AS customers,
       avg(s.social_value) AS social_value_mean, sum(s.revenue) AS revenue_total,
       sum(s.audience) AS audience_total
ORDER BY customers DESC
