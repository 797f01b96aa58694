"""Uncertainty: PERT sampling and Monte Carlo of NPV (DESIGN section 3); the tornado is in
tornado.py.

Every three-point estimate is drawn from its PERT distribution (a Beta scaled to [low, high]
with the standard lambda = 4, so its mean is (low + 4 likely + high) / 6). A charged asset is
drawn once per draw for every idea that uses it, and so is the success of building it
(Bernoulli(feasibility)). An idea delivers when its own Bernoulli(probability) and every asset
of E (its essential needs' charged assets) come up; it then earns B x the weight share of the
needs whose charged assets all arrived. So its expected yearly benefit is the p x k x B of the
ROI report. Everything is vectorised over ideas x draws and processed in chunks of draws to
bound memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from valuechain.engine.chain import (
    AssetKey,
    Catalogue,
    ClosureCache,
    Estimate,
    Idea,
    Need,
    offline_feature_count,
)
from valuechain.engine.finance import (
    Closures,
    NeedShare,
    annuity_factor,
    expected_coverage,
    feasibility_in,
    ladder_needs,
    online_features,
    probability_of_success,
    reach,
)

PERT_LAMBDA = 4.0
HISTOGRAM_BINS = 40
# Elements of one chunk of draws (estimates x draws): about 32 MB of float64.
CHUNK_ELEMENTS = 4_000_000

Progress = Callable[[float], None]


# --- PERT ------------------------------------------------------------------------------------


def pert_parameters(
    low: np.ndarray, likely: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Beta shape parameters (alpha, beta) of PERT(low, likely, high) with lambda = 4."""
    span = high - low
    safe = np.where(span > 0, span, 1.0)
    alpha = 1.0 + PERT_LAMBDA * (likely - low) / safe
    beta = 1.0 + PERT_LAMBDA * (high - likely) / safe
    return alpha, beta


def pert_mean(low: float, likely: float, high: float) -> float:
    return (low + PERT_LAMBDA * likely + high) / (PERT_LAMBDA + 2)


def pert_variance(low: float, likely: float, high: float) -> float:
    """(mean - low)(high - mean) / (lambda + 3): the closed form for lambda = 4."""
    mean = pert_mean(low, likely, high)
    return (mean - low) * (high - mean) / (PERT_LAMBDA + 3)


def sample_pert(
    rng: np.random.Generator,
    low: np.ndarray | float,
    likely: np.ndarray | float,
    high: np.ndarray | float,
    size: int,
) -> np.ndarray:
    """`size` draws of each estimate: shape (estimates, size), or (size,) for scalars."""
    low_a, likely_a, high_a = (np.asarray(v, dtype=float) for v in (low, likely, high))
    scalar = low_a.ndim == 0
    low_a, likely_a, high_a = (np.atleast_1d(v)[:, None] for v in (low_a, likely_a, high_a))
    alpha, beta = pert_parameters(low_a, likely_a, high_a)
    draws = low_a + (high_a - low_a) * rng.beta(alpha, beta, size=(low_a.shape[0], size))
    return draws[0] if scalar else draws


# --- the linear structure of NPV -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CostItem:
    """One uncertain cost of an idea that is not a catalogue asset (need engineering,
    deployment), counted `factor` times (online serving charges each offline feature)."""

    label: str
    estimate: Estimate
    factor: float = 1.0
    yearly: bool = False


@dataclass(frozen=True, slots=True)
class IdeaTerms:
    """What an idea's NPV is made of: NPV = -C0 + A(r, H) (p k B - R)."""

    idea: Idea
    charged: tuple[AssetKey, ...]
    items: tuple[CostItem, ...]
    feasibility: float  # product of f(a) over E, the essential needs' charged assets
    essential: tuple[AssetKey, ...] = ()  # E
    shares: tuple[NeedShare, ...] = ()  # each need's weight share and its assets outside E
    expected_coverage: float = 1.0  # k
    benefit_coverage: float = 1.0  # 0 while an essential need is missing

    @property
    def probability(self) -> float:
        return self.idea.probability * self.feasibility

    @property
    def own_one_off(self) -> float:
        """The one-off parts of C0 that are not charged assets: engineering, setup."""
        return sum(item.estimate.mean * item.factor for item in self.items if not item.yearly)

    @property
    def own_run(self) -> float:
        """The yearly parts of R that are not charged assets: the deployment's run."""
        return sum(item.estimate.mean * item.factor for item in self.items if item.yearly)


