"""The decision said plainly, from engine reports alone: the verdict, what stopping early
skips, steps that earn nothing yet, where an earning step loses, and p and k taken apart."""

from __future__ import annotations

import math

import pytest

from valuechain.engine import finance
from valuechain.engine.chain import Asset, AssetKind, Estimate, Idea, Need
from valuechain.ideas import decision as d

FEATURE, RAW, ACQUISITION = AssetKind.FEATURE, AssetKind.RAW_SOURCE, AssetKind.ACQUISITION_OPTION


def catalogue(acquisition_cost: float = 500_000.0) -> dict:
    return {
        (FEATURE, 1): Asset(FEATURE, 1, available=True, name="Weekly sales"),
        (RAW, 1): Asset(
            RAW, 1, available=True, build=Estimate.exact(1_000), feasibility=0.8, name="Weather"
        ),
        (RAW, 2): Asset(
            RAW, 2, available=True, build=Estimate.exact(1_000), feasibility=0.5, name="Footfall"
        ),
        (ACQUISITION, 1): Asset(
            ACQUISITION,
            1,
            available=False,
            build=Estimate.exact(acquisition_cost),
            feasibility=0.9,
            name="Vendor feed",
        ),
    }


def idea(*needs: Need, probability: float = 1.0, benefit: float = 100_000) -> Idea:
    return Idea(id=1, benefit=Estimate.exact(benefit), probability=probability, needs=needs)


SALES = Need("sales", (FEATURE, 1), weight=3)
WEATHER = Need("weather", (RAW, 1), weight=3)
FOOTFALL = Need("footfall", (RAW, 2), weight=1, essential=False)
VENDOR = Need("vendor data", (ACQUISITION, 1), weight=1, essential=False)
VENDOR_ESSENTIAL = Need("vendor data", (ACQUISITION, 1), weight=1)


def report_of(engine_idea: Idea, cost: float = 500_000.0) -> finance.RoiReport:
    return finance.roi_report(engine_idea, catalogue(cost))


def test_the_three_verdicts_read_plainly():
    assert d.verdict_label(report_of(idea(SALES))) == "Build"
    assert d.verdict_label(report_of(idea(SALES, VENDOR))) == "Build to tier 1"
    assert d.verdict_label(report_of(idea(VENDOR_ESSENTIAL))) == "Do not build"


def test_stopping_early_names_the_tiers_and_needs_it_skips():
    report = report_of(idea(SALES, FOOTFALL, VENDOR), cost=500_000)
    said = d.decision(report, [("sales", 1), ("footfall", 3), ("vendor data", 4)])
    assert said.verdict == finance.Verdict.STOP_EARLY
    assert said.stop_tier == 3 and said.stop_name == "raw data"
    assert said.skipped_text == "skip tier 4: acquisition (vendor data)"
    assert said.stop_npv == pytest.approx(report.ladder[2].npv)
    whole = d.decision(report_of(idea(SALES)), [("sales", 1)])
    assert whole.skipped == () and whole.skipped_text == ""


def test_a_dip_the_best_stop_recovers_from_is_not_called_a_loss():
    # The footfall curation costs more than its small share earns at tier 3, and the vendor
    # feed's essential share at tier 4 pays it all back: ROI dips, the whole idea pays.
    dip = Idea(
        id=1,
        benefit=Estimate.exact(2_000),
        probability=1.0,
        horizon_years=3,
        discount_rate=0.0,
        needs=(
            Need("sales", (FEATURE, 1), weight=1),
            Need("footfall", (RAW, 2), weight=1, essential=False),
            Need("vendor data", (ACQUISITION, 1), weight=50, essential=False),
        ),
    )
    report = finance.roi_report(dip, catalogue(acquisition_cost=10.0))
    assert report.negative_from_tier == 3 and report.best_stop_tier == 4
    marker = d.loss_marker(report)
    assert marker is not None and marker.recovers and marker.text == "dips at tier 3"
    loses = d.loss_marker(report_of(idea(SALES, VENDOR)))
    assert loses is not None and loses.text == "loses from tier 4"
    assert d.loss_marker(report_of(idea(SALES))) is None


def test_steps_that_earn_nothing_say_until_which_tier_and_are_never_negative():
    report = report_of(idea(SALES, VENDOR_ESSENTIAL))
    rows = d.ladder_rows(report)
    assert [row.earns for row in rows] == [False, False, False, True]
    assert [row.benefit_from for row in rows] == [4, 4, 4, None]
    assert not any(row.negative or row.turns_negative for row in rows[:3])
    assert rows[3].negative and rows[3].turns_negative
    assert d.benefit_from_tier(report.ladder) == 4


def test_p_reads_as_a_product_of_what_you_entered_and_the_essential_data():
    engine_idea = idea(SALES, WEATHER, FOOTFALL, probability=0.6)
    factors = finance.success_factors(engine_idea, catalogue())
    said = d.explanation(factors)
    assert said.p.text == "0.60 you entered × 0.80 feasibility of Weather = 0.48"  # noqa: RUF001
    assert math.prod(f.value for f in said.p.factors) == pytest.approx(
        report_of(engine_idea).probability_of_success
    )
    # the optional footfall's data is in k, never in p
    assert "Footfall" not in said.p.text
    footfall = said.k_lines[2]
    assert footfall.text == (
        "footfall (optional): 0.143 weight share × 0.50 feasibility of Footfall = 0.071"  # noqa: RUF001
    )
    assert (
        said.k_lines[0].text == "sales (essential: its data's chance is in p): 0.429 weight share"
    )
    assert said.uncertain_optional == ("footfall",)
    assert sum(line.value for line in said.k_lines) == pytest.approx(said.k)
    assert said.k_text == "0.429 + 0.429 + 0.071 = 0.929"


@pytest.mark.parametrize(
    ("value", "shown"), [(0.8, "0.80"), (0.875, "0.875"), (1.0, "1.00"), (1 / 3, "0.333")]
)
def test_ratios_show_two_decimals_and_a_third_when_it_matters(value, shown):
    assert d.ratio(value) == shown
