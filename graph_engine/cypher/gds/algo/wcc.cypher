// The weakly connected component of every node of a projected graph (gds.wcc.stream), as one record of aligned
// lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.wcc.stream($graph, $config) YIELD nodeId, componentId
RETURN collect(nodeId) AS node, collect(componentId) AS value
