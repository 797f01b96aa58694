"""The quarterly roadmap: when each selected idea and the data it needs are built, under the
people available per role per quarter, so that the plan's NPV is highest.

Work is cut into *work items*: each charged asset (built once, whoever needs it) and each
idea's own work (need engineering and deployment setup). An item's effort is person-days per
role. An item too large for one quarter is cut into consecutive parts, each done within one
quarter (a part never runs before the one before it). The program, over binaries y[j, q]
(part j is done by the end of quarter q; non-decreasing in q, so done in the quarter where it
steps up; every row then holds few entries):

- a part is done in a later quarter than the part before it;
- lineage: an item is done only once everything it needs upstream is done, in the same
  quarter or before (within a quarter, upstream work is listed first); an idea needs its
  charged assets the same way;
- an asset is built only if some scheduled idea needs it;
- capacity: the person-days of each role in each quarter stay within what is available;
- not-before quarters, and must-start quarters (the idea is in the plan and its first part is
  done by then);
- objective: the NPV of the plan in quarters. Money is discounted to the start at
  (1 + r)^(-(t + 1) / 4) for quarter t (cash at the end of the quarter). One-off money is
  spent in the quarter of the part; an idea earns its expected yearly benefit p k B (net of
  its own run cost) / 4 per quarter for 4H quarters from the quarter after its last part
  (time to value); an asset runs at its yearly cost / 4 per quarter for 4H quarters from the
  quarter after it is built.

Solved by HiGHS (scipy.optimize.milp); the gap to the solver's bound is reported.
No Django import: the scenarios package builds the inputs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from valuechain.engine.quarters import effort_of as effort_of
from valuechain.engine.quarters import parse_quarter as parse_quarter
from valuechain.engine.quarters import quarter_label as quarter_label
from valuechain.engine.quarters import quarter_offset as quarter_offset

DEFAULT_TIME_LIMIT = 25.0
DEFAULT_GAP = 1e-4
MAX_QUARTERS = 20
MAX_PARTS = 8  # an item needing more quarters than this never fits the plan anyway
EPS = 1e-9


class RoadmapError(ValueError):
    """The inputs cannot make a plan (must-start ideas that cannot all fit, bad quarters)."""


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkAsset:
    """A charged asset to build: its effort, build (money), yearly run and upstream assets."""

    key: tuple[str, int]  # (asset type, id)
    effort: Mapping[int, float]  # role id -> person-days
    build: float
    annual_run: float
    upstream: tuple[tuple[str, int], ...] = ()  # charged assets it is built from
    tier: int = 1
    name: str = ""


@dataclass(frozen=True, slots=True)
class WorkIdea:
    """An idea to schedule at its stop tier: its own work (need engineering and deployment
    setup), the charged assets it needs, and what it earns once live."""

    id: int
    effort: Mapping[int, float]
    one_off: float  # need engineering + deployment setup
    annual_benefit: float  # expected: p x k x B
    annual_run: float  # the deployment's
    assets: tuple[tuple[str, int], ...] = ()
    stop_tier: int = 1
    not_before: int = 0  # quarter offset
    must_start: int | None = None  # quarter offset by which it must be under way
    title: str = ""


@dataclass(frozen=True)
class RoadmapProblem:
    ideas: tuple[WorkIdea, ...]
    assets: tuple[WorkAsset, ...]
    quarters: int
    capacity: Mapping[tuple[int, int], float]  # (role, quarter offset) -> person-days
    roles: tuple[int, ...]
    discount_rate: float
    horizon_years: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarters <= MAX_QUARTERS:
            raise RoadmapError(f"A roadmap spans 1 to {MAX_QUARTERS} quarters.")
        keys = {a.key for a in self.assets}
        for asset in self.assets:
            missing = [k for k in asset.upstream if k not in keys]
            if missing:
                raise RoadmapError(f"asset {asset.key} needs unknown assets {missing}")
        for idea in self.ideas:
            missing = [k for k in idea.assets if k not in keys]
            if missing:
                raise RoadmapError(f"idea {idea.id} needs unknown assets {missing}")

    def cap(self, role: int, quarter: int) -> float:
        return float(self.capacity.get((role, quarter), 0.0))

    def discount(self, quarter: int) -> float:
        return float((1.0 + self.discount_rate) ** (-(quarter + 1) / 4.0))

    def annuity_after(self, quarter: int) -> float:
        """Discounted sum of 1/4 per quarter for 4H quarters from the quarter after `quarter`."""
        return (
            sum(self.discount(t) for t in range(quarter + 1, quarter + 1 + 4 * self.horizon_years))
            / 4
        )


# --- parts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    item: int  # index into the items (assets first, then ideas)
    index: int  # 0-based part number of its item
    effort: Mapping[int, float]
    money: float


def _parts_needed(effort: Mapping[int, float], problem: RoadmapProblem) -> int:
    """Parts so that each fits the largest quarter's capacity of every role it uses."""
    needed = 1
    for role, days in effort.items():
        if days <= EPS:
            continue
        best = max((problem.cap(role, q) for q in range(problem.quarters)), default=0.0)
        if best <= EPS:
            return MAX_PARTS + 1  # nobody of this role: never fits
        needed = max(needed, math.ceil(days / best - 1e-9))
    return needed


