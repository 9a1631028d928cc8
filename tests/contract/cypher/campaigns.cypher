// Test audit read: every campaign node.
MATCH (k:Campaign)
RETURN k.id
ORDER BY k.id
