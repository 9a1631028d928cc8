// The identity merge log, oldest first.
// Parameters:
//   $limit: most entries to return
MATCH (m:Merge)
RETURN m {.survivor_id, .merged_id, .reason, .evidence, .event_id, .at, .recorded_at,
          .edges_repointed, .self_loops_dropped} AS merge
ORDER BY m.seq
LIMIT $limit
