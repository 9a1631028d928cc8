// Keep an ingest run's report (sources, counts, quarantine file) as a JSON string.
// Parameters:
//   $finished_at: ISO-8601 string
//   $report: JSON string
MERGE (n:Meta {key: 'seq:ingest_run'})
  ON CREATE SET n.value = 0
SET n.value = n.value + 1
CREATE (:IngestRun {seq: n.value, finished_at: $finished_at, report: $report})
