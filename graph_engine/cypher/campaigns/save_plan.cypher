// Keep a campaign's plan (a JSON document), or replace it when $replace is true; returns
// the stored creation time, so the caller sees whether an older plan was kept.
// Parameters:
//   $campaign: campaign id
//   $created_at: ISO-8601 string
//   $plan: JSON string
//   $replace: boolean
MERGE (p:CampaignPlan {campaign_id: $campaign})
  ON CREATE SET p.created_at = $created_at, p.plan = $plan
WITH p, p.created_at = $created_at AS created
FOREACH (_ IN CASE WHEN $replace AND NOT created THEN [1] ELSE [] END |
  SET p.created_at = $created_at, p.plan = $plan)
RETURN p.created_at AS created_at
