"""A scenario evaluated: the live inputs read, its overrides applied in memory, and the
portfolio selected on them (the same MILP as portfolio runs, funded up to stop tiers).

The live plan is the live data with no override, at the default rate and horizon and with no
budget: the baseline every scenario is compared with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import chain, finance, portfolio
from valuechain.scenarios import overrides, selectors

LIVE = "live"


@dataclass(frozen=True)
class Params:
    """What a scenario sets: the live plan when nothing is overridden."""

    name: str
    budget: float | None = None
    discount_rate: float = 0.10
    horizon_years: int = 3
    force_include: tuple[int, ...] = ()
    force_exclude: tuple[int, ...] = ()
    overrides: tuple[overrides.Override, ...] = ()
    id: int | str = LIVE

    @classmethod
    def of(cls, scenario: m.Scenario) -> Params:
        return cls(
            name=scenario.name,
            budget=scenario.budget,
            discount_rate=float(scenario.discount_rate),
            horizon_years=int(scenario.horizon_years),
            force_include=tuple(int(i) for i in scenario.force_include),
            force_exclude=tuple(int(i) for i in scenario.force_exclude),
            overrides=tuple(overrides.stored(scenario.overrides)),
            id=scenario.pk,
        )

    @classmethod
    def live(cls) -> Params:
        defaults = settings.VALUECHAIN
        return cls(
            name="Live plan",
            discount_rate=float(defaults["DEFAULT_DISCOUNT_RATE"]),
            horizon_years=int(defaults["DEFAULT_HORIZON_YEARS"]),
        )


@dataclass(frozen=True)
class Inputs:
    """The live data as the engine reads it, read once for several scenarios."""

    rows: list[m.Idea]
    rates: dict[int, float]
    ideas: list[chain.Idea]
    catalogue: dict[chain.AssetKey, chain.Asset]

    @classmethod
    def read(cls) -> Inputs:
        rows = selectors.candidate_rows()
        rates = selectors.live_rates()
        ideas = mappers.ideas_to_engine(rows, rates)
        return cls(rows, rates, ideas, mappers.load_catalogue(rates))

    def priced(
        self, params: Params
    ) -> tuple[list[chain.Idea], dict[chain.AssetKey, chain.Asset], dict[int, float]]:
        """Ideas and catalogue with the scenario's overrides: a role's new day rate prices
        every person-day estimate again; the live inputs are left as they are."""
        rates = overrides.day_rates(self.rates, params.overrides)
        if rates != self.rates:
            ideas = mappers.ideas_to_engine(self.rows, rates)
            catalogue = mappers.load_catalogue(rates)
        else:
            ideas, catalogue = list(self.ideas), dict(self.catalogue)
        return (
            overrides.ideas(ideas, params.overrides),
            overrides.catalogue(catalogue, params.overrides),
            rates,
        )


@dataclass(frozen=True)
class Evaluation:
    params: Params
    ideas: list[chain.Idea]
    catalogue: Mapping[chain.AssetKey, chain.Asset]
    rates: dict[int, float]
    problem: portfolio.PortfolioProblem
    selection: portfolio.Selection | None
    error: str | None = None
    titles: dict[int, str] = field(default_factory=dict)

    @property
    def chosen(self) -> list[int]:
        """The chosen options (positions in problem.options)."""
        if self.selection is None:
            return []
        return self.problem.stop_options(self.selection.stops)

    def as_dict(self) -> dict[str, Any]:
        s = self.selection
        closures = chain.ClosureCache(self.catalogue)
        own_tier = {
            i.id: chain.tier_of(k for n in i.needs for k in closures(n.asset)) for i in self.ideas
        }
        stops = list(s.stops) if s is not None else []
        return {
            "name": self.params.name,
            "budget": self.params.budget,
            "discount_rate": self.params.discount_rate,
            "horizon_years": self.params.horizon_years,
            "candidates": len(self.problem.ideas),
            "selected": list(s.selected) if s else [],
            "stops": [{"idea": i, "tier": t} for i, t in stops],
            "ideas": [
                {
                    "idea": i,
                    "title": self.titles.get(i, ""),
                    "stop_tier": t,
                    "idea_tier": own_tier.get(i),
                }
                for i, t in stops
            ],
            "total_npv": s.total_npv if s else 0.0,
            "one_off_investment": s.one_off_investment if s else 0.0,
            "annual_run_cost": s.annual_run_cost if s else 0.0,
            "gap": s.gap if s else None,
            "optimal": s.optimal if s else False,
            "error": self.error,
        }


def roi_reports(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Each candidate's ROI report under the scenario: its overrides, and its discount rate and
    horizon for every idea (as the portfolio values them), the best NPV first."""
    params = evaluation.params
    ideas = [
        replace(idea, discount_rate=params.discount_rate, horizon_years=params.horizon_years)
        for idea in evaluation.ideas
    ]
    rows = [
        {
            "idea": report.idea_id,
            "title": evaluation.titles.get(report.idea_id, ""),
            "tier": report.tier,
            "one_off_investment": report.one_off_investment,
            "annual_run_cost": report.annual_run_cost,
            "npv": report.npv,
            "roi": report.roi,
            "best_stop_tier": report.best_stop_tier,
            "verdict": report.verdict.value,
        }
        for report in finance.roi_reports(ideas, evaluation.catalogue)
    ]
    return sorted(rows, key=lambda row: -row["npv"])


def evaluate(params: Params, inputs: Inputs | None = None) -> Evaluation:
    """The scenario's portfolio on the live data with its overrides."""
    inputs = Inputs.read() if inputs is None else inputs
    ideas, catalogue, rates = inputs.priced(params)
    problem = portfolio.portfolio_problem(
        ideas, catalogue, params.discount_rate, params.horizon_years
    )
    # Ideas shipped, rejected or deleted since the scenario was made are no longer candidates.
    present = set(problem.index)
    include = [i for i in params.force_include if i in present]
    exclude = [i for i in params.force_exclude if i in present]
    titles = {idea.id: idea.title for idea in ideas}
    try:
        chosen = portfolio.select(problem, params.budget, include, exclude, stop_tiers=True)
    except portfolio.InfeasiblePortfolio as exc:
        return Evaluation(params, ideas, catalogue, rates, problem, None, str(exc), titles)
    return Evaluation(params, ideas, catalogue, rates, problem, chosen, None, titles)
