// Each community's modularity contribution for a partition stored as a node property
// of a projected graph (gds.modularity.stream).
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map (communityProperty, ...)
CALL gds.modularity.stream($graph, $config) YIELD communityId, modularity
RETURN collect(communityId) AS community, collect(modularity) AS modularity
