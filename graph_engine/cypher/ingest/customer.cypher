// Apply `customer` (profile) events: given fields overwrite, missing ones (null) keep the
// stored value; an event older than the profile already stored changes nothing. The
// store sends at most one row per customer per call, in event order.
// Parameters:
//   $rows: list of {customer: integer pk, at: string, name, is_employee, employee_of,
//          external_followers (JSON string), tags (list), region} (null = not given)
UNWIND $rows AS row
MATCH (c:Customer {pk: row.customer})
WITH c, row
WHERE c.profile_at IS NULL OR c.profile_at <= row.at
SET c.name = coalesce(row.name, c.name),
    c.is_employee = coalesce(row.is_employee, c.is_employee),
    c.employee_of = coalesce(row.employee_of, c.employee_of),
    c.external_followers = coalesce(row.external_followers, c.external_followers),
    c.tags = coalesce(row.tags, c.tags),
    c.region = coalesce(row.region, c.region),
    c.profile_at = row.at