def idea_terms(
    idea: Idea,
    catalogue: Catalogue,
    closures: Closures | None = None,
    needs: Sequence[Need] | None = None,
) -> IdeaTerms:
    """Split an idea (or some of its needs, a ladder step) into its charged assets, its own
    cost items and what its success depends on, as finance.investment."""
    needs = idea.needs if needs is None else needs
    reached = reach(idea, catalogue, needs, closures)
    # The parts of finance.one_off_investment and annual_run_cost, each drawn on its own.
    items = [CostItem(f"Engineering: {need.name}", need.engineering) for need in needs]
    deployment = idea.deployment
    items.append(CostItem("Deployment setup", deployment.setup))
    items.append(CostItem("Deployment run", deployment.run, yearly=True))
    features = float(
        online_features(
            deployment.online_serving, offline_feature_count(catalogue, needs, reached.keys)
        )
    )
    if features:
        items.append(CostItem("Online feature setup", deployment.online_feature_setup, features))
        items.append(
            CostItem("Online feature run", deployment.online_feature_run, features, yearly=True)
        )
    feasibility = feasibility_in(catalogue)
    return IdeaTerms(
        idea=idea,
        charged=tuple(sorted(reached.charged)),
        items=tuple(items),
        feasibility=probability_of_success(1.0, reached, feasibility),
        essential=tuple(sorted(reached.essential)),
        shares=reached.shares,
        expected_coverage=expected_coverage(reached, feasibility),
        benefit_coverage=reached.benefit_coverage,
    )


def needs_up_to(idea: Idea, tier: int, closures: Closures) -> list[Need]:
    """The needs a ladder step funds: those of tier <= `tier`."""
    steps = dict(ladder_needs(idea, closures))
    if tier not in steps:
        raise ValueError(f"idea {idea.id} has no ladder step at tier {tier}")
    return steps[tier]


# --- Monte Carlo -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Distribution:
    """Summary of sampled NPVs, with a histogram for the chart."""

    mean: float
    std: float
    p10: float
    p50: float
    p90: float
    probability_of_loss: float
    histogram_edges: tuple[float, ...]
    histogram_counts: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "mean": self.mean,
            "std": self.std,
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "probability_of_loss": self.probability_of_loss,
            "histogram": {
                "edges": list(self.histogram_edges),
                "counts": list(self.histogram_counts),
            },
        }


@dataclass(frozen=True, slots=True)
class SimulationResult:
    idea_ids: tuple[int, ...]
    draws: int
    seed: int
    ideas: tuple[Distribution, ...]
    portfolio: Distribution | None
    npv: np.ndarray  # ideas x draws, standalone NPV of each idea
    portfolio_npv: np.ndarray | None  # draws, shared assets paid once

    def by_idea(self) -> dict[int, Distribution]:
        return dict(zip(self.idea_ids, self.ideas, strict=True))


