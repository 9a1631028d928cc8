// Share actions tagged with a campaign, oldest first, with current customer ids.
// Parameters:
//   $campaign: campaign id
MATCH (a:Customer)-[s:SHARED_TO]->(b:Customer)
WHERE s.campaign_id = $campaign
RETURN a.id AS sharer, b.id AS viewer, s.action AS action, s.at AS at
ORDER BY at, sharer, viewer, action
