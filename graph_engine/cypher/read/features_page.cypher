// Scoring inputs for one page of customers: profile flags, in-graph followers, proven
// conversions (converts on their shares + converted referrals) and event times.
// Parameters:
//   $lo, $hi: the page's first and last customer pk (a range: one index seek)
MATCH (c:Customer)
WHERE $lo <= c.pk <= $hi
RETURN c.pk AS pk, c.id AS id, c.is_employee AS is_employee,
       c.external_followers AS external_followers, c.tags AS tags,
       COUNT { (c)<-[f:FOLLOWS]-(:Customer) WHERE f.active } AS followers,
       COUNT { (c)-[s:SHARED_TO]->(:Customer) WHERE s.action = 'convert' }
       + COUNT { (c)-[r:REFERRED]->(:Customer) WHERE r.converted } AS conversions,
       [(c)-[:PERFORMED]->(e:Engagement) | e.at] AS engagements,
       [(c)-[s:SHARED_TO]->(:Customer) | [s.content_id, s.at]] AS shares,
       [(c)-[r:REFERRED]->(:Customer) | r.at] AS referrals,
       [(c)-[:PLACED]->(o:Order) | [o.at, o.amount]] AS orders
