// Memory weighted PageRank needs on a graph of the given size (GDS estimate).
// Parameters:
//   $nodes: node count
//   $relationships: relationship count
CALL gds.pageRank.stream.estimate(
  {nodeProjection: '*', relationshipProjection: '*', nodeCount: $nodes, relationshipCount: $relationships},
  {})
YIELD bytesMin, bytesMax
RETURN bytesMin, bytesMax
