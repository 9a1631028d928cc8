// The API's shapes as the explorer reads them (checked against /openapi.json by the
// end-to-end tests: e2e/openapi.e2e.ts).

export type Tier = "employee" | "kol" | "koc" | "consumer";
export type Level = "nano" | "micro" | "mid" | "macro" | "mega";
export type ScoreField =
  | "social_value"
  | "influence"
  | "expected_reach"
  | "audience"
  | "participation"
  | "revenue"
  | "bridge"
  | "conversions";

export interface Session {
  key_id: string;
  name: string | null;
  role: string;
  pii: boolean;
  permissions: string[];
}

export interface Run {
  run_id: string;
  seq: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  config: Record<string, unknown>;
  counts: Record<string, unknown>;
  timings: Record<string, unknown>;
  summary: Record<string, unknown>;
  error: string | null;
}

export interface Score {
  customer_id: string;
  name?: string | null;
  run_id: string;
  tier: Tier;
  tier_level: Level | null;
  tier_reason: string;
  community_id: number | null;
  social_value: number;
  influence: number;
  expected_reach: number;
  audience: number;
  participation: number;
  revenue: number;
  bridge: number;
  conversions: number;
  audience_by_platform?: Record<string, number>;
  value_components?: Record<string, number>;
  social_value_rank?: number | null;
  value_weights?: Record<string, number>;
  influence_signals?: Record<string, number>;
}

export interface Page<T> {
  data: T[];
  count: number;
  next?: string | null;
}

export interface IngestRun {
  finished_at: string;
  accepted: number | null;
  rejected: number | null;
  duplicates: number | null;
  merges: number | null;
  quarantine: string | null;
  sources: string[] | null;
}

export interface TierRow {
  tier: Tier;
  tier_level: Level | null;
  customers: number;
  social_value_mean: number;
  revenue_total: number;
  audience_total: number;
}

export interface CommunityProfile {
  community_id: number;
  size: number;
  internal_edges: number;
  density: number;
  conductance: number;
  tier_mix: Record<string, number>;
  revenue_total: number;
  revenue_mean: number;
  engagement_mean: number;
  top_influencers: { id: string; score: number; tier: Tier }[];
  bridges: { id: string; participation_coefficient: number }[];
  linked_communities: { community_id: number; edges: number }[];
  top_tags: { tag: string; count: number }[];
}

export interface Overview {
  run: Run | null;
  stats: {
    customers: number;
    identities: number;
    merges: number;
    edges: Record<string, number>;
    orders: number;
    engagements: number;
    events: number;
  };
  stats_as_of: "run" | "now";
  ingest: { runs: IngestRun[]; rejected_total: number };
  tiers: TierRow[];
  top: Partial<Record<"kol" | "koc" | "employee", Score[]>>;
  communities: Pick<
    CommunityProfile,
    | "community_id"
    | "size"
    | "density"
    | "conductance"
    | "revenue_total"
    | "tier_mix"
    | "top_influencers"
  >[];
}

export interface NetworkNode {
  id: string;
  name: string | null;
  hop: number | null;
  tier: Tier | null;
  tier_level: Level | null;
  community_id: number | null;
  social_value: number | null;
  influence: number | null;
  expected_reach: number | null;
  audience: number | null;
  revenue: number | null;
  bridge: number | null;
}

export type RelationshipType = "FOLLOWS" | "SHARED_TO" | "REFERRED";

export interface NetworkLink {
  source: string;
  target: string;
  type: RelationshipType;
  weight: number;
}

export interface Network {
  kind: "community" | "ego";
  nodes: NetworkNode[];
  links: NetworkLink[];
  limit: number;
  truncated: boolean;
  config: Record<string, unknown>;
}

export interface CommunityNode {
  community_id: number;
  size: number;
  density: number;
  conductance: number;
  revenue_total: number;
  engagement_mean: number;
  tier_mix: Record<string, number>;
  dominant_tier: Tier;
  top_influencer: string | null;
}

export interface CommunityMap {
  nodes: CommunityNode[];
  links: { source: number; target: number; weight: number }[];
  limit: number;
  total: number;
  truncated: boolean;
}

