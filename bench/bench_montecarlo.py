"""Benchmark: Monte Carlo of NPV for 1,000 ideas x 10,000 draws over a shared catalogue.

Baseline, measured in the same run: drawing the same random numbers only (the PERT Beta draws
of every uncertain estimate, a uniform per idea and per risky asset, per draw, in the same
chunks). That is the floor of the method; the target is at most 3x the floor.

About a third of the needs are optional, so a failed asset may take away a need's share of
the benefit (expected coverage) rather than the whole idea.

    python bench/bench_montecarlo.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from valuechain.engine.chain import Asset, AssetKind, Deployment, Estimate, Idea, Need
from valuechain.engine.uncertainty import SimulationModel

IDEAS = 1_000
DRAWS = 10_000
SEED = 20_26
OPTIONAL_SHARE = 0.35
TARGET = 3.0


T = TypeVar("T")


def three_point(rng: np.random.Generator, scale: float) -> Estimate:
    likely = float(rng.uniform(0.5, 1.5)) * scale
    return Estimate(
        likely * float(rng.uniform(0.6, 1.0)), likely, likely * float(rng.uniform(1.0, 2.0))
    )


def catalogue_and_ideas(
    rng: np.random.Generator,
) -> tuple[dict[tuple[AssetKind, int], Asset], list[Idea]]:
    raw_kind, cur_kind, feat_kind = (
        AssetKind.RAW_SOURCE,
        AssetKind.CURATED_DATASET,
        AssetKind.FEATURE,
    )
    catalogue = {}
    for i in range(300):
        catalogue[(raw_kind, i)] = Asset(
            raw_kind,
            i,
            available=True,
            build=three_point(rng, 30_000),
            run=three_point(rng, 5_000),
            feasibility=float(rng.uniform(0.8, 1.0)),
        )
    for i in range(400):
        ups = tuple((raw_kind, int(j)) for j in rng.choice(300, size=2, replace=False))
        catalogue[(cur_kind, i)] = Asset(
            cur_kind,
            i,
            available=bool(rng.random() < 0.5),
            build=three_point(rng, 50_000),
            run=three_point(rng, 8_000),
            feasibility=float(rng.uniform(0.85, 1.0)),
            upstream=ups,
        )
    for i in range(1_500):
        ups = ((cur_kind, int(rng.integers(400))),)
        catalogue[(feat_kind, i)] = Asset(
            feat_kind,
            i,
            available=bool(rng.random() < 0.4),
            build=three_point(rng, 15_000),
            run=three_point(rng, 2_000),
            upstream=ups,
        )
    ideas = []
    # A stream of its own, so the rest of the instance is the one measured before.
    optional = np.random.default_rng(SEED + 1)
    for i in range(IDEAS):
        picks = rng.choice(1_500, size=int(rng.integers(2, 5)), replace=False)
        essential = optional.random(len(picks)) >= OPTIONAL_SHARE
        essential[0] = True
        needs = tuple(
            Need(
                f"n{j}",
                (feat_kind, int(j)),
                engineering=three_point(rng, 10_000),
                weight=float(optional.uniform(0.5, 2.0)),
                essential=bool(must),
            )
            for j, must in zip(picks, essential, strict=True)
        )
        ideas.append(
            Idea(
                id=i,
                benefit=three_point(rng, 200_000),
                probability=float(rng.uniform(0.4, 0.95)),
                needs=needs,
                deployment=Deployment(setup=three_point(rng, 20_000), run=three_point(rng, 5_000)),
            )
        )
    return catalogue, ideas


def draw_only(model: SimulationModel, draws: int, seed: int) -> float:
    """The floor: the same random numbers in the same chunks, nothing computed from them."""
    rng = np.random.default_rng(seed)
    total = 0.0
    done = 0
    chunk = model.chunk_size(draws)
    while done < draws:
        k = min(chunk, draws - done)
        estimates = rng.beta(model.alpha, model.beta, size=(len(model.variable_rows), k))
        ideas = rng.random((model.size, k))
        assets = rng.random((len(model.risky_assets), k))
        total += estimates[0, 0] + ideas[0, 0] + (assets[0, 0] if assets.size else 0.0)
        done += k
    return total


def best_of(repeats: int, run: Callable[[], T]) -> tuple[float, T]:
    """Best wall time of a few runs, and the last run's result."""
    times: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    rng = np.random.default_rng(SEED)
    catalogue, ideas = catalogue_and_ideas(rng)
    started = time.perf_counter()
    model = SimulationModel(ideas, catalogue, discount_rate=0.10, horizon_years=3)
    compile_seconds = time.perf_counter() - started
    print(
        f"ideas {IDEAS}, draws {DRAWS}, charged assets {len(model.assets)}, "
        f"uncertain estimates {len(model.variable_rows)}, "
        f"risky assets {len(model.risky_assets)}, "
        f"optional needs at risk {model.coverage_weights.shape[1]}, "
        f"chunk {model.chunk_size(DRAWS)} draws"
    )

    floor, _ = best_of(2, lambda: draw_only(model, DRAWS, SEED))
    full, result = best_of(2, lambda: model.simulate(DRAWS, SEED))
    numbers = (len(model.variable_rows) + model.size + len(model.risky_assets)) * DRAWS
    print(f"compile ideas into arrays:     {compile_seconds * 1000:8.1f} ms")
    print(
        f"baseline, draw only:           {floor:8.3f} s  ({numbers / floor / 1e6:.1f} M numbers/s)"
    )
    print(f"Monte Carlo (NPV, summaries):  {full:8.3f} s")
    print(f"ratio Monte Carlo / draw only: {full / floor:8.2f}x  (target <= {TARGET:.0f}x)")
    assert result.portfolio is not None
    print(
        f"portfolio NPV mean {result.portfolio.mean:,.0f}, P10 {result.portfolio.p10:,.0f}, "
        f"P90 {result.portfolio.p90:,.0f}, P(loss) {result.portfolio.probability_of_loss:.3f}"
    )
    if full / floor > TARGET:
        print("ABOVE TARGET")


if __name__ == "__main__":
    main()
