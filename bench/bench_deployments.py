"""What the deployment panel costs to compute, against the ROI report the idea page shows anyway.

Baseline: one ROI report per idea (finance.roi_report, closures memoised), the number the
idea page computes without deployments. Measured in the same run on the same ideas:
- the comparison of the four deployment types (four reports via dataclasses.replace of the
  idea's Deployment, sharing one closure cache), which the panel and the plan page add;
- the recommendation for random requirements (deployments.recommend), per call.

Run: python bench/bench_deployments.py [--ideas N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deployments import recommend
from valuechain.engine import finance
from valuechain.engine.chain import (
    Asset,
    AssetKey,
    AssetKind,
    ClosureCache,
    Deployment,
    Estimate,
    Idea,
    Need,
)

NEEDS_PER_IDEA = 8


def estimate(rng: random.Random, likely: float) -> Estimate:
    return Estimate(likely * rng.uniform(0.6, 1.0), likely, likely * rng.uniform(1.0, 2.0))


def catalogue(rng: random.Random) -> dict[AssetKey, Asset]:
    assets: dict[AssetKey, Asset] = {}
    kinds = [
        (AssetKind.ACQUISITION_OPTION, 25, None),
        (AssetKind.RAW_SOURCE, 70, AssetKind.ACQUISITION_OPTION),
        (AssetKind.CURATED_DATASET, 160, AssetKind.RAW_SOURCE),
        (AssetKind.FEATURE, 800, AssetKind.CURATED_DATASET),
    ]
    sizes = {kind: n for kind, n, _ in kinds}
    for kind, n, parent in kinds:
        for i in range(1, n + 1):
            upstream: tuple[AssetKey, ...] = ()
            if parent is not None and rng.random() < 0.9:
                upstream = tuple(
                    (parent, j) for j in rng.sample(range(1, sizes[parent] + 1), rng.randint(1, 2))
                )
            available = kind != AssetKind.ACQUISITION_OPTION and rng.random() < 0.8
            assets[(kind, i)] = Asset(
                kind=kind,
                id=i,
                available=available,
                build=estimate(rng, rng.uniform(5e3, 60e3)),
                run=estimate(rng, rng.uniform(1e3, 10e3)),
                feasibility=rng.uniform(0.6, 0.98),
                upstream=upstream,
                online=kind == AssetKind.FEATURE and rng.random() < 0.5,
            )
    return assets


def ideas(rng: random.Random, assets: dict[AssetKey, Asset], count: int) -> list[Idea]:
    keys = list(assets)
    features = [key for key in keys if key[0] == AssetKind.FEATURE]
    result = []
    for i in range(count):
        needs = tuple(
            Need(
                name=f"n{j}",
                asset=rng.choice(features) if rng.random() < 0.85 else rng.choice(keys),
                engineering=estimate(rng, rng.uniform(2e3, 20e3)),
                weight=rng.uniform(0.5, 2.0),
                essential=j == 0,
            )
            for j in range(NEEDS_PER_IDEA)
        )
        result.append(
            Idea(
                id=i, benefit=estimate(rng, rng.uniform(50e3, 500e3)), probability=0.7, needs=needs
            )
        )
    return result


TYPE_DEPLOYMENTS = (
    Deployment(setup=Estimate(5e3, 10e3, 20e3), run=Estimate(2e3, 5e3, 10e3)),
    Deployment(
        setup=Estimate(30e3, 60e3, 120e3),
        run=Estimate(20e3, 40e3, 80e3),
        online_serving=True,
        online_feature_setup=Estimate(2e3, 4e3, 8e3),
        online_feature_run=Estimate(1e3, 2e3, 4e3),
    ),
    Deployment(
        setup=Estimate(15e3, 30e3, 60e3),
        run=Estimate(10e3, 25e3, 50e3),
        online_serving=True,
        online_feature_setup=Estimate(2e3, 4e3, 8e3),
        online_feature_run=Estimate(1e3, 2e3, 4e3),
    ),
    Deployment(setup=Estimate(25e3, 55e3, 110e3), run=Estimate(8e3, 18e3, 35e3)),
)


def random_requirements(rng: random.Random) -> recommend.Requirements:
    return recommend.Requirements(
        latency_ms=10 ** rng.uniform(0, 7),
        requests_per_day=10 ** rng.uniform(1, 9),
        freshness=rng.choice(recommend.FRESHNESS_CHOICES),
        data_location=rng.choice(recommend.DATA_LOCATION_CHOICES),
        connectivity=rng.choice(recommend.CONNECTIVITY_CHOICES),
        privacy_sensitive=rng.random() < 0.5,
        inputs_enumerable=rng.random() < 0.5,
        continuous_events=rng.random() < 0.5,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ideas", type=int, default=2_000)
    parser.add_argument("--requirements", type=int, default=50_000)
    args = parser.parse_args()
    rng = random.Random(20261126)
    assets = catalogue(rng)
    sample = ideas(rng, assets, args.ideas)

    start = time.perf_counter()
    closures = ClosureCache(assets)
    baseline = [finance.roi_report(idea, assets, closures) for idea in sample]
    single = time.perf_counter() - start

    start = time.perf_counter()
    closures = ClosureCache(assets)
    compared = [
        [
            finance.roi_report(replace(idea, deployment=deployment), assets, closures)
            for deployment in TYPE_DEPLOYMENTS
        ]
        for idea in sample
    ]
    four = time.perf_counter() - start
    assert len(compared) == len(baseline)

    reqs = [random_requirements(rng) for _ in range(args.requirements)]
    start = time.perf_counter()
    for requirements in reqs:
        recommend.recommend(requirements)
    advice = time.perf_counter() - start

    per_report_us = single / len(sample) * 1e6
    print(f"ideas: {len(sample)} x {NEEDS_PER_IDEA} needs over {len(assets)} assets")
    print(f"baseline, one ROI report per idea:   {single:8.3f} s  {per_report_us:8.1f} us/idea")
    print(
        f"comparison of the four types:        {four:8.3f} s  "
        f"{four / len(sample) * 1e6:8.1f} us/idea  ratio {four / single:5.2f}x baseline"
    )
    per_advice_us = advice / len(reqs) * 1e6
    print(
        f"recommendation ({len(reqs)} requirement sets): {advice:6.3f} s  "
        f"{per_advice_us:8.1f} us/call  ratio {per_advice_us / per_report_us:5.2f}x one ROI report"
    )


if __name__ == "__main__":
    main()