export interface Customer {
  id: string;
  name: string | null;
  is_employee: boolean;
  employee_of: string | null;
  external_followers: Record<string, number>;
  tags: string[];
  region: string | null;
  revenue_total: number;
  order_count: number;
  first_seen: string | null;
  last_active: string | null;
  identity_kinds: string[];
  identities: string[] | null;
  merged_ids: string[];
  follows: number;
  followers: number;
  scores: Score | null;
  value_explained?: string[] | null;
}

export interface LiftRow {
  community_id: number;
  size: number;
  members: number;
  rate: number;
  lift: number;
  p_value: number;
  q_value: number;
  significant: boolean;
}

export interface LiftOut {
  segment_size: number;
  unknown: number;
  base_rate: number;
  alpha: number;
  min_size: number;
  data: LiftRow[];
  count: number;
}

export interface ReachOut {
  seeds: string[];
  mean: number;
  std_error: number;
  ci95: [number, number];
  by_hop: number[];
  quantiles: Record<string, number>;
  samples: number;
  model: string;
  seconds: number;
}

export interface SeedsIn {
  k?: number;
  budget?: number;
  cost_field?: ScoreField;
  cost_rate?: number;
  candidate_tiers?: Tier[];
  candidates?: string[];
  target_communities?: number[];
  epsilon?: number;
  seed?: number;
}

export interface SeedOut {
  id: string;
  name?: string | null;
  marginal_gain: number;
  cost: number;
  tier: string | null;
  tier_reason: string | null;
}

export interface SeedsOut {
  seeds: SeedOut[];
  expected_spread: number;
  std_error: number;
  ci95: [number, number];
  certified_ratio: number;
  rr_sets: number;
  total_cost: number;
  seconds: number;
}

export interface ShortlistOut {
  candidates: { id: string; alone: number; unique: number; added: number }[];
  greedy_order: string[];
  union: number;
  union_std_error: number;
  sum_of_alone: number;
  overlap: { a: string; b: string; shared: number; jaccard: number }[];
  rr_sets: number;
  seconds: number;
}

export interface Generation {
  generation: number;
  members: number;
  referrers: number;
  invites: number;
  conversions: number;
  conversion_rate: number;
  k_factor: number;
  k_per_member: number;
}

export interface Referrals {
  campaign_id: string;
  invites: number;
  conversions: number;
  conversion_rate: number;
  referrers: number;
  k_factor: number;
  users: number;
  trees: number;
  largest_tree: number;
  depth: number;
  breadth: number;
  generations: Generation[];
  cycle_time_median_hours: number | null;
  cycle_time_early_invites: number;
  projected_users: Record<string, number>;
}

export interface CampaignSummary {
  campaign_id: string;
  invites: number;
  conversions: number;
  conversion_rate: number;
  k_factor: number;
  users: number;
  trees: number;
}

export interface ReferralTrees {
  campaign_id: string;
  nodes: { id: string; name: string | null; generation: number; tree: number }[];
  links: { source: string; target: string }[];
  trees: number;
  total_trees: number;
  limit: number;
  truncated: boolean;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export interface Job {
  job_id: string;
  kind: "recompute";
  state: "queued" | "running" | "succeeded" | "failed";
  stage: string | null;
  progress: number;
  error: string | null;
  run_id: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface CampaignPlan {
  campaign_id: string;
  run_id: string;
  created_at: string;
  seeds: SeedOut[];
  budget: number | null;
  total_cost: number;
  reach: { mean: number; ci95: [number, number]; range95?: [number, number]; by_hop: number[] };
  conversion_rate: number;
  average_order_value: number;
  predicted_conversions: number;
  predicted_revenue: number;
  currency?: string;
  config: Record<string, unknown>;
}

export interface CampaignSeedRow {
  seed: string;
  cost: number;
  reached: number;
  conversions: number;
  revenue: number;
}

export interface CampaignReport {
  campaign_id: string;
  plan: CampaignPlan;
  planned: { reached: number; reached_range95?: [number, number] | null; conversions: number; revenue: number; cost: number };
  actual: {
    reached: number;
    conversions: number;
    revenue: number;
    cost: number;
    k_factor: number;
    cost_per_acquisition: number | null;
    roi: number | null;
    events: { shares: number; referrals: number; orders: number };
  };
  per_seed: CampaignSeedRow[];
}

export interface CampaignPlanIn {
  k?: number;
  budget?: number;
  cost_field?: ScoreField;
  cost_rate?: number;
  candidate_tiers?: Tier[];
  target_communities?: number[];
  seed?: number;
  replace?: boolean;
}
