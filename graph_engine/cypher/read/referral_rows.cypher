// The referral log with current customer ids, oldest first (optionally one campaign).
// Parameters:
//   $campaign: campaign id, or null for every campaign
MATCH (a:Customer)-[r:REFERRED]->(b:Customer)
WHERE $campaign IS NULL OR r.campaign_id = $campaign
RETURN a.id AS referrer, b.id AS referee, r.campaign_id AS campaign, r.at AS at,
       r.converted AS converted
ORDER BY r.at, a.id, b.id
