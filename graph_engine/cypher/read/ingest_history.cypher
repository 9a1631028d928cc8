// The last ingest reports, newest first.
// Parameters:
//   $limit: most reports to return
MATCH (n:IngestRun)
RETURN n.finished_at AS finished_at, n.report AS report
ORDER BY n.seq DESC
LIMIT $limit
