"""The dashboard's aggregates, from hand-made reports: no database."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from contracts import health as h
from tests.valuechain.charts.plotly_check import assert_plotly_accepts, numbers
from valuechain.charts import dashboard as charts
from valuechain.charts.theme import figure_json
from valuechain.dashboard import summary as d
from valuechain.engine.finance import LadderStep, RoiReport


def step(tier: int, npv: float, investment: float = 1_000.0) -> LadderStep:
    return LadderStep(
        tier=tier,
        cumulative_investment=investment,
        annual_run_cost=100.0,
        probability_of_success=0.5,
        benefit_coverage=1.0,
        npv=npv,
        roi=npv / investment,
    )


def report(
    idea_id: int,
    npv: float,
    *,
    tier: int = 1,
    one_off: float = 1_000.0,
    negative_from: int | None = None,
    probability: float = 0.5,
    ladder: tuple[LadderStep, ...] | None = None,
) -> RoiReport:
    steps = ladder or tuple(step(t, npv, one_off) for t in range(1, tier + 1))
    earning = [s for s in steps if s.npv > 0]
    best = max(earning, key=lambda s: (s.npv, -s.tier)).tier if earning else None
    return RoiReport(
        idea_id=idea_id,
        tier=tier,
        one_off_investment=one_off,
        annual_run_cost=100.0,
        probability_of_success=probability,
        expected_annual_benefit=500.0,
        npv=npv,
        roi=npv / one_off,
        pv_costs=one_off,
        payback_years=None,
        negative_from_tier=negative_from,
        best_stop_tier=best,
        ladder=steps,
        need_engineering_cost=0.0,
        asset_build_cost=0.0,
        asset_run_cost=0.0,
        deployment_setup_cost=0.0,
        deployment_run_cost=0.0,
        charged_assets=(),
    )


def facts(idea_id: int, title: str | None = None, status: str = "proposed") -> d.IdeaFacts:
    return d.IdeaFacts(idea_id, title or f"idea {idea_id}", status, status.title(), "pm")


def make_rows(*reports: RoiReport) -> list[d.IdeaRow]:
    return d.rows([facts(r.idea_id) for r in reports], {r.idea_id: r for r in reports})


def test_kpis_count_only_positive_value_and_upstream_negatives():
    rows = make_rows(
        report(1, 50_000, one_off=10_000),
        report(2, 20_000, one_off=5_000, tier=3, negative_from=None),
        report(3, -7_000, one_off=30_000, tier=3, negative_from=3),
        report(4, -1_000, one_off=2_000, tier=4, negative_from=4),
        report(5, -500, one_off=1_000, tier=2, negative_from=1),
    )
    kpis = d.kpis(rows)
    assert kpis.ideas == 5
    assert kpis.positive_npv_total == 70_000
    assert kpis.positive_npv_count == 2
    assert kpis.one_off_total == 48_000
    assert kpis.negative_count == 3
    # idea 5 turns negative already at tier 1: the data upstream is not what hurts it
    assert kpis.upstream_negative_count == 2
    assert kpis.upstream_negative_share == pytest.approx(2 / 5)


def test_kpis_of_no_ideas_have_no_share():
    kpis = d.kpis([])
    assert kpis.ideas == 0 and kpis.positive_npv_total == 0
    assert kpis.upstream_negative_share is None


def test_an_idea_without_a_report_is_left_out():
    assert [r.idea.id for r in d.rows([facts(1), facts(2)], {2: report(2, 5.0)})] == [2]


def test_tier_totals_list_every_tier_and_sum_its_ideas():
    rows = make_rows(
        report(1, 100, tier=1, one_off=10),
        report(2, -40, tier=3, one_off=70),
        report(3, 30, tier=3, one_off=20),
    )
    totals = d.tier_totals(rows)
    assert [(t.tier, t.ideas, t.npv, t.one_off_investment) for t in totals] == [
        (1, 1, 100, 10),
        (2, 0, 0, 0),
        (3, 2, -10, 90),
        (4, 0, 0, 0),
    ]


def test_negative_from_counts_every_tier_and_never():
    rows = make_rows(
        report(1, 1, tier=3, negative_from=3),
        report(2, 1, tier=4, negative_from=3),
        report(3, 1, tier=4, negative_from=4),
        report(4, 1),
        report(5, 1),
    )
    counts = d.negative_from_counts(rows)
    assert counts == [
        ("Tier 1", 0),
        ("Tier 2", 0),
        ("Tier 3", 2),
        ("Tier 4", 1),
        ("never", 2),
        ("do not build", 0),
    ]
    assert sum(n for _, n in counts) == len(rows)


def test_top_ideas_are_the_positive_ones_best_first_and_limited():
    rows = make_rows(*(report(i, npv) for i, npv in enumerate([5, -3, 40, 12, 0, 7, 9], 1)))
    assert [r.report.npv for r in d.top_by_npv(rows, limit=4)] == [40, 12, 9, 7]
    assert all(r.report.npv > 0 for r in d.top_by_npv(rows, limit=10))


def test_largest_downside_lists_losses_biggest_first_with_the_value_of_stopping_early():
    losing = report(
        2, -9_000, tier=3, negative_from=3, ladder=(step(1, 4_000), step(2, 4_000), step(3, -9_000))
    )
    rows = make_rows(report(1, 3_000), losing, report(3, -1_000))
    downside = d.largest_downside(rows)
    assert [r.idea.id for r in downside] == [2, 3]
    assert downside[0].best_stop_npv == 4_000
    assert downside[0].npv_given_up == 13_000


def _health(level: str) -> h.IdeaHealth:
    return h.IdeaHealth(level, (h.Reason(level, f"because {level}"),))


def test_risk_signals_name_missing_roles_and_count_ideas_by_contract_health():
    rows = make_rows(report(1, 10, tier=2), report(2, 10, tier=1), report(3, 10, tier=1))
    signals = d.risk_signals(
        rows,
        default_roles={1: [10, 11], 2: [12]},
        role_names={10: "Data scientist", 11: "ML engineer", 12: "Data engineer"},
        assignments={1: [(1, 10), (1, 11)], 2: [(1, 10), (1, 11)], 3: [(1, 10)]},
        contract_health={1: _health(h.DEPRECATED), 2: _health(h.HEALTHY), 3: _health(h.AT_RISK)},
        contract_statuses={"active": 2, "draft": 1, "deprecated": 1, "unknown": 4},
    )
    by_idea = {row.idea.id: row for row in signals.ideas}
    assert by_idea[1].stakeholder_gaps == [(2, "Data engineer")]
    assert by_idea[3].stakeholder_gaps == [(1, "ML engineer")]
    assert by_idea[2].stakeholder_gaps == [] and not by_idea[2].has_risk
    assert by_idea[1].contract_risk and by_idea[3].contract_risk
    assert by_idea[1].contract_health is not None
    assert by_idea[1].contract_health.reasons[0].text == "because deprecated"
    assert (signals.healthy_ideas, signals.at_risk_ideas, signals.deprecated_ideas) == (1, 1, 1)
    assert signals.ungoverned_ideas == 0 and signals.ideas_with_data == 3
    assert signals.contract_statuses == {"active": 2, "draft": 1, "deprecated": 1, "retired": 0}
    assert signals.ideas_with_gaps == 2 and signals.total_gaps == 2
    assert signals.ideas[0].idea.id == 1  # the most signals first


def test_unknown_statuses_are_ignored_and_repeats_dropped():
    valid = ["draft", "proposed", "approved"]
    assert d.chosen_statuses(["approved", "nope", "", "approved", "draft"], valid) == [
        "approved",
        "draft",
    ]
    assert d.chosen_statuses(["x' OR 1=1"], valid) == []


def test_status_counts_keep_the_defined_order_and_show_zeros():
    counts = d.status_counts({"approved": 3}, [("draft", "Draft"), ("approved", "Approved")])
    assert [(c.status, c.label, c.count) for c in counts] == [
        ("draft", "Draft", 0),
        ("approved", "Approved", 3),
    ]


def test_portfolio_summary_names_selected_ideas_even_deleted_ones():
    result = {
        "selected": [4, 9],
        "total_npv": 12_000.5,
        "one_off_investment": 300_000,
        "annual_run_cost": 20_000,
        "budget": 400_000,
        "candidates": 11,
        "optimal": True,
    }
    summary = d.portfolio_summary(7, result, {4: "Fraud"}, "2026-01-01 10:00")
    assert summary is not None
    assert summary.selected == [(4, "Fraud"), (9, "idea #9")]
    assert summary.budget == 400_000 and summary.total_npv == 12_000.5
    assert d.portfolio_summary(7, None, {}) is None
    assert d.portfolio_summary(7, {"error": "x"}, {}) is None


def test_export_flattens_the_ladder_per_tier_and_leaves_higher_tiers_empty():
    ladder = (step(1, 500.0, 1_000.0), step(2, -250.0, 3_000.0))
    rows = [
        d.IdeaRow(
            facts(1, '=HYPERLINK("x")'), report(1, -250.0, tier=2, negative_from=2, ladder=ladder)
        ),
        d.IdeaRow(facts(2, "Plain"), report(2, 100.0)),
    ]
    text = d.export_csv(rows)
    frame = pd.read_csv(io.StringIO(text))
    assert len(frame) == 2
    first = frame.iloc[0]
    assert first["tier_2_npv"] == -250.0 and first["tier_1_npv"] == 500.0
    assert first["tier_2_cumulative_investment"] == 3_000.0
    assert pd.isna(first["tier_3_npv"]) and pd.isna(first["tier_4_roi_%"])
    assert first["negative_from_tier"] == 2
    # a title that a spreadsheet would run as a formula is kept as text
    assert first["title"].startswith("'=")
    assert frame.iloc[1]["title"] == "Plain"
    assert pd.isna(frame.iloc[1]["negative_from_tier"])
    assert "negative_from_tier" in text.splitlines()[0]
    assert ",2," in text.splitlines()[1]  # whole numbers stay whole, not 2.0


def test_export_gives_roi_as_a_percentage_with_one_decimal():
    ladder = (step(1, 500.0, 1_000.0), step(2, -250.0, 3_000.0))
    rows = [d.IdeaRow(facts(1, "Churn"), report(1, -250.0, tier=2, ladder=ladder))]
    text = d.export_csv(rows)
    header, line = text.splitlines()[:2]
    columns = dict(zip(header.split(","), line.split(","), strict=True))
    assert "roi" not in columns  # the header says the unit
    assert columns["roi_%"] == "-25.0"
    assert columns["tier_1_roi_%"] == "50.0" and columns["tier_2_roi_%"] == "-8.3"
    assert columns["npv"] == "-250.000000"  # money keeps its precision


def test_scatter_has_a_trace_per_tier_present_sized_by_probability():
    rows = make_rows(
        report(1, 10, tier=1, probability=0.2),
        report(2, -5, tier=3, probability=0.9, one_off=4_000),
        report(3, 7, tier=3, probability=0.1),
    )
    figure = figure_json(charts.value_investment_figure(rows))
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Tier 1", "Tier 3"]
    tier3 = figure["data"][1]
    assert numbers(tier3["x"]) == [4_000, 1_000] and numbers(tier3["y"]) == [-5, 7]
    sizes = numbers(tier3["marker"]["size"])
    assert sizes[0] > sizes[1]
    assert tier3["text"] == ["idea 2", "idea 3"]
    assert_plotly_accepts(figure)


def test_tier_and_negative_figures_show_every_category():
    rows = make_rows(report(1, -10, tier=2, negative_from=2))
    tier = figure_json(charts.tier_figure(d.tier_totals(rows)))
    assert [trace["name"] for trace in tier["data"]] == ["Total NPV", "One-off investment"]
    assert tier["data"][0]["x"] == ["Tier 1", "Tier 2", "Tier 3", "Tier 4"]
    assert tier["data"][0]["y"] == [0, -10, 0, 0]
    negative = figure_json(
        charts.negative_from_figure(d.negative_from_counts(rows), d.NEVER, d.DO_NOT_BUILD)
    )
    assert negative["data"][0]["x"] == [
        "Tier 1",
        "Tier 2",
        "Tier 3",
        "Tier 4",
        "Never",
        "Do not build",
    ]
    # the one idea loses money at every tier: not worth building
    assert negative["data"][0]["y"] == [0, 0, 0, 0, 0, 1]
    assert negative["data"][0]["type"] == "bar"
    assert_plotly_accepts(tier)
    assert_plotly_accepts(negative)


def earning_step(tier: int, npv: float, coverage: float = 1.0) -> LadderStep:
    return LadderStep(
        tier=tier,
        cumulative_investment=1_000.0,
        annual_run_cost=100.0,
        probability_of_success=0.5,
        benefit_coverage=coverage,
        npv=npv,
        roi=npv / 1_000.0,
    )


def hand_made_backlog() -> list[d.IdeaRow]:
    """Worth building to tier 2 then negative at 3; no benefit until tier 3 and negative
    there (do not build); negative from tier 1 yet worth building at tier 2; never negative;
    and a shipped and a rejected winner."""
    stop_early = report(
        1,
        -2_000,
        tier=3,
        negative_from=3,
        ladder=(earning_step(1, 1_000), earning_step(2, 3_000), earning_step(3, -2_000)),
    )
    no_benefit_until_3 = report(
        2,
        -5_000,
        tier=3,
        negative_from=3,
        ladder=(earning_step(1, -300, 0.0), earning_step(2, -800, 0.0), earning_step(3, -5_000)),
    )
    dips_first = report(
        3,
        4_000,
        tier=2,
        negative_from=1,
        ladder=(earning_step(1, -100, 0.5), earning_step(2, 4_000)),
    )
    never = report(4, 9_000, tier=4)
    shipped = report(5, 7_000, tier=1)
    rejected = report(6, 6_000, tier=1)
    reports = [stop_early, no_benefit_until_3, dips_first, never, shipped, rejected]
    statuses = ["proposed", "draft", "approved", "approved", "shipped", "rejected"]
    return d.rows(
        [facts(r.idea_id, status=s) for r, s in zip(reports, statuses, strict=True)],
        {r.idea_id: r for r in reports},
    )


def test_where_ideas_turn_negative_puts_ideas_not_worth_building_in_their_own_bucket():
    counts = dict(d.negative_from_counts(hand_made_backlog()))
    assert counts == {
        "Tier 1": 1,  # dips at tier 1, still worth building to tier 2
        "Tier 2": 0,
        "Tier 3": 1,  # worth building to tier 2, loses money from tier 3
        "Tier 4": 0,
        "never": 3,  # the tier-4 idea, and the shipped and rejected winners
        "do not build": 1,  # earns nothing until tier 3, and loses there
    }
    assert sum(counts.values()) == 6


def test_kpis_leave_shipped_and_rejected_ideas_out_of_the_value_still_to_build():
    kpis = d.kpis(hand_made_backlog())
    # each open idea at its best tier: 3,000 (tier 2) + 4,000 + 9,000; shipped, rejected out
    assert kpis.positive_npv_total == 16_000
    assert kpis.positive_npv_count == 3
    assert kpis.closed_count == 2
    # first earning step negative at tier 3: the stop-early idea and the do-not-build one
    assert kpis.upstream_negative_count == 2
    assert kpis.upstream_do_not_build_count == 1


def test_an_idea_not_worth_building_has_nothing_to_stop_at():
    rows = {row.idea.id: row for row in hand_made_backlog()}
    dead = rows[2]
    assert not dead.worth_building
    assert dead.best_stop_npv == 0
    assert dead.npv_given_up == 5_000  # not building at all saves the loss
    assert rows[1].best_stop_npv == 3_000 and rows[1].npv_given_up == 5_000


def test_the_latest_portfolio_names_each_ideas_stop_tier_and_old_runs_have_none():
    result = {"selected": [3, 4], "stops": [{"idea": 3, "tier": 2}, {"idea": 4, "tier": 4}]}
    summary = d.portfolio_summary(1, result, {3: "Three", 4: "Four"})
    assert summary is not None and summary.stops == {3: 2, 4: 4}
    old = d.portfolio_summary(1, {"selected": [3]}, {3: "Three"})
    assert old is not None and old.stops == {}
