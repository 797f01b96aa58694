"""ROI reports for many ideas over one catalogue, as array operations.

The same formulas as finance.roi_report (DESIGN section 3), laid out for numpy/scipy:

- the catalogue compiled once (compiled.compile_catalogue, a value callers may cache): keys
  sorted, per-asset vectors, and the closure of every asset as one sparse 0/1 matrix K;
- each need adds B^(4 - its tier) to its asset's column of an (idea x asset) matrix N, B above
  the needs per idea, so an entry of N @ K counts digit by digit the needs of each tier that
  reach that asset: its highest non-zero digit is the first ladder step that pays for it;
- build, run, log-feasibility and offline features per (idea, step) as bincounts over those
  entries, accumulated over the steps; the essential needs alone give E step by step, so
  p = p0 x exp(E @ log f); an optional need's product over A(n) minus E is one more log-sum;
- engineering, weights and coverage as bincounts over the flattened needs; NPV, ROI and the
  discounted payback as array operations over (idea x step) and (idea x year);
- the report objects built from the arrays column by column (chain.fast_constructor), or
  straight away the JSON-ready documents the stored figures hold (documents.py), no objects.

The ideas come as columns (columns.IdeaColumns): read from chain.Idea objects, or built by a
mapper straight from database values with no objects at all.

finance.roi_reports stays the reference; tests/engine/test_batch.py holds the two equal.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from scipy import sparse

from valuechain.engine.chain import (
    TIERS,
    AssetKey,
    Catalogue,
    Idea,
    UnknownAsset,
    fast_constructor,
)
from valuechain.engine.columns import IdeaColumns
from valuechain.engine.compiled import CompiledCatalogue, compile_catalogue
from valuechain.engine.documents import DOCUMENT_KEYS, new_document, report_from_document
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

STEPS = len(TIERS)
_TIERS = np.array(TIERS, dtype=np.int64)
# N @ K holds per-tier counts of needs as base-B digits in int64: B^4 must stay below 2^63.
MAX_NEEDS_PER_IDEA = 2**15 - 2
_DEPLOYMENT_ESTIMATES = ("setup", "run", "f_setup", "f_run")


def as_columns(ideas: Sequence[Idea] | IdeaColumns) -> IdeaColumns:
    """The ideas as the columns the engine reads (IdeaColumns.of, unless they are already)."""
    return ideas if isinstance(ideas, IdeaColumns) else IdeaColumns.of(list(ideas))


@dataclass(frozen=True)
class _Needs:
    """The needs of all the ideas flattened, in idea order then need order."""

    idea: np.ndarray  # the position of its idea
    asset: np.ndarray  # its asset's position in the compiled catalogue
    tier: np.ndarray  # the tier its closure reaches: the ladder step that pays for it
    engineering: np.ndarray
    weight: np.ndarray
    essential: np.ndarray
    per_idea: np.ndarray  # how many each idea has

    @classmethod
    def of(cls, ideas: IdeaColumns, compiled: CompiledCatalogue) -> _Needs:
        asset = ideas.asset_positions(compiled.keys)
        return cls(
            idea=np.repeat(np.arange(len(ideas), dtype=np.int64), ideas.needs_per_idea),
            asset=asset,
            tier=compiled.closure_tier[asset],
            engineering=ideas.need_engineering / 6,
            weight=ideas.need_weight,
            essential=ideas.need_essential,
            per_idea=ideas.needs_per_idea,
        )


def _by_step(bins: np.ndarray, n_ideas: int, *weights: np.ndarray | None) -> list[np.ndarray]:
    """Per (idea, step), for each weight: the sum over what is first paid at each step (bin
    idea x 4 + step - 1), accumulated over the steps (a step pays for all downstream of it)."""
    sums = np.stack([np.bincount(bins, weight, n_ideas * STEPS) for weight in weights])
    return list(_accumulated(sums.reshape(len(weights), n_ideas, STEPS)))


def _accumulated(array: np.ndarray) -> np.ndarray:
    """np.cumsum over the last axis, in place, one column at a time: over a short last axis
    numpy's cumsum loops per row and costs many times more (same additions, same order)."""
    for column in range(1, array.shape[-1]):
        array[..., column] += array[..., column - 1]
    return array


