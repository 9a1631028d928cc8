// Attach new identity keys (<kind>:<value>, phone and e-mail hashed) to their customer.
// Parameters:
//   $rows: list of {key: string, kind: string, customer: integer pk}
UNWIND $rows AS row
MATCH (c:Customer {pk: row.customer})
MERGE (i:Identity {key: row.key})
  ON CREATE SET i.kind = row.kind
MERGE (c)-[:HAS_IDENTITY]->(i)
