// Test audit read: an identity's kind, the event log, an order's event and an
// engagement's content, for a store holding one of each.
MATCH (i:Identity)
WITH collect(i.kind)[0] AS kind
MATCH (e:Event)
WITH kind, e ORDER BY e.event_id
WITH kind, collect(e.type + '@' + substring(e.at, 0, 10)) AS log
MATCH (o:Order)
MATCH (g:Engagement)
RETURN kind, reduce(s = head(log), x IN tail(log) | s + ',' + x), o.event_id, g.content_id
