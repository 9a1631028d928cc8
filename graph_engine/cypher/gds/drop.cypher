// Drop a projected graph from the GDS catalog (no error when it is not there).
// Parameters:
//   $name: catalog name
CALL gds.graph.drop($name, false) YIELD graphName
RETURN graphName
