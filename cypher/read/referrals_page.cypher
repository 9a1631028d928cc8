// Snapshot read: REFERRED edges leaving one page of referrers, in the time window,
// ordered like the embedded store's (referrer, referee, campaign) key.
// Parameters:
//   $pks: list of customer pks (one page of referrers)
//   $since: ISO-8601 string or null
//   $until: ISO-8601 string or null
UNWIND $pks AS pk
MATCH (a:Customer {pk: pk})-[r:REFERRED]->(b:Customer)
WHERE ($since IS NULL OR r.at >= $since) AND ($until IS NULL OR r.at < $until)
RETURN a.pk AS source, b.pk AS target, r.converted AS converted
ORDER BY source, target, r.campaign_id
