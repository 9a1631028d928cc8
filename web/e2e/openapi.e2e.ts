// The client's types against the server's /openapi.json: every field the explorer reads
// exists in the schema it comes from.
import { describe, expect, it } from "vitest";
import { BASE } from "./browser";

const READS: Record<string, string[]> = {
  Session: ["key_id", "name", "role", "pii", "permissions"],
  Overview: ["run", "stats", "ingest", "tiers", "top", "communities"],
  Run: ["run_id", "seq", "status", "finished_at", "config", "timings"],
  Score: ["customer_id", "name", "tier", "tier_level", "tier_reason", "community_id", "social_value", "influence", "expected_reach", "audience", "revenue", "conversions", "audience_by_platform", "value_components", "value_weights", "influence_signals", "social_value_rank"],
  NetworkOut: ["kind", "nodes", "links", "limit", "truncated", "config"],
  NetworkNode: ["id", "name", "hop", "tier", "tier_level", "community_id", "social_value"],
  NetworkLink: ["source", "target", "type", "weight"],
  CommunityMapOut: ["nodes", "links", "limit", "total", "truncated"],
  CommunityNode: ["community_id", "size", "density", "conductance", "revenue_total", "engagement_mean", "tier_mix", "dominant_tier"],
  Community: ["community_id", "size", "density", "conductance", "tier_mix", "revenue_total", "revenue_mean", "engagement_mean", "top_influencers", "bridges", "linked_communities", "top_tags"],
  Customer: ["id", "name", "is_employee", "employee_of", "external_followers", "tags", "region", "revenue_total", "order_count", "first_seen", "last_active", "identity_kinds", "identities", "merged_ids", "follows", "followers", "scores", "value_explained"],
  ReachOut: ["mean", "ci95", "by_hop", "samples", "model"],
  SeedsOut: ["seeds", "expected_spread", "ci95", "certified_ratio", "rr_sets", "total_cost"],
  SeedOut: ["id", "name", "marginal_gain", "cost", "tier", "tier_reason"],
  ShortlistOut: ["candidates", "union", "sum_of_alone", "overlap"],
  ReferralsOut: ["k_factor", "invites", "conversion_rate", "users", "trees", "largest_tree", "depth", "generations", "cycle_time_median_hours", "cycle_time_early_invites"],
  CampaignSummary: ["campaign_id", "invites", "conversions", "conversion_rate", "k_factor", "users", "trees"],
  ReferralTreesOut: ["nodes", "links", "trees", "total_trees", "limit", "truncated"],
  LiftOut: ["segment_size", "base_rate", "alpha", "min_size", "data"],
  LiftRow: ["community_id", "size", "members", "rate", "lift", "p_value", "q_value", "significant"],
};

describe("the API schema", () => {
  it("has every field the explorer reads", async () => {
    const spec = (await (await fetch(`${BASE}/openapi.json`)).json()) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    const missing: string[] = [];
    for (const [schema, fields] of Object.entries(READS)) {
      const properties = spec.components.schemas[schema]?.properties;
      if (!properties) {
        missing.push(`${schema} (no such schema)`);
        continue;
      }
      for (const field of fields) if (!(field in properties)) missing.push(`${schema}.${field}`);
    }
    expect(missing).toEqual([]);
  });
});
