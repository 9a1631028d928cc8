// Lookup indexes: written-back tier / community / score properties on customers, the
// per-run score nodes the store reads, logs ordered by sequence, share-event times.
// Run one statement at a time (the store splits this file on ";" at line ends).
// Parameters: none.
CREATE INDEX customer_tier IF NOT EXISTS FOR (c:Customer) ON (c.tier);
CREATE INDEX customer_community IF NOT EXISTS FOR (c:Customer) ON (c.community_id);
CREATE INDEX customer_social_value IF NOT EXISTS FOR (c:Customer) ON (c.social_value);
CREATE INDEX customer_score_run IF NOT EXISTS FOR (c:Customer) ON (c.score_run_id);
CREATE INDEX score_run_tier IF NOT EXISTS FOR (s:Score) ON (s.run_id, s.tier);
CREATE INDEX score_run_community IF NOT EXISTS FOR (s:Score) ON (s.run_id, s.community_id);
CREATE INDEX score_run_value IF NOT EXISTS FOR (s:Score) ON (s.run_id, s.social_value);
CREATE INDEX score_customer IF NOT EXISTS FOR (s:Score) ON (s.customer_id);
CREATE INDEX run_status IF NOT EXISTS FOR (r:Run) ON (r.status);
CREATE INDEX run_seq IF NOT EXISTS FOR (r:Run) ON (r.seq);
CREATE INDEX merge_seq IF NOT EXISTS FOR (m:Merge) ON (m.seq);
CREATE INDEX ingest_run_seq IF NOT EXISTS FOR (r:IngestRun) ON (r.seq);
CREATE INDEX audit_seq IF NOT EXISTS FOR (a:AuditEntry) ON (a.seq);
CREATE INDEX merged_id_pk IF NOT EXISTS FOR (a:MergedId) ON (a.pk);
CREATE INDEX order_campaign IF NOT EXISTS FOR (o:Order) ON (o.campaign_id);
CREATE INDEX follows_active IF NOT EXISTS FOR ()-[f:FOLLOWS]-() ON (f.active);
CREATE INDEX shared_to_event IF NOT EXISTS FOR ()-[s:SHARED_TO]-() ON (s.event_id);
CREATE INDEX shared_to_at IF NOT EXISTS FOR ()-[s:SHARED_TO]-() ON (s.at);
CREATE INDEX referred_campaign IF NOT EXISTS FOR ()-[r:REFERRED]-() ON (r.campaign_id);
CREATE INDEX shared_to_campaign IF NOT EXISTS FOR ()-[s:SHARED_TO]-() ON (s.campaign_id);
