"""Indicator selection proposals: profile -> eligible, explained, validated selection."""

from assistant.profile import Profile, parse_profile, read_profile
from assistant.propose.proposal import Exclusion, Proposal, ProposedIndicator, propose

__all__ = [
    "Exclusion",
    "Profile",
    "Proposal",
    "ProposedIndicator",
    "parse_profile",
    "propose",
    "read_profile",
]
