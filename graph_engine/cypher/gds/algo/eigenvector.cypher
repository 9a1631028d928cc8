// Eigenvector centrality of every node of a projected graph (gds.eigenvector.stream), as one record of aligned
// lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.eigenvector.stream($graph, $config) YIELD nodeId, score
RETURN collect(nodeId) AS node, collect(score) AS value
