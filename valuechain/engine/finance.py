"""Investment, NPV, ROI, discounted payback and the ladder walk upstream (DESIGN section 3).

Expected values use the PERT mean of every estimate. An asset charged by several needs of an
idea is paid once.

Success: the idea delivers at all with p = p0 x the feasibility of E, the charged assets of
its essential needs; an optional need earns its weight share only when its own charged assets
outside E arrive too, so the expected yearly benefit is p x k x B with the expected coverage
k = sum over needs of w(n) / W x product of f(a) over A(n) minus E.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import compress
from operator import attrgetter
from typing import TypeVar

import numpy as np

from valuechain.engine.chain import (
    AssetKey,
    Catalogue,
    ClosureCache,
    Idea,
    Need,
    fast_constructor,
    offline_feature_count,
    tier_of,
)

Closures = Callable[[AssetKey], frozenset[AssetKey]]
Feasibility = Callable[[AssetKey], float]
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


def expected_annual_benefit(probability: Money, coverage: Money, benefit: Money) -> Money:
    """p x k x B: what the idea earns a year, on average over its successes and failures."""
    return probability * coverage * benefit


# --- what a set of needs reaches, and what its success depends on ----------------------------


@dataclass(frozen=True, slots=True)
class NeedShare:
    """A need's part of the expected coverage k: its weight share w(n) / W, earned only when
    its charged assets outside E (`outside`) arrive too. An essential need has none outside."""

    need: Need
    weight_share: float
    outside: frozenset[AssetKey]


@dataclass(frozen=True, slots=True)
class Reach:
    """The assets a set of needs of an idea reaches, split by what they put at risk."""

    keys: frozenset[AssetKey]  # every asset in the needs' closures
    charged: frozenset[AssetKey]
    essential: frozenset[AssetKey]  # E: the charged assets of the essential needs among them
    shares: tuple[NeedShare, ...]  # one per need, in need order
    benefit_coverage: float  # weight share of the needs; 0 while an essential need is missing


# The engine builds these by the thousand (see chain.fast_constructor) and reads these
# fields of every need and asset: map over attrgetters spares a Python frame per term.
_new_share, _new_reach = fast_constructor(NeedShare), fast_constructor(Reach)
_WEIGHT, _CHARGED = attrgetter("weight"), attrgetter("charged")
_ENGINEERING_MEAN = attrgetter("engineering.mean")
_BUILD_MEAN, _RUN_MEAN = attrgetter("build.mean"), attrgetter("run.mean")


def reach(
    idea: Idea,
    catalogue: Catalogue,
    needs: Sequence[Need] | None = None,
    closures: Closures | None = None,
) -> Reach:
    """What the given needs of an idea (all of them by default) reach; W stays the weight of
    all the idea's needs, so a ladder step's shares are shares of the whole benefit."""
    needs = idea.needs if needs is None else needs
    closures = closures or ClosureCache(catalogue)
    reached = [closures(need.asset) for need in needs]
    keys = frozenset().union(*reached)
    charged = frozenset(compress(keys, map(_CHARGED, map(catalogue.__getitem__, keys))))
    essential = charged & frozenset().union(
        *[closure for need, closure in zip(needs, reached, strict=True) if need.essential]
    )
    total = sum(map(_WEIGHT, idea.needs)) or 1.0
    shares = tuple(
        _new_share(need, need.weight / total, (closure & charged) - essential)
        for need, closure in zip(needs, reached, strict=True)
    )
    return _new_reach(keys, charged, essential, shares, benefit_coverage(idea, needs))


def _product(factors: Iterable[float]) -> float:
    """The product in a fixed order (sorted), the same whichever order a set is walked in."""
    return math.prod(sorted(factors))


def feasibility_in(catalogue: Catalogue) -> Feasibility:
    """Each charged asset's feasibility as the catalogue holds it (already defaulted)."""
    return lambda key: catalogue[key].feasibility


