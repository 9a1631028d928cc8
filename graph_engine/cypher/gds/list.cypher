// Names of the graphs in the GDS catalog whose name starts with a prefix.
// Parameters:
//   $prefix: name prefix
CALL gds.graph.list() YIELD graphName
WITH graphName
WHERE graphName STARTS WITH $prefix
RETURN collect(graphName) AS names
