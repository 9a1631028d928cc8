// One customer's profile, identity keys, ids merged into it and follow counts.
// Parameters:
//   $pk: the customer's pk
MATCH (c:Customer {pk: $pk})
RETURN c {.id, .name, .is_employee, .employee_of, .external_followers, .tags, .region,
          .revenue_total, .order_count, .first_seen, .last_active} AS customer,
       [(c)-[:HAS_IDENTITY]->(i:Identity) | i.key] AS identities,
       [(a:MergedId)-[:MERGED_INTO]->(c) | a {.pk, .id}] AS merged,
       COUNT { (c)-[f:FOLLOWS]->(:Customer) WHERE f.active } AS follows,
       COUNT { (c)<-[f:FOLLOWS]-(:Customer) WHERE f.active } AS followers
