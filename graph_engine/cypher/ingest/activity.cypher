// Widen each customer's first-seen / last-active window with a batch's event times.
// Parameters:
//   $rows: list of {customer: integer pk, first: string, last: string}
UNWIND $rows AS row
MATCH (c:Customer {pk: row.customer})
SET c.first_seen = CASE
      WHEN c.first_seen IS NULL OR row.first < c.first_seen THEN row.first
      ELSE c.first_seen END,
    c.last_active = CASE
      WHEN c.last_active IS NULL OR row.last > c.last_active THEN row.last
      ELSE c.last_active END
