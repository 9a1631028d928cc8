// Identity merge, step 4: append a wave's merges to the merge log, in order (who, into
// whom, why, when, what moved). The sequence is read once and advanced by the wave's
// size, so every entry gets its own number whatever order the rows are written in.
// Parameters:
//   $rows: list of {survivor: pk, merged: pk, survivor_id, merged_id, reason,
//          evidence (list), event_id, at, recorded_at, edges_repointed,
//          self_loops_dropped}
MERGE (n:Meta {key: 'seq:merge'})
  ON CREATE SET n.value = 0
WITH n, n.value AS base
SET n.value = base + size($rows)
WITH base
UNWIND range(0, size($rows) - 1) AS i
CREATE (log:Merge {seq: base + i + 1})
SET log += $rows[i]
