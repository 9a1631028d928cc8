// Test audit read: every referral with the fields no store read returns.
MATCH (a:Customer)-[r:REFERRED]->(b:Customer)
RETURN a.id, b.id, r.event_id, r.order_id, r.reward, r.converted
