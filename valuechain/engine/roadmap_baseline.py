"""The baseline the roadmap's solver is measured against: a greedy schedule (ideas by net
yearly value per person-day, each placed in the earliest quarters its work fits)."""

from __future__ import annotations

import math
import time

import numpy as np

from valuechain.engine.roadmap import (
    EPS,
    Roadmap,
    RoadmapProblem,
    _all_upstream,
    _depths,
    _Items,
    _items,
    _roadmap,
)


def _place_item(
    items: _Items, item: int, earliest: int, left: dict[tuple[int, int], float], nq: int
) -> list[tuple[int, int]] | None:
    """The item's parts in the earliest quarters with room (taken from `left`), or None."""
    placed = []
    for p in range(items.first[item], items.last[item] + 1):
        effort = items.parts[p].effort
        q = next(
            (
                q
                for q in range(earliest, nq)
                if all(left[(r, q)] + EPS >= d for r, d in effort.items())
            ),
            None,
        )
        if q is None:
            return None
        for r, d in effort.items():
            left[(r, q)] -= d
        placed.append((p, q))
        earliest = q + 1 if p < items.last[item] else q
    return placed


def _too_large(problem: RoadmapProblem, items: _Items) -> tuple[int, ...]:
    n_assets = len(problem.assets)
    return tuple(
        idea.id
        for i, idea in enumerate(problem.ideas)
        if not items.fits[n_assets + i]
        or not all(items.fits[a] for a in _all_upstream(items, n_assets + i))
    )


def greedy(problem: RoadmapProblem) -> Roadmap:
    """The baseline: ideas in order of net yearly value per person-day (their own and their
    unbuilt assets'), each placed in the earliest quarters its parts and assets fit."""
    started = time.perf_counter()
    items = _items(problem)
    nq = problem.quarters
    n_assets = len(problem.assets)
    left = {(r, q): problem.cap(r, q) for r in problem.roles for q in range(nq)}
    x = np.zeros((len(items.parts), nq), dtype=bool)
    done: dict[int, int] = {}

    def days(item: int) -> float:
        parts = items.parts[items.first[item] : items.last[item] + 1]
        return sum(sum(part.effort.values()) for part in parts)

    def ranking(i: int) -> float:
        idea = problem.ideas[i]
        item = n_assets + i
        total = days(item) + sum(days(a) for a in _all_upstream(items, item))
        return (idea.annual_benefit - idea.annual_run) / max(total, 1.0)

    too_large = _too_large(problem, items)
    depths = _depths(problem, items)
    for i in sorted(range(len(problem.ideas)), key=ranking, reverse=True):
        idea = problem.ideas[i]
        item = n_assets + i
        if idea.id in too_large or idea.annual_benefit <= idea.annual_run:
            continue
        trial_left, trial_done = dict(left), dict(done)
        trial: list[tuple[int, int]] = []
        for it in sorted(_all_upstream(items, item) | {item}, key=depths.__getitem__):
            if it in trial_done:
                continue
            earliest = max((trial_done[u] for u in items.upstream[it]), default=0)
            if it == item:
                earliest = max(earliest, idea.not_before)
            placed = _place_item(items, it, earliest, trial_left, nq)
            if placed is None:
                break
            trial += placed
            trial_done[it] = placed[-1][1]
        else:
            left, done = trial_left, trial_done
            for p, q in trial:
                x[p, q] = True
    roadmap = _roadmap(problem, items, x, started, too_large, method="greedy")
    return Roadmap(**{**roadmap.__dict__, "gap": math.nan, "optimal": False})
