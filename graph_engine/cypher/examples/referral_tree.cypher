// Analyst example: a customer's referral tree, up to six generations deep: everyone
// they brought in directly or through the people they referred, with the chain.
// Parameters:
//   $customer_id: the root customer's id
//   $campaign: campaign id to follow, or null for referrals of any campaign
MATCH path = (root:Customer {id: $customer_id})-[:REFERRED*1..6]->(c:Customer)
WHERE $campaign IS NULL OR all(r IN relationships(path) WHERE r.campaign_id = $campaign)
WITH c, path, last(relationships(path)) AS invite
RETURN c.id AS customer, length(path) AS generation, [n IN nodes(path) | n.id] AS chain,
       invite.converted AS converted, invite.at AS invited_at
ORDER BY generation, invited_at, customer
