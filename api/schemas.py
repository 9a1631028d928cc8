"""Request and response models of the HTTP API (the OpenAPI schema is built from them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Tier = Literal["employee", "kol", "koc", "consumer"]
Level = Literal["nano", "micro", "mid", "macro", "mega"]
ScoreField = Literal[
    "social_value",
    "influence",
    "expected_reach",
    "audience",
    "participation",
    "revenue",
    "bridge",
    "conversions",
]


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no customer with id or identity 'wechat_openid:o-404'"])
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    """Every error response."""

    error: ErrorDetail


class Score(BaseModel):
    """A customer's scores in one run."""

    model_config = ConfigDict(extra="allow")

    customer_id: str = Field(examples=["crm-0001234"])
    name: str | None = Field(
        default=None, description="Display name, where known (lists only).", examples=["Lin Mei"]
    )
    run_id: str = Field(examples=["run-00003-1a2b3c4d"])
    tier: Tier
    tier_level: Level | None = None
    tier_reason: str = Field(examples=["external audience 132k on weibo → macro KOL"])
    community_id: int | None = None
    social_value: float = Field(
        description="Social value in the base currency: own + referral + influence + "
        "participation (`value_components`).",
        examples=[36120.5],
    )
    influence: float
    expected_reach: float = Field(examples=[35.8])
    audience: int
    participation: float
    revenue: float
    bridge: float
    conversions: int
    audience_in_graph: int | None = None
    audience_external: int | None = None
    audience_by_platform: dict[str, int] = Field(default_factory=dict)
    is_employee: bool | None = None
    value_components: dict[str, float] = Field(default_factory=dict)
    value_weights: dict[str, float] = Field(default_factory=dict)
    social_value_rank: float | None = Field(
        default=None,
        description="The percentile blend of revenue, participation and influence in [0, 1].",
    )
    value_inputs: dict[str, float] | None = Field(
        default=None,
        description="The per-customer numbers behind `value_components` (expected reach "
        "of others, priced engagements, content shared, invitations).",
    )
    influence_signals: dict[str, float] = Field(default_factory=dict)


class Customer(BaseModel):
    """A customer: profile, identities (kinds; values only with the pii flag), scores."""

    id: str
    name: str | None = None
    is_employee: bool
    employee_of: str | None = None
    external_followers: dict[str, int]
    tags: list[str]
    region: str | None = None
    revenue_total: float
    order_count: int
    first_seen: str | None = None
    last_active: str | None = None
    identity_kinds: list[str]
    identities: list[str] | None = Field(
        default=None, description="Identity keys (pii keys only; phone/e-mail never)."
    )
    merged_ids: list[str]
    follows: int
    followers: int
    scores: Score | None = None
    value_explained: list[str] | None = Field(
        default=None,
        description="Each part of the social value with the numbers behind it (runs that "
        "priced social value in money).",
    )


class ScorePage(BaseModel):
    data: list[Score]
    count: int
    next: str | None = Field(default=None, description="Cursor of the next page, if any.")


class ScoresBatchIn(BaseModel):
    ids: list[str] = Field(min_length=1, examples=[["crm-0000001", "wechat_openid:o-42"]])


class ScoresBatchOut(BaseModel):
    data: list[Score]
    count: int
    unknown: list[str] = Field(description="Ids nobody is known by, or without scores.")


class TierRow(BaseModel):
    tier: Tier
    tier_level: Level | None = None
    customers: int
    social_value_mean: float
    revenue_total: float
    audience_total: int


class TierSummary(BaseModel):
    data: list[TierRow]
    count: int
    run_id: str


class Community(BaseModel):
    """A community's profile."""

    model_config = ConfigDict(extra="allow")

    community_id: int
    size: int
    internal_edges: int
    density: float
    conductance: float
    tier_mix: dict[str, int]
    revenue_total: float
    revenue_mean: float
    engagement_mean: float
    top_influencers: list[dict[str, Any]]
    bridges: list[dict[str, Any]]
    linked_communities: list[dict[str, Any]]
    top_tags: list[dict[str, Any]]


class CommunityPage(BaseModel):
    data: list[Community]
    count: int
    next: str | None = None


class LiftIn(BaseModel):
    """A segment: exactly one of tag, campaign (its converters) or ids."""

    tag: str | None = Field(default=None, examples=["skincare"])
    campaign: str | None = None
    ids: list[str] | None = None
    min_size: int = Field(default=1, ge=1, description="Leave out smaller communities.")
    alpha: float = Field(
        default=0.05, gt=0, lt=1, description="False discovery rate for `significant`."
    )


class LiftRow(BaseModel):
    community_id: int
    size: int
    members: int
    rate: float
    lift: float
    p_value: float = Field(description="One-sided hypergeometric test of over-indexing.")
    q_value: float = Field(description="Benjamini-Hochberg adjusted p-value.")
    significant: bool = Field(description="q_value < alpha and lift > 1.")


class LiftOut(BaseModel):
    segment_size: int
    unknown: int
    base_rate: float
    alpha: float
    min_size: int
    data: list[LiftRow]
    count: int


