"""The demo company still tells the value-chain story under the revised rules, deployment
plans included: ROI falls as ideas walk upstream, most ideas that turn negative do so at raw
data or acquisition (tier 3 or 4), and the verdicts span build, stop early and do not build."""

from __future__ import annotations

from statistics import median

import pytest

from valuechain.demo import load_demo
from valuechain.engine.finance import RoiReport
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports() -> dict[str, RoiReport]:
    load_demo()
    rows = list(selectors.ideas())
    found = selectors.roi_reports(rows)
    return {idea.title: found[idea.pk] for idea in rows}


def earning(report: RoiReport) -> list[tuple[int, float]]:
    """(tier, ROI) of the ladder steps that earn something."""
    return [(s.tier, s.roi) for s in report.ladder if s.benefit_coverage > 0 and s.roi is not None]


def roi_falls_upstream(report: RoiReport, cheapest_data_roi: float) -> bool:
    """An idea that earns at several tiers earns a lower ROI at its own tier than at the first
    tier that earns; an idea that earns only at its own tier (2 or above) earns less there
    than every idea served from the feature store alone (`cheapest_data_roi`)."""
    steps = earning(report)
    if len(steps) >= 2:
        return steps[-1][1] < steps[0][1]
    return bool(steps) and steps[0][0] >= 2 and steps[0][1] < cheapest_data_roi


def test_roi_falls_upstream_for_most_ideas(reports):
    tier_1_ideas = [r.roi for r in reports.values() if r.tier == 1 and r.roi is not None]
    assert len(tier_1_ideas) == 2
    falling = [t for t, r in reports.items() if roi_falls_upstream(r, min(tier_1_ideas))]
    assert len(falling) >= 9, falling  # of 12, and every idea reaching past tier 1
    assert len(falling) == sum(1 for r in reports.values() if r.tier >= 2)
    # and over the whole demo, the median ROI of the steps that earn falls tier by tier
    by_tier = {
        tier: median(roi for r in reports.values() for t, roi in earning(r) if t == tier)
        for tier in (1, 2, 3, 4)
    }
    assert by_tier[1] > by_tier[2] > by_tier[3] > by_tier[4]
    assert by_tier[4] < 0


def test_most_ideas_that_turn_negative_do_so_at_raw_data_or_acquisition(reports):
    turning = {t: r.negative_from_tier for t, r in reports.items() if r.negative_from_tier}
    upstream = [t for t, tier in turning.items() if tier in (3, 4)]
    assert len(upstream) > len(turning) / 2
    assert len(upstream) >= 6
    # steps that earn nothing are never where an idea turns negative
    for report in reports.values():
        if report.negative_from_tier is not None:
            step = next(s for s in report.ladder if s.tier == report.negative_from_tier)
            assert step.benefit_coverage > 0


def test_the_verdicts_span_build_stop_early_and_do_not_build(reports):
    verdicts = {t: r.verdict for t, r in reports.items()}
    assert verdicts["Homepage personalisation"] == "build"
    assert verdicts["Search ranking with query understanding"] == "build"
    assert verdicts["Payment fraud scoring"] == "stop_early"
    assert reports["Payment fraud scoring"].best_stop_tier == 2  # skip the credit bureau
    assert verdicts["Garden season demand forecast"] == "stop_early"
    assert verdicts["Dynamic pricing against competitors"] == "do_not_build"
    assert reports["Dynamic pricing against competitors"].best_stop_tier is None
    assert sorted(set(verdicts.values())) == ["build", "do_not_build", "stop_early"]


def test_most_demo_ideas_carry_their_deployment_in_the_figures(reports):
    planned = [t for t, r in reports.items() if r.deployment_setup_cost > 0]
    assert len(planned) >= 10
    assert "Customer churn early warning" not in planned
