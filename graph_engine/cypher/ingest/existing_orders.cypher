// Which of the given order ids are already stored (a re-sent order is a duplicate).
// Parameters:
//   $order_ids: list of order id strings
UNWIND $order_ids AS order_id
MATCH (o:Order {order_id: order_id})
RETURN o.order_id AS order_id