class ReachIn(BaseModel):
    seeds: list[str] = Field(min_length=1, examples=[["crm-0000001", "crm-0000002"]])
    model: Literal["ic", "lt"] = "ic"
    n_simulations: int = Field(default=10_000, ge=100, le=200_000)
    seed: int = Field(default=0, ge=0, le=2**62)
    target_communities: list[Annotated[int, Field(ge=0, le=2**53)]] | None = None


class ReachOut(BaseModel):
    seeds: list[str]
    mean: float
    std_error: float
    ci95: list[float]
    by_hop: list[float]
    quantiles: dict[str, float]
    samples: int
    model: str
    seconds: float


class SeedsIn(BaseModel):
    """k seeds, or a budget with costs (explicit, or a score times a rate)."""

    k: int | None = Field(default=None, ge=1, examples=[10])
    budget: float | None = Field(default=None, gt=0)
    cost_field: ScoreField | None = None
    cost_rate: float = Field(default=1.0, gt=0)
    costs: dict[str, float] | None = None
    candidate_tiers: list[Tier] | None = None
    candidates: list[str] | None = None
    target_communities: list[Annotated[int, Field(ge=0, le=2**53)]] | None = None
    segment: list[str] | None = None
    exclude: list[str] | None = None
    epsilon: float = Field(default=0.1, gt=0, lt=0.632)
    model: Literal["ic", "lt"] = "ic"
    seed: int = Field(default=0, ge=0, le=2**62)


class SeedOut(BaseModel):
    id: str
    name: str | None = None
    marginal_gain: float
    cost: float
    tier: str | None = None
    tier_reason: str | None = None


class SeedsOut(BaseModel):
    seeds: list[SeedOut]
    expected_spread: float
    std_error: float
    ci95: list[float]
    spread_lower: float
    optimum_upper: float
    certified_ratio: float
    target_ratio: float
    a_priori_ratio: float
    rr_sets: int
    rounds: int
    total_cost: float
    seconds: float


class ShortlistIn(BaseModel):
    candidates: list[str] = Field(min_length=1, examples=[["crm-0000001", "crm-0000002"]])
    n_rr_sets: int = Field(default=200_000, ge=1_000, le=5_000_000)
    seed: int = Field(default=0, ge=0, le=2**62)


class ShortlistCandidate(BaseModel):
    id: str
    alone: float
    unique: float
    added: float


class Overlap(BaseModel):
    a: str
    b: str
    shared: float
    jaccard: float


class ShortlistOut(BaseModel):
    candidates: list[ShortlistCandidate]
    greedy_order: list[str]
    union: float
    union_std_error: float
    sum_of_alone: float
    overlap: list[Overlap]
    rr_sets: int
    seconds: float


class Generation(BaseModel):
    generation: int
    members: int
    referrers: int
    invites: int
    conversions: int
    conversion_rate: float
    k_factor: float
    k_per_member: float


class ReferralsOut(BaseModel):
    campaign_id: str
    invites: int
    conversions: int
    conversion_rate: float
    referrers: int
    k_factor: float
    users: int
    trees: int
    largest_tree: int
    depth: int
    breadth: int
    generations: list[Generation]
    by_group: dict[str, dict[str, float]]
    cycle_time_median_hours: float | None = Field(
        description="From the referrer's own conversion to the referee's; never negative."
    )
    cycle_time_samples: int
    cycle_time_early_invites: int = Field(
        description="Invitations sent before the referrer converted (counted as 0 h)."
    )
    cycles_skipped: int
    projected_users: dict[str, float]


class EventsIn(BaseModel):
    """A batch of ingest events (the same contract as files: DESIGN §4)."""

    events: list[dict[str, Any]] = Field(
        min_length=1,
        examples=[
            [
                {
                    "type": "follow",
                    "follower": "wechat_openid:o1",
                    "followee": "crm-7",
                    "at": "2026-03-01T10:00:00+08:00",
                }
            ]
        ],
    )


class Rejection(BaseModel):
    index: int = Field(description="0-based position in the batch.")
    field: str | None = None
    value: Any = None
    reason: str


class EventsOut(BaseModel):
    accepted: int
    rejected: int
    duplicates: int
    merges: int
    rejections: list[Rejection]


class Job(BaseModel):
    job_id: str
    kind: Literal["recompute"]
    state: Literal["queued", "running", "succeeded", "failed"]
    stage: str | None = None
    progress: float = Field(ge=0, le=100, description="Percent done.")
    error: str | None = None
    run_id: str | None = None
    created_at: str
    finished_at: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    store: str
    run_id: str | None = None
    run_age_seconds: float | None = None


#: Error responses every router documents (a request can meet any of them).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Bad parameter (names the field and value)."),
        (401, "Missing, unknown or revoked API key."),
        (403, "The key's role does not allow this."),
        (404, "No such customer, community, run or job."),
        (413, "Request or batch beyond the configured limits."),
        (422, "Request does not match the schema."),
        (429, "Too many requests for this key."),
        (503, "Over the time budget, or the store is unavailable."),
    )
}
#: Largest id accepted for communities (SQLite integers are 64-bit).
MAX_ID = 2**53
#: The largest page any list endpoint serves (settings may lower it).
MAX_PAGE = 1000