def probability_of_success(
    idea_probability: float, reached: Reach, feasibility: Feasibility
) -> float:
    """p = p0 x product of f(a) over E: without its essential needs the idea earns nothing."""
    return idea_probability * _product(map(feasibility, reached.essential))


def expected_coverage(reached: Reach, feasibility: Feasibility) -> float:
    """k = sum over the needs of w(n) / W x product of f(a) over A(n) minus E; 0 while an
    essential need is missing, 1 for an idea without needs (nothing to cover)."""
    if reached.benefit_coverage <= 0:
        return 0.0
    if not reached.shares:
        return reached.benefit_coverage
    # Most needs have nothing outside E: their product is the empty one, 1.
    return sum(
        share.weight_share * _product(map(feasibility, share.outside))
        if share.outside
        else share.weight_share
        for share in reached.shares
    )


# --- costs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Investment:
    """What funding a set of needs costs (C0, R) and how likely it pays (p, k)."""

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
    expected_coverage: float = 1.0
    benefit_coverage: float = 1.0
    essential: frozenset[AssetKey] = frozenset()


@dataclass(frozen=True, slots=True)
class LadderStep:
    tier: int
    cumulative_investment: float
    annual_run_cost: float
    probability_of_success: float
    benefit_coverage: float
    npv: float
    roi: float | None
    # k of the step; the default keeps steps made by hand (charts, tests) whole.
    expected_coverage: float = 1.0


class Verdict(StrEnum):
    """The ladder in one word: build the whole idea, stop at a lower tier, or do not build."""

    BUILD = "build"
    STOP_EARLY = "stop_early"
    DO_NOT_BUILD = "do_not_build"


# Best first when sorted descending: build, then stop early, then do not build.
VERDICT_RANK = {Verdict.DO_NOT_BUILD: 0, Verdict.STOP_EARLY: 1, Verdict.BUILD: 2}


def verdict(best_stop: int | None, tier: int) -> Verdict:
    if best_stop is None:
        return Verdict.DO_NOT_BUILD
    return Verdict.BUILD if best_stop == tier else Verdict.STOP_EARLY


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
    best_stop_tier: int | None  # None: no step has a positive NPV, do not build
    ladder: tuple[LadderStep, ...]
    need_engineering_cost: float
    asset_build_cost: float
    asset_run_cost: float
    deployment_setup_cost: float
    deployment_run_cost: float
    charged_assets: tuple[AssetKey, ...]
    expected_coverage: float = 1.0  # k of the whole idea

    @property
    def verdict(self) -> Verdict:
        return verdict(self.best_stop_tier, self.tier)


