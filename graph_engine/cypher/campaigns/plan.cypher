// One campaign's plan.
// Parameters:
//   $campaign: campaign id
MATCH (p:CampaignPlan {campaign_id: $campaign})
RETURN p.created_at AS created_at, p.plan AS plan