# -- explorer views ----------------------------------------------------------------------


class Session(BaseModel):
    """Who the presented key is and what it may do."""

    key_id: str
    name: str | None
    role: str
    pii: bool
    permissions: list[str] = Field(
        description="What the role is granted: read, plan, ingest, admin, session."
    )


class Run(BaseModel):
    model_config = ConfigDict(extra="allow")

    run_id: str
    seq: int
    status: str
    started_at: str
    finished_at: str | None = None
    config: dict[str, Any]
    counts: dict[str, Any]
    timings: dict[str, Any]
    summary: dict[str, Any]
    error: str | None = None


class RunPage(BaseModel):
    data: list[Run]
    count: int
    current_run_id: str | None


class Overview(BaseModel):
    """The current run, store counts, tiers, top people, largest communities, ingest."""

    run: Run | None
    stats: dict[str, Any]
    stats_as_of: Literal["run", "now"] = Field(
        description="`run`: the store's counts as the current run began; `now`: no run yet."
    )
    ingest: dict[str, Any]
    tiers: list[dict[str, Any]]
    top: dict[str, list[Score]]
    communities: list[dict[str, Any]]


class NetworkNode(BaseModel):
    id: str
    name: str | None = None
    hop: int | None = Field(default=None, description="Ego networks: steps from the centre.")
    tier: Tier | None = None
    tier_level: Level | None = None
    community_id: int | None = None
    social_value: float | None = None
    influence: float | None = None
    expected_reach: float | None = None
    audience: int | None = None
    revenue: float | None = None
    bridge: float | None = None


class NetworkLink(BaseModel):
    source: str
    target: str
    type: Literal["FOLLOWS", "SHARED_TO", "REFERRED"]
    weight: int = Field(description="1 per follow, share events, referral campaigns.")


class NetworkOut(BaseModel):
    """People and the relationships among them, capped at ``limit`` people."""

    kind: Literal["community", "ego"]
    nodes: list[NetworkNode]
    links: list[NetworkLink]
    limit: int
    truncated: bool = Field(description="True when the cap left people out.")
    config: dict[str, Any]


class CommunityNode(BaseModel):
    community_id: int
    size: int
    density: float
    conductance: float
    revenue_total: float
    engagement_mean: float
    tier_mix: dict[str, int]
    dominant_tier: Tier
    top_influencer: str | None = None


class CommunityLink(BaseModel):
    source: int
    target: int
    weight: int = Field(description="Relationships crossing between the two communities.")


class CommunityMapOut(BaseModel):
    nodes: list[CommunityNode]
    links: list[CommunityLink]
    limit: int
    total: int
    truncated: bool


class CampaignSummary(BaseModel):
    campaign_id: str
    invites: int
    conversions: int
    conversion_rate: float
    k_factor: float
    users: int
    trees: int


class CampaignPage(BaseModel):
    data: list[CampaignSummary]
    count: int


class ReferralNode(BaseModel):
    id: str
    name: str | None = None
    generation: int
    tree: int


class ReferralLink(BaseModel):
    source: str
    target: str


class ReferralTreesOut(BaseModel):
    campaign_id: str
    nodes: list[ReferralNode]
    links: list[ReferralLink]
    trees: int
    total_trees: int
    limit: int
    truncated: bool


# -- the campaign loop --------------------------------------------------------------------


class CampaignPlanIn(BaseModel):
    """Seeds by k or budget (costs: a score times a rate), as for `seeds:select`."""

    k: int | None = Field(default=None, ge=1, examples=[10])
    budget: float | None = Field(default=None, gt=0, examples=[50000])
    cost_field: ScoreField | None = None
    cost_rate: float = Field(default=1.0, gt=0)
    candidate_tiers: list[Tier] | None = None
    target_communities: list[Annotated[int, Field(ge=0, le=2**53)]] | None = None
    epsilon: float = Field(default=0.1, gt=0, lt=0.632)
    seed: int = Field(default=0, ge=0, le=2**62)
    replace: bool = Field(default=False, description="Replace an existing plan.")


class CampaignPlanOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    campaign_id: str
    run_id: str
    created_at: str
    seeds: list[SeedOut]
    budget: float | None
    total_cost: float
    reach: dict[str, Any]
    conversion_rate: float
    average_order_value: float
    predicted_conversions: float
    predicted_revenue: float
    config: dict[str, Any]


class CampaignSeedRow(BaseModel):
    seed: str
    cost: float
    reached: int
    conversions: int
    revenue: float


class CampaignReportOut(BaseModel):
    """Planned against actual (reach, conversions, revenue, cost; K-factor, CPA, ROI)."""

    campaign_id: str
    plan: dict[str, Any]
    planned: dict[str, Any]
    actual: dict[str, Any]
    per_seed: list[CampaignSeedRow]
    config: dict[str, Any]


class CampaignPlanPage(BaseModel):
    data: list[dict[str, str]]
    count: int
