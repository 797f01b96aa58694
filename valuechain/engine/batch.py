"""ROI reports for many ideas over one catalogue, as array operations.

The same formulas as finance.roi_report (DESIGN section 3), laid out for numpy/scipy:

- closures of the whole catalogue as one sparse 0/1 matrix K (asset x asset), the reflexive
  transitive closure of the lineage edges leaving assets that are not available;
- per ladder tier t, a sparse incidence matrix N_t (idea x asset) of the needs whose tier is
  <= t; the assets each idea reaches are the non-zeros of N_t @ K, so build, run, feasibility
  and offline features are sparse mat-vec products with per-asset vectors;
- the essential charged assets E (per idea, and per step E_t) as the non-zeros of the
  essential needs' incidence @ K, so p = p0 x exp(E @ log f); each need's A(n) minus E as its
  closure row with E's entries taken out, so its product of feasibilities is one more
  log-sum, and k a bincount of w(n) x that product over the needs;
- engineering, weights and coverage as bincounts over the flattened needs; NPV, ROI and the
  discounted payback as array operations over (idea x year).

finance.roi_reports stays the reference; tests/engine/test_batch.py holds the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
from scipy import sparse

from valuechain.engine.chain import (
    TIERS,
    AssetKey,
    Catalogue,
    Estimate,
    Idea,
    UnknownAsset,
    needs_new_feature,
    serves_offline_only,
    walks_upstream,
)
from valuechain.engine.finance import (
    LadderStep,
    RoiReport,
    Verdict,
    annual_run_cost,
    check_finite,
    deployment_cost,
    expected_annual_benefit,
    one_off_investment,
    online_features,
    verdict,
)

MAX_HORIZON = 30


@dataclass(frozen=True)
class CatalogueArrays:
    """The catalogue as per-asset vectors plus its closure matrix.

    Keys missing from the catalogue but named by a lineage link get a column of their own
    (`missing`), so a closure that reaches one can be reported like chain.closure does.
    """

    keys: list[AssetKey]
    index: dict[AssetKey, int]
    closure: sparse.csr_matrix  # K[a, b] = 1 when b is in closure(a)
    closure_tier: np.ndarray  # highest tier in each asset's closure
    charged: np.ndarray  # bool
    build: np.ndarray  # PERT mean when charged, else 0
    run: np.ndarray
    log_feasibility: np.ndarray  # log of a charged asset's feasibility, 0 otherwise
    zero_feasibility: np.ndarray  # 1 for a charged asset with feasibility 0
    offline_feature: np.ndarray  # 1 for a feature not served online
    missing: np.ndarray  # bool: a key no asset holds
    sort_rank: np.ndarray  # position of each key in sorted(keys)

    @classmethod
    def build_from(cls, catalogue: Catalogue) -> CatalogueArrays:
        keys = list(catalogue)
        index = {key: i for i, key in enumerate(keys)}
        present = len(keys)
        rows: list[int] = []
        cols: list[int] = []
        for i, key in enumerate(keys[:present]):
            asset = catalogue[key]
            if not walks_upstream(asset):
                continue
            for up in asset.upstream:
                j = index.get(up)
                if j is None:
                    j = index[up] = len(keys)
                    keys.append(up)
                rows.append(i)
                cols.append(j)
        n = len(keys)
        edges = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(n, n), dtype=np.float64
        )
        closure = _transitive_closure(edges, n)

        tier = np.array([key[0].tier for key in keys], dtype=np.int64)
        reached_tiers = tier[closure.indices]
        closure_tier = np.maximum.reduceat(reached_tiers, closure.indptr[:-1])

        charged = np.zeros(n, dtype=bool)
        build = np.zeros(n)
        run = np.zeros(n)
        log_feasibility = np.zeros(n)
        zero_feasibility = np.zeros(n)
        offline_feature = np.zeros(n)
        for i, key in enumerate(keys[:present]):
            asset = catalogue[key]
            if serves_offline_only(asset):
                offline_feature[i] = 1.0
            if not asset.charged:
                continue
            charged[i] = True
            build[i] = asset.build.mean
            run[i] = asset.run.mean
            if asset.feasibility > 0:
                log_feasibility[i] = np.log(asset.feasibility)
            else:
                zero_feasibility[i] = 1.0
        missing = np.zeros(n, dtype=bool)
        missing[present:] = True
        sort_rank = np.empty(n, dtype=np.int64)
        sort_rank[sorted(range(n), key=keys.__getitem__)] = np.arange(n)
        return cls(
            keys=keys,
            index=index,
            closure=closure,
            closure_tier=closure_tier,
            charged=charged,
            build=build,
            run=run,
            log_feasibility=log_feasibility,
            zero_feasibility=zero_feasibility,
            offline_feature=offline_feature,
            missing=missing,
            sort_rank=sort_rank,
        )


def _transitive_closure(edges: sparse.csr_matrix, n: int) -> sparse.csr_matrix:
    """Reflexive transitive closure: add one lineage step at a time until nothing is new."""
    reach = sparse.identity(n, format="csr", dtype=np.float64)
    while True:
        grown = (reach + reach @ edges).tocsr()
        grown.data[:] = 1.0
        if grown.nnz == reach.nnz:
            grown.sort_indices()
            return grown
        reach = grown


@dataclass(frozen=True)
class BatchResult:
    """Headline figures as arrays over ideas, the ladder as arrays over (idea, tier)."""

    ideas: Sequence[Idea]
    arrays: CatalogueArrays
    tier: np.ndarray
    one_off: np.ndarray
    annual_run: np.ndarray
    probability: np.ndarray
    expected_coverage: np.ndarray  # k
    expected_benefit: np.ndarray
    npv: np.ndarray
    roi: np.ndarray  # NaN where nothing is spent
    pv_costs: np.ndarray
    payback: np.ndarray  # NaN when none within the horizon
    need_engineering: np.ndarray
    asset_build: np.ndarray
    asset_run: np.ndarray
    deployment_setup: np.ndarray
    deployment_run: np.ndarray
    charged: sparse.csr_matrix  # idea x asset, charged assets of every need
    ladder_investment: np.ndarray  # (idea, tier - 1)
    ladder_run: np.ndarray
    ladder_probability: np.ndarray
    ladder_coverage: np.ndarray
    ladder_expected_coverage: np.ndarray
    ladder_npv: np.ndarray
    ladder_roi: np.ndarray
    negative_from_tier: np.ndarray  # 0 when never
    best_stop_tier: np.ndarray  # 0 when no step has a positive NPV: do not build

    @property
    def verdicts(self) -> list[Verdict]:
        return [
            verdict(int(best) or None, int(tier))
            for best, tier in zip(self.best_stop_tier, self.tier, strict=True)
        ]

    def reports(self) -> list[RoiReport]:
        """The same RoiReport objects finance.roi_reports returns."""
        # Columns reordered by key so each row's charged assets come out sorted.
        keys = sorted(self.arrays.keys)
        charged = self.charged[:, np.argsort(self.arrays.sort_rank)].tocsr()
        charged.sort_indices()
        indptr, indices = charged.indptr.tolist(), charged.indices.tolist()
        head = [
            array.tolist()
            for array in (
                self.tier,
                self.one_off,
                self.annual_run,
                self.probability,
                self.expected_coverage,
                self.expected_benefit,
                self.npv,
                self.roi,
                self.pv_costs,
                self.payback,
                self.negative_from_tier,
                self.best_stop_tier,
                self.need_engineering,
                self.asset_build,
                self.asset_run,
                self.deployment_setup,
                self.deployment_run,
            )
        ]
        steps = [
            array.tolist()
            for array in (
                self.ladder_investment,
                self.ladder_run,
                self.ladder_probability,
                self.ladder_coverage,
                self.ladder_expected_coverage,
                self.ladder_npv,
                self.ladder_roi,
            )
        ]
        reports = []
        for i, idea in enumerate(self.ideas):
            (
                tier,
                one_off,
                run,
                p,
                k,
                benefit,
                value,
                ratio,
                present,
                payback,
                negative,
                best,
                engineering,
                build,
                asset_run,
                setup,
                yearly,
            ) = (h[i] for h in head)
            investment, step_run, step_p, coverage, step_k, step_npv, step_roi = (
                s[i] for s in steps
            )
            ladder = tuple(
                LadderStep(
                    tier=t + 1,
                    cumulative_investment=investment[t],
                    annual_run_cost=step_run[t],
                    probability_of_success=step_p[t],
                    benefit_coverage=coverage[t],
                    npv=step_npv[t],
                    roi=_none_if_nan(step_roi[t]),
                    expected_coverage=step_k[t],
                )
                for t in range(tier)
            )
            reports.append(
                RoiReport(
                    idea_id=idea.id,
                    tier=tier,
                    one_off_investment=one_off,
                    annual_run_cost=run,
                    probability_of_success=p,
                    expected_annual_benefit=benefit,
                    npv=value,
                    roi=_none_if_nan(ratio),
                    pv_costs=present,
                    payback_years=_none_if_nan(payback),
                    negative_from_tier=negative or None,
                    best_stop_tier=best or None,
                    ladder=ladder,
                    need_engineering_cost=engineering,
                    asset_build_cost=build,
                    asset_run_cost=asset_run,
                    deployment_setup_cost=setup,
                    deployment_run_cost=yearly,
                    charged_assets=tuple([keys[j] for j in indices[indptr[i] : indptr[i + 1]]]),
                    expected_coverage=k,
                )
            )
        return reports


def _pert_means(estimates: Sequence[Estimate]) -> np.ndarray:
    """Estimate.mean for many estimates, with the same operations in the same order."""
    low, likely, high = (
        np.fromiter(map(attrgetter(part), estimates), dtype=np.float64, count=len(estimates))
        for part in ("low", "likely", "high")
    )
    return (low + 4 * likely + high) / 6


def _none_if_nan(value: float) -> float | None:
    return None if value != value else value


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is not positive (finance.roi)."""
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _reach(
    ideas: np.ndarray, assets: np.ndarray, n_ideas: int, arrays: CatalogueArrays
) -> sparse.csr_matrix:
    """0/1 (idea x asset): what the needs (idea, asset) reach, the union of their closures."""
    incidence = sparse.csr_matrix(
        (np.ones(len(ideas)), (ideas, assets)), shape=(n_ideas, len(arrays.keys))
    )
    reached = (incidence @ arrays.closure).tocsr()
    reached.data[:] = 1.0
    return reached


