// Create new canonical customers (ids assigned by identity resolution).
// Parameters:
//   $rows: list of {pk: integer, id: string}
UNWIND $rows AS row
MERGE (c:Customer {id: row.id})
  ON CREATE SET c.pk = row.pk, c.is_employee = false, c.external_followers = '{}',
                c.tags = [], c.revenue_total = 0.0, c.order_count = 0
