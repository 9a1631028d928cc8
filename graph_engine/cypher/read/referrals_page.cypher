// Snapshot read: REFERRED edges leaving one page of referrers, in the time window,
// ordered like the embedded store's (referrer, referee, campaign) key. One record per
// page: aligned lists.
// Parameters:
//   $lo, $hi: the page's first and last customer pk (a range: one index seek)
//   $since: ISO-8601 string or null
//   $until: ISO-8601 string or null
MATCH (a:Customer)
WHERE $lo <= a.pk <= $hi
MATCH (a)-[r:REFERRED]->(b:Customer)
WHERE ($since IS NULL OR r.at >= $since) AND ($until IS NULL OR r.at < $until)
WITH a, b, r
ORDER BY a.pk, b.pk, r.campaign_id
RETURN collect(a.pk) AS source, collect(b.pk) AS target,
       collect(CASE WHEN r.converted THEN 1 ELSE 0 END) AS converted