@dataclass(frozen=True)
class _Reached:
    """The entries of N @ K: (idea, asset) pairs, each with the first step that reaches it."""

    idea: np.ndarray
    asset: np.ndarray
    bin: np.ndarray  # idea x 4 + step - 1

    @classmethod
    def of(
        cls, needs: _Needs, chosen: np.ndarray, n_ideas: int, compiled: CompiledCatalogue
    ) -> _Reached:
        base = int(needs.per_idea.max(initial=0)) + 1
        digits = base ** (STEPS - needs.tier[chosen])
        reached = _incidence(needs, chosen, digits, n_ideas, compiled) @ compiled.closure
        reached.sort_indices()
        idea = np.repeat(np.arange(n_ideas, dtype=np.int64), np.diff(reached.indptr))
        asset = reached.indices.astype(np.int64)
        return cls(idea, asset, idea * STEPS + _first_step(reached.data, base) - 1)

    @classmethod
    def both(
        cls, needs: _Needs, n_ideas: int, compiled: CompiledCatalogue
    ) -> tuple[_Reached, _Reached]:
        """N @ K of all the needs and of the essential needs alone: one product, the
        essential needs' digits counted again above the others' where both fit in int64."""
        base = int(needs.per_idea.max(initial=0)) + 1
        everything = np.ones(len(needs.asset), dtype=bool)
        if base ** (2 * STEPS) >= 2**63:
            return cls.of(needs, everything, n_ideas, compiled), cls.of(
                needs, needs.essential, n_ideas, compiled
            )
        digits = base ** (STEPS - needs.tier)
        digits += np.where(needs.essential, digits * base**STEPS, 0)
        reached = _incidence(needs, everything, digits, n_ideas, compiled) @ compiled.closure
        reached.sort_indices()
        essential_digits, all_digits = np.divmod(reached.data, base**STEPS)
        idea = np.repeat(np.arange(n_ideas, dtype=np.int64), np.diff(reached.indptr))
        asset = reached.indices.astype(np.int64)
        every = cls(idea, asset, idea * STEPS + _first_step(all_digits, base) - 1)
        held = essential_digits > 0
        idea, step = idea[held], _first_step(essential_digits[held], base)
        return every, cls(idea, asset[held], idea * STEPS + step - 1)

    def only(self, mask: np.ndarray) -> _Reached:
        return _Reached(self.idea[mask], self.asset[mask], self.bin[mask])


def _incidence(
    needs: _Needs, chosen: np.ndarray, digits: np.ndarray, n_ideas: int, compiled: CompiledCatalogue
) -> sparse.csr_matrix:
    """N: the chosen needs' digits in their assets' columns. The needs come in idea order:
    N's rows are ready made (duplicates add up)."""
    indptr = np.concatenate([[0], np.cumsum(np.bincount(needs.idea[chosen], None, n_ideas))])
    return sparse.csr_matrix((digits, needs.asset[chosen], indptr), shape=(n_ideas, compiled.size))


def _first_step(counts: np.ndarray, base: int) -> np.ndarray:
    """The highest non-zero base-B digit of each count: the most downstream step whose
    needs reach the asset (threshold by threshold: cheaper than a searchsorted over three)."""
    step = STEPS - (counts >= base).astype(np.int64)
    for power in range(2, STEPS):
        step -= counts >= base**power
    return step


def _product_by_step(reached: _Reached, n_ideas: int, compiled: CompiledCatalogue) -> np.ndarray:
    """Product of the feasibilities of the charged assets reached by each step."""
    log, zero = _by_step(
        reached.bin,
        n_ideas,
        compiled.log_feasibility[reached.asset],
        compiled.zero_feasibility[reached.asset],
    )
    return np.where(zero > 0, 0.0, np.exp(log))


