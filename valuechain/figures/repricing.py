"""What a refresh did to an idea's figures: the NPV, ROI and verdict stored before and after,
kept when they differ so the activity feed can show the change's effect on the idea.

Read in the refresh's own transaction just before it stores, so "before" is exactly what the
stored report said until this refresh replaced it (a report never stored has no "before").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from valuechain import models as m

# Re-computing the same inputs may differ in the last bits (vectorised vs scalar engine).
RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Stored:
    npv: float | None
    roi: float | None
    verdict: str


def stored(idea_ids: Iterable[int]) -> dict[int, Stored]:
    """The figures these ideas have stored now, for those that have any (one query)."""
    rows = m.IdeaFigures.objects.filter(
        idea_id__in=list(idea_ids), computed_version__isnull=False
    ).values_list("idea_id", "npv", "roi", "verdict")
    return {idea_id: Stored(npv, roi, verdict) for idea_id, npv, roi, verdict in rows}


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is not b
    return not math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-6)


def record(before: Mapping[int, Stored], versions: Mapping[int, int]) -> int:
    """A FiguresChange for every idea of `before` whose figures this refresh replaced (its row
    now holds the version the refresh computed) by figures that differ. Two queries."""
    if not before:
        return 0
    rows = m.IdeaFigures.objects.filter(idea_id__in=list(before)).values_list(
        "idea_id", "computed_version", "npv", "roi", "verdict"
    )
    now = timezone.now()
    changes = []
    for idea_id, computed, npv, roi, verdict in rows:
        old = before[idea_id]
        if computed is None or computed != versions.get(idea_id):
            continue  # not stored by this refresh (a newer write made it stale again)
        if not (_differs(old.npv, npv) or _differs(old.roi, roi) or old.verdict != verdict):
            continue
        changes.append(
            m.FiguresChange(
                idea_id=idea_id,
                changed_at=now,
                inputs_version=computed,
                npv_before=old.npv,
                npv_after=npv,
                roi_before=old.roi,
                roi_after=roi,
                verdict_before=old.verdict,
                verdict_after=verdict,
            )
        )
    m.FiguresChange.objects.bulk_create(changes, batch_size=1000)
    return len(changes)
