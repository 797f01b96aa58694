"""The vectorised path gives the same reports as finance.roi_reports, to 1e-9 relative.

The random catalogues and ideas cover what the rules distinguish: optional needs on data that
may not arrive (k < 1), ideas blocked below an essential upstream need, ideas whose every step
loses money (do not build), ideas best stopped early and ideas best built whole.
"""

from __future__ import annotations

import math
import random

import pytest

from tests.engine.worked_example import catalogue, walk_idea
from valuechain.engine import batch, finance
from valuechain.engine.chain import (
    Asset,
    AssetKey,
    AssetKind,
    Deployment,
    Estimate,
    Idea,
    Need,
    UnknownAsset,
)

REL = 1e-9


def _estimate(rng: random.Random, scale: float) -> Estimate:
    low, likely, high = sorted(rng.uniform(0, scale) for _ in range(3))
    return Estimate(low, likely, high)


def _feasibility(rng: random.Random) -> float:
    roll = rng.random()
    if roll < 0.05:
        return 0.0
    if roll < 0.3:
        return 1.0
    return rng.uniform(0.3, 1.0)


def random_catalogue(rng: random.Random, size: int = 12) -> dict[AssetKey, Asset]:
    """A catalogue with random lineage one tier up, availability, costs and feasibility."""
    kinds = list(AssetKind)
    ids = {kind: list(range(1, size + 1)) for kind in kinds}
    assets: dict[AssetKey, Asset] = {}
    for position, kind in enumerate(kinds):
        above = kinds[position + 1] if position + 1 < len(kinds) else None
        for asset_id in ids[kind]:
            upstream: tuple[AssetKey, ...] = ()
            if above is not None:
                count = 1 if kind == AssetKind.RAW_SOURCE else rng.randint(0, 3)
                if kind == AssetKind.RAW_SOURCE and rng.random() < 0.4:
                    count = 0
                upstream = tuple((above, i) for i in rng.sample(ids[above], count))
            assets[(kind, asset_id)] = Asset(
                kind=kind,
                id=asset_id,
                available=kind != AssetKind.ACQUISITION_OPTION and rng.random() < 0.5,
                build=_estimate(rng, 50_000),
                run=_estimate(rng, 10_000),
                feasibility=_feasibility(rng),
                upstream=upstream,
                online=kind == AssetKind.FEATURE and rng.random() < 0.4,
            )
    return assets


def random_ideas(rng: random.Random, cat: dict[AssetKey, Asset], count: int) -> list[Idea]:
    keys = list(cat)
    # lean towards features, as real ideas do
    weights = [4 if key[0] == AssetKind.FEATURE else 1 for key in keys]
    ideas = []
    for i in range(count):
        needs = tuple(
            Need(
                f"need {j}",
                rng.choices(keys, weights)[0],
                _estimate(rng, 20_000),
                weight=rng.uniform(0.1, 5),
                essential=rng.random() < 0.4,
            )
            for j in range(rng.randint(0, 8))
        )
        online = rng.random() < 0.5
        deployment = (
            Deployment(
                setup=_estimate(rng, 30_000),
                run=_estimate(rng, 10_000),
                online_serving=online,
                online_feature_setup=_estimate(rng, 3_000),
                online_feature_run=_estimate(rng, 800),
            )
            if rng.random() < 0.7
            else Deployment()
        )
        ideas.append(
            Idea(
                id=i + 1,
                benefit=_estimate(rng, 400_000),
                probability=rng.choice([0.0, 1.0, rng.random(), rng.random()]),
                horizon_years=rng.randint(1, 30),
                discount_rate=rng.choice([0.0, rng.uniform(0, 0.4)]),
                needs=needs,
                deployment=deployment,
            )
        )
    return ideas


def _close(a: float | None, b: float | None, scale: float) -> bool:
    if a is None or b is None:
        return a is b
    # relative to the magnitudes the figure is made of, so a value near 0 compares fairly
    return math.isclose(a, b, rel_tol=REL, abs_tol=REL * scale)


def assert_same_report(fast: finance.RoiReport, slow: finance.RoiReport) -> None:
    scale = max(1.0, slow.pv_costs, abs(slow.npv), slow.expected_annual_benefit * 30)
    assert fast.idea_id == slow.idea_id
    assert fast.tier == slow.tier
    assert fast.charged_assets == slow.charged_assets
    for name in (
        "one_off_investment",
        "annual_run_cost",
        "expected_annual_benefit",
        "npv",
        "roi",
        "pv_costs",
        "need_engineering_cost",
        "asset_build_cost",
        "asset_run_cost",
        "deployment_setup_cost",
        "deployment_run_cost",
    ):
        assert _close(getattr(fast, name), getattr(slow, name), scale), name
    assert _close(fast.probability_of_success, slow.probability_of_success, 1.0)
    assert _close(fast.expected_coverage, slow.expected_coverage, 1.0)
    assert _close(fast.payback_years, slow.payback_years, 30.0)
    assert fast.negative_from_tier == slow.negative_from_tier
    assert fast.best_stop_tier == slow.best_stop_tier
    assert fast.verdict == slow.verdict
    assert len(fast.ladder) == len(slow.ladder)
    for f, s in zip(fast.ladder, slow.ladder, strict=True):
        step_scale = max(1.0, s.cumulative_investment + s.annual_run_cost * 30, abs(s.npv))
        assert f.tier == s.tier
        assert _close(f.benefit_coverage, s.benefit_coverage, 1.0)
        assert _close(f.probability_of_success, s.probability_of_success, 1.0)
        assert _close(f.expected_coverage, s.expected_coverage, 1.0)
        for name in ("cumulative_investment", "annual_run_cost", "npv"):
            assert _close(getattr(f, name), getattr(s, name), step_scale), name
        assert _close(f.roi, s.roi, max(1.0, abs(s.roi or 0)))


