// Uniqueness constraints of the graph_engine model (Neo4j 5 syntax, idempotent).
// Run one statement at a time (the store splits this file on ";" at line ends).
// Parameters: none.
CREATE CONSTRAINT customer_id IF NOT EXISTS FOR (c:Customer) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT customer_pk IF NOT EXISTS FOR (c:Customer) REQUIRE c.pk IS UNIQUE;
CREATE CONSTRAINT identity_key IF NOT EXISTS FOR (i:Identity) REQUIRE i.key IS UNIQUE;
CREATE CONSTRAINT campaign_id IF NOT EXISTS FOR (c:Campaign) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT merged_id IF NOT EXISTS FOR (a:MergedId) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (e:Event) REQUIRE e.event_id IS UNIQUE;
CREATE CONSTRAINT order_id IF NOT EXISTS FOR (o:Order) REQUIRE o.order_id IS UNIQUE;
CREATE CONSTRAINT engagement_event IF NOT EXISTS FOR (e:Engagement) REQUIRE e.event_id IS UNIQUE;
CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE;
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (r:Run) REQUIRE r.run_id IS UNIQUE;
CREATE CONSTRAINT score_run_customer IF NOT EXISTS FOR (s:Score) REQUIRE (s.run_id, s.customer_id) IS UNIQUE;
CREATE CONSTRAINT community_profile IF NOT EXISTS FOR (p:CommunityProfile) REQUIRE (p.run_id, p.community_id) IS UNIQUE;
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.key_id IS UNIQUE;
CREATE CONSTRAINT campaign_plan_id IF NOT EXISTS FOR (p:CampaignPlan) REQUIRE p.campaign_id IS UNIQUE;
