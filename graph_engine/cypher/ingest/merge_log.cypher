// Identity merge, step 4: append to the merge log (who, into whom, why, when, what moved).
// Parameters:
//   $row: {survivor: pk, merged: pk, survivor_id, merged_id, reason, evidence (list),
//          event_id, at, recorded_at, edges_repointed, self_loops_dropped}
MERGE (n:Meta {key: 'seq:merge'})
  ON CREATE SET n.value = 0
SET n.value = n.value + 1
CREATE (log:Merge {seq: n.value})
SET log += $row
