// Customers who converted in a campaign: a converted referral into them or an order.
// Parameters:
//   $campaign: campaign id
MATCH (c:Customer)
WHERE EXISTS { (c)<-[r:REFERRED]-(:Customer) WHERE r.campaign_id = $campaign AND r.converted }
   OR EXISTS { (c)-[:PLACED]->(o:Order) WHERE o.campaign_id = $campaign }
RETURN c.id AS id
ORDER BY id
