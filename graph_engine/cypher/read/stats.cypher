// Counts of what the store holds: customers, identities, merges, edges by type (FOLLOWS
// active only, SHARED_TO as distinct sharer-viewer pairs), orders, engagements, events.
// Parameters: none.
RETURN COUNT { (:Customer) } AS customers,
       COUNT { (:Identity) } AS identities,
       COUNT { (:Merge) } AS merges,
       COUNT { (:Customer)-[f:FOLLOWS]->(:Customer) WHERE f.active } AS follows,
       COUNT { MATCH (a:Customer)-[:SHARED_TO]->(b:Customer) RETURN DISTINCT a, b } AS shared_to,
       COUNT { (:Customer)-[:REFERRED]->(:Customer) } AS referred,
       COUNT { (:Order) } AS orders,
       COUNT { (:Engagement) } AS engagements,
       COUNT { (:Event) } AS events
