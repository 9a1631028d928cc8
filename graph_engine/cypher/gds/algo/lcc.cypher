// The local clustering coefficient of every node of a projected graph (gds.localClusteringCoefficient.stream), as one record of aligned
// lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.localClusteringCoefficient.stream($graph, $config) YIELD nodeId, localClusteringCoefficient
RETURN collect(nodeId) AS node, collect(localClusteringCoefficient) AS value
