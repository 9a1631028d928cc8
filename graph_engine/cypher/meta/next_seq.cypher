// Increment and return a named counter (merge log, ingest runs, runs, audit log). The
// write lock on the counter node serialises concurrent writers.
// Parameters:
//   $counter: counter name
MERGE (m:Meta {key: $counter})
  ON CREATE SET m.value = 0
SET m.value = m.value + 1
RETURN m.value AS seq
