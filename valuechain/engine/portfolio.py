"""The portfolio: options by stop tier, cost views, shared-cost selection and the frontier.

A portfolio is valued with one discount rate and one horizon for all its ideas, so that the
cost of a shared asset means the same to every idea that needs it. Every idea may be funded up
to any ladder step that earns something, or not at all: option (i, t) is worth, excluding its
charged assets, v = A (p_t k_t B_i - R_own) - C0_own (its need engineering and deployment); a
charged asset costs c_a = build_a + A run_a, paid once however many selected options use it.
Selection maximises sum v_o x_o - sum c_a y_a with at most one option per idea and
y_a >= the options of idea i that use a, optionally under a budget on one-off investment, as an
exact MILP solved by HiGHS (scipy.optimize.milp). A step that adds no need to the one below is
the same option, named by its lower tier.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from valuechain.engine.chain import AssetKey, Catalogue, ClosureCache, Idea
from valuechain.engine.finance import (
    annuity_factor,
    earns,
    expected_annual_benefit,
    investment,
    ladder_needs,
)

Progress = Callable[[float], None]
Stops = tuple[tuple[int, int], ...]  # (idea id, tier), by idea id

DEFAULT_TIME_LIMIT = 30.0
DEFAULT_GAP = 1e-6
FRONTIER_POINTS = 12


class InfeasiblePortfolio(ValueError):
    """No selection satisfies the budget together with the must-include ideas."""


@dataclass(frozen=True, slots=True)
class PortfolioOption:
    """Idea `idea` (a position in PortfolioProblem.ideas) funded up to ladder step `tier`."""

    idea: int
    tier: int
    value: float  # A (p k B - R_own) - C0_own: everything but the charged assets
    own_one_off: float
    own_run: float
    charged: tuple[int, ...]  # indices into PortfolioProblem.assets


@dataclass(frozen=True, slots=True)
class PortfolioIdea:
    """An idea funded whole (its own tier's option), and where its options are."""

    id: int
    title: str
    value: float  # A (p k B - R_own) - C0_own: everything but the charged assets
    own_one_off: float
    own_run: float
    charged: tuple[int, ...]  # indices into PortfolioProblem.assets
    tier: int = 1
    options: tuple[int, ...] = ()  # indices into PortfolioProblem.options; the last is whole


@dataclass(frozen=True, slots=True)
class PortfolioAsset:
    key: AssetKey
    name: str
    build: float
    run: float
    cost: float  # build + A run


@dataclass(frozen=True)
class PortfolioProblem:
    ideas: tuple[PortfolioIdea, ...]
    assets: tuple[PortfolioAsset, ...]
    discount_rate: float
    horizon_years: int
    options: tuple[PortfolioOption, ...] = ()
    index: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        if not self.options and self.ideas:
            # Ideas given without options: each is its whole idea, one option.
            options = tuple(
                PortfolioOption(
                    i, idea.tier, idea.value, idea.own_one_off, idea.own_run, idea.charged
                )
                for i, idea in enumerate(self.ideas)
            )
            ideas = tuple(replace(idea, options=(i,)) for i, idea in enumerate(self.ideas))
            object.__setattr__(self, "options", options)
            object.__setattr__(self, "ideas", ideas)
        object.__setattr__(self, "index", {idea.id: i for i, idea in enumerate(self.ideas)})

    def positions(self, idea_ids: Iterable[int]) -> list[int]:
        missing = [i for i in idea_ids if i not in self.index]
        if missing:
            raise KeyError(f"unknown ideas: {sorted(missing)}")
        return [self.index[i] for i in idea_ids]

    # --- options: an idea funded up to a stop tier --------------------------------------------

    def whole(self, positions: Iterable[int]) -> list[int]:
        """The option funding each idea whole."""
        return [self.ideas[i].options[-1] for i in positions]

    def option_at(self, idea_id: int, tier: int) -> int:
        """The option funding an idea up to `tier`: its highest option at or below it."""
        idea = self.ideas[self.positions([idea_id])[0]]
        below = [o for o in idea.options if self.options[o].tier <= tier]
        if not below:
            raise KeyError(f"idea {idea_id} earns nothing up to tier {tier}")
        return below[-1]

    def stop_options(self, stops: Iterable[tuple[int, int]]) -> list[int]:
        return [self.option_at(idea_id, tier) for idea_id, tier in stops]

    def stops(self, options: Iterable[int]) -> Stops:
        return tuple(
            sorted((self.ideas[self.options[o].idea].id, self.options[o].tier) for o in options)
        )

    def option_assets(self, options: Iterable[int]) -> set[int]:
        used: set[int] = set()
        for o in options:
            used.update(self.options[o].charged)
        return used

    def option_npv(self, options: Iterable[int]) -> float:
        """Total NPV of some options, each shared asset paid once."""
        chosen = list(options)
        used = self.option_assets(chosen)
        return sum(self.options[o].value for o in chosen) - sum(self.assets[a].cost for a in used)

    def option_one_off(self, options: Iterable[int]) -> float:
        chosen = list(options)
        used = self.option_assets(chosen)
        return sum(self.options[o].own_one_off for o in chosen) + sum(
            self.assets[a].build for a in used
        )

    def option_annual_run(self, options: Iterable[int]) -> float:
        chosen = list(options)
        used = self.option_assets(chosen)
        return sum(self.options[o].own_run for o in chosen) + sum(self.assets[a].run for a in used)

    # --- whole ideas ------------------------------------------------------------------------

    def assets_of(self, positions: Iterable[int]) -> set[int]:
        return self.option_assets(self.whole(positions))

    def npv(self, positions: Iterable[int]) -> float:
        """Total NPV of a set of whole ideas, each shared asset paid once."""
        return self.option_npv(self.whole(positions))

    def one_off(self, positions: Iterable[int]) -> float:
        return self.option_one_off(self.whole(positions))

    def annual_run(self, positions: Iterable[int]) -> float:
        return self.option_annual_run(self.whole(positions))


def portfolio_problem(
    ideas: Sequence[Idea], catalogue: Catalogue, discount_rate: float, horizon_years: int
) -> PortfolioProblem:
    """Every earning ladder step of every idea as an option, at expected values (PERT means)
    under one rate and horizon."""
    annuity = annuity_factor(discount_rate, horizon_years)
    closures = ClosureCache(catalogue)
    asset_index: dict[AssetKey, int] = {}
    assets: list[PortfolioAsset] = []
    options: list[PortfolioOption] = []
    rows = []

    def charged_indices(keys: Iterable[AssetKey]) -> tuple[int, ...]:
        found = []
        for key in sorted(keys):
            if key not in asset_index:
                asset = catalogue[key]
                build, run = asset.build.mean, asset.run.mean
                asset_index[key] = len(assets)
                assets.append(PortfolioAsset(key, asset.name, build, run, build + annuity * run))
            found.append(asset_index[key])
        return tuple(found)

    for position, idea in enumerate(ideas):
        mine: list[int] = []
        funded = -1
        for tier, needs in ladder_needs(idea, closures):
            if len(needs) == funded:
                continue  # adds no need: the option below, already named
            funded = len(needs)
            cost = investment(idea, catalogue, needs, closures)
            if not earns(cost):
                continue
            benefit = expected_annual_benefit(
                cost.probability, cost.expected_coverage, idea.benefit.mean
            )
            own_one_off = cost.need_engineering + cost.deployment_setup
            value = annuity * (benefit - cost.deployment_run) - own_one_off
            mine.append(len(options))
            options.append(
                PortfolioOption(
                    position,
                    tier,
                    value,
                    own_one_off,
                    cost.deployment_run,
                    charged_indices(cost.charged),
                )
            )
        whole = options[mine[-1]]
        rows.append(
            PortfolioIdea(
                idea.id,
                idea.title,
                whole.value,
                whole.own_one_off,
                whole.own_run,
                whole.charged,
                tier=whole.tier,
                options=tuple(mine),
            )
        )
    return PortfolioProblem(
        tuple(rows), tuple(assets), discount_rate, horizon_years, options=tuple(options)
    )


@dataclass(frozen=True, slots=True)
class Selection:
    selected: tuple[int, ...]  # idea ids
    total_npv: float
    one_off_investment: float
    annual_run_cost: float
    gap: float
    optimal: bool
    solve_seconds: float
    budget: float | None
    dual_bound: float | None = None
    method: str = "milp"
    stops: Stops = ()  # (idea id, tier) of every selected idea
    stop_tiers: bool = True  # False: whole ideas only


def _candidates(problem: PortfolioProblem, exclude: set[int], stop_tiers: bool) -> list[int]:
    """The options open to selection: every earning step, or only whole ideas."""
    return [
        o
        for i, idea in enumerate(problem.ideas)
        if i not in exclude
        for o in (idea.options if stop_tiers else idea.options[-1:])
    ]


def _floor(problem: PortfolioProblem, include: Sequence[int], stop_tiers: bool) -> float:
    """The least one-off investment the must-include ideas need: each at its lowest option
    (options of an idea are nested, so the lowest costs least)."""
    cheapest = [problem.ideas[i].options[0 if stop_tiers else -1] for i in include]
    return problem.option_one_off(cheapest)


def _check_choice(
    problem: PortfolioProblem,
    budget: float | None,
    must_include: Iterable[int],
    must_exclude: Iterable[int],
    stop_tiers: bool = True,
) -> tuple[list[int], set[int]]:
    include = problem.positions(must_include)
    exclude = set(problem.positions(must_exclude))
    if exclude & set(include):
        raise InfeasiblePortfolio("an idea cannot be both included and excluded")
    if budget is not None:
        if budget < 0:
            raise InfeasiblePortfolio("the budget cannot be negative")
        floor = _floor(problem, include, stop_tiers)
        if floor > budget * (1 + 1e-9) + 1e-9:
            raise InfeasiblePortfolio(
                f"the must-include ideas need {floor:,.0f} of one-off investment, "
                f"above the budget of {budget:,.0f}"
            )
    return include, exclude


@dataclass(frozen=True)
class _Program:
    """The MILP over candidate options x and shared assets y (used by 2+ candidate ideas);
    an asset only one idea uses is folded into that idea's options."""

    objective: np.ndarray
    lower: np.ndarray
    constraints: list[LinearConstraint]


def _program(
    problem: PortfolioProblem, options: list[int], included: set[int], budget: float | None
) -> _Program:
    users: dict[int, set[int]] = {}
    for o in options:
        for a in problem.options[o].charged:
            users.setdefault(a, set()).add(problem.options[o].idea)
    shared = {a: j for j, a in enumerate(sorted(a for a, who in users.items() if len(who) > 1))}
    n, m = len(options), len(shared)
    value = np.array([problem.options[o].value for o in options], dtype=float)
    one_off = np.array([problem.options[o].own_one_off for o in options], dtype=float)
    # One row per (idea, shared asset): the idea's options using it (at most one is chosen)
    # need y_a. Tighter than a row per option, and fewer rows.
    link: dict[tuple[int, int], int] = {}
    link_rows: list[int] = []
    link_cols: list[int] = []
    for pos, o in enumerate(options):
        option = problem.options[o]
        for a in option.charged:
            if a in shared:
                row = link.setdefault((option.idea, a), len(link))
                link_rows.append(row)
                link_cols.append(pos)
            else:
                value[pos] -= problem.assets[a].cost
                one_off[pos] += problem.assets[a].build
    shared_assets = list(shared)
    asset_cost = np.array([problem.assets[a].cost for a in shared_assets], dtype=float)
    asset_build = np.array([problem.assets[a].build for a in shared_assets], dtype=float)

    constraints = []
    if link:
        rows = link_rows + list(range(len(link)))
        cols = link_cols + [n + shared[a] for _, a in link]
        values = [1.0] * len(link_rows) + [-1.0] * len(link)
        matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(link), n + m))
        constraints.append(LinearConstraint(matrix, -np.inf, 0.0))
    lower = np.zeros(n + m)
    constraints.extend(_one_option_per_idea(problem, options, included, lower, n + m))
    if budget is not None:
        spend = sparse.csr_matrix(np.concatenate([one_off, asset_build])[None, :])
        constraints.append(LinearConstraint(spend, -np.inf, budget))
    objective = -np.concatenate([value, -asset_cost])
    return _Program(objective, lower, constraints)


