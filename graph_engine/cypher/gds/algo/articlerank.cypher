// ArticleRank of every node of a projected graph (gds.articleRank.stream), as one record of aligned
// lists.
// Parameters:
//   $graph: catalog name of the projected graph
//   $config: the procedure's configuration map
CALL gds.articleRank.stream($graph, $config) YIELD nodeId, score
RETURN collect(nodeId) AS node, collect(score) AS value