@dataclass(frozen=True)
class _Items:
    """Assets then ideas as items, each cut into parts."""

    parts: list[Part]
    first: list[int]  # first part of each item
    last: list[int]  # last part of each item
    fits: list[bool]
    upstream: list[list[int]]  # items each item needs done first
    users: dict[int, list[int]] = field(default_factory=dict)  # asset item -> idea items


def _items(problem: RoadmapProblem) -> _Items:
    index = {a.key: i for i, a in enumerate(problem.assets)}
    n_assets = len(problem.assets)
    parts: list[Part] = []
    first: list[int] = []
    last: list[int] = []
    fits: list[bool] = []
    upstream: list[list[int]] = []
    users: dict[int, list[int]] = {i: [] for i in range(n_assets)}
    works = [(a.effort, a.build) for a in problem.assets] + [
        (i.effort, i.one_off) for i in problem.ideas
    ]
    for item, (effort, money) in enumerate(works):
        count = _parts_needed(effort, problem)
        fits.append(count <= min(MAX_PARTS, problem.quarters))
        count = max(1, min(count, MAX_PARTS))
        first.append(len(parts))
        for k in range(count):
            parts.append(
                Part(item, k, {r: d / count for r, d in effort.items() if d > EPS}, money / count)
            )
        last.append(len(parts) - 1)
    for asset in problem.assets:
        upstream.append([index[k] for k in asset.upstream])
    for position, idea in enumerate(problem.ideas):
        item = n_assets + position
        needed = sorted({index[k] for k in idea.assets})
        upstream.append(needed)
        for a in needed:
            users[a].append(item)
    return _Items(parts, first, last, fits, upstream, users)


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkItem:
    """Person-days of one role on one item in one quarter."""

    kind: str  # "asset" | "idea"
    asset: tuple[str, int] | None
    idea: int | None
    role: int
    quarter: int
    person_days: float
    money: float  # the one-off money this work spends


@dataclass(frozen=True, slots=True)
class CashRow:
    quarter: int
    one_off: float
    run: float
    benefit: float
    net: float
    cumulative: float
    discounted: float
    cumulative_discounted: float


@dataclass(frozen=True)
class Roadmap:
    items: tuple[WorkItem, ...]
    done: dict[int, int]  # idea id -> quarter its last part is done
    built: dict[tuple[str, int], int]  # asset -> quarter it is built
    unscheduled: tuple[int, ...]  # selected ideas left out of the plan
    too_large: tuple[int, ...]  # ideas whose work cannot fit the quarters at all
    npv: float
    bound: float | None
    gap: float
    optimal: bool
    solve_seconds: float
    quarters: int
    cash: tuple[CashRow, ...] = ()
    method: str = "milp"

    def value_from(self, idea_id: int) -> int | None:
        done = self.done.get(idea_id)
        return None if done is None else done + 1