_new_investment = fast_constructor(Investment)
_new_step = fast_constructor(LadderStep)
_new_report = fast_constructor(RoiReport)


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
    """C0, R, p and k for the given needs of an idea (all of them by default)."""
    needs = idea.needs if needs is None else needs
    reached = reach(idea, catalogue, needs, closures)
    charged = reached.charged

    engineering = sum(map(_ENGINEERING_MEAN, needs))
    # Exactly rounded, so the figures do not depend on the order a set is walked in (which
    # changes from one process to the next): every worker answers the same to the last digit.
    assets = [catalogue[key] for key in charged]
    build = math.fsum(map(_BUILD_MEAN, assets))
    run = math.fsum(map(_RUN_MEAN, assets))
    feasibility = feasibility_in(catalogue)

    deployment = idea.deployment
    # Counting is skipped when nothing is served online: most ideas, and the hot path.
    offline = (
        offline_feature_count(catalogue, needs, reached.keys) if deployment.online_serving else 0
    )
    features = float(online_features(deployment.online_serving, offline))
    setup = deployment_cost(deployment.setup.mean, deployment.online_feature_setup.mean, features)
    yearly = deployment_cost(deployment.run.mean, deployment.online_feature_run.mean, features)

    return _new_investment(
        one_off_investment(engineering, build, setup),
        annual_run_cost(run, yearly),
        probability_of_success(idea.probability, reached, feasibility),
        tier_of(reached.keys),
        charged,
        engineering,
        build,
        run,
        setup,
        yearly,
        expected_coverage(reached, feasibility),
        reached.benefit_coverage,
        reached.essential,
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


# --- the ladder ------------------------------------------------------------------------------


def ladder_needs(idea: Idea, closures: Closures) -> list[tuple[int, list[Need]]]:
    """For t = 1 .. tier(idea): the needs of tier <= t, downstream ones always included."""
    tiers = [tier_of(closures(need.asset)) for need in idea.needs]
    top = max(tiers, default=1)
    return [
        (tier, [need for need, t in zip(idea.needs, tiers, strict=True) if t <= tier])
        for tier in range(1, top + 1)
    ]


def ladder_investments(
    idea: Idea, catalogue: Catalogue, closures: Closures | None = None
) -> list[tuple[int, Investment]]:
    """The investment of every ladder step; the last one is the whole idea."""
    closures = closures or ClosureCache(catalogue)
    steps: list[tuple[int, Investment]] = []
    met = -1
    for tier, needs in ladder_needs(idea, closures):
        # The steps' needs are nested: a step adding none funds what the one below funds.
        if len(needs) != met:
            cost, met = investment(idea, catalogue, needs, closures), len(needs)
        steps.append((tier, cost))
    return steps


def ladder_step(idea: Idea, tier: int, cost: Investment) -> LadderStep:
    rate, horizon = idea.discount_rate, idea.horizon_years
    earned = expected_annual_benefit(cost.probability, cost.expected_coverage, idea.benefit.mean)
    value = npv(cost.one_off, earned - cost.annual_run, rate, horizon)
    return _new_step(
        tier,
        cost.one_off,
        cost.annual_run,
        cost.probability,
        cost.benefit_coverage,
        value,
        roi(value, pv_costs(cost.one_off, cost.annual_run, rate, horizon)),
        cost.expected_coverage,
    )


def ladder(
    idea: Idea, catalogue: Catalogue, closures: Closures | None = None
) -> tuple[LadderStep, ...]:
    """Walk upstream one tier at a time, always paying for everything downstream."""
    return tuple(
        ladder_step(idea, tier, cost)
        for tier, cost in ladder_investments(idea, catalogue, closures)
    )


def earns(step: LadderStep | Investment) -> bool:
    """A step earns something once every essential need is met and some benefit is covered."""
    return step.benefit_coverage > 0


def negative_from_tier(steps: Sequence[LadderStep]) -> int | None:
    """The first step that earns something yet loses money; steps earning nothing are
    "no benefit yet", never where the idea turns negative."""
    return next(
        (step.tier for step in steps if earns(step) and step.roi is not None and step.roi < 0),
        None,
    )


def best_stop_tier(steps: Sequence[LadderStep]) -> int | None:
    """The step of highest positive NPV, the most downstream one on a tie (a step adding no
    need adds nothing); None when no step has a positive NPV: do not build."""
    worth = [step for step in steps if step.npv > 0]
    if not worth:
        return None
    return max(worth, key=lambda step: (step.npv, -step.tier)).tier


class NonFiniteResult(ValueError):
    """A figure of an idea came out infinite or not a number: some stored input is too large
    for the arithmetic. Raised instead of handing such a figure on (JSON cannot carry it)."""

    def __init__(self, idea_id: int, figure: str) -> None:
        self.idea_id = idea_id
        self.figure = figure
        super().__init__(
            f"The {figure.replace('_', ' ')} of idea {idea_id} is not a finite number: one of "
            "its estimates (or its deployment plan's) is too large. Correct it and try again."
        )


_CHECKED = (
    "one_off_investment",
    "annual_run_cost",
    "probability_of_success",
    "expected_annual_benefit",
    "npv",
    "roi",
    "pv_costs",
    "payback_years",
    "expected_coverage",
)
_CHECKED_STEP = ("cumulative_investment", "annual_run_cost", "npv", "roi")


def check_finite(report: RoiReport) -> RoiReport:
    """The report, if every figure in it (and in its ladder) is a finite number."""
    checked = [(report, _CHECKED)] + [(step, _CHECKED_STEP) for step in report.ladder]
    for source, names in checked:
        for name in names:
            value = getattr(source, name)
            if value is not None and not math.isfinite(value):
                raise NonFiniteResult(report.idea_id, name)
    return report


def roi_report(idea: Idea, catalogue: Catalogue, closures: Closures | None = None) -> RoiReport:
    closures = closures or ClosureCache(catalogue)
    costs = ladder_investments(idea, catalogue, closures)
    steps = tuple(ladder_step(idea, tier, cost) for tier, cost in costs)
    # The last step funds every need: the whole idea, its headline.
    cost, whole = costs[-1][1], steps[-1]
    benefit = expected_annual_benefit(cost.probability, cost.expected_coverage, idea.benefit.mean)
    net = benefit - cost.annual_run
    rate, horizon = idea.discount_rate, idea.horizon_years
    # Positional, in the order of RoiReport's fields.
    return check_finite(
        _new_report(
            idea.id,
            cost.tier,
            cost.one_off,
            cost.annual_run,
            cost.probability,
            benefit,
            whole.npv,
            whole.roi,
            pv_costs(cost.one_off, cost.annual_run, rate, horizon),
            discounted_payback(cost.one_off, net, rate, horizon),
            negative_from_tier(steps),
            best_stop_tier(steps),
            steps,
            cost.need_engineering,
            cost.asset_build,
            cost.asset_run,
            cost.deployment_setup,
            cost.deployment_run,
            tuple(sorted(cost.charged)),
            cost.expected_coverage,
        )
    )


def roi_reports(ideas: Iterable[Idea], catalogue: Catalogue) -> list[RoiReport]:
    """Reports for many ideas over one catalogue, sharing the closure computations."""
    closures = ClosureCache(catalogue)
    return [roi_report(idea, catalogue, closures) for idea in ideas]


# --- why p and k are what they are -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeasibilityFactor:
    """A charged asset that may not arrive, and its feasibility."""

    asset: AssetKey
    name: str
    feasibility: float


@dataclass(frozen=True, slots=True)
class CoverageTerm:
    """One need's term of k: weight share x the feasibility of its assets outside E."""

    need: str
    essential: bool
    weight_share: float
    factors: tuple[FeasibilityFactor, ...]  # its charged assets outside E with f < 1

    @property
    def value(self) -> float:
        return self.weight_share * math.prod(f.feasibility for f in self.factors)


@dataclass(frozen=True, slots=True)
class SuccessFactors:
    """p and k of a whole idea taken apart, for a page to say "0.60 you entered x 0.80
    feasibility of the weather feed x ..." and which optional need is likely to be missing."""

    idea_probability: float  # p0, as entered
    essential_factors: tuple[FeasibilityFactor, ...]  # charged assets of E with f < 1
    probability_of_success: float  # p
    coverage_terms: tuple[CoverageTerm, ...]  # one per need, in need order
    expected_coverage: float  # k


def success_factors(
    idea: Idea, catalogue: Catalogue, closures: Closures | None = None
) -> SuccessFactors:
    """The factors of p and k of the whole idea (those below 1 only)."""
    reached = reach(idea, catalogue, None, closures)
    feasibility = feasibility_in(catalogue)

    def factors(keys: Iterable[AssetKey]) -> tuple[FeasibilityFactor, ...]:
        return tuple(
            FeasibilityFactor(key, catalogue[key].name, catalogue[key].feasibility)
            for key in sorted(keys)
            if catalogue[key].feasibility < 1
        )

    return SuccessFactors(
        idea_probability=idea.probability,
        essential_factors=factors(reached.essential),
        probability_of_success=probability_of_success(idea.probability, reached, feasibility),
        coverage_terms=tuple(
            CoverageTerm(
                share.need.name, share.need.essential, share.weight_share, factors(share.outside)
            )
            for share in reached.shares
        ),
        expected_coverage=expected_coverage(reached, feasibility),
    )
