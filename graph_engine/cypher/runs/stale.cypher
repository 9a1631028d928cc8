// Runs left `running` by a process that died, and complete runs being purged.
// Parameters: none.
MATCH (r:Run)
WHERE r.status IN ['running', 'expired']
RETURN r.run_id AS run_id, r.status AS status
