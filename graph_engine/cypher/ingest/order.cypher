// Record new orders: (Customer)-[:PLACED]->(Order), linked to their campaign if any.
// Parameters:
//   $rows: list of {order_id, event_id, customer: integer pk, amount: float, currency,
//          campaign_id: string or null, at}
UNWIND $rows AS row
MATCH (c:Customer {pk: row.customer})
MERGE (o:Order {order_id: row.order_id})
  ON CREATE SET o.event_id = row.event_id, o.amount = row.amount, o.currency = row.currency,
                o.campaign_id = row.campaign_id, o.at = row.at
MERGE (c)-[:PLACED]->(o)
WITH o, row
WHERE row.campaign_id IS NOT NULL
MATCH (k:Campaign {id: row.campaign_id})
MERGE (o)-[:IN_CAMPAIGN]->(k)
