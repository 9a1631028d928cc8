// Memory Leiden needs on an undirected graph of the given size (GDS estimate).
// Parameters:
//   $nodes: node count
//   $relationships: relationship count (both directions)
CALL gds.leiden.stream.estimate(
  {nodeProjection: '*',
   relationshipProjection: {R: {type: '*', orientation: 'UNDIRECTED'}},
   nodeCount: $nodes,
   relationshipCount: $relationships},
  {})
YIELD bytesMin, bytesMax
RETURN bytesMin, bytesMax
