// Louvain communities of a projected graph: gds.louvain.mutate writes them (the final level, or
// every level with includeIntermediateCommunities) to a node property of the projection,
// which is then streamed back, as one record with the run's statistics.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map, including mutateProperty (a node
//     property name new to the projection)
//   $property: the same mutateProperty, to stream back
CALL gds.louvain.mutate($graph, $config)
YIELD modularity, modularities, ranLevels, communityCount
CALL gds.graph.nodeProperty.stream($graph, $property) YIELD nodeId, propertyValue
RETURN modularity, modularities, ranLevels, communityCount,
       collect(nodeId) AS node, collect(propertyValue) AS value
