"""Scoring: social value, tier rules, community profiles and lift."""

from graph_engine.scoring.communities import (
    community_profiles,
    lift,
    match_communities,
    participation_coefficient,
)
from graph_engine.scoring.tiers import TierRules, Tiers, assign_tiers
from graph_engine.scoring.value import ValueScores, percentile, social_value

__all__ = [
    "TierRules",
    "Tiers",
    "ValueScores",
    "assign_tiers",
    "community_profiles",
    "lift",
    "match_communities",
    "participation_coefficient",
    "percentile",
    "social_value",
]