def _feasibility(reached: sparse.spmatrix, arrays: CatalogueArrays) -> np.ndarray:
    """Product of the feasibilities of the charged assets in each row (1 for none)."""
    return np.where(
        reached @ arrays.zero_feasibility > 0, 0.0, np.exp(reached @ arrays.log_feasibility)
    )


def _arrival(
    asset_of_need: np.ndarray,
    idea_of_need: np.ndarray,
    optional: np.ndarray,
    essential: sparse.csr_matrix,
    arrays: CatalogueArrays,
) -> np.ndarray:
    """Per need, the product of f(a) over A(n) minus E of its idea: its closure row with the
    assets E holds taken out (an asset an essential need reaches too is in E). 1 for an
    essential need, whose assets are all in E."""
    arrival = np.ones(len(asset_of_need))
    if optional.any():
        rows = arrays.closure[asset_of_need[optional]]
        outside = rows - rows.multiply(essential[idea_of_need[optional]])
        arrival[optional] = _feasibility(outside, arrays)
    return arrival


def compute(ideas: Sequence[Idea], catalogue: Catalogue) -> BatchResult:
    """Every figure of finance.roi_report for all ideas, as arrays."""
    arrays = CatalogueArrays.build_from(catalogue)
    n_ideas = len(ideas)

    # Flatten the needs, in idea order then need order (the order finance sums them in).
    needs = [need for idea in ideas for need in idea.needs]
    index = arrays.index
    n_needs = len(needs)
    asset_of_need = np.fromiter(
        (index.get(need.asset, -1) for need in needs), dtype=np.int64, count=n_needs
    )
    unknown = asset_of_need < 0
    unknown[~unknown] = arrays.missing[asset_of_need[~unknown]]
    if unknown.any():
        raise UnknownAsset(needs[int(np.argmax(unknown))].asset)
    idea_of_need = np.repeat(
        np.arange(n_ideas, dtype=np.int64), [len(idea.needs) for idea in ideas]
    )
    need_engineering = _pert_means([need.engineering for need in needs])
    need_weight = np.fromiter(map(attrgetter("weight"), needs), np.float64, count=n_needs)
    need_essential = np.fromiter(map(attrgetter("essential"), needs), bool, count=n_needs)
    need_new_feature = np.fromiter(map(needs_new_feature, needs), np.float64, count=n_needs)
    need_tier = arrays.closure_tier[asset_of_need]

    reached_missing = arrays.closure[np.unique(asset_of_need)][:, arrays.missing]
    if reached_missing.nnz:
        column = np.flatnonzero(arrays.missing)[reached_missing.tocoo().col[0]]
        raise UnknownAsset(arrays.keys[column])

    benefit = _pert_means([idea.benefit for idea in ideas])
    probability = np.array([idea.probability for idea in ideas], dtype=np.float64)
    horizon = np.array([idea.horizon_years for idea in ideas], dtype=np.int64)
    rate = np.array([idea.discount_rate for idea in ideas], dtype=np.float64)
    deployments = [idea.deployment for idea in ideas]
    setup_base = _pert_means([d.setup for d in deployments])
    run_base = _pert_means([d.run for d in deployments])
    online = np.array([d.online_serving for d in deployments], dtype=bool)
    online_setup = _pert_means([d.online_feature_setup for d in deployments])
    online_run = _pert_means([d.online_feature_run for d in deployments])

    idea_tier = np.ones(n_ideas, dtype=np.int64)
    np.maximum.at(idea_tier, idea_of_need, need_tier)
    has_needs = np.bincount(idea_of_need, minlength=n_ideas) > 0
    total_weight = np.bincount(idea_of_need, weights=need_weight, minlength=n_ideas)
    safe_total = np.where(has_needs, total_weight, 1.0)

    # E of the whole idea, and each need's chance that its assets outside E arrive.
    essential = _reach(idea_of_need[need_essential], asset_of_need[need_essential], n_ideas, arrays)
    arrival = _arrival(asset_of_need, idea_of_need, ~need_essential, essential, arrays)
    earned_weight = need_weight * arrival

    years = np.arange(1, MAX_HORIZON + 1, dtype=np.float64)
    in_horizon = years[np.newaxis, :] <= horizon[:, np.newaxis]
    factors = np.where(in_horizon, np.power(1.0 + rate[:, np.newaxis], -years), 0.0)
    annuity = factors.sum(axis=1)

    shape = (n_ideas, len(TIERS))
    ladder = {
        name: np.zeros(shape)
        for name in (
            "investment",
            "run",
            "probability",
            "coverage",
            "expected_coverage",
            "npv",
            "roi",
            "engineering",
            "build",
            "asset_run",
            "setup",
            "yearly",
        )
    }
    reached = sparse.csr_matrix((n_ideas, len(arrays.keys)))
    for column, t in enumerate(TIERS):
        met = need_tier <= t
        reached = _reach(idea_of_need[met], asset_of_need[met], n_ideas, arrays)

        engineering_t = np.bincount(
            idea_of_need[met], weights=need_engineering[met], minlength=n_ideas
        )
        build_t = reached @ arrays.build
        asset_run_t = reached @ arrays.run
        offline = reached @ arrays.offline_feature + np.bincount(
            idea_of_need[met], weights=need_new_feature[met], minlength=n_ideas
        )
        features = online_features(online, offline)
        setup_t = deployment_cost(setup_base, online_setup, features)
        yearly_t = deployment_cost(run_base, online_run, features)
        one_off = one_off_investment(engineering_t, build_t, setup_t)
        run = annual_run_cost(asset_run_t, yearly_t)

        # E_t: the essential needs met so far; it is all of E once the step earns anything.
        waiting = need_essential & ~met
        essential_t = (
            _reach(
                idea_of_need[need_essential & met],
                asset_of_need[need_essential & met],
                n_ideas,
                arrays,
            )
            if waiting.any()
            else essential
        )
        p = probability * _feasibility(essential_t, arrays)

        blocked = np.bincount(idea_of_need[waiting], minlength=n_ideas) > 0
        met_weight = np.bincount(idea_of_need[met], weights=need_weight[met], minlength=n_ideas)
        met_earned = np.bincount(idea_of_need[met], weights=earned_weight[met], minlength=n_ideas)
        coverage = np.where(~has_needs, 1.0, np.where(blocked, 0.0, met_weight / safe_total))
        k = np.where(~has_needs, 1.0, np.where(blocked, 0.0, met_earned / safe_total))
        net = expected_annual_benefit(p, k, benefit) - run
        value = -one_off + net * annuity
        present = one_off + run * annuity
        for name, array in (
            ("investment", one_off),
            ("run", run),
            ("probability", p),
            ("coverage", coverage),
            ("expected_coverage", k),
            ("npv", value),
            ("roi", _ratio(value, present)),
            ("engineering", engineering_t),
            ("build", build_t),
            ("asset_run", asset_run_t),
            ("setup", setup_t),
            ("yearly", yearly_t),
        ):
            ladder[name][:, column] = array

    # Every need has tier <= 4, so the last step holds the whole idea: the headline.
    last = len(TIERS) - 1
    one_off = ladder["investment"][:, last]
    run = ladder["run"][:, last]
    p = ladder["probability"][:, last]
    k = ladder["expected_coverage"][:, last]
    expected_benefit = expected_annual_benefit(p, k, benefit)
    net = expected_benefit - run
    value = -one_off + net * annuity
    present = one_off + run * annuity

    charged = reached.multiply(arrays.charged[np.newaxis, :].astype(np.float64)).tocsr()
    charged.eliminate_zeros()
    charged.sort_indices()

    negative_from, best_stop = _decisions(
        idea_tier, ladder["coverage"], ladder["npv"], ladder["roi"]
    )
    return BatchResult(
        ideas=ideas,
        arrays=arrays,
        tier=idea_tier,
        one_off=one_off,
        annual_run=run,
        probability=p,
        expected_coverage=k,
        expected_benefit=expected_benefit,
        npv=value,
        roi=_ratio(value, present),
        pv_costs=present,
        payback=_discounted_payback(one_off, net, factors, in_horizon),
        need_engineering=ladder["engineering"][:, last],
        asset_build=ladder["build"][:, last],
        asset_run=ladder["asset_run"][:, last],
        deployment_setup=ladder["setup"][:, last],
        deployment_run=ladder["yearly"][:, last],
        charged=charged,
        ladder_investment=ladder["investment"],
        ladder_run=ladder["run"],
        ladder_probability=ladder["probability"],
        ladder_coverage=ladder["coverage"],
        ladder_expected_coverage=ladder["expected_coverage"],
        ladder_npv=ladder["npv"],
        ladder_roi=ladder["roi"],
        negative_from_tier=negative_from,
        best_stop_tier=best_stop,
    )


