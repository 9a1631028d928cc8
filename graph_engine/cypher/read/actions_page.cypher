// Snapshot read: per customer of one page, the distinct content they shared or clicked /
// converted on in the window (the trials of learned influence probabilities).
// Parameters:
//   $lo, $hi: the page's first and last customer pk (a range: one index seek)
//   $since: ISO-8601 string or null
//   $until: ISO-8601 string or null
MATCH (c:Customer)
WHERE $lo <= c.pk <= $hi
WITH c,
     [(c)-[s:SHARED_TO]->(:Customer)
        WHERE ($since IS NULL OR s.at >= $since) AND ($until IS NULL OR s.at < $until)
        | s.content_id]
     + [(c)<-[s:SHARED_TO]-(:Customer)
          WHERE s.action IN ['click', 'convert']
            AND ($since IS NULL OR s.at >= $since) AND ($until IS NULL OR s.at < $until)
          | s.content_id] AS contents
UNWIND contents AS content
RETURN c.pk AS pk, count(DISTINCT content) AS actions
