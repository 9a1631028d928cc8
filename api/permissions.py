"""Who may call what: the one declaration of every operation's permission.

Each operation of the API (by its OpenAPI ``operationId``) names the permission a key
must grant to call it, or ``None`` for the public ones. :func:`graph_engine_api.deps.authorize`
enforces it for every route (an app-wide dependency: a route cannot forget it), an
operation missing here is refused to everyone, and ``tests/api/test_permissions.py``
checks every operation of ``/openapi.json`` against this table with every role.

Permissions (what each role is granted is :data:`graph_engine_api.deps.GRANTS`):
``session`` who the key is (every role); ``read`` scores, influencers, communities,
runs, networks; ``plan`` reach, seeds, shortlist, lift,
referrals; ``ingest`` events; ``admin`` recompute jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["PERMISSIONS", "PUBLIC"]

#: Operations anyone may call, without a key.
PUBLIC = frozenset({"health", "metrics"})

PERMISSIONS: Mapping[str, str | None] = MappingProxyType(
    {
        # system
        "health": None,
        "metrics": None,
        # explorer
        "getSession": "session",
        "getOverview": "read",
        "listRuns": "read",
        "getCommunityMap": "read",
        "getCommunityGraph": "read",
        "getCustomerNetwork": "read",
        "listCampaigns": "plan",
        "getReferralTrees": "plan",
        # scores
        "getCustomer": "read",
        "getCustomerHistory": "read",
        "batchScores": "read",
        "exportScores": "read",
        # influencers and tiers
        "listInfluencers": "read",
        "tierSummary": "read",
        # communities
        "listCommunities": "read",
        "getCommunity": "read",
        "listCommunityMembers": "read",
        "listCommunityInfluencers": "read",
        "communityLift": "plan",
        # planning
        "estimateReach": "plan",
        "selectSeeds": "plan",
        "evaluateShortlist": "plan",
        "campaignReferrals": "plan",
        "listCampaignPlans": "plan",
        "planCampaign": "plan",
        "getCampaignPlan": "plan",
        "campaignReport": "plan",
        # data
        "ingestEvents": "ingest",
        "startRecompute": "admin",
        "getJob": "admin",
    }
)

assert {op for op, needed in PERMISSIONS.items() if needed is None} == PUBLIC
