"""Benchmark: a quarterly roadmap of 200 ideas over 8 quarters and 6 roles.

The ideas share a layered value chain (acquisitions feed raw sources, raw sources curated
datasets, curated datasets features); each idea needs its own work plus 1 to 3 charged assets
and their upstream. Capacity is tight: not everything fits in 8 quarters. The MILP (HiGHS)
beside the baseline measured in the same run on the same instance: a greedy schedule (ideas
by net yearly value per person-day, each placed in the earliest quarters that fit).
Target: at most 30 s, with the gap to the solver's bound printed.

    python bench/bench_roadmap.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from valuechain.engine import roadmap as rm
from valuechain.engine import roadmap_baseline as baseline

IDEAS = 200
QUARTERS = 8
ROLES = (1, 2, 3, 4, 5, 6)
SEED = 11
TARGET_SECONDS = 30.0
RATES = {1: 700.0, 2: 650.0, 3: 600.0, 4: 620.0, 5: 550.0, 6: 800.0}
TIER_ROLES = {1: (1, 2), 2: (3, 4), 3: (4,), 4: (5, 4)}
KINDS = {1: "feature", 2: "curated_dataset", 3: "raw_source", 4: "acquisition_option"}
COUNTS = {4: 10, 3: 30, 2: 40, 1: 60}


def instance() -> rm.RoadmapProblem:
    rng = np.random.default_rng(SEED)
    assets: list[rm.WorkAsset] = []
    by_tier: dict[int, list[tuple[str, int]]] = {}
    for tier in (4, 3, 2, 1):
        keys = []
        for n in range(COUNTS[tier]):
            key = (KINDS[tier], n + 1)
            upstream: tuple[tuple[str, int], ...] = ()
            if tier < 4 and rng.random() < 0.7:
                below = by_tier[tier + 1]
                picks = rng.choice(len(below), size=min(len(below), 1 + (tier == 2)), replace=False)
                upstream = tuple(below[int(p)] for p in picks)
            build = float(rng.uniform(10_000, 60_000)) * (1 + 0.5 * (tier - 1))
            effort = rm.effort_of(build, 0, None, TIER_ROLES[tier], RATES)
            assets.append(
                rm.WorkAsset(key, effort, build, float(rng.uniform(1_000, 8_000)), upstream, tier)
            )
            keys.append(key)
        by_tier[tier] = keys
    upstream_of = {a.key: a.upstream for a in assets}

    def closure(key: tuple[str, int]) -> set[tuple[str, int]]:
        found = {key}
        for up in upstream_of[key]:
            found |= closure(up)
        return found

    ideas = []
    for i in range(IDEAS):
        needed: set[tuple[str, int]] = set()
        for _ in range(int(rng.integers(1, 4))):
            tier = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
            needed |= closure(by_tier[tier][int(rng.integers(len(by_tier[tier])))])
        own = float(rng.uniform(5_000, 40_000))
        ideas.append(
            rm.WorkIdea(
                i + 1,
                rm.effort_of(own, 0, None, TIER_ROLES[1], RATES),
                own,
                float(rng.uniform(20_000, 250_000)),
                float(rng.uniform(1_000, 10_000)),
                tuple(sorted(needed)),
                max(int(rng.integers(1, 4)), 1),
                not_before=int(rng.integers(0, 3)) if rng.random() < 0.1 else 0,
            )
        )
    capacity = {(r, q): 180.0 for r in ROLES for q in range(QUARTERS)}
    return rm.RoadmapProblem(tuple(ideas), tuple(assets), QUARTERS, capacity, ROLES, 0.10, 3)


def main() -> int:
    problem = instance()
    started = time.perf_counter()
    greedy = baseline.greedy(problem)
    greedy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    plan = rm.schedule(problem, time_limit=TARGET_SECONDS - 4)
    seconds = time.perf_counter() - started
    print(f"roadmap: {IDEAS} ideas, {len(problem.assets)} assets, {QUARTERS} quarters, "
          f"{len(ROLES)} roles")  # fmt: skip
    print(f"  baseline greedy schedule: NPV {greedy.npv:,.0f}, "
          f"{len(greedy.done)} ideas scheduled, {greedy_seconds:.2f} s")  # fmt: skip
    print(f"  MILP (HiGHS):             NPV {plan.npv:,.0f}, {len(plan.done)} ideas scheduled, "
          f"{seconds:.2f} s, gap to bound {plan.gap:.2%}, optimal={plan.optimal}")  # fmt: skip
    ratio = plan.npv / greedy.npv if greedy.npv else float("inf")
    print(f"  NPV vs greedy: {ratio:.3f}x; time vs greedy: "
          f"{seconds / max(greedy_seconds, 1e-9):.1f}x")  # fmt: skip
    ok = seconds <= TARGET_SECONDS and plan.npv >= greedy.npv - 1e-6
    print(f"  target <= {TARGET_SECONDS:.0f} s and never below greedy: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
