"""Investment, NPV, ROI, discounted payback and the ladder walk upstream (DESIGN section 3).

Expected values use the PERT mean of every estimate. An asset charged by several needs of an
idea is paid once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np

from valuechain.engine.chain import (
    AssetKey,
    Catalogue,
    ClosureCache,
    Idea,
    Need,
    offline_feature_count,
    tier_of,
)

Closures = Callable[[AssetKey], frozenset[AssetKey]]
# The cost make-up below serves one idea (floats) and many at once (numpy arrays) alike.
Money = TypeVar("Money", float, np.ndarray)


def online_features(online_serving: Money, offline_features: Money) -> Money:
    """Features a deployment must materialise online: none unless it serves online."""
    return online_serving * offline_features


def deployment_cost(base: Money, per_feature: Money, features: Money) -> Money:
    """Deployment setup (or yearly run): the type's own cost plus each feature it must
    materialise for online serving."""
    return base + features * per_feature


def one_off_investment(need_engineering: Money, asset_build: Money, setup: Money) -> Money:
    """C0 = engineering of the needs + build of the charged assets + deployment setup."""
    return need_engineering + asset_build + setup


def annual_run_cost(asset_run: Money, deployment_run: Money) -> Money:
    """R = yearly run cost of the charged assets + yearly deployment run cost."""
    return asset_run + deployment_run


@dataclass(frozen=True, slots=True)
class Investment:
    """What funding a set of needs costs: C0, R and the combined probability p."""

    one_off: float
    annual_run: float
    probability: float
    tier: int
    charged: frozenset[AssetKey]
    need_engineering: float
    asset_build: float
    asset_run: float
    deployment_setup: float
    deployment_run: float


@dataclass(frozen=True, slots=True)
class LadderStep:
    tier: int
    cumulative_investment: float
    annual_run_cost: float
    probability_of_success: float
    benefit_coverage: float
    npv: float
    roi: float | None


@dataclass(frozen=True, slots=True)
class RoiReport:
    idea_id: int
    tier: int
    one_off_investment: float
    annual_run_cost: float
    probability_of_success: float
    expected_annual_benefit: float
    npv: float
    roi: float | None
    pv_costs: float
    payback_years: float | None
    negative_from_tier: int | None
    best_stop_tier: int
    ladder: tuple[LadderStep, ...]
    need_engineering_cost: float
    asset_build_cost: float
    asset_run_cost: float
    deployment_setup_cost: float
    deployment_run_cost: float
    charged_assets: tuple[AssetKey, ...]


@lru_cache(maxsize=4096)
def _factors(rate: float, horizon_years: int) -> tuple[float, ...]:
    # Plain floats, cached: numpy on three-element arrays costs more than it saves here.
    return tuple((1.0 + rate) ** -year for year in range(1, horizon_years + 1))


def discount_factors(rate: float, horizon_years: int) -> np.ndarray:
    """1 / (1 + r)^y for y = 1..H."""
    return np.array(_factors(rate, horizon_years))


@lru_cache(maxsize=4096)
def annuity_factor(rate: float, horizon_years: int) -> float:
    """Sum over y = 1..H of 1 / (1 + r)^y."""
    return math.fsum(_factors(rate, horizon_years))


def npv(one_off: float, annual_net: float, rate: float, horizon_years: int) -> float:
    """NPV = -C0 + sum over y = 1..H of net / (1 + r)^y."""
    return -one_off + annual_net * annuity_factor(rate, horizon_years)


def pv_costs(one_off: float, annual_run: float, rate: float, horizon_years: int) -> float:
    return one_off + annual_run * annuity_factor(rate, horizon_years)


def roi(net_present_value: float, present_costs: float) -> float | None:
    """NPV per unit of discounted cost; None when nothing is spent."""
    if present_costs <= 0:
        return None
    return net_present_value / present_costs


def discounted_payback(
    one_off: float, annual_net: float, rate: float, horizon_years: int
) -> float | None:
    """First time the cumulative discounted net reaches 0, linear inside the year."""
    if one_off <= 0:
        return 0.0
    cumulative = -one_off
    for year, factor in enumerate(_factors(rate, horizon_years), start=1):
        inflow = annual_net * factor
        if inflow > 0 and cumulative + inflow >= 0:
            return year - 1 + (-cumulative) / inflow
        cumulative += inflow
    return None


def investment(
    idea: Idea,
    catalogue: Catalogue,
    needs: Sequence[Need] | None = None,
    closures: Closures | None = None,
) -> Investment:
    """C0, R and p for the given needs of an idea (all of them by default)."""
    needs = idea.needs if needs is None else needs
    closures = closures or ClosureCache(catalogue)
    keys: set[AssetKey] = set()
    for need in needs:
        keys |= closures(need.asset)
    charged = frozenset(key for key in keys if catalogue[key].charged)

    engineering = sum(need.engineering.mean for need in needs)
    build = sum(catalogue[key].build.mean for key in charged)
    run = sum(catalogue[key].run.mean for key in charged)
    feasibility = math.prod(catalogue[key].feasibility for key in charged)

    deployment = idea.deployment
    # Counting is skipped when nothing is served online: most ideas, and the hot path.
    offline = offline_feature_count(catalogue, needs, keys) if deployment.online_serving else 0
    features = float(online_features(deployment.online_serving, offline))
    setup = deployment_cost(deployment.setup.mean, deployment.online_feature_setup.mean, features)
    yearly = deployment_cost(deployment.run.mean, deployment.online_feature_run.mean, features)

    return Investment(
        one_off=one_off_investment(engineering, build, setup),
        annual_run=annual_run_cost(run, yearly),
        probability=idea.probability * feasibility,
        tier=tier_of(keys),
        charged=charged,
        need_engineering=engineering,
        asset_build=build,
        asset_run=run,
        deployment_setup=setup,
        deployment_run=yearly,
    )


def benefit_coverage(idea: Idea, needs: Iterable[Need]) -> float:
    """The weight share of the needs met, or 0 while an essential need is missing."""
    met = list(needs)
    if not idea.needs:
        return 1.0
    met_ids = {id(need) for need in met}
    if any(need.essential and id(need) not in met_ids for need in idea.needs):
        return 0.0
    total = sum(need.weight for need in idea.needs)
    return sum(need.weight for need in met) / total


def ladder(
    idea: Idea, catalogue: Catalogue, closures: Closures | None = None
) -> tuple[LadderStep, ...]:
    """Walk upstream one tier at a time, always paying for everything downstream."""
    closures = closures or ClosureCache(catalogue)
    tiers = [tier_of(closures(need.asset)) for need in idea.needs]
    top = max(tiers, default=1)
    benefit = idea.benefit.mean
    steps = []
    for tier in range(1, top + 1):
        needs = [need for need, t in zip(idea.needs, tiers, strict=True) if t <= tier]
        cost = investment(idea, catalogue, needs, closures)
        coverage = benefit_coverage(idea, needs)
        net = cost.probability * benefit * coverage - cost.annual_run
        value = npv(cost.one_off, net, idea.discount_rate, idea.horizon_years)
        present = pv_costs(cost.one_off, cost.annual_run, idea.discount_rate, idea.horizon_years)
        steps.append(
            LadderStep(
                tier=tier,
                cumulative_investment=cost.one_off,
                annual_run_cost=cost.annual_run,
                probability_of_success=cost.probability,
                benefit_coverage=coverage,
                npv=value,
                roi=roi(value, present),
            )
        )
    return tuple(steps)


def negative_from_tier(steps: Sequence[LadderStep]) -> int | None:
    return next((step.tier for step in steps if step.roi is not None and step.roi < 0), None)


def best_stop_tier(steps: Sequence[LadderStep]) -> int:
    """The tier where NPV is highest; the most downstream one on a tie."""
    best = max(steps, key=lambda step: (step.npv, -step.tier))
    return best.tier


def roi_report(idea: Idea, catalogue: Catalogue, closures: Closures | None = None) -> RoiReport:
    closures = closures or ClosureCache(catalogue)
    cost = investment(idea, catalogue, closures=closures)
    benefit = cost.probability * idea.benefit.mean
    net = benefit - cost.annual_run
    value = npv(cost.one_off, net, idea.discount_rate, idea.horizon_years)
    present = pv_costs(cost.one_off, cost.annual_run, idea.discount_rate, idea.horizon_years)
    steps = ladder(idea, catalogue, closures)
    return RoiReport(
        idea_id=idea.id,
        tier=cost.tier,
        one_off_investment=cost.one_off,
        annual_run_cost=cost.annual_run,
        probability_of_success=cost.probability,
        expected_annual_benefit=benefit,
        npv=value,
        roi=roi(value, present),
        pv_costs=present,
        payback_years=discounted_payback(cost.one_off, net, idea.discount_rate, idea.horizon_years),
        negative_from_tier=negative_from_tier(steps),
        best_stop_tier=best_stop_tier(steps),
        ladder=steps,
        need_engineering_cost=cost.need_engineering,
        asset_build_cost=cost.asset_build,
        asset_run_cost=cost.asset_run,
        deployment_setup_cost=cost.deployment_setup,
        deployment_run_cost=cost.deployment_run,
        charged_assets=tuple(sorted(cost.charged)),
    )


def roi_reports(ideas: Iterable[Idea], catalogue: Catalogue) -> list[RoiReport]:
    """Reports for many ideas over one catalogue, sharing the closure computations."""
    closures = ClosureCache(catalogue)
    return [roi_report(idea, catalogue, closures) for idea in ideas]
