"""The portfolio: cost views, shared-cost selection under a budget and the frontier.

A portfolio is valued with one discount rate and one horizon for all its ideas, so that the
cost of a shared asset means the same to every idea that needs it. An idea's value excluding
its charged assets is v_i = A (p_i B_i - R_own,i) - C0_own,i; a charged asset costs
c_a = build_a + A run_a, paid once however many selected ideas use it. Selection maximises
sum v_i x_i - sum c_a y_a with y_a >= x_i for every charged asset a of idea i, optionally
under a budget on one-off investment, as an exact MILP solved by HiGHS (scipy.optimize.milp).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from valuechain.engine.chain import AssetKey, Catalogue, ClosureCache, Idea
from valuechain.engine.finance import annuity_factor
from valuechain.engine.uncertainty import idea_terms

Progress = Callable[[float], None]

DEFAULT_TIME_LIMIT = 30.0
DEFAULT_GAP = 1e-6
FRONTIER_POINTS = 12


class InfeasiblePortfolio(ValueError):
    """No selection satisfies the budget together with the must-include ideas."""


@dataclass(frozen=True, slots=True)
class PortfolioIdea:
    id: int
    title: str
    value: float  # A (p B - R_own) - C0_own: everything but the charged assets
    own_one_off: float
    own_run: float
    charged: tuple[int, ...]  # indices into PortfolioProblem.assets


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
    index: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {idea.id: i for i, idea in enumerate(self.ideas)})

    def positions(self, idea_ids: Iterable[int]) -> list[int]:
        missing = [i for i in idea_ids if i not in self.index]
        if missing:
            raise KeyError(f"unknown ideas: {sorted(missing)}")
        return [self.index[i] for i in idea_ids]

    def assets_of(self, positions: Iterable[int]) -> set[int]:
        used: set[int] = set()
        for i in positions:
            used.update(self.ideas[i].charged)
        return used

    def npv(self, positions: Iterable[int]) -> float:
        """Total NPV of a set of ideas, each shared asset paid once."""
        chosen = list(positions)
        used = self.assets_of(chosen)
        return sum(self.ideas[i].value for i in chosen) - sum(self.assets[a].cost for a in used)

    def one_off(self, positions: Iterable[int]) -> float:
        chosen = list(positions)
        used = self.assets_of(chosen)
        return sum(self.ideas[i].own_one_off for i in chosen) + sum(
            self.assets[a].build for a in used
        )

    def annual_run(self, positions: Iterable[int]) -> float:
        chosen = list(positions)
        used = self.assets_of(chosen)
        return sum(self.ideas[i].own_run for i in chosen) + sum(self.assets[a].run for a in used)


def portfolio_problem(
    ideas: Sequence[Idea], catalogue: Catalogue, discount_rate: float, horizon_years: int
) -> PortfolioProblem:
    """Expected values (PERT means) of every idea under one rate and horizon."""
    annuity = annuity_factor(discount_rate, horizon_years)
    closures = ClosureCache(catalogue)
    asset_index: dict[AssetKey, int] = {}
    assets: list[PortfolioAsset] = []
    rows = []
    for idea in ideas:
        terms = idea_terms(idea, catalogue, closures)
        own_one_off, own_run = terms.own_one_off, terms.own_run
        charged = []
        for key in terms.charged:
            if key not in asset_index:
                asset = catalogue[key]
                build, run = asset.build.mean, asset.run.mean
                asset_index[key] = len(assets)
                assets.append(PortfolioAsset(key, asset.name, build, run, build + annuity * run))
            charged.append(asset_index[key])
        value = annuity * (terms.probability * idea.benefit.mean - own_run) - own_one_off
        rows.append(PortfolioIdea(idea.id, idea.title, value, own_one_off, own_run, tuple(charged)))
    return PortfolioProblem(tuple(rows), tuple(assets), discount_rate, horizon_years)


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


def _check_choice(
    problem: PortfolioProblem,
    budget: float | None,
    must_include: Iterable[int],
    must_exclude: Iterable[int],
) -> tuple[list[int], set[int]]:
    include = problem.positions(must_include)
    exclude = set(problem.positions(must_exclude))
    if exclude & set(include):
        raise InfeasiblePortfolio("an idea cannot be both included and excluded")
    if budget is not None:
        if budget < 0:
            raise InfeasiblePortfolio("the budget cannot be negative")
        floor = problem.one_off(include)
        if floor > budget * (1 + 1e-9) + 1e-9:
            raise InfeasiblePortfolio(
                f"the must-include ideas need {floor:,.0f} of one-off investment, "
                f"above the budget of {budget:,.0f}"
            )
    return include, exclude


def select(
    problem: PortfolioProblem,
    budget: float | None = None,
    must_include: Iterable[int] = (),
    must_exclude: Iterable[int] = (),
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
) -> Selection:
    """The selection of highest total NPV, each shared asset paid once (exact MILP)."""
    started = time.perf_counter()
    include, exclude = _check_choice(problem, budget, must_include, must_exclude)
    candidates = [i for i in range(len(problem.ideas)) if i not in exclude]
    if not candidates:
        return _selection(problem, [], budget, 0.0, True, started)

    # Assets used by one candidate only are folded into it; the rest become y variables.
    users: dict[int, list[int]] = {}
    for pos, i in enumerate(candidates):
        for a in problem.ideas[i].charged:
            users.setdefault(a, []).append(pos)
    shared = [a for a, who in users.items() if len(who) > 1]
    n, m = len(candidates), len(shared)
    value = np.array([problem.ideas[i].value for i in candidates], dtype=float)
    one_off = np.array([problem.ideas[i].own_one_off for i in candidates], dtype=float)
    for a, who in users.items():
        if len(who) == 1:
            value[who[0]] -= problem.assets[a].cost
            one_off[who[0]] += problem.assets[a].build
    asset_cost = np.array([problem.assets[a].cost for a in shared], dtype=float)
    asset_build = np.array([problem.assets[a].build for a in shared], dtype=float)

    objective = -np.concatenate([value, -asset_cost])
    lower = np.zeros(n + m)
    upper = np.ones(n + m)
    included = {problem.ideas[i].id for i in include}
    for pos, i in enumerate(candidates):
        if problem.ideas[i].id in included:
            lower[pos] = 1.0

    constraints = []
    pairs = [(pos, j) for j, a in enumerate(shared) for pos in users[a]]
    if pairs:
        k = len(pairs)
        link_rows = np.repeat(np.arange(k), 2)
        link_cols = np.array([[pos, n + j] for pos, j in pairs]).ravel()
        link_vals = np.tile([1.0, -1.0], k)
        links = sparse.csr_matrix((link_vals, (link_rows, link_cols)), shape=(k, n + m))
        constraints.append(LinearConstraint(links, -np.inf, 0.0))
    if budget is not None:
        spend = sparse.csr_matrix(np.concatenate([one_off, asset_build])[None, :])
        constraints.append(LinearConstraint(spend, -np.inf, budget))

    result = milp(
        objective,
        integrality=np.ones(n + m),
        bounds=Bounds(lower, upper),
        constraints=constraints,
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    if result.x is None:
        if result.status == 2:
            raise InfeasiblePortfolio("no selection satisfies the budget and the choices")
        raise RuntimeError(f"the solver stopped without a selection: {result.message}")
    chosen = [candidates[pos] for pos in range(n) if result.x[pos] > 0.5]
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
) -> Selection:
    return Selection(
        selected=tuple(sorted(problem.ideas[i].id for i in chosen)),
        total_npv=problem.npv(chosen),
        one_off_investment=problem.one_off(chosen),
        annual_run_cost=problem.annual_run(chosen),
        gap=gap,
        optimal=optimal,
        solve_seconds=time.perf_counter() - started,
        budget=budget,
        dual_bound=dual_bound,
        method=method,
    )


def greedy(
    problem: PortfolioProblem,
    budget: float | None = None,
    must_include: Iterable[int] = (),
    must_exclude: Iterable[int] = (),
) -> Selection:
    """The baseline heuristic: repeatedly fund the idea with the best marginal NPV per
    marginal one-off investment that still fits, until none adds value."""
    started = time.perf_counter()
    include, exclude = _check_choice(problem, budget, must_include, must_exclude)
    n, m = len(problem.ideas), len(problem.assets)
    rows = [i for i, idea in enumerate(problem.ideas) for _ in idea.charged]
    cols = [a for idea in problem.ideas for a in idea.charged]
    incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, m))
    value = np.array([idea.value for idea in problem.ideas])
    own = np.array([idea.own_one_off for idea in problem.ideas])
    cost = np.array([a.cost for a in problem.assets])
    build = np.array([a.build for a in problem.assets])
    paid = np.zeros(m, dtype=bool)
    open_ = np.ones(n, dtype=bool)
    open_[list(exclude)] = False
    chosen: list[int] = []

    def take(i: int) -> None:
        chosen.append(i)
        open_[i] = False
        paid[list(problem.ideas[i].charged)] = True

    for i in include:
        take(i)
    spent = problem.one_off(chosen)
    limit = math.inf if budget is None else budget
    while open_.any():
        unpaid = ~paid
        gain = value - incidence @ (cost * unpaid)
        extra = own + incidence @ (build * unpaid)
        fits = open_ & (gain > 0) & (spent + extra <= limit + 1e-9)
        if not fits.any():
            break
        ratio = np.where(extra > 0, gain / np.maximum(extra, 1e-300), np.inf)
        ratio[~fits] = -np.inf
        best = int(np.argmax(ratio))
        spent += float(extra[best])
        take(best)
    return _selection(problem, chosen, budget, math.nan, False, started, method="greedy")


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    budget: float
    npv: float
    one_off_investment: float
    selected: tuple[int, ...]


def frontier(
    problem: PortfolioProblem,
    must_include: Iterable[int] = (),
    must_exclude: Iterable[int] = (),
    points: int = FRONTIER_POINTS,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    progress: Progress | None = None,
) -> list[FrontierPoint]:
    """Best NPV at budgets from what the must-include ideas need to what the unconstrained
    optimum spends; beyond that more budget buys nothing."""
    include = list(must_include)
    exclude = list(must_exclude)
    unconstrained = select(problem, None, include, exclude, time_limit, gap)
    floor = problem.one_off(problem.positions(include))
    top = unconstrained.one_off_investment
    budgets = sorted({float(b) for b in np.linspace(floor, max(floor, top), max(points, 1))})
    result = []
    for done, budget in enumerate(budgets, start=1):
        best = (
            unconstrained
            if budget >= top
            else select(problem, budget, include, exclude, time_limit, gap)
        )
        result.append(FrontierPoint(budget, best.total_npv, best.one_off_investment, best.selected))
        if progress is not None:
            progress(done / len(budgets))
    return result


@dataclass(frozen=True, slots=True)
class CostView:
    """What an idea costs seen four ways, one-off and yearly."""

    idea_id: int
    title: str
    selected: bool
    standalone_npv: float
    standalone_one_off: float
    standalone_annual_run: float
    marginal_one_off: float
    marginal_annual_run: float
    fair_share_one_off: float
    fair_share_annual_run: float
    funded_share_one_off: float
    funded_share_annual_run: float


def cost_views(problem: PortfolioProblem, selected_ids: Iterable[int]) -> list[CostView]:
    """Standalone: the idea alone. Marginal: what it adds to the other funded ideas.
    Fair share (DESIGN): each shared asset's cost split equally among all the candidate
    ideas that need it. Funded share: split among the funded ideas that need it instead (an
    unfunded idea counted as joining them), so the funded shares add up to the selection's
    total."""
    funded = set(problem.positions(selected_ids))
    candidates = {a: 0 for a in range(len(problem.assets))}
    funded_users = dict(candidates)
    for i, idea in enumerate(problem.ideas):
        for a in idea.charged:
            candidates[a] += 1
            funded_users[a] += i in funded

    def split(mine: set[int], users: Mapping[int, int], joining: int) -> tuple[float, float]:
        build = sum(problem.assets[a].build / (users[a] + joining) for a in mine)
        run = sum(problem.assets[a].run / (users[a] + joining) for a in mine)
        return build, run

    views = []
    for i, idea in enumerate(problem.ideas):
        others = problem.assets_of(funded - {i})
        mine = set(idea.charged)
        new = mine - others
        fair_build, fair_run = split(mine, candidates, 0)
        funded_build, funded_run = split(mine, funded_users, 0 if i in funded else 1)
        views.append(
            CostView(
                idea_id=idea.id,
                title=idea.title,
                selected=i in funded,
                standalone_npv=problem.npv([i]),
                standalone_one_off=problem.one_off([i]),
                standalone_annual_run=problem.annual_run([i]),
                marginal_one_off=idea.own_one_off + sum(problem.assets[a].build for a in new),
                marginal_annual_run=idea.own_run + sum(problem.assets[a].run for a in new),
                fair_share_one_off=idea.own_one_off + fair_build,
                fair_share_annual_run=idea.own_run + fair_run,
                funded_share_one_off=idea.own_one_off + funded_build,
                funded_share_annual_run=idea.own_run + funded_run,
            )
        )
    return views
