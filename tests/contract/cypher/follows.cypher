// Test audit read: every follow with its state, start day and channel.
MATCH (a:Customer)-[f:FOLLOWS]->(b:Customer)
RETURN a.id, b.id, f.active, substring(f.since, 0, 10), f.channel
