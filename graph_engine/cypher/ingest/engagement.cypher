// Record engagement events: (Customer)-[:PERFORMED]->(Engagement).
// Parameters:
//   $rows: list of {event_id, customer: integer pk, kind, content_id: string or null, at}
UNWIND $rows AS row
MATCH (c:Customer {pk: row.customer})
MERGE (e:Engagement {event_id: row.event_id})
  ON CREATE SET e.kind = row.kind, e.content_id = row.content_id, e.at = row.at
MERGE (c)-[:PERFORMED]->(e)
