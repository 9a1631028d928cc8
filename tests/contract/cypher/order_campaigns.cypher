// Test audit read: each order and the campaign it is filed under.
MATCH (o:Order)
OPTIONAL MATCH (o)-[:IN_CAMPAIGN]->(k:Campaign)
RETURN o.order_id, k.id
ORDER BY o.order_id
