// The core number (k-core decomposition) of every node of a projected graph (gds.kcore.stream), as one record of aligned
// lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.kcore.stream($graph, $config) YIELD nodeId, coreValue
RETURN collect(nodeId) AS node, collect(coreValue) AS value
