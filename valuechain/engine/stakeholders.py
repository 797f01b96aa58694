"""Who must be involved: every tier an idea reaches needs each of that tier's default roles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def stakeholder_gaps(
    idea_tier: int,
    default_roles: Mapping[int, Iterable[int]],
    assigned: Iterable[tuple[int, int]],
) -> list[tuple[int, int]]:
    """(tier, role id) pairs for tiers 1..idea_tier that have nobody assigned.

    `default_roles` maps a tier to its default role ids; `assigned` holds the (tier, role id)
    of every assignment of the idea.
    """
    covered = set(assigned)
    return [
        (tier, role)
        for tier in range(1, idea_tier + 1)
        for role in sorted(default_roles.get(tier, ()))
        if (tier, role) not in covered
    ]
