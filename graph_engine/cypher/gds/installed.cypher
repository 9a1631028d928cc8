// Whether the Graph Data Science library is installed in this server (its version
// function is registered).
// Parameters: none.
SHOW FUNCTIONS YIELD name
WHERE name = 'gds.version'
RETURN count(*) > 0 AS installed
