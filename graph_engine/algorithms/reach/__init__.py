"""Word-of-mouth reach: influence probabilities, cascade simulation, RR sets.

- :func:`learn_probabilities` / :func:`edge_probabilities`: p(u, v) per influence edge;
- :func:`estimate_spread`: Monte-Carlo IC / LT cascades (mean, CI, reach by hop);
- :func:`sample_rr_sets` / :func:`single_seed_reach`: reverse-reachable sets, reused
  for any seed set's spread, everyone's single-seed reach, and seed selection;
- :func:`referral_stats`: referral trees and viral coefficients per campaign.
"""

from graph_engine.algorithms.reach.probabilities import (
    InfluenceProbabilities,
    ProbabilitySpec,
    edge_probabilities,
    learn_probabilities,
)
from graph_engine.algorithms.reach.referrals import (
    CampaignReferrals,
    GenerationStats,
    ReferralForest,
    referral_forest,
    referral_stats,
)
from graph_engine.algorithms.reach.rrsets import RRSets, sample_rr_sets, single_seed_reach
from graph_engine.algorithms.reach.simulation import SpreadEstimate, estimate_spread

__all__ = [
    "CampaignReferrals",
    "GenerationStats",
    "InfluenceProbabilities",
    "ProbabilitySpec",
    "RRSets",
    "ReferralForest",
    "SpreadEstimate",
    "edge_probabilities",
    "estimate_spread",
    "learn_probabilities",
    "referral_forest",
    "referral_stats",
    "sample_rr_sets",
    "single_seed_reach",
]
