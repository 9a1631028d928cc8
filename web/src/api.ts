// The typed API client: every request carries the session's key; errors become ApiError
// with the server's code and message.
import type {
  CampaignSummary,
  CommunityMap,
  CommunityProfile,
  CampaignPlan,
  CampaignPlanIn,
  CampaignReport,
  Customer,
  Job,
  LiftOut,
  Network,
  Overview,
  Page,
  ReachOut,
  Referrals,
  ReferralTrees,
  Run,
  Score,
  SeedsIn,
  SeedsOut,
  Session,
  ShortlistOut,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const KEY = "graph_engine.api_key";

/** The key lives in sessionStorage: gone when the browser session ends. */
export const keyStore = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string): void => {
    sessionStorage.setItem(KEY, key);
  },
  clear: (): void => {
    sessionStorage.removeItem(KEY);
  },
};

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `/v1{path}?{query}` with empty values left out. */
export function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return `/v1${path}${text ? `?${text}` : ""}`;
}

async function request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const key = keyStore.get();
  if (key) headers["X-API-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url(path, query), {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) {
    let code = "http_error";
    let message = `${String(response.status)} ${response.statusText}`;
    try {
      const parsed = (await response.json()) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code ?? code;
      message = parsed.error?.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, code, message);
  }
  return (await response.json()) as T;
}

const enc = encodeURIComponent;

export const api = {
  session: () => request<Session>("GET", "/session"),
  overview: () => request<Overview>("GET", "/overview"),
  runs: (limit = 20) => request<Page<Run> & { current_run_id: string | null }>("GET", "/runs", { limit }),
  communityMap: (limit = 300) => request<CommunityMap>("GET", "/communities:map", { limit }),
  communities: (query: Query = {}) => request<Page<CommunityProfile>>("GET", "/communities", query),
  community: (id: number) => request<Page<CommunityProfile>>("GET", `/communities/${String(id)}`),
  communityGraph: (id: number, limit: number) =>
    request<Network>("GET", `/communities/${String(id)}/graph`, { limit }),
  members: (id: number, query: Query = {}) =>
    request<Page<Score>>("GET", `/communities/${String(id)}/members`, query),
  communityInfluencers: (id: number, limit = 10) =>
    request<Page<Score>>("GET", `/communities/${String(id)}/influencers`, { limit }),
  lift: (body: { tag?: string; campaign?: string; ids?: string[]; min_size?: number }) =>
    request<LiftOut>("POST", "/communities:lift", undefined, body),
  customer: (ref: string) => request<Customer>("GET", `/customers/${enc(ref)}`),
  history: (ref: string) => request<Page<Score>>("GET", `/customers/${enc(ref)}/history`),
  network: (ref: string, hops: number, limit: number) =>
    request<Network>("GET", `/customers/${enc(ref)}/network`, { hops, limit }),
  influencers: (query: Query) => request<Page<Score>>("GET", "/influencers", query),
  reach: (seeds: string[], targetCommunities?: number[]) =>
    request<ReachOut>("POST", "/reach:estimate", undefined, {
      seeds,
      ...(targetCommunities?.length ? { target_communities: targetCommunities } : {}),
    }),
  seeds: (body: SeedsIn) => request<SeedsOut>("POST", "/seeds:select", undefined, body),
  shortlist: (candidates: string[]) =>
    request<ShortlistOut>("POST", "/shortlist:evaluate", undefined, { candidates, n_rr_sets: 50_000 }),
  campaigns: () => request<Page<CampaignSummary>>("GET", "/campaigns"),
  referrals: (campaign: string) => request<Referrals>("GET", `/campaigns/${enc(campaign)}/referrals`),
  campaignPlans: () => request<{ data: { campaign_id: string; created_at: string }[]; count: number }>("GET", "/campaign-plans"),
  planCampaign: (id: string, body: CampaignPlanIn) => request<CampaignPlan>("POST", `/campaigns/${enc(id)}/plan`, undefined, body),
  campaignReport: (id: string) => request<CampaignReport>("GET", `/campaigns/${enc(id)}/report`),
  recompute: () => request<Job>("POST", "/jobs/recompute"),
  job: (id: string) => request<Job>("GET", `/jobs/${enc(id)}`),
  referralTrees: (campaign: string, trees: number, limit: number) =>
    request<ReferralTrees>("GET", `/campaigns/${enc(campaign)}/referrals/trees`, { trees, limit }),
};