def _decisions(
    idea_tier: np.ndarray, coverage: np.ndarray, npv: np.ndarray, roi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """finance.negative_from_tier and finance.best_stop_tier over (idea, tier); 0 for None."""
    tiers = np.array(TIERS)
    within = tiers[np.newaxis, :] <= idea_tier[:, np.newaxis]
    # An earning step that loses money; NaN ROI compares False: no cost, no verdict.
    negative = within & (coverage > 0) & (roi < 0)
    negative_from = np.where(negative.any(axis=1), tiers[np.argmax(negative, axis=1)], 0)
    # The highest positive NPV; argmax takes the first, the most downstream on a tie.
    worth = within & (npv > 0)
    best = tiers[np.argmax(np.where(worth, npv, -np.inf), axis=1)]
    return negative_from, np.where(worth.any(axis=1), best, 0)


def _discounted_payback(
    one_off: np.ndarray, net: np.ndarray, factors: np.ndarray, in_horizon: np.ndarray
) -> np.ndarray:
    """Years until the cumulative discounted net reaches 0, linear inside the year; NaN if
    not within the horizon; 0 when nothing is invested (finance.discounted_payback)."""
    inflow = net[:, np.newaxis] * factors
    # Accumulate from -C0 in the same order as the year-by-year loop.
    cumulative = np.cumsum(np.hstack([-one_off[:, np.newaxis], inflow]), axis=1)
    before, after = cumulative[:, :-1], cumulative[:, 1:]
    crosses = in_horizon & (inflow > 0) & (after >= 0)
    found = crosses.any(axis=1)
    year = np.argmax(crosses, axis=1)
    rows = np.arange(len(one_off))
    chosen_inflow = np.where(found, inflow[rows, year], 1.0)
    payback = np.where(found, year + (-before[rows, year]) / chosen_inflow, np.nan)
    return np.where(one_off <= 0, 0.0, payback)


def roi_reports(ideas: Sequence[Idea], catalogue: Catalogue) -> list[RoiReport]:
    """finance.roi_reports, vectorised (and as finance refuses a non-finite figure, so does
    this: finance.NonFiniteResult)."""
    ideas = list(ideas)
    if not ideas:
        return []
    return [check_finite(report) for report in compute(ideas, catalogue).reports()]