def summarise(samples: np.ndarray, bins: int = HISTOGRAM_BINS) -> list[Distribution]:
    """Mean, P10/P50/P90, P(NPV < 0) and a histogram for each row of samples."""
    rows = np.atleast_2d(samples)
    means = rows.mean(axis=1)
    stds = rows.std(axis=1)
    quantiles = np.percentile(rows, [10, 50, 90], axis=1)
    losses = (rows < 0).mean(axis=1)
    result = []
    for i, row in enumerate(rows):
        lo, hi = float(row.min()), float(row.max())
        if hi <= lo:
            hi = lo + max(abs(lo) * 1e-9, 1e-9)
        counts, edges = np.histogram(row, bins=bins, range=(lo, hi))
        result.append(
            Distribution(
                mean=float(means[i]),
                std=float(stds[i]),
                p10=float(quantiles[0, i]),
                p50=float(quantiles[1, i]),
                p90=float(quantiles[2, i]),
                probability_of_loss=float(losses[i]),
                histogram_edges=tuple(float(e) for e in edges),
                histogram_counts=tuple(int(c) for c in counts),
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class _Rows:
    """Estimates stacked as arrays, with a sparse map from them to each idea's cost PV."""

    low: np.ndarray
    likely: np.ndarray
    high: np.ndarray
    cost_pv: sparse.csr_matrix  # ideas x estimates: 1 for one-off, A_i (x factor) for yearly

    @property
    def variable(self) -> np.ndarray:
        return self.high > self.low


class SimulationModel:
    """Ideas compiled into arrays once, so they can be drawn many times.

    `stops` (idea id -> tier) funds an idea only up to that ladder step, as a portfolio
    selection by stop tier does; the others are funded whole.
    """

    def __init__(
        self,
        ideas: Sequence[Idea],
        catalogue: Catalogue,
        discount_rate: float | None = None,
        horizon_years: int | None = None,
        stops: Mapping[int, int] | None = None,
    ) -> None:
        closures = ClosureCache(catalogue)
        stops = stops or {}
        self.terms = [
            idea_terms(
                idea,
                catalogue,
                closures,
                needs_up_to(idea, stops[idea.id], closures) if idea.id in stops else None,
            )
            for idea in ideas
        ]
        self.idea_ids = tuple(idea.id for idea in ideas)
        n = len(ideas)
        self.annuity = np.array(
            [
                annuity_factor(
                    idea.discount_rate if discount_rate is None else discount_rate,
                    idea.horizon_years if horizon_years is None else horizon_years,
                )
                for idea in ideas
            ]
        )
        common = {
            (
                idea.discount_rate if discount_rate is None else discount_rate,
                idea.horizon_years if horizon_years is None else horizon_years,
            )
            for idea in ideas
        }
        # Shared assets are paid once in the portfolio only under one rate and horizon.
        self.portfolio_annuity = float(self.annuity[0]) if len(common) == 1 else None

        self.assets: list[AssetKey] = sorted({key for t in self.terms for key in t.charged})
        asset_index = {key: j for j, key in enumerate(self.assets)}
        n_assets = len(self.assets)
        incidence_rows, incidence_cols = [], []
        for i, t in enumerate(self.terms):
            for key in t.charged:
                incidence_rows.append(i)
                incidence_cols.append(asset_index[key])
        self.incidence = sparse.csr_matrix(
            (np.ones(len(incidence_rows)), (incidence_rows, incidence_cols)),
            shape=(n, n_assets),
        )

        # Estimate rows: asset builds, asset runs, idea cost items, then benefits.
        low: list[float] = []
        likely: list[float] = []
        high: list[float] = []
        rows: list[int] = []
        cols: list[int] = []
        weights: list[float] = []

        def add(estimate: Estimate) -> int:
            low.append(estimate.low)
            likely.append(estimate.likely)
            high.append(estimate.high)
            return len(low) - 1

        self.asset_build_rows = [add(catalogue[key].build) for key in self.assets]
        self.asset_run_rows = [add(catalogue[key].run) for key in self.assets]
        for i, t in enumerate(self.terms):
            for key in t.charged:
                j = asset_index[key]
                rows += [i, i]
                cols += [self.asset_build_rows[j], self.asset_run_rows[j]]
                weights += [1.0, float(self.annuity[i])]
        self.private_rows: list[int] = []
        for i, t in enumerate(self.terms):
            for item in t.items:
                if item.estimate.high == 0:
                    continue
                r = add(item.estimate)
                self.private_rows.append(r)
                rows.append(i)
                cols.append(r)
                weights.append(item.factor * (float(self.annuity[i]) if item.yearly else 1.0))
        self.benefit_rows = [add(t.idea.benefit) for t in self.terms]

        self.rows = _Rows(
            low=np.array(low, dtype=float),
            likely=np.array(likely, dtype=float),
            high=np.array(high, dtype=float),
            cost_pv=sparse.csr_matrix(
                (np.array(weights, dtype=float), (rows, cols)), shape=(n, len(low))
            ),
        )
        self.idea_probability = np.array([t.idea.probability for t in self.terms])
        self.asset_feasibility = np.array(
            [catalogue[key].feasibility for key in self.assets], dtype=float
        )
        self.risky_assets = np.flatnonzero(self.asset_feasibility < 1.0)
        self._compile_coverage(asset_index)

        variable = self.rows.variable
        self.variable_rows = np.flatnonzero(variable)
        constant_rows = np.flatnonzero(~variable)
        alpha, beta = pert_parameters(self.rows.low, self.rows.likely, self.rows.high)
        self.alpha = alpha[self.variable_rows][:, None]
        self.beta = beta[self.variable_rows][:, None]
        self.var_low = self.rows.low[self.variable_rows][:, None]
        self.var_span = (self.rows.high - self.rows.low)[self.variable_rows][:, None]
        cost_pv = self.rows.cost_pv.tocsc()
        self.cost_pv_variable = cost_pv[:, self.variable_rows].tocsr()
        self.cost_pv_constant = np.asarray(
            cost_pv[:, constant_rows] @ self.rows.low[constant_rows]
        ).ravel()
        # Benefits are in the estimate rows too but multiply success, not the cost map.
        benefit = np.array(self.benefit_rows)
        self.benefit_variable_pos = np.searchsorted(self.variable_rows, benefit)
        self.benefit_is_variable = variable[benefit]
        self.benefit_constant = self.rows.low[benefit]
        self.build_index = np.asarray(self.asset_build_rows, dtype=int)
        self.run_index = np.asarray(self.asset_run_rows, dtype=int)
        # How many more times than once the standalone NPVs pay each asset.
        self.extra_users = np.asarray(self.incidence.sum(axis=0)).ravel() - 1.0

    def _compile_coverage(self, asset_index: Mapping[AssetKey, int]) -> None:
        """What a failed asset takes away: the whole idea when it is in E (risky_incidence),
        a need's weight share when it is among that need's assets outside E (coverage_*)."""
        risky = {int(a): r for r, a in enumerate(self.risky_assets)}
        n, n_risky = self.size, len(self.risky_assets)

        def risky_of(keys: Sequence[AssetKey] | frozenset[AssetKey]) -> list[int]:
            return [risky[asset_index[key]] for key in keys if asset_index[key] in risky]

        rows, cols = [], []
        for i, t in enumerate(self.terms):
            for r in risky_of(t.essential):
                rows.append(i)
                cols.append(r)
        self.risky_incidence = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(n, n_risky)
        )
        # Shares no failure can take away are sure; the others each get a row.
        self.sure_coverage = np.zeros(n)
        share_rows: list[int] = []
        share_cols: list[int] = []
        weight_rows: list[int] = []
        weight_cols: list[int] = []
        weights: list[float] = []
        for i, t in enumerate(self.terms):
            if t.benefit_coverage <= 0:
                continue  # an essential need is missing: nothing to earn
            if not t.shares:
                self.sure_coverage[i] = t.benefit_coverage  # an idea without needs
            for share in t.shares:
                at_risk = risky_of(share.outside)
                if not at_risk:
                    self.sure_coverage[i] += share.weight_share
                    continue
                row = len(weights)
                share_rows += [row] * len(at_risk)
                share_cols += at_risk
                weight_rows.append(i)
                weight_cols.append(row)
                weights.append(share.weight_share)
        self.coverage_incidence = sparse.csr_matrix(
            (np.ones(len(share_rows)), (share_rows, share_cols)), shape=(len(weights), n_risky)
        )
        self.coverage_weights = sparse.csr_matrix(
            (np.array(weights, dtype=float), (weight_rows, weight_cols)), shape=(n, len(weights))
        )

    @property
    def size(self) -> int:
        return len(self.idea_ids)

    def chunk_size(self, draws: int) -> int:
        width = max(len(self.variable_rows), self.size, 1)
        return int(max(1, min(draws, CHUNK_ELEMENTS // width)))

    def draw_estimates(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """PERT draws of every uncertain estimate: (variable estimates, k)."""
        return self.var_low + self.var_span * rng.beta(
            self.alpha, self.beta, size=(len(self.variable_rows), k)
        )

    def draw_outcome(self, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each idea's success (its own and E's) and the weight share of its needs whose
        assets arrived, in each draw; a risky asset fails for all its ideas at once."""
        success = rng.random((self.size, k)) < self.idea_probability[:, None]
        coverage = np.broadcast_to(self.sure_coverage[:, None], (self.size, k))
        if len(self.risky_assets):
            failed = (
                rng.random((len(self.risky_assets), k))
                >= self.asset_feasibility[self.risky_assets, None]
            ).astype(np.float64)
            success &= (self.risky_incidence @ failed) == 0
            if self.coverage_weights.shape[1]:
                arrived = (self.coverage_incidence @ failed) == 0
                coverage = coverage + self.coverage_weights @ arrived.astype(np.float64)
        return success, coverage

    def draw_success(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """Each idea's success in each draw: its own and every asset of E."""
        return self.draw_outcome(rng, k)[0]

    def draw_earned(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """The share of its benefit each idea earns in each draw."""
        success, coverage = self.draw_outcome(rng, k)
        return np.where(success, coverage, 0.0)

    def _rows_values(self, estimates: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
        """Values of the given estimate rows in each draw: (rows, k)."""
        values = np.empty((len(rows), k))
        variable = self.rows.variable[rows]
        values[~variable] = self.rows.low[rows[~variable]][:, None]
        values[variable] = estimates[np.searchsorted(self.variable_rows, rows[variable])]
        return values

    def simulate(
        self, draws: int, seed: int, progress: Progress | None = None, steps: int = 1
    ) -> SimulationResult:
        """Draw `draws` times from `seed`, in at least `steps` chunks (to report progress).

        The same seed, draws and steps give the same numbers.
        """
        if draws < 1:
            raise ValueError("draws must be at least 1")
        rng = np.random.default_rng(seed)
        n = self.size
        npv = np.empty((n, draws))
        portfolio = np.empty(draws) if self.portfolio_annuity is not None else None
        chunk = min(self.chunk_size(draws), max(1, math.ceil(draws / max(steps, 1))))
        done = 0
        while done < draws:
            k = min(chunk, draws - done)
            estimates = self.draw_estimates(rng, k)
            earned = self.draw_earned(rng, k)
            benefit = np.empty((n, k))
            if n:
                benefit[:] = self.benefit_constant[:, None]
                variable = self.benefit_is_variable
                benefit[variable] = estimates[self.benefit_variable_pos[variable]]
            cost = self.cost_pv_variable @ estimates + self.cost_pv_constant[:, None]
            gain = self.annuity[:, None] * earned * benefit
            block = npv[:, done : done + k]
            np.subtract(gain, cost, out=block)
            if portfolio is not None and self.portfolio_annuity is not None:
                # Standalone NPVs pay a shared asset once per idea; the portfolio pays once.
                asset_pv = self._rows_values(estimates, self.build_index, k)
                asset_pv += self.portfolio_annuity * self._rows_values(estimates, self.run_index, k)
                portfolio[done : done + k] = block.sum(axis=0) + self.extra_users @ asset_pv
            done += k
            if progress is not None:
                progress(done / draws)
        ideas = summarise(npv) if n else []
        return SimulationResult(
            idea_ids=self.idea_ids,
            draws=draws,
            seed=seed,
            ideas=tuple(ideas),
            portfolio=summarise(portfolio)[0] if portfolio is not None and n else None,
            npv=npv,
            portfolio_npv=portfolio,
        )


def simulate(
    ideas: Sequence[Idea],
    catalogue: Catalogue,
    draws: int,
    seed: int,
    discount_rate: float | None = None,
    horizon_years: int | None = None,
    progress: Progress | None = None,
    steps: int = 1,
    stops: Mapping[int, int] | None = None,
) -> SimulationResult:
    """Monte Carlo of NPV for each idea and for the ideas together (shared assets once);
    `stops` funds some ideas only up to a ladder step (idea id -> tier)."""
    model = SimulationModel(ideas, catalogue, discount_rate, horizon_years, stops)
    return model.simulate(draws, seed, progress, steps)
