"""The compiled catalogue a cache holds, and the report objects the fast paths build.

A cache keeps the compiled catalogue between requests (pickled, keyed by catalogue version):
it must give the reports a fresh compilation gives, and nobody may change it in place. The
reports the fast paths build are the engine's own frozen RoiReport and LadderStep objects.
"""

from __future__ import annotations

import dataclasses
import pickle
import random

import pytest

from tests.engine.test_batch import assert_same_report, random_catalogue, random_ideas
from tests.engine.worked_example import A1, C2, F1, F3, R2, catalogue, walk_idea
from valuechain.engine import batch, finance
from valuechain.engine.chain import Estimate, Idea, Need, UnknownAsset, fast_constructor


@pytest.mark.parametrize("seed", range(4))
def test_a_catalogue_compiled_once_serves_every_call_as_a_fresh_one(seed):
    rng = random.Random(seed)
    cat = random_catalogue(rng, size=rng.randint(3, 15))
    compiled = batch.compile_catalogue(cat)
    first, second = random_ideas(rng, cat, 60), random_ideas(rng, cat, 60)
    for ideas in (first, second, first[:7]):
        reports = batch.compiled_roi_reports(ideas, compiled)
        assert reports == batch.roi_reports(ideas, cat)
        for fast, slow in zip(reports, finance.roi_reports(ideas, cat), strict=True):
            assert_same_report(fast, slow)


def test_a_pickled_compiled_catalogue_gives_the_same_reports_and_stays_read_only():
    compiled = batch.compile_catalogue(catalogue())
    restored = pickle.loads(pickle.dumps(compiled))
    ideas = [walk_idea(id=1), walk_idea(id=2, needs=walk_idea().needs[:2])]
    assert batch.compiled_roi_reports(ideas, restored) == batch.compiled_roi_reports(
        ideas, compiled
    )
    for held in (compiled, restored):
        with pytest.raises(ValueError, match="read-only"):
            held.build[0] = 0.0
        with pytest.raises(ValueError, match="read-only"):
            held.closure.data[0] = 0
        with pytest.raises(TypeError, match="read only"):
            held.index[F1] = 0  # type: ignore[index]
        with pytest.raises(dataclasses.FrozenInstanceError):
            held.keys = ()  # type: ignore[misc]


def test_compiled_keys_are_sorted_so_charged_assets_come_out_as_finance_gives_them():
    compiled = batch.compile_catalogue(catalogue())
    assert list(compiled.keys) == sorted(catalogue())
    report = batch.compiled_roi_reports([walk_idea()], compiled)[0]
    assert report.charged_assets == finance.roi_report(walk_idea(), catalogue()).charged_assets
    assert {A1, C2, F3, R2} <= set(report.charged_assets)


def test_a_compiled_catalogue_reports_a_need_on_an_asset_it_does_not_hold():
    compiled = batch.compile_catalogue(catalogue())
    with pytest.raises(UnknownAsset):
        batch.compiled_roi_reports([walk_idea(needs=(Need("x", (F1[0], 404)),))], compiled)


def test_fast_reports_are_the_engines_frozen_objects():
    reports = batch.compiled_roi_reports([walk_idea()], batch.compile_catalogue(catalogue()))
    scalar = finance.roi_report(walk_idea(), catalogue())
    for report in (reports[0], scalar):
        assert type(report) is finance.RoiReport
        assert all(type(step) is finance.LadderStep for step in report.ladder)
        with pytest.raises(dataclasses.FrozenInstanceError):
            report.npv = 0.0  # type: ignore[misc]
        # equal to, and hashed like, the same report built through the dataclass itself
        rebuilt = dataclasses.replace(
            report, ladder=tuple(dataclasses.replace(step) for step in report.ladder)
        )
        assert rebuilt == report
        assert hash(rebuilt) == hash(report)
        assert pickle.loads(pickle.dumps(report)) == report


def test_fast_constructor_builds_what_the_dataclass_builds_and_refuses_checked_classes():
    new_step = fast_constructor(finance.LadderStep)
    values = (2, 10.0, 1.0, 0.5, 0.75, 3.0, None, 0.6)
    assert new_step(*values) == finance.LadderStep(*values)
    assert repr(new_step(*values)) == repr(finance.LadderStep(*values))
    # Estimate checks low <= likely <= high in __post_init__: it must go through __init__.
    with pytest.raises(TypeError, match="checks its fields"):
        fast_constructor(Estimate)


def test_a_figure_too_large_is_refused_by_every_path_naming_the_same_figure():
    huge = Estimate.exact(1e308)  # its PERT mean overflows
    ideas = [walk_idea(id=1), Idea(id=7, benefit=huge, probability=0.5, needs=walk_idea().needs)]
    refused = []
    for compute in (finance.roi_reports, batch.roi_reports):
        with pytest.raises(finance.NonFiniteResult) as caught:
            compute(ideas, catalogue())
        refused.append((caught.value.idea_id, caught.value.figure))
    assert refused[0] == refused[1] == (7, "expected_annual_benefit")


def test_a_ladder_step_adding_no_need_funds_what_the_step_below_funds():
    # F1 exists (tier 1), F3 reaches A1 (tier 4): steps 2 and 3 add nothing to step 1.
    idea = walk_idea(needs=(Need("near", F1, weight=1.0), Need("far", F3, essential=False)))
    ladder = finance.roi_report(idea, catalogue()).ladder
    assert [step.tier for step in ladder] == [1, 2, 3, 4]
    assert dataclasses.replace(ladder[1], tier=1) == ladder[0]
    assert dataclasses.replace(ladder[2], tier=1) == ladder[0]
    assert ladder[3].cumulative_investment > ladder[2].cumulative_investment
    assert_same_report(
        batch.roi_reports([idea], catalogue())[0], finance.roi_report(idea, catalogue())
    )