def cash_flow(
    problem: RoadmapProblem,
    done: Mapping[int, int],
    built: Mapping[tuple[str, int], int],
    spend: Mapping[int, float],
) -> tuple[CashRow, ...]:
    """Per quarter from the start to the last with money: one-off spend (as scheduled), run
    costs of built assets and live ideas, expected benefits, and their cumulative sums."""
    horizon = 4 * problem.horizon_years
    end = max(
        [
            problem.quarters,
            *(q + 1 + horizon for q in done.values()),
            *(q + 1 + horizon for q in built.values()),
        ]
    )
    one_off = np.zeros(end)
    run = np.zeros(end)
    benefit = np.zeros(end)
    for q, money in spend.items():
        one_off[q] += money
    assets = {a.key: a for a in problem.assets}
    for key, q in built.items():
        run[q + 1 : q + 1 + horizon] += assets[key].annual_run / 4
    for idea in problem.ideas:
        if idea.id in done:
            q = done[idea.id]
            run[q + 1 : q + 1 + horizon] += idea.annual_run / 4
            benefit[q + 1 : q + 1 + horizon] += idea.annual_benefit / 4
    rows = []
    cumulative = cumulative_discounted = 0.0
    for t in range(end):
        net = benefit[t] - run[t] - one_off[t]
        cumulative += net
        discounted = net * problem.discount(t)
        cumulative_discounted += discounted
        rows.append(
            CashRow(
                t,
                float(one_off[t]),
                float(run[t]),
                float(benefit[t]),
                float(net),
                cumulative,
                discounted,
                cumulative_discounted,
            )
        )
    return tuple(rows)


def plan_npv(
    problem: RoadmapProblem,
    done: Mapping[int, int],
    built: Mapping[tuple[str, int], int],
    spend: Mapping[int, float],
) -> float:
    rows = cash_flow(problem, done, built, spend)
    return math.fsum(row.discounted for row in rows)


# --- solving ----------------------------------------------------------------------------------


