// Memory a projection of the given size needs (GDS estimate on a fictitious graph).
// Parameters:
//   $nodes: node count
//   $relationships: relationship count (each direction counted for undirected graphs)
CALL gds.graph.project.estimate('*', '*', {nodeCount: $nodes, relationshipCount: $relationships})
YIELD bytesMin, bytesMax
RETURN bytesMin, bytesMax
