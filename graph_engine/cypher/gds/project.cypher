// Project a graph given as dense integer node ids 0..n-1 and aligned edge lists into the
// GDS catalog (a Cypher aggregation projection: one row per node first, so isolated nodes
// exist and node properties come from the node rows, then one row per edge; parallel
// edges are kept).
// Parameters:
//   $name: catalog name of the new graph
//   $n: node count
//   $source: edge sources (node ids)
//   $target: edge targets (node ids), aligned with $source
//   $weight: edge weights aligned with $source, or null (unweighted)
//   $seed: one integer per node (projected as node property 'seed'), or null
//   $undirected: [] for a directed graph, ['*'] for an undirected one
UNWIND range(0, $n + size($source) - 1) AS i
WITH i,
     CASE WHEN i < $n THEN i ELSE $source[i - $n] END AS s,
     CASE WHEN i < $n THEN null ELSE $target[i - $n] END AS t
RETURN gds.graph.project(
  $name, s, t,
  {sourceNodeProperties: CASE WHEN i < $n AND $seed IS NOT NULL THEN {seed: $seed[i]} ELSE null END,
   targetNodeProperties: null,
   relationshipProperties: CASE WHEN t IS NOT NULL AND $weight IS NOT NULL THEN {weight: $weight[i - $n]} ELSE null END},
  {undirectedRelationshipTypes: $undirected}) AS graph
