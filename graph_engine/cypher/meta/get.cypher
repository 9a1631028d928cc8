// Read one database-level setting (identity salt, schema version, current run pointer).
// Parameters:
//   $key: setting name
MATCH (m:Meta {key: $key})
RETURN m.value AS value
