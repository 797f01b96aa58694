"""The ladder figure from an engine report, without a database."""

from __future__ import annotations

from tests.valuechain.charts.plotly_check import assert_plotly_accepts
from valuechain.charts.ideas import ladder_figure
from valuechain.charts.theme import figure_json
from valuechain.engine import finance
from valuechain.engine.chain import Asset, AssetKind, Estimate, Idea, Need

FEATURE, CURATED, RAW = AssetKind.FEATURE, AssetKind.CURATED_DATASET, AssetKind.RAW_SOURCE


def report_for(raw_cost: float) -> finance.RoiReport:
    catalogue = {
        (FEATURE, 1): Asset(FEATURE, 1, available=True),
        (CURATED, 1): Asset(
            CURATED, 1, available=False, build=Estimate.exact(5_000), upstream=((RAW, 1),)
        ),
        (FEATURE, 2): Asset(
            FEATURE, 2, available=False, build=Estimate.exact(2_000), upstream=((CURATED, 1),)
        ),
        (RAW, 1): Asset(RAW, 1, available=True, build=Estimate.exact(raw_cost)),
    }
    idea = Idea(
        id=7,
        benefit=Estimate.exact(50_000),
        probability=1.0,
        needs=(
            Need("ready", (FEATURE, 1), engineering=Estimate.exact(1_000), weight=2),
            Need("upstream", (FEATURE, 2), weight=1, essential=False),
        ),
    )
    return finance.roi_report(idea, catalogue)


def parts(report: finance.RoiReport) -> dict:
    return figure_json(ladder_figure(report, "EUR"))


def test_bars_are_the_cumulative_investment_and_the_line_the_roi_per_tier():
    report = report_for(500_000)
    figure = parts(report)
    bar, line = figure["data"]
    assert bar["type"] == "bar" and line["type"] == "scatter"
    assert bar["x"] == line["x"] == [f"Tier {s.tier}" for s in report.ladder]
    assert bar["y"] == [s.cumulative_investment for s in report.ladder]
    assert line["y"] == [s.roi for s in report.ladder]
    assert figure["layout"]["yaxis2"]["overlaying"] == "y"


def test_the_negative_zone_spans_below_zero_down_past_the_worst_roi():
    report = report_for(500_000)
    worst = min(s.roi for s in report.ladder if s.roi is not None)
    assert worst < 0
    (zone,) = parts(report)["layout"]["shapes"]
    assert zone["yref"] == "y2" and zone["y1"] == 0 and zone["y0"] < worst
    low, high = parts(report)["layout"]["yaxis2"]["range"]
    assert low == zone["y0"] and high > 0


def test_the_negative_zone_stays_visible_when_every_step_pays_off():
    report = report_for(1_000)
    assert report.negative_from_tier is None
    (zone,) = parts(report)["layout"]["shapes"]
    assert zone["y0"] < 0 == zone["y1"]


def test_the_best_stopping_tier_is_annotated_on_its_bar():
    for raw_cost in (1_000, 500_000):
        report = report_for(raw_cost)
        figure = parts(report)
        (marker,) = [a for a in figure["layout"]["annotations"] if "Best stop" in a["text"]]
        assert report.best_stop_tier is not None
        best = report.ladder[report.best_stop_tier - 1]
        assert marker["x"] == f"Tier {report.best_stop_tier}"
        assert marker["y"] == best.cumulative_investment
    assert report_for(1_000).best_stop_tier != report_for(500_000).best_stop_tier


def test_steps_that_earn_nothing_have_no_roi_point_and_say_until_which_tier():
    catalogue = {
        (FEATURE, 1): Asset(FEATURE, 1, available=True),
        (RAW, 1): Asset(RAW, 1, available=True, build=Estimate.exact(5_000)),
    }
    idea = Idea(
        id=8,
        benefit=Estimate.exact(50_000),
        probability=1.0,
        needs=(
            Need("ready", (FEATURE, 1), engineering=Estimate.exact(1_000)),
            Need("raw", (RAW, 1), essential=True),
        ),
    )
    report = finance.roi_report(idea, catalogue)
    figure = parts(report)
    line = figure["data"][1]
    assert line["y"][:2] == [None, None] and line["y"][2] == report.ladder[2].roi
    notes = [a for a in figure["layout"]["annotations"] if "no benefit" in a["text"]]
    assert [a["x"] for a in notes] == ["Tier 1", "Tier 2"]
    assert all("until tier 3" in a["text"] for a in notes)


def test_plotly_accepts_every_ladder_it_is_given():
    for raw_cost in (0, 500, 500_000):
        assert_plotly_accepts(parts(report_for(raw_cost)))
