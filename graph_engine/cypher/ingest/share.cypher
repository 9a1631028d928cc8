// Record share events: one SHARED_TO relationship per event from sharer to viewer, keyed
// by the event id (the snapshot aggregates them per pair).
// Parameters:
//   $rows: list of {event_id, sharer: integer pk, viewer: integer pk, content_id,
//          action: view|click|convert, at, channel, campaign_id}
UNWIND $rows AS row
MATCH (a:Customer {pk: row.sharer})
MATCH (b:Customer {pk: row.viewer})
MERGE (a)-[s:SHARED_TO {event_id: row.event_id}]->(b)
  ON CREATE SET s.content_id = row.content_id, s.action = row.action, s.at = row.at,
                s.channel = row.channel, s.campaign_id = row.campaign_id