def _arrival(needs: _Needs, essential: _Reached, compiled: CompiledCatalogue) -> np.ndarray:
    """Per need, the product of f(a) over A(n) minus E of its idea: its charged closure with
    the assets E holds taken out. 1 for an essential need, whose assets are all in E."""
    arrival = np.ones(len(needs.asset))
    optional = np.flatnonzero(~needs.essential)
    if not len(optional):
        return arrival
    closure = compiled.charged_closure
    start = closure.indptr[needs.asset[optional]]
    length = closure.indptr[needs.asset[optional] + 1] - start
    owner = np.repeat(np.arange(len(optional)), length)
    first = np.cumsum(length) - length
    asset = closure.indices[np.repeat(start - first, length) + np.arange(int(length.sum()))]
    # E's (idea, asset) pairs as sorted numbers, so membership is a binary search.
    width = compiled.size
    held = essential.idea * width + essential.asset
    pair = needs.idea[optional][owner] * width + asset
    outside = np.ones(len(pair), dtype=bool)
    if len(held):
        found = np.minimum(np.searchsorted(held, pair), len(held) - 1)
        outside = held[found] != pair
    log = np.bincount(owner, compiled.log_feasibility[asset] * outside, len(optional))
    zero = np.bincount(owner, compiled.zero_feasibility[asset] * outside, len(optional))
    arrival[optional] = np.where(zero > 0, 0.0, np.exp(log))
    return arrival


@dataclass(frozen=True)
class BatchResult:
    """Every figure of finance.roi_report for many ideas: headline figures as arrays over
    ideas, the ladder as arrays over (idea, step); a step beyond an idea's tier is no step."""

    ids: list[int]
    compiled: CompiledCatalogue
    tier: np.ndarray
    expected_benefit: np.ndarray
    payback: np.ndarray  # NaN when none within the horizon
    charged_idea: np.ndarray  # (idea, asset) pairs of the charged assets, sorted
    charged_asset: np.ndarray
    ladder_investment: np.ndarray  # (idea, step)
    ladder_run: np.ndarray
    ladder_probability: np.ndarray
    ladder_coverage: np.ndarray
    ladder_expected_coverage: np.ndarray
    ladder_npv: np.ndarray
    ladder_pv_costs: np.ndarray
    ladder_roi: np.ndarray  # NaN where nothing is spent
    ladder_engineering: np.ndarray
    ladder_build: np.ndarray
    ladder_asset_run: np.ndarray
    ladder_setup: np.ndarray
    ladder_yearly: np.ndarray
    negative_from_tier: np.ndarray  # 0 when never
    best_stop_tier: np.ndarray  # 0 when no step has a positive NPV: do not build

    def headline(self, ladder: np.ndarray) -> np.ndarray:
        """The whole idea's figure: its last step funds every need (and the cumulative
        arrays stay put past an idea's tier, so the last column is it)."""
        return ladder[:, -1]

    @property
    def verdicts(self) -> list[Verdict]:
        return [
            verdict(best or None, tier)
            for best, tier in zip(self.best_stop_tier.tolist(), self.tier.tolist(), strict=True)
        ]

    def _columns(self) -> dict[str, list[Any]]:
        """Every RoiReport field but the ladder and the charged assets, as a list over the
        ideas of plain Python values, by field name."""
        head = self.headline
        columns: dict[str, list[Any]] = {"idea_id": self.ids, "tier": self.tier.tolist()}
        for name, array in (
            ("one_off_investment", head(self.ladder_investment)),
            ("annual_run_cost", head(self.ladder_run)),
            ("probability_of_success", head(self.ladder_probability)),
            ("expected_annual_benefit", self.expected_benefit),
            ("npv", head(self.ladder_npv)),
            ("pv_costs", head(self.ladder_pv_costs)),
            ("need_engineering_cost", head(self.ladder_engineering)),
            ("asset_build_cost", head(self.ladder_build)),
            ("asset_run_cost", head(self.ladder_asset_run)),
            ("deployment_setup_cost", head(self.ladder_setup)),
            ("deployment_run_cost", head(self.ladder_yearly)),
            ("expected_coverage", head(self.ladder_expected_coverage)),
        ):
            columns[name] = array.tolist()
        columns["roi"] = _nones(head(self.ladder_roi))
        columns["payback_years"] = _nones(self.payback)
        for name, tiers in (
            ("negative_from_tier", self.negative_from_tier),
            ("best_stop_tier", self.best_stop_tier),
        ):
            columns[name] = [t or None for t in tiers.tolist()]
        return columns

    def _step_columns(self) -> tuple[np.ndarray, list[Any]]:
        """Where each idea's steps are (idea, step) and the LadderStep fields over them, in
        field order, as arrays (ROI as objects: None where there is none)."""
        within = _TIERS[np.newaxis, :] <= self.tier[:, np.newaxis]
        step: list[Any] = [np.broadcast_to(_TIERS, within.shape)[within]]
        step += [
            ladder[within]
            for ladder in (
                self.ladder_investment,
                self.ladder_run,
                self.ladder_probability,
                self.ladder_coverage,
                self.ladder_npv,
            )
        ]
        return within, [
            *step,
            _nones_objects(self.ladder_roi[within]),
            self.ladder_expected_coverage[within],
        ]

    def reports(self) -> list[RoiReport]:
        """The same RoiReport objects finance.roi_reports returns, built column by column."""
        _, step = self._step_columns()
        columns = self._columns()
        columns["ladder"] = list(
            map(tuple, _split(list(map(_new_step, *(s.tolist() for s in step))), self.tier))
        )
        keys = list(map(self.compiled.keys.__getitem__, self.charged_asset.tolist()))
        columns["charged_assets"] = list(map(tuple, _split(keys, self._charged_per_idea())))
        return list(map(_new_report, *(columns[name] for name in _REPORT_ORDER)))

    def documents(self) -> list[dict[str, Any]]:
        """What documents.report_to_document makes of each of reports(), built straight from
        the arrays: the values go into object arrays column by column and come out as the
        rows' lists in one tolist() each (no LadderStep or RoiReport objects at all)."""
        within, step = self._step_columns()
        steps = _rows(step, int(within.sum()))
        columns = self._columns()
        columns["ladder"] = _split(steps, self.tier)
        kinds, ids = _key_columns(self.compiled.keys)
        charged = _rows(
            [kinds[self.charged_asset], ids[self.charged_asset]], len(self.charged_asset)
        )
        columns["charged_assets"] = _split(charged, self._charged_per_idea())
        return list(map(new_document, *(columns[name] for name in DOCUMENT_KEYS)))

    def _charged_per_idea(self) -> np.ndarray:
        return np.bincount(self.charged_idea, minlength=len(self.ids))

    def unfinished(self) -> list[int]:
        """Positions of the ideas with a figure that is not a finite number (NaN stands for
        "none" only in ROI and payback)."""
        within = _TIERS[np.newaxis, :] <= self.tier[:, np.newaxis]
        bad = ~np.isfinite(self.expected_benefit) | np.isinf(self.payback)
        for ladder in (
            self.ladder_investment,
            self.ladder_run,
            self.ladder_npv,
            self.ladder_pv_costs,
            self.ladder_probability,
            self.ladder_expected_coverage,
        ):
            bad |= (within & ~np.isfinite(ladder)).any(axis=1)
        bad |= (within & np.isinf(self.ladder_roi)).any(axis=1)
        return np.flatnonzero(bad).tolist()