@pytest.mark.parametrize("seed", range(12))
def test_batch_reports_equal_the_reference_on_random_instances(seed):
    rng = random.Random(seed)
    cat = random_catalogue(rng, size=rng.randint(3, 15))
    ideas = random_ideas(rng, cat, 80)
    fast = batch.roi_reports(ideas, cat)
    slow = finance.roi_reports(ideas, cat)
    assert len(fast) == len(slow) == len(ideas)
    for f, s in zip(fast, slow, strict=True):
        assert_same_report(f, s)


def _blocked_then_earning(report: finance.RoiReport) -> bool:
    """Some step earns nothing (an essential need further up) before a step that earns."""
    coverage = [step.benefit_coverage for step in report.ladder]
    return coverage[0] == 0 and coverage[-1] > 0


def test_random_instances_exercise_every_branch():
    """Guard on the generator: the equality above covers all tiers, the new rules and every
    verdict."""
    rng = random.Random(0)
    cat = random_catalogue(rng)
    ideas = random_ideas(rng, cat, 300)
    reports = finance.roi_reports(ideas, cat)
    assert {r.tier for r in reports} == {1, 2, 3, 4}
    assert any(r.negative_from_tier for r in reports)
    assert any(r.negative_from_tier is None for r in reports)
    assert any(r.payback_years is None for r in reports)
    assert any(r.payback_years not in (None, 0.0) for r in reports)
    assert any(r.roi is None for r in reports)
    assert {r.verdict for r in reports} == set(finance.Verdict)
    # Optional needs on data that may not arrive: 0 < k < 1, with p over E only.
    assert sum(0 < r.expected_coverage < 1 for r in reports) > 20
    assert any(r.expected_coverage == 0 and r.probability_of_success > 0 for r in reports)
    # Blocked below an essential upstream need, then earning; and turning negative only
    # above the blocked steps.
    blocked = [r for r in reports if _blocked_then_earning(r)]
    assert len(blocked) > 20
    assert any(r.negative_from_tier and r.negative_from_tier > 1 for r in blocked)
    assert any(r.best_stop_tier is None and r.tier > 1 for r in reports)
    # ... and the vectorised engine agrees on every one of them.
    for fast, slow in zip(batch.roi_reports(ideas, cat), reports, strict=True):
        assert_same_report(fast, slow)


def test_batch_reproduces_the_worked_example_exactly_as_the_reference():
    cat = catalogue()
    ideas = [
        walk_idea(id=1),
        walk_idea(id=2, needs=walk_idea().needs[:2]),
        walk_idea(id=3, needs=()),
    ]
    for fast, slow in zip(
        batch.roi_reports(ideas, cat), finance.roi_reports(ideas, cat), strict=True
    ):
        assert_same_report(fast, slow)
    first = batch.roi_reports(ideas, cat)[0]
    # tests/engine/test_finance.py works these out: positive all the way, best at tier 2.
    assert first.negative_from_tier is None
    assert first.best_stop_tier == 2
    assert first.verdict == "stop_early"
    assert first.expected_coverage == pytest.approx(0.81445)


def test_batch_reports_a_need_on_a_missing_asset():
    cat = catalogue()
    with pytest.raises(UnknownAsset):
        batch.roi_reports([walk_idea(needs=(Need("x", (AssetKind.FEATURE, 404)),))], cat)


def test_batch_reports_a_broken_lineage_link_only_when_walked():
    cat = catalogue()
    broken = (AssetKind.CURATED_DATASET, 404)
    f2 = cat[(AssetKind.FEATURE, 2)]
    cat[f2.key] = Asset(f2.kind, f2.id, available=False, upstream=(broken,))
    f1 = cat[(AssetKind.FEATURE, 1)]
    cat[f1.key] = Asset(f1.kind, f1.id, available=True, upstream=(broken,))
    assert batch.roi_reports([walk_idea(needs=(Need("ok", f1.key),))], cat)[0].tier == 1
    with pytest.raises(UnknownAsset):
        batch.roi_reports([walk_idea(needs=(Need("walks", f2.key),))], cat)


def test_no_ideas_no_reports():
    assert batch.roi_reports([], catalogue()) == []


def test_an_empty_catalogue():
    assert_same_report(
        batch.roi_reports([walk_idea(needs=())], {})[0],
        finance.roi_reports([walk_idea(needs=())], {})[0],
    )
    with pytest.raises(UnknownAsset):
        batch.roi_reports([walk_idea(needs=()), walk_idea()], {})


def test_ideas_with_hundreds_of_needs_equal_the_reference():
    # Past 233 needs an idea's per-tier counts of all and of essential needs no longer fit
    # together in one int64: the engine counts them in two products.
    rng = random.Random(11)
    cat = random_catalogue(rng, size=15)
    few, many = random_ideas(rng, cat, 2)
    keys = list(cat)
    needs = tuple(
        Need(f"need {j}", rng.choice(keys), Estimate(1.0, 2.0, 3.0), essential=rng.random() < 0.3)
        for j in range(240)
    )
    many = Idea(id=many.id, benefit=many.benefit, probability=0.8, needs=needs)
    for f, s in zip(
        batch.roi_reports([few, many], cat), finance.roi_reports([few, many], cat), strict=True
    ):
        assert_same_report(f, s)
