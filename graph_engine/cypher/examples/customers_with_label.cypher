// Analyst example: the customers carrying a tier label of the current run's write-back
// (KOL, KOC or Employee), with their tier level and social value, most valuable first.
// Parameters:
//   $label: "KOL", "KOC" or "Employee"
MATCH (c:Customer)
WHERE $label IN labels(c)
RETURN c.id AS id, c.tier AS tier, c.tier_level AS level, c.social_value AS social_value
ORDER BY social_value DESC, id