def _nones(array: np.ndarray) -> list[float | None]:
    """Plain floats, None where the array holds NaN (ROI, payback: "none")."""
    values: list[float | None] = array.tolist()
    if np.isnan(array).any():
        return [None if value != value else value for value in values]
    return values


def _nones_objects(array: np.ndarray) -> np.ndarray:
    """The array as Python floats in an object array, None where it holds NaN."""
    objects = array.astype(object)
    objects[np.isnan(array)] = None
    return objects


def _split(items: list[Any], counts: np.ndarray) -> list[list[Any]]:
    """The items in runs of these lengths, each run a list (a slice is a new list)."""
    ends = np.cumsum(counts).tolist()
    return [items[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def _rows(columns: Sequence[Any], count: int) -> list[list[Any]]:
    """The rows of these columns as lists of Python values: numpy's tolist of an object
    array builds every row's list in C (ints stay ints, floats floats, None None)."""
    table = np.empty((count, len(columns)), dtype=object)
    for position, column in enumerate(columns):
        table[:, position] = column
    rows: list[list[Any]] = table.tolist()
    return rows


def _key_columns(keys: Sequence[AssetKey]) -> tuple[np.ndarray, np.ndarray]:
    """Each key's kind as its string and its id, as object arrays indexed like the keys."""
    kinds = np.empty(len(keys), dtype=object)
    kinds[:] = [str(kind) for kind, _ in keys]
    ids = np.empty(len(keys), dtype=object)
    ids[:] = [pk for _, pk in keys]
    return kinds, ids


_new_step = fast_constructor(LadderStep)
_new_report = fast_constructor(RoiReport)
_REPORT_ORDER = tuple(f.name for f in fields(RoiReport))


def compute(
    ideas: Sequence[Idea] | IdeaColumns, catalogue: Catalogue | CompiledCatalogue
) -> BatchResult:
    """Every figure of finance.roi_report for all ideas, as arrays."""
    ideas = as_columns(ideas)
    compiled = (
        catalogue if isinstance(catalogue, CompiledCatalogue) else compile_catalogue(catalogue)
    )
    n = len(ideas)
    needs = _Needs.of(ideas, compiled)
    if needs.per_idea.max(initial=0) > MAX_NEEDS_PER_IDEA:
        raise ValueError(f"An idea may have at most {MAX_NEEDS_PER_IDEA} needs.")
    reached, essential = _Reached.both(needs, n, compiled)
    missing = compiled.missing[reached.asset]
    if missing.any():
        raise UnknownAsset(compiled.keys[reached.asset[np.argmax(missing)]])
    paid = reached.only(compiled.charged[reached.asset])
    essential = essential.only(compiled.charged[essential.asset])

    build, asset_run = _by_step(paid.bin, n, compiled.build[paid.asset], compiled.run[paid.asset])
    (offline,) = _by_step(reached.bin, n, compiled.offline_feature[reached.asset])
    engineering, met, weight, earned, new_features, essential_met = _by_step(
        needs.idea * STEPS + needs.tier - 1,
        n,
        needs.engineering,
        None,
        needs.weight,
        needs.weight * _arrival(needs, essential, compiled),
        (~compiled.feature[needs.asset]).astype(np.float64),
        needs.essential.astype(np.float64),
    )
    offline += new_features
    means = {name: getattr(ideas, name)[:, np.newaxis] / 6 for name in _DEPLOYMENT_ESTIMATES}
    features = online_features(ideas.online[:, np.newaxis], offline)
    setup = deployment_cost(means["setup"], means["f_setup"], features)
    yearly = deployment_cost(means["run"], means["f_run"], features)
    one_off = one_off_investment(engineering, build, setup)
    run = annual_run_cost(asset_run, yearly)
    probability = ideas.probability[:, np.newaxis] * _product_by_step(essential, n, compiled)

    # Coverage: the weight share met, 0 while an essential need waits further up; k weighs
    # each need by the chance its assets outside E arrive.
    has_needs = (needs.per_idea > 0)[:, np.newaxis]
    waiting = essential_met < essential_met[:, -1:]
    total = np.where(has_needs, weight[:, -1:], 1.0)
    coverage = np.where(~has_needs, 1.0, np.where(waiting, 0.0, weight / total))
    k = np.where(~has_needs, 1.0, np.where(waiting, 0.0, earned / total))

    horizon, rate = ideas.horizon.astype(np.int64), ideas.rate
    years = np.arange(1, int(horizon.max(initial=1)) + 1, dtype=np.float64)
    in_horizon = years[np.newaxis, :] <= horizon[:, np.newaxis]
    factors = np.where(in_horizon, np.power(1.0 + rate[:, np.newaxis], -years), 0.0)
    annuity = factors.sum(axis=1)[:, np.newaxis]
    benefit = expected_annual_benefit(probability, k, ideas.benefit[:, np.newaxis] / 6)
    value = -one_off + (benefit - run) * annuity
    present = one_off + run * annuity
    roi = _ratio(value, present)
    tier = 1 + (met[:, :-1] < met[:, -1:]).sum(axis=1)
    negative_from, best_stop = _decisions(tier, coverage, value, roi)
    return BatchResult(
        ids=list(ideas.ids),
        compiled=compiled,
        tier=tier,
        expected_benefit=benefit[:, -1],
        payback=_discounted_payback(
            one_off[:, -1], benefit[:, -1] - run[:, -1], factors, in_horizon
        ),
        charged_idea=paid.idea,
        charged_asset=paid.asset,
        ladder_investment=one_off,
        ladder_run=run,
        ladder_probability=probability,
        ladder_coverage=coverage,
        ladder_expected_coverage=k,
        ladder_npv=value,
        ladder_pv_costs=present,
        ladder_roi=roi,
        ladder_engineering=engineering,
        ladder_build=build,
        ladder_asset_run=asset_run,
        ladder_setup=setup,
        ladder_yearly=yearly,
        negative_from_tier=negative_from,
        best_stop_tier=best_stop,
    )


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is not positive (finance.roi)."""
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _decisions(
    idea_tier: np.ndarray, coverage: np.ndarray, npv: np.ndarray, roi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """finance.negative_from_tier and finance.best_stop_tier over (idea, tier); 0 for None."""
    within = _TIERS[np.newaxis, :] <= idea_tier[:, np.newaxis]
    # An earning step that loses money; NaN ROI compares False: no cost, no verdict.
    negative = within & (coverage > 0) & (roi < 0)
    negative_from = np.where(negative.any(axis=1), _TIERS[np.argmax(negative, axis=1)], 0)
    # The highest positive NPV; argmax takes the first, the most downstream on a tie.
    worth = within & (npv > 0)
    best = _TIERS[np.argmax(np.where(worth, npv, -np.inf), axis=1)]
    return negative_from, np.where(worth.any(axis=1), best, 0)


def _discounted_payback(
    one_off: np.ndarray, net: np.ndarray, factors: np.ndarray, in_horizon: np.ndarray
) -> np.ndarray:
    """Years until the cumulative discounted net reaches 0, linear inside the year; NaN if
    not within the horizon; 0 when nothing is invested (finance.discounted_payback)."""
    inflow = net[:, np.newaxis] * factors
    # Accumulate from -C0 in the same order as the year-by-year loop.
    cumulative = _accumulated(np.hstack([-one_off[:, np.newaxis], inflow]))
    before, after = cumulative[:, :-1], cumulative[:, 1:]
    crosses = in_horizon & (inflow > 0) & (after >= 0)
    found = crosses.any(axis=1)
    year = np.argmax(crosses, axis=1)
    rows = np.arange(len(one_off))
    chosen_inflow = np.where(found, inflow[rows, year], 1.0)
    payback = np.where(found, year + (-before[rows, year]) / chosen_inflow, np.nan)
    return np.where(one_off <= 0, 0.0, payback)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Tens of thousands of new objects, none in a cycle: without the pause the cyclic
    collector would walk every live object of the process again and again (about half the
    cost of building the reports). Reference counting frees them as ever."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compiled_roi_reports(
    ideas: Sequence[Idea] | IdeaColumns, compiled: CompiledCatalogue
) -> list[RoiReport]:
    """finance.roi_reports over a compiled catalogue (and as finance refuses a non-finite
    figure, so does this: finance.NonFiniteResult)."""
    ideas = as_columns(ideas)
    if not len(ideas):
        return []
    with _collector_paused():
        result = compute(ideas, compiled)
        reports = result.reports()
    for position in result.unfinished():
        check_finite(reports[position])
    return reports


def roi_reports(ideas: Sequence[Idea] | IdeaColumns, catalogue: Catalogue) -> list[RoiReport]:
    """finance.roi_reports, vectorised; compiles the catalogue (see compile_catalogue to
    compile it once for many calls)."""
    ideas = as_columns(ideas)
    if not len(ideas):
        return []
    return compiled_roi_reports(ideas, compile_catalogue(catalogue))


def compiled_report_documents(
    ideas: Sequence[Idea] | IdeaColumns, compiled: CompiledCatalogue
) -> list[dict[str, Any]]:
    """[documents.report_to_document(r) for r in compiled_roi_reports(ideas, compiled)], the
    same floats bit for bit, built from the arrays with no report objects in between; a
    non-finite figure is refused the same way (finance.NonFiniteResult)."""
    ideas = as_columns(ideas)
    if not len(ideas):
        return []
    with _collector_paused():
        result = compute(ideas, compiled)
        documents = result.documents()
    for position in result.unfinished():
        check_finite(report_from_document(documents[position]))
    return documents


def report_documents(
    ideas: Sequence[Idea] | IdeaColumns, catalogue: Catalogue
) -> list[dict[str, Any]]:
    """compiled_report_documents, compiling the catalogue."""
    ideas = as_columns(ideas)
    if not len(ideas):
        return []
    return compiled_report_documents(ideas, compile_catalogue(catalogue))
