// Set one database-level setting (creates it if missing).
// Parameters:
//   $key: setting name
//   $value: new value (string or integer)
MERGE (m:Meta {key: $key})
SET m.value = $value
