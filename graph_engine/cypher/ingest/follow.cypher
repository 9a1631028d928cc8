// Upsert FOLLOWS (current state): the last write by event time wins, so an unfollow sets
// active = false and an older event than the stored one changes nothing. `since` is when
// the current active stretch began. The store sends at most one row per pair per call.
// Parameters:
//   $rows: list of {follower: integer pk, followee: integer pk, active: boolean,
//          at: string, channel: string or null}
UNWIND $rows AS row
MATCH (a:Customer {pk: row.follower})
MATCH (b:Customer {pk: row.followee})
MERGE (a)-[f:FOLLOWS]->(b)
  ON CREATE SET f.created = true
WITH f, row, coalesce(f.created, false) AS fresh
WHERE fresh OR f.at <= row.at
SET f.since = CASE
      WHEN NOT row.active THEN null
      WHEN fresh OR NOT f.active THEN row.at
      ELSE f.since END,
    f.active = row.active,
    f.at = row.at,
    f.channel = coalesce(row.channel, f.channel)
REMOVE f.created
