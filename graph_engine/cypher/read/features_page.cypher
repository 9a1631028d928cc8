// Scoring inputs for one page of customers: profile flags, in-graph followers, proven
// conversions (converts on their shares + converted referrals) and events: engagement
// times and kinds, share and referral times, the clicks and converts on their shares
// (viewer pk and time), order times, amounts and currencies.
// One record of aligned lists per page (a record per customer costs more to decode);
// collect() drops nulls, so every collected value is made non-null first.
// Parameters:
//   $lo, $hi: the page's first and last customer pk (a range: one index seek)
MATCH (c:Customer)
WHERE $lo <= c.pk <= $hi
WITH c,
     COUNT { (c)<-[f:FOLLOWS]-(:Customer) WHERE f.active } AS followers,
     COUNT { (c)-[s:SHARED_TO]->(:Customer) WHERE s.action = 'convert' }
     + COUNT { (c)-[r:REFERRED]->(:Customer) WHERE r.converted } AS conversions
RETURN collect(c.pk) AS pk, collect(coalesce(c.is_employee, false)) AS is_employee,
       collect(coalesce(c.external_followers, '{}')) AS external_followers,
       collect(coalesce(c.tags, [])) AS tags,
       collect(followers) AS followers, collect(conversions) AS conversions,
       collect([(c)-[:PERFORMED]->(e:Engagement) | [e.at, e.kind]]) AS engagements,
       collect([(c)-[s:SHARED_TO]->(:Customer) | [s.content_id, s.at]]) AS shares,
       collect([(c)-[s:SHARED_TO]->(v:Customer) WHERE s.action IN ['click', 'convert']
                | [v.pk, s.at]]) AS touches,
       collect([(c)-[r:REFERRED]->(:Customer) | r.at]) AS referrals,
       collect([(c)-[:PLACED]->(o:Order) | [o.at, o.amount, o.currency]]) AS orders
