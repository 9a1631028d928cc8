// Each community's conductance for a partition stored as a node property of a projected
// graph (gds.conductance.stream).
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map (communityProperty, ...)
CALL gds.conductance.stream($graph, $config) YIELD community, conductance
RETURN collect(community) AS community, collect(conductance) AS conductance