def _one_option_per_idea(
    problem: PortfolioProblem, options: list[int], included: set[int], lower: np.ndarray, size: int
) -> list[LinearConstraint]:
    """At most one option of each idea, exactly one of a must-include idea (a lower bound of
    1 when it has a single option)."""
    by_idea: dict[int, list[int]] = {}
    for pos, o in enumerate(options):
        by_idea.setdefault(problem.options[o].idea, []).append(pos)
    several = [(i, positions) for i, positions in by_idea.items() if len(positions) > 1]
    for i, positions in by_idea.items():
        if len(positions) == 1 and i in included:
            lower[positions[0]] = 1.0
    if not several:
        return []
    rows = [r for r, (_, positions) in enumerate(several) for _ in positions]
    cols = [pos for _, positions in several for pos in positions]
    choice = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(several), size))
    floor = np.array([1.0 if i in included else 0.0 for i, _ in several])
    return [LinearConstraint(choice, floor, 1.0)]


def select(
    problem: PortfolioProblem,
    budget: float | None = None,
    must_include: Iterable[int] = (),
    must_exclude: Iterable[int] = (),
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    stop_tiers: bool = True,
) -> Selection:
    """The options of highest total NPV, at most one per idea, each shared asset paid once
    (exact MILP). `stop_tiers=False` funds whole ideas only."""
    started = time.perf_counter()
    include, exclude = _check_choice(problem, budget, must_include, must_exclude, stop_tiers)
    options = _candidates(problem, exclude, stop_tiers)
    if not options:
        return _selection(problem, [], budget, 0.0, True, started, stop_tiers=stop_tiers)
    program = _program(problem, options, set(include), budget)
    size = len(program.objective)
    result = milp(
        program.objective,
        integrality=np.ones(size),
        bounds=Bounds(program.lower, np.ones(size)),
        constraints=program.constraints,
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    if result.x is None:
        if result.status == 2:
            raise InfeasiblePortfolio("no selection satisfies the budget and the choices")
        raise RuntimeError(f"the solver stopped without a selection: {result.message}")
    chosen = [o for pos, o in enumerate(options) if result.x[pos] > 0.5]
    reported_gap = float(result.mip_gap) if result.mip_gap is not None else 0.0
    dual = getattr(result, "mip_dual_bound", None)
    return _selection(
        problem,
        chosen,
        budget,
        max(reported_gap, 0.0),
        result.status == 0,
        started,
        dual_bound=-float(dual) if dual is not None else None,
        stop_tiers=stop_tiers,
    )


def _selection(
    problem: PortfolioProblem,
    chosen: list[int],
    budget: float | None,
    gap: float,
    optimal: bool,
    started: float,
    dual_bound: float | None = None,
    method: str = "milp",
    stop_tiers: bool = True,
) -> Selection:
    """The figures of the chosen options."""
    return Selection(
        selected=tuple(sorted(problem.ideas[problem.options[o].idea].id for o in chosen)),
        total_npv=problem.option_npv(chosen),
        one_off_investment=problem.option_one_off(chosen),
        annual_run_cost=problem.option_annual_run(chosen),
        gap=gap,
        optimal=optimal,
        solve_seconds=time.perf_counter() - started,
        budget=budget,
        dual_bound=dual_bound,
        method=method,
        stops=problem.stops(chosen),
        stop_tiers=stop_tiers,
    )


def greedy(
    problem: PortfolioProblem,
    budget: float | None = None,
    must_include: Iterable[int] = (),
    must_exclude: Iterable[int] = (),
    stop_tiers: bool = True,
) -> Selection:
    """The baseline heuristic: repeatedly fund the option (or move a funded idea up to one)
    with the best marginal NPV per marginal one-off investment that still fits, until none
    adds value."""
    started = time.perf_counter()
    include, exclude = _check_choice(problem, budget, must_include, must_exclude, stop_tiers)
    options = np.array(_candidates(problem, exclude, stop_tiers), dtype=np.int64)
    rows = [pos for pos, o in enumerate(options) for _ in problem.options[o].charged]
    cols = [a for o in options for a in problem.options[o].charged]
    incidence = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(options), len(problem.assets))
    )
    idea = np.array([problem.options[o].idea for o in options], dtype=np.int64)
    tier = np.array([problem.options[o].tier for o in options], dtype=np.int64)
    value = np.array([problem.options[o].value for o in options])
    own = np.array([problem.options[o].own_one_off for o in options])
    cost = np.array([a.cost for a in problem.assets])
    build = np.array([a.build for a in problem.assets])
    # What each idea is funded at so far (0: not funded).
    funded_value = np.zeros(len(problem.ideas))
    funded_own = np.zeros(len(problem.ideas))
    funded_tier = np.zeros(len(problem.ideas), dtype=np.int64)
    funded: dict[int, int] = {}
    paid = np.zeros(len(problem.assets), dtype=bool)

    def take(pos: int) -> None:
        i = int(idea[pos])
        funded[i] = int(options[pos])
        funded_value[i], funded_own[i], funded_tier[i] = value[pos], own[pos], tier[pos]
        paid[list(problem.options[int(options[pos])].charged)] = True

    position = {int(o): pos for pos, o in enumerate(options)}
    for i in include:
        take(position[problem.ideas[i].options[0 if stop_tiers else -1]])
    spent = problem.option_one_off(funded.values())
    limit = math.inf if budget is None else budget
    while True:
        unpaid = ~paid
        gain = value - funded_value[idea] - incidence @ (cost * unpaid)
        extra = own - funded_own[idea] + incidence @ (build * unpaid)
        # Only upward: a funded idea may move up its ladder, never back down.
        fits = (tier > funded_tier[idea]) & (gain > 0) & (spent + extra <= limit + 1e-9)
        if not fits.any():
            break
        ratio = np.where(extra > 0, gain / np.maximum(extra, 1e-300), np.inf)
        ratio[~fits] = -np.inf
        best = int(np.argmax(ratio))
        spent += float(extra[best])
        take(best)
    return _selection(
        problem,
        list(funded.values()),
        budget,
        math.nan,
        False,
        started,
        method="greedy",
        stop_tiers=stop_tiers,
    )


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    budget: float
    npv: float
    one_off_investment: float
    selected: tuple[int, ...]
    stops: Stops = ()


def frontier(
    problem: PortfolioProblem,
    must_include: Iterable[int] = (),
    must_exclude: Iterable[int] = (),
    points: int = FRONTIER_POINTS,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    progress: Progress | None = None,
    stop_tiers: bool = True,
) -> list[FrontierPoint]:
    """Best NPV at budgets from what the must-include ideas need to what the unconstrained
    optimum spends; beyond that more budget buys nothing."""
    include = list(must_include)
    exclude = list(must_exclude)
    unconstrained = select(problem, None, include, exclude, time_limit, gap, stop_tiers)
    floor = _floor(problem, problem.positions(include), stop_tiers)
    top = unconstrained.one_off_investment
    budgets = sorted({float(b) for b in np.linspace(floor, max(floor, top), max(points, 1))})
    result = []
    for done, budget in enumerate(budgets, start=1):
        best = (
            unconstrained
            if budget >= top
            else select(problem, budget, include, exclude, time_limit, gap, stop_tiers)
        )
        result.append(
            FrontierPoint(
                budget, best.total_npv, best.one_off_investment, best.selected, best.stops
            )
        )
        if progress is not None:
            progress(done / len(budgets))
    return result
