// Upsert REFERRED, one relationship per referrer, referee and campaign ('' = none):
// converted once converted stays converted, rewards add up, the earliest invitation
// keeps its time and event id. The store sends at most one row per key per call.
// Parameters:
//   $rows: list of {event_id, referrer: integer pk, referee: integer pk, campaign_id,
//          converted: boolean, order_id, reward: float or null, at}
UNWIND $rows AS row
MATCH (a:Customer {pk: row.referrer})
MATCH (b:Customer {pk: row.referee})
MERGE (a)-[r:REFERRED {campaign_id: row.campaign_id}]->(b)
  ON CREATE SET r.event_id = row.event_id, r.converted = row.converted,
                r.order_id = row.order_id, r.reward = row.reward, r.at = row.at
  ON MATCH SET r.converted = r.converted OR row.converted,
               r.order_id = coalesce(r.order_id, row.order_id),
               r.reward = CASE
                 WHEN r.reward IS NULL AND row.reward IS NULL THEN null
                 ELSE coalesce(r.reward, 0.0) + coalesce(row.reward, 0.0) END,
               r.event_id = CASE WHEN row.at < r.at THEN row.event_id ELSE r.event_id END,
               r.at = CASE WHEN row.at < r.at THEN row.at ELSE r.at END
