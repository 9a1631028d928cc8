// Set a database-level setting only if it does not exist yet; return the value kept
// (the first writer wins, so two processes opening a new database agree on the salt).
// Parameters:
//   $key: setting name
//   $value: value to use if the setting is new
MERGE (m:Meta {key: $key})
  ON CREATE SET m.value = $value
RETURN m.value AS value
