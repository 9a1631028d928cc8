// Which of the given event ids were already applied (the idempotency check of ingest).
// Parameters:
//   $event_ids: list of event id strings
UNWIND $event_ids AS event_id
MATCH (e:Event {event_id: event_id})
RETURN e.event_id AS event_id
