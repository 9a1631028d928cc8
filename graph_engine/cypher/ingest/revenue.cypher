// Recompute revenue total and order count of the given customers from their orders.
// Parameters:
//   $pks: list of customer pks
UNWIND $pks AS pk
MATCH (c:Customer {pk: pk})
OPTIONAL MATCH (c)-[:PLACED]->(o:Order)
WITH c, sum(o.amount) AS revenue, count(o) AS orders
SET c.revenue_total = toFloat(revenue), c.order_count = orders