class _Program:
    """The MILP over y[p, q] = 1 when part p is done by the end of quarter q (column
    p * quarters + q), non-decreasing in q; the part is done in quarter q when y steps up
    there. Each row then holds two or three entries, which keeps the program sparse."""

    def __init__(self, problem: RoadmapProblem, items: _Items) -> None:
        self.problem, self.items, self.nq = problem, items, problem.quarters
        self.size = len(items.parts) * self.nq
        self.done_in = np.zeros(self.size)  # money when done in quarter q (minimised)
        self.upper = np.ones(self.size)
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def var(self, p: int, q: int) -> int:
        return p * self.nq + q

    def row(self, entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(self.lo)
        for c, v in entries:
            self.rows.append(r)
            self.cols.append(c)
            self.vals.append(v)
        self.lo.append(low)
        self.hi.append(high)

    def step(self, p: int, q: int, scale: float = 1.0) -> list[tuple[int, float]]:
        """x[p, q] = y[p, q] - y[p, q - 1] as row entries."""
        entries = [(self.var(p, q), scale)]
        return [*entries, (self.var(p, q - 1), -scale)] if q > 0 else entries

    def forbid(self, item: int, quarters: range) -> None:
        """Not done by the end of these first quarters (or ever, over all of them)."""
        for k in range(self.items.first[item], self.items.last[item] + 1):
            for q in quarters:
                self.upper[self.var(k, q)] = 0.0

    def objective(self) -> list[int]:
        """Money per part and quarter done in; returns the ideas too large to schedule."""
        problem, items, nq = self.problem, self.items, self.nq
        n_assets = len(problem.assets)
        for p, part in enumerate(items.parts):
            for q in range(nq):
                self.done_in[self.var(p, q)] += part.money * problem.discount(q)
        for a, asset in enumerate(problem.assets):
            for q in range(nq):
                run = asset.annual_run * problem.annuity_after(q)
                self.done_in[self.var(items.last[a], q)] += run
            if not items.fits[a]:
                self.forbid(a, range(nq))
        too_large = []
        for i, idea in enumerate(problem.ideas):
            item = n_assets + i
            net = idea.annual_benefit - idea.annual_run
            for q in range(nq):
                self.done_in[self.var(items.last[item], q)] -= net * problem.annuity_after(q)
            self.forbid(item, range(min(idea.not_before, nq)))
            if not items.fits[item] or not all(items.fits[a] for a in _all_upstream(items, item)):
                too_large.append(idea.id)
                self.forbid(item, range(nq))
        return too_large

    def cost(self) -> np.ndarray:
        """The objective on y: sum_q c[q] (y[q] - y[q - 1]) = sum_q y[q] (c[q] - c[q + 1])."""
        c = self.done_in.reshape(-1, self.nq)
        later = np.concatenate([c[:, 1:], np.zeros((c.shape[0], 1))], axis=1)
        return np.asarray((c - later).reshape(-1))

    def precede(self, before: int, after: int, strict: bool = False) -> None:
        """`after` done by q only if `before` is done by q (strict: by q - 1)."""
        for q in range(self.nq):
            if strict and q == 0:
                self.upper[self.var(after, 0)] = 0.0
                continue
            self.row(
                [(self.var(after, q), 1.0), (self.var(before, q - 1 if strict else q), -1.0)],
                -np.inf,
                0.0,
            )

    def structure(self) -> None:
        items, nq = self.items, self.nq
        for p in range(len(items.parts)):  # once done, done
            for q in range(1, nq):
                self.row([(self.var(p, q), 1.0), (self.var(p, q - 1), -1.0)], 0.0, np.inf)
        for item in range(len(items.first)):
            for k in range(items.first[item], items.last[item]):
                self.precede(k, k + 1, strict=True)  # each part in its own quarter
            for up in items.upstream[item]:
                self.precede(items.last[up], items.first[item])
        # An asset is built only for a scheduled idea or asset it feeds.
        downstream: dict[int, list[int]] = {a: [] for a in range(len(self.problem.assets))}
        for down in range(len(self.problem.assets)):
            for up in items.upstream[down]:
                downstream[up].append(down)
        end = nq - 1
        for a in range(len(self.problem.assets)):
            entries = [(self.var(items.last[a], end), 1.0)]
            for user in items.users[a] + downstream[a]:
                entries.append((self.var(items.last[user], end), -1.0))
            self.row(entries, -np.inf, 0.0)

    def capacity(self) -> None:
        for role in self.problem.roles:
            for q in range(self.nq):
                entries = [
                    entry
                    for p, part in enumerate(self.items.parts)
                    if role in part.effort
                    for entry in self.step(p, q, part.effort[role])
                ]
                if entries:
                    self.row(entries, -np.inf, self.problem.cap(role, q))

    def must_start(self, too_large: list[int]) -> None:
        """A must-start idea is scheduled, its first part done by its quarter."""
        n_assets = len(self.problem.assets)
        for i, idea in enumerate(self.problem.ideas):
            if idea.must_start is None:
                continue
            if idea.id in too_large:
                raise RoadmapError(f"idea {idea.id} must start but its work cannot fit")
            item = n_assets + i
            last, first = self.items.last[item], self.items.first[item]
            self.row([(self.var(last, self.nq - 1), 1.0)], 1.0, 1.0)
            by = min(max(idea.must_start, 0), self.nq - 1)
            self.row([(self.var(first, by), 1.0)], 1.0, 1.0)

    def constraints(self) -> list[LinearConstraint]:
        if not self.lo:
            return []
        shape = (len(self.lo), self.size)
        matrix = sparse.csr_matrix((self.vals, (self.rows, self.cols)), shape=shape)
        return [LinearConstraint(matrix, np.array(self.lo), np.array(self.hi))]

    def done(self, y: np.ndarray) -> np.ndarray:
        """x from y: the quarter each part is done in."""
        by = y.reshape(-1, self.nq) > 0.5
        before = np.concatenate([np.zeros((by.shape[0], 1), dtype=bool), by[:, :-1]], axis=1)
        return np.asarray(by & ~before)


def schedule(
    problem: RoadmapProblem, time_limit: float = DEFAULT_TIME_LIMIT, gap: float = DEFAULT_GAP
) -> Roadmap:
    """The plan of highest NPV (HiGHS), with its gap to the solver's bound."""
    started = time.perf_counter()
    items = _items(problem)
    nq = problem.quarters
    if not items.parts:  # nothing selected: an empty plan
        return _roadmap(problem, items, np.zeros((0, nq), dtype=bool), started, ())
    program = _Program(problem, items)
    too_large = program.objective()
    program.structure()
    program.capacity()
    program.must_start(too_large)
    result = milp(
        program.cost(),
        integrality=np.ones(program.size),
        bounds=Bounds(np.zeros(program.size), program.upper),
        constraints=program.constraints(),
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    if result.x is None:
        if result.status == 2:
            raise RoadmapError("no plan meets the must-start dates under the capacity given")
        raise RuntimeError(f"the solver stopped without a plan: {result.message}")
    x = program.done(result.x)
    roadmap = _roadmap(problem, items, x, started, tuple(too_large))
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and math.isfinite(dual) else None
    reported = float(result.mip_gap) if getattr(result, "mip_gap", None) is not None else 0.0
    found = {"bound": bound, "gap": max(reported, 0.0), "optimal": result.status == 0}
    return Roadmap(**{**roadmap.__dict__, **found})


def _all_upstream(items: _Items, item: int) -> set[int]:
    seen: set[int] = set()
    stack = list(items.upstream[item])
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(items.upstream[current])
    return seen


def _roadmap(
    problem: RoadmapProblem,
    items: _Items,
    x: np.ndarray,
    started: float,
    too_large: tuple[int, ...],
    method: str = "milp",
) -> Roadmap:
    """The plan a choice of quarters per part makes: its work items, in order, and its cash."""
    n_assets = len(problem.assets)
    quarter_of = {p: int(np.argmax(x[p])) for p in range(len(items.parts)) if x[p].any()}
    built = {
        problem.assets[a].key: quarter_of[items.last[a]]
        for a in range(n_assets)
        if items.last[a] in quarter_of
    }
    done = {
        idea.id: quarter_of[items.last[n_assets + i]]
        for i, idea in enumerate(problem.ideas)
        if items.last[n_assets + i] in quarter_of
    }
    depth = _depths(problem, items)
    spend: dict[int, float] = {}
    work: list[tuple[tuple[int, int, int, int], WorkItem]] = []
    for p, part in enumerate(items.parts):
        if p not in quarter_of:
            continue
        q = quarter_of[p]
        spend[q] = spend.get(q, 0.0) + part.money
        item = part.item
        is_asset = item < n_assets
        asset = problem.assets[item].key if is_asset else None
        idea = None if is_asset else problem.ideas[item - n_assets].id
        roles = sorted(part.effort) or [problem.roles[0] if problem.roles else 0]
        for role in roles:
            days = part.effort.get(role, 0.0)
            if days <= EPS and part.effort:
                continue
            money = part.money if role == roles[0] else 0.0
            key = (q, depth[item], item, role)
            work.append(
                (key, WorkItem("asset" if is_asset else "idea", asset, idea, role, q, days, money))
            )
    work.sort(key=lambda pair: pair[0])
    selected = {idea.id for idea in problem.ideas}
    return Roadmap(
        items=tuple(w for _, w in work),
        done=done,
        built=built,
        unscheduled=tuple(sorted(selected - set(done))),
        too_large=too_large,
        npv=plan_npv(problem, done, built, spend),
        bound=None,
        gap=0.0,
        optimal=True,
        solve_seconds=time.perf_counter() - started,
        quarters=problem.quarters,
        cash=cash_flow(problem, done, built, spend),
        method=method,
    )


def _depths(problem: RoadmapProblem, items: _Items) -> list[int]:
    """Order within a quarter: the longest upstream path first (acquisition before raw before
    curated before features before ideas)."""
    memo: dict[int, int] = {}

    def depth(item: int) -> int:
        if item not in memo:
            memo[item] = 0
            memo[item] = 1 + max((depth(u) for u in items.upstream[item]), default=-1)
        return memo[item]

    return [depth(i) for i in range(len(items.first))]
