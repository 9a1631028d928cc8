// Test audit read: the customer keys of each merge log entry.
MATCH (l:Merge)
RETURN l.survivor, l.merged
