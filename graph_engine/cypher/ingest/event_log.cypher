// Log applied events so re-ingesting them changes nothing.
// Parameters:
//   $rows: list of {event_id: string, type: string, at: ISO-8601 string}
UNWIND $rows AS row
MERGE (e:Event {event_id: row.event_id})
  ON CREATE SET e.type = row.type, e.at = row.at
