// The triangle count of every node of a projected graph (gds.triangleCount.stream), as one record of aligned
// lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.triangleCount.stream($graph, $config) YIELD nodeId, triangleCount
RETURN collect(nodeId) AS node, collect(triangleCount) AS value
