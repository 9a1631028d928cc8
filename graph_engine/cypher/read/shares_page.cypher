// Snapshot read: SHARED_TO aggregated per sharer and viewer for one page of sharers,
// share events limited to the window since <= at < until (null: open end). One record
// per page: aligned lists, one entry per sharer-viewer pair.
// Parameters:
//   $lo, $hi: the page's first and last customer pk (a range: one index seek)
//   $since: ISO-8601 string or null
//   $until: ISO-8601 string or null
MATCH (a:Customer)
WHERE $lo <= a.pk <= $hi
MATCH (a)-[s:SHARED_TO]->(b:Customer)
WHERE ($since IS NULL OR s.at >= $since) AND ($until IS NULL OR s.at < $until)
WITH a, b,
     count(DISTINCT s.content_id) AS shares,
     sum(CASE WHEN s.action = 'view' THEN 1 ELSE 0 END) AS views,
     sum(CASE WHEN s.action = 'click' THEN 1 ELSE 0 END) AS clicks,
     sum(CASE WHEN s.action = 'convert' THEN 1 ELSE 0 END) AS conversions,
     count(DISTINCT CASE WHEN s.action IN ['click', 'convert'] THEN s.content_id END) AS acted
RETURN collect(a.pk) AS source, collect(b.pk) AS target, collect(shares) AS shares,
       collect(views) AS views, collect(clicks) AS clicks, collect(conversions) AS conversions,
       collect(acted) AS acted
