"""ROI reports for 10,000 synthetic ideas x 8 needs through the vectorised engine.

Baseline: a plain per-idea Python loop of the same formulas (closures walked afresh for every
need and ladder step, no memoisation, no numpy), measured in the same run on the same ideas.
Each engine path is shown as a ratio against it: the vectorised arrays alone, the vectorised
RoiReport objects (over a catalogue compiled once, as a cache holds it, and compiling each
call), the JSON-ready documents the stored figures hold built straight from the arrays (no
report objects; the same documents as documents.report_to_document of the objects), and the
scalar engine (finance) one idea a call and over all ideas at once. The documents path is
shown twice: from chain.Idea objects (read into columns inside the timed region), and from
columns.IdeaColumns prepared beforehand, as the app's mapper builds them from database values
(mappers.idea_columns_of: no Idea objects at all); reading the Idea objects into columns is
shown alone too.
Ratios are of CPU time (the machine is shared), best of interleaved rounds; wall time beside.

Run: python bench/bench_roi.py [--ideas N] [--rounds R]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from valuechain.engine import batch, documents, finance
from valuechain.engine.chain import (
    Asset,
    AssetKey,
    AssetKind,
    Deployment,
    Estimate,
    Idea,
    Need,
)
from valuechain.engine.columns import IdeaColumns

Catalogue = dict[AssetKey, Asset]

NEEDS_PER_IDEA = 8
CATALOGUE_SIZES = {
    AssetKind.FEATURE: 800,
    AssetKind.CURATED_DATASET: 160,
    AssetKind.RAW_SOURCE: 70,
    AssetKind.ACQUISITION_OPTION: 25,
}
# Where ideas point their needs: mostly the feature store, sometimes further upstream.
NEED_KIND_SHARE = {
    AssetKind.FEATURE: 0.85,
    AssetKind.CURATED_DATASET: 0.10,
    AssetKind.RAW_SOURCE: 0.04,
    AssetKind.ACQUISITION_OPTION: 0.01,
}


def estimate(rng: random.Random, likely: float) -> Estimate:
    return Estimate(likely * rng.uniform(0.6, 1.0), likely, likely * rng.uniform(1.0, 2.0))


def synthetic_catalogue(rng: random.Random) -> dict[AssetKey, Asset]:
    """A retailer-sized catalogue: most features and curated data exist, raw data often
    arrives already, acquisition options are external systems to buy or integrate."""
    ids = {kind: range(1, n + 1) for kind, n in CATALOGUE_SIZES.items()}
    assets: dict[AssetKey, Asset] = {}

    def add(
        kind: AssetKind,
        i: int,
        available: bool,
        build: float,
        run: float,
        feasibility: float,
        upstream: tuple[AssetKey, ...],
        online: bool = False,
    ) -> None:
        assets[(kind, i)] = Asset(
            kind=kind,
            id=i,
            available=available,
            build=estimate(rng, build),
            run=estimate(rng, run),
            feasibility=feasibility,
            upstream=upstream,
            online=online,
        )

    acq, raw, cur = (AssetKind.ACQUISITION_OPTION, AssetKind.RAW_SOURCE, AssetKind.CURATED_DATASET)
    for i in ids[acq]:
        add(
            acq,
            i,
            False,
            rng.uniform(20e3, 150e3),
            rng.uniform(5e3, 40e3),
            rng.uniform(0.4, 0.8),
            (),
        )
    upstream: tuple[AssetKey, ...]
    for i in ids[raw]:
        arrives = rng.random() < 0.8
        upstream = () if arrives else ((acq, rng.choice(ids[acq])),)
        add(
            raw,
            i,
            arrives,
            rng.uniform(8e3, 40e3),
            rng.uniform(2e3, 12e3),
            rng.uniform(0.65, 0.9),
            upstream,
        )
    for i in ids[cur]:
        upstream = tuple((raw, j) for j in rng.sample(ids[raw], rng.randint(1, 3)))
        add(
            cur,
            i,
            rng.random() < 0.85,
            rng.uniform(5e3, 30e3),
            rng.uniform(1e3, 8e3),
            rng.uniform(0.8, 0.97),
            upstream,
        )
    for i in ids[AssetKind.FEATURE]:
        upstream = tuple((cur, j) for j in rng.sample(ids[cur], rng.randint(1, 3)))
        add(
            AssetKind.FEATURE,
            i,
            rng.random() < 0.9,
            rng.uniform(1e3, 10e3),
            rng.uniform(200, 2e3),
            rng.uniform(0.9, 1.0),
            upstream,
            online=rng.random() < 0.4,
        )
    return assets


def synthetic_ideas(rng: random.Random, count: int) -> list[Idea]:
    by_kind = {kind: list(range(1, n + 1)) for kind, n in CATALOGUE_SIZES.items()}
    kinds, shares = list(NEED_KIND_SHARE), list(NEED_KIND_SHARE.values())
    ideas = []
    for i in range(count):
        needs = []
        for j in range(NEEDS_PER_IDEA):
            kind = rng.choices(kinds, shares)[0]
            needs.append(
                Need(
                    f"signal {j}",
                    (kind, rng.choice(by_kind[kind])),
                    estimate(rng, rng.uniform(2e3, 15e3)),
                    weight=rng.uniform(0.5, 3),
                    essential=rng.random() < 0.3,
                )
            )
        online = rng.random() < 0.4
        ideas.append(
            Idea(
                id=i + 1,
                benefit=estimate(rng, rng.uniform(50e3, 900e3)),
                probability=rng.uniform(0.4, 0.95),
                horizon_years=rng.randint(2, 6),
                discount_rate=rng.uniform(0.06, 0.15),
                needs=tuple(needs),
                deployment=Deployment(
                    setup=estimate(rng, rng.uniform(5e3, 40e3)),
                    run=estimate(rng, rng.uniform(2e3, 20e3)),
                    online_serving=online,
                    online_feature_setup=estimate(rng, 1_500),
                    online_feature_run=estimate(rng, 400),
                ),
            )
        )
    return ideas


# ---- the baseline: the formulas of DESIGN section 3, one idea at a time, plain Python ----


def plain_closure(catalogue: dict[AssetKey, Asset], key: AssetKey) -> set[AssetKey]:
    seen: set[AssetKey] = set()
    stack = [key]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        asset = catalogue[current]
        if not asset.available:
            stack.extend(asset.upstream)
    return seen


def plain_cost(
    catalogue: Catalogue, idea: Idea, needs: Sequence[Need], blocked: bool = False
) -> tuple[float, float, float, float, int]:
    """C0, R, p, k and the tier of some needs of an idea; k is 0 while `blocked`."""
    reached = [plain_closure(catalogue, n.asset) for n in needs]
    keys: set[AssetKey] = set().union(*reached)
    charged = [a for a in keys if catalogue[a].charged]
    one_off = sum(n.engineering.mean for n in needs) + sum(catalogue[a].build.mean for a in charged)
    run = sum(catalogue[a].run.mean for a in charged)
    essential = {
        a for n, c in zip(needs, reached, strict=True) if n.essential for a in c if a in charged
    }
    p = idea.probability * math.prod(catalogue[a].feasibility for a in essential)
    k = 1.0
    if idea.needs:
        total_weight = sum(n.weight for n in idea.needs)
        k = 0.0
        for n, c in zip(needs, reached, strict=True):
            outside = (a for a in c if catalogue[a].charged and a not in essential)
            k += n.weight / total_weight * math.prod(catalogue[a].feasibility for a in outside)
        k = 0.0 if blocked else k
    d = idea.deployment
    setup, yearly = d.setup.mean, d.run.mean
    if d.online_serving:
        offline = sum(1 for a in keys if a[0] == AssetKind.FEATURE and not catalogue[a].online)
        offline += sum(1 for n in needs if n.asset[0] != AssetKind.FEATURE)
        setup += offline * d.online_feature_setup.mean
        yearly += offline * d.online_feature_run.mean
    return one_off + setup, run + yearly, p, k, max((a[0].tier for a in keys), default=1)


def plain_report(catalogue: Catalogue, idea: Idea) -> tuple[Any, ...]:
    af = sum((1 + idea.discount_rate) ** -y for y in range(1, idea.horizon_years + 1))
    benefit = idea.benefit.mean
    one_off, run, p, k, tier = plain_cost(catalogue, idea, idea.needs)
    net = p * k * benefit - run
    npv = -one_off + net * af
    present = one_off + run * af
    payback = None
    if one_off <= 0:
        payback = 0.0
    else:
        cumulative = -one_off
        for y in range(1, idea.horizon_years + 1):
            inflow = net / (1 + idea.discount_rate) ** y
            if inflow > 0 and cumulative + inflow >= 0:
                payback = y - 1 + -cumulative / inflow
                break
            cumulative += inflow
    need_tiers = [max(k[0].tier for k in plain_closure(catalogue, n.asset)) for n in idea.needs]
    total_weight = sum(n.weight for n in idea.needs)
    ladder = []
    for t in range(1, tier + 1):
        needs = [n for n, nt in zip(idea.needs, need_tiers, strict=True) if nt <= t]
        essential_missing = any(
            n.essential and nt > t for n, nt in zip(idea.needs, need_tiers, strict=True)
        )
        c0, r, q, k_t, _ = plain_cost(catalogue, idea, needs, essential_missing)
        coverage = 0.0 if essential_missing else sum(n.weight for n in needs) / total_weight
        value = -c0 + (q * k_t * benefit - r) * af
        cost = c0 + r * af
        ladder.append((t, c0, value, value / cost if cost > 0 else None, coverage))
    negative = next(
        (t for t, _, _, ratio, cov in ladder if cov > 0 and ratio is not None and ratio < 0), None
    )
    worth = [step for step in ladder if step[2] > 0]
    best = max(worth, key=lambda step: (step[2], -step[0]))[0] if worth else None
    return npv, (npv / present if present > 0 else None), payback, negative, best, ladder


def best_of_rounds(
    candidates: dict[str, Callable[[], Any]], rounds: int
) -> dict[str, tuple[float, float]]:
    """Each candidate's best CPU time and best wall time over interleaved rounds. The machine
    is shared: CPU time of this (single-threaded) process leaves out the waits for a core,
    and interleaving exposes every candidate, the baseline too, to the same drift."""
    cpu = dict.fromkeys(candidates, math.inf)
    wall = dict.fromkeys(candidates, math.inf)
    for _ in range(rounds):
        for name, fn in candidates.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            result = fn()
            cpu[name] = min(cpu[name], time.process_time() - start_cpu)
            wall[name] = min(wall[name], time.perf_counter() - start)
            del result  # freeing the results is the caller's, after the timing, for all alike
    return {name: (cpu[name], wall[name]) for name in candidates}


DOCUMENTS_FROM_OBJECTS = "documents from Idea objects (read into columns in the timing)"
DOCUMENTS_FROM_COLUMNS = "documents from columns (IdeaColumns prepared from rows, as the mapper)"
READING = "  of which reading the Idea objects into IdeaColumns"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20261126)
    catalogue = synthetic_catalogue(rng)
    ideas = synthetic_ideas(rng, args.ideas)
    print(
        f"catalogue: {len(catalogue)} assets; {len(ideas)} ideas x {NEEDS_PER_IDEA} needs; "
        f"best of {args.rounds} interleaved rounds each"
    )

    compiled = batch.compile_catalogue(catalogue)
    fast = batch.compiled_roi_reports(ideas, compiled)
    reference = finance.roi_reports(ideas, catalogue)
    plain = [plain_report(catalogue, idea) for idea in ideas]
    # The comparison only means something if all three agree.
    for f, r, (npv, ratio, _payback, negative, best, ladder) in zip(
        fast, reference, plain, strict=True
    ):
        assert math.isclose(f.npv, r.npv, rel_tol=1e-9, abs_tol=1e-3), (f, r)
        assert math.isclose(f.npv, npv, rel_tol=1e-9, abs_tol=1e-3)
        assert (f.roi is None) == (ratio is None)
        assert (f.negative_from_tier, f.best_stop_tier) == (negative, best)
        assert len(f.ladder) == len(ladder)
    assert batch.roi_reports(ideas[:50], catalogue) == fast[:50]
    # The documents path stores what the objects' documents hold, bit for bit.
    assert batch.compiled_report_documents(ideas, compiled) == [
        documents.report_to_document(report) for report in fast
    ]
    # Columns from plain rows, as the mapper reads them from the database (no Idea objects).
    columns = IdeaColumns.from_rows(
        (
            (
                i.id,
                i.probability,
                i.horizon_years,
                i.discount_rate,
                (i.benefit.low, i.benefit.likely, i.benefit.high),
                i.deployment,
            )
            for i in ideas
        ),
        (
            (
                i.id,
                n.asset,
                n.weight,
                n.essential,
                (n.engineering.low, n.engineering.likely, n.engineering.high),
            )
            for i in ideas
            for n in i.needs
        ),
    )
    assert batch.compiled_report_documents(columns, compiled) == batch.compiled_report_documents(
        ideas, compiled
    )
    tiers = [0] * 5
    for report in fast:
        tiers[report.tier] += 1
    negative_count = sum(1 for report in fast if report.negative_from_tier)
    verdicts = {v: sum(1 for r in fast if r.verdict == v) for v in ("build", "stop_early")}
    verdicts["do_not_build"] = len(fast) - sum(verdicts.values())
    print(
        f"idea tiers 1..4: {tiers[1:]}; ladders turning negative: {negative_count}; "
        f"verdicts: {verdicts}"
    )

    baseline = "plain Python loop (baseline)"
    seconds = best_of_rounds(
        {
            baseline: lambda: [plain_report(catalogue, idea) for idea in ideas],
            "batch.compute, arrays only (Idea objects, compiled once)": lambda: batch.compute(
                ideas, compiled
            ),
            "batch.compiled_roi_reports, RoiReport objects (compiled once)": lambda: (
                batch.compiled_roi_reports(ideas, compiled)
            ),
            DOCUMENTS_FROM_OBJECTS: lambda: batch.compiled_report_documents(ideas, compiled),
            DOCUMENTS_FROM_COLUMNS: lambda: batch.compiled_report_documents(columns, compiled),
            "  RoiReport objects, then documents.report_to_document each": lambda: [
                documents.report_to_document(report)
                for report in batch.compiled_roi_reports(ideas, compiled)
            ],
            "batch.roi_reports, RoiReport objects (compiling each call)": lambda: batch.roi_reports(
                ideas, catalogue
            ),
            # The floor of any path starting from Idea objects: reading them into columns.
            READING: lambda: IdeaColumns.of(ideas),
            "finance.roi_report per idea (scalar path, one idea a call)": lambda: [
                finance.roi_report(idea, catalogue) for idea in ideas
            ],
            "finance.roi_reports (scalar path, closures shared)": lambda: finance.roi_reports(
                ideas, catalogue
            ),
        },
        args.rounds,
    )
    n = len(ideas)
    print(f"{'':<70} {'CPU s':>8} {'wall s':>8} {'ideas/s':>11}  ratio (CPU)")
    for name, (took, wall) in seconds.items():
        print(
            f"{name:<70} {took:8.3f} {wall:8.3f} {n / took:>11,.0f}  "
            f"x{seconds[baseline][0] / took:6.1f} vs baseline"
        )
    reading = seconds[READING][0]
    path = seconds[DOCUMENTS_FROM_OBJECTS][0]
    print(
        f"the documents path spends {reading / path:.0%} of its time reading the Idea objects: "
        f"x{seconds[baseline][0] / reading:.1f} is the ceiling of any path starting from them"
    )
    took, wall = best_of_rounds({"": lambda: batch.compile_catalogue(catalogue)}, 5)[""]
    print(f"{'batch.compile_catalogue alone':<70} {took:8.3f} {wall:8.3f}")


if __name__ == "__main__":
    main()
