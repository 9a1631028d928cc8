// Node similarity pairs of a projected graph (gds.nodeSimilarity.stream), as one record
// of aligned lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.nodeSimilarity.stream($graph, $config) YIELD node1, node2, similarity
RETURN collect(node1) AS node1, collect(node2) AS node2, collect(similarity) AS similarity
