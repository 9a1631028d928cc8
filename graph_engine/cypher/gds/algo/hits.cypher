// HITS authority and hub scores of every node of a projected graph (gds.hits.stream), as
// one record of aligned lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.hits.stream($graph, $config) YIELD nodeId, values
RETURN collect(nodeId) AS node, collect(values.auth) AS auth, collect(values.hub) AS hub
