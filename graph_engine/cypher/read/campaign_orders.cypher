// Orders tagged with a campaign, oldest first, with current customer ids.
// Parameters:
//   $campaign: campaign id
MATCH (c:Customer)-[:PLACED]->(o:Order)
WHERE o.campaign_id = $campaign
RETURN c.id AS customer, o.amount AS amount, o.currency AS currency, o.at AS at,
       o.order_id AS order_id
ORDER BY at, customer, order_id
