// Every campaign plan, newest first.
// Parameters: none.
MATCH (p:CampaignPlan)
RETURN p.campaign_id AS campaign_id, p.created_at AS created_at
ORDER BY p.created_at DESC, p.campaign_id
