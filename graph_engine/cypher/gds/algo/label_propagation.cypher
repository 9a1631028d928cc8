// The label propagation community of every node of a projected graph (gds.labelPropagation.stream), as one record of aligned
// lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.labelPropagation.stream($graph, $config) YIELD nodeId, communityId
RETURN collect(nodeId) AS node, collect(communityId) AS value
