"""C0, R, p, NPV, ROI, payback and the ladder, worked by hand (DESIGN section 3).

The catalogue and the idea are drawn in tests/engine/worked_example.py. AF is the annuity
factor at 10 % over 3 years: 1/1.1 + 1/1.21 + 1/1.331 = 2.486852.
"""

from __future__ import annotations

import random

import numpy_financial as npf
import pytest

from tests.engine import reference
from tests.engine.test_batch import random_catalogue, random_ideas
from tests.engine.worked_example import (
    A1,
    AF_10_3,
    C1,
    C2,
    F1,
    F2,
    F3,
    R1,
    R2,
    catalogue,
    money,
    walk_idea,
)
from valuechain.engine.chain import Deployment, Estimate, Idea, Need
from valuechain.engine.finance import (
    annuity_factor,
    discounted_payback,
    investment,
    ladder,
    npv,
    pv_costs,
    roi,
    roi_report,
    roi_reports,
)


def test_annuity_factor_of_the_worked_example():
    assert annuity_factor(0.10, 3) == pytest.approx(2.486852, abs=1e-6)
    assert annuity_factor(0.10, 3) == pytest.approx(AF_10_3)


def test_headline_of_an_idea_walking_up_to_acquisition():
    report = roi_report(walk_idea(), catalogue())
    # Charged: F2, F3, C2, R1, R2, A1 (F1 and C1 exist). R1 appears under F3 only once.
    assert set(report.charged_assets) == {F2, F3, C2, R1, R2, A1}
    # C0 = engineering 7,000 + 5,000 + 4,000
    #    + build 6,000 (F2) + 8,000 (F3) + 24,000 (C2) + 12,000 (R1) + 6,000 (R2) + 30,000 (A1)
    #    = 16,000 + 86,000 = 102,000
    assert report.need_engineering_cost == pytest.approx(16_000)
    assert report.asset_build_cost == pytest.approx(86_000)
    assert report.one_off_investment == pytest.approx(102_000)
    # R = 600 + 1,000 + 6,000 + 3,000 + 1,200 + 6,000 = 17,800
    assert report.annual_run_cost == pytest.approx(17_800)
    # p = 0.8 x 0.95 (F2) x 0.95 (F3) x 0.9 (C2) x 0.8 (R1) x 0.9 (R2) x 0.5 (A1) = 0.233928
    assert report.probability_of_success == pytest.approx(0.233928)
    assert report.tier == 4
    # net = 0.233928 x 100,000 - 17,800 = 5,592.8 a year
    # NPV = -102,000 + 5,592.8 x 2.486852 = -88,091.53
    assert report.expected_annual_benefit == pytest.approx(23_392.8)
    assert report.npv == pytest.approx(-88_091.53, abs=0.01)
    # PV(costs) = 102,000 + 17,800 x 2.486852 = 146,265.97; ROI = -0.602270
    assert report.pv_costs == pytest.approx(146_265.97, abs=0.01)
    assert report.roi == pytest.approx(-88_091.53 / 146_265.97, rel=1e-6)
    # 3 x 5,592.8 discounted never recovers 102,000: no payback within the horizon
    assert report.payback_years is None


def test_ladder_pays_downstream_at_every_step_and_covers_benefit_by_weight():
    steps = ladder(walk_idea(), catalogue())
    assert [s.tier for s in steps] == [1, 2, 3, 4]
    t1, t2, t3, t4 = steps
    # Tier 1: n1 only. C0 = 7,000, R = 0, p = 0.8; coverage 2 / 4 = 0.5
    # NPV = -7,000 + 0.8 x 100,000 x 0.5 x AF = -7,000 + 40,000 x 2.486852 = 92,474.08
    assert t1.cumulative_investment == pytest.approx(7_000)
    assert t1.annual_run_cost == 0
    assert t1.benefit_coverage == pytest.approx(0.5)
    assert t1.npv == pytest.approx(92_474.08, abs=0.01)
    assert t1.roi == pytest.approx(92_474.08 / 7_000, rel=1e-6)
    # Tier 2: n1 + n2. C0 = 7,000 + 5,000 + 6,000 (F2) = 18,000; R = 600; p = 0.8 x 0.95 = 0.76
    # coverage 3 / 4; net = 0.76 x 100,000 x 0.75 - 600 = 56,400
    # NPV = -18,000 + 56,400 x AF = 122,258.45; PV(costs) = 18,000 + 600 x AF = 19,492.11
    assert t2.cumulative_investment == pytest.approx(18_000)
    assert t2.annual_run_cost == pytest.approx(600)
    assert t2.probability_of_success == pytest.approx(0.76)
    assert t2.benefit_coverage == pytest.approx(0.75)
    assert t2.npv == pytest.approx(122_258.45, abs=0.01)
    assert t2.roi == pytest.approx(122_258.45 / 19_492.11, rel=1e-6)
    # Tier 3 adds no need: the same as tier 2.
    assert (t3.cumulative_investment, t3.npv) == (t2.cumulative_investment, t2.npv)
    # Tier 4 holds every need: the headline figures, downstream included.
    assert t4.cumulative_investment == pytest.approx(102_000)
    assert t4.benefit_coverage == 1
    assert t4.npv == pytest.approx(-88_091.53, abs=0.01)


def test_report_names_where_roi_turns_negative_and_where_to_stop():
    report = roi_report(walk_idea(), catalogue())
    assert report.negative_from_tier == 4
    # tiers 2 and 3 share the highest NPV; stop at the more downstream one
    assert report.best_stop_tier == 2


def test_coverage_is_zero_while_an_essential_need_is_further_upstream():
    # n1 (tier 1, weight 2, not essential) and n2 -> R1 (tier 3, weight 1, essential)
    idea = walk_idea(
        needs=(
            Need("basket size", F1, money(7_000), weight=2, essential=False),
            Need("clickstream", R1, money(3_000), weight=1, essential=True),
        )
    )
    t1, t2, t3 = ladder(idea, catalogue())
    # Tiers 1 and 2: 7,000 spent for nothing, NPV = -7,000, ROI = -1
    assert (t1.benefit_coverage, t2.benefit_coverage) == (0, 0)
    assert t1.npv == pytest.approx(-7_000)
    assert t1.roi == pytest.approx(-1)
    # Tier 3: C0 = 7,000 + 3,000 + 12,000 (R1) = 22,000; R = 3,000; p = 0.8 x 0.8 = 0.64
    # net = 64,000 - 3,000 = 61,000; NPV = -22,000 + 61,000 x AF = 129,698.00
    assert t3.benefit_coverage == 1
    assert t3.cumulative_investment == pytest.approx(22_000)
    assert t3.npv == pytest.approx(-22_000 + 61_000 * 2.4868520, abs=0.01)
    report = roi_report(idea, catalogue())
    assert report.negative_from_tier == 1
    assert report.best_stop_tier == 3


def test_roi_that_never_turns_negative():
    idea = walk_idea(needs=walk_idea().needs[:2])  # tiers 1 and 2 only
    report = roi_report(idea, catalogue())
    assert [s.tier for s in report.ladder] == [1, 2]
    assert report.negative_from_tier is None
    assert report.best_stop_tier == 2
    assert report.npv == pytest.approx(report.ladder[-1].npv)


def test_shared_asset_is_paid_once_per_idea():
    cat = catalogue()
    once = investment(walk_idea(needs=(Need("a", F3),)), cat)
    # R1 is in F3's closure and pointed at directly; C2 is pointed at twice.
    twice = investment(
        walk_idea(needs=(Need("a", F3), Need("b", R1), Need("c", C2), Need("d", C2))), cat
    )
    # F3 8,000 + C2 24,000 + R1 12,000 + R2 6,000 + A1 30,000 = 80,000
    assert once.one_off == pytest.approx(80_000)
    assert twice.one_off == pytest.approx(80_000)
    assert twice.annual_run == pytest.approx(once.annual_run)
    assert twice.probability == pytest.approx(once.probability)


def test_need_engineering_in_person_days_is_priced_by_the_caller():
    # 10 / 12 / 20 days of an 800-a-day role: PERT (10 + 48 + 20) / 6 = 13 days = 10,400
    need = Need("n", F1, Estimate(10, 12, 20).scaled(800))
    cost = investment(walk_idea(needs=(need,)), catalogue())
    assert cost.one_off == pytest.approx(10_400)


def test_deployment_adds_setup_run_and_online_serving_per_offline_feature():
    deployment = Deployment(
        setup=money(10_000),
        run=money(5_000),
        online_serving=True,
        online_feature_setup=money(2_000),
        online_feature_run=money(500),
    )
    needs = (Need("online", F1), Need("offline", F2), Need("from curated", C1))
    cost = investment(walk_idea(needs=needs, deployment=deployment), catalogue())
    # offline features: F2, plus one new feature for the need on C1 = 2 (F1 is online)
    # setup = 10,000 + 2 x 2,000 = 14,000; run = 5,000 + 2 x 500 = 6,000
    assert cost.deployment_setup == pytest.approx(14_000)
    assert cost.deployment_run == pytest.approx(6_000)
    # C0 = 6,000 (F2 build) + 14,000; R = 600 (F2 run) + 6,000
    assert cost.one_off == pytest.approx(20_000)
    assert cost.annual_run == pytest.approx(6_600)

    batch_only = Deployment(
        setup=money(10_000),
        run=money(5_000),
        online_serving=False,
        online_feature_setup=money(2_000),
        online_feature_run=money(500),
    )
    cost = investment(walk_idea(needs=needs, deployment=batch_only), catalogue())
    assert (cost.deployment_setup, cost.deployment_run) == (10_000, 5_000)


def test_deployment_setup_is_paid_at_every_ladder_step():
    deployment = Deployment(setup=money(1_000), run=money(100))
    steps = ladder(walk_idea(deployment=deployment), catalogue())
    assert steps[0].cumulative_investment == pytest.approx(7_000 + 1_000)
    assert steps[0].annual_run_cost == pytest.approx(100)


def test_discounted_payback_is_interpolated_inside_the_year():
    # C0 50,000, net 30,000 a year at 10 %:
    # year 1: 27,272.73 -> cumulative -22,727.27; year 2: 24,793.39 crosses 0
    # payback = 1 + 22,727.27 / 24,793.39 = 1 + 27,500 / 30,000 = 1.916667
    assert discounted_payback(50_000, 30_000, 0.10, 3) == pytest.approx(1 + 27_500 / 30_000)
    # inside the first year: 7,000 / 36,363.64
    assert discounted_payback(7_000, 40_000, 0.10, 3) == pytest.approx(7_000 * 1.1 / 40_000)
    # exactly at the end of year 1
    assert discounted_payback(1_000, 1_100, 0.10, 3) == pytest.approx(1.0)


def test_no_payback_within_the_horizon():
    assert discounted_payback(50_000, 30_000, 0.10, 1) is None
    assert discounted_payback(50_000, -1_000, 0.10, 30) is None
    assert discounted_payback(50_000, 0, 0.0, 30) is None


def test_roi_is_none_when_nothing_is_spent():
    assert roi(1_000, 0) is None
    report = roi_report(walk_idea(needs=(Need("free", F1),)), catalogue())
    assert report.one_off_investment == 0
    assert report.roi is None
    assert report.payback_years == 0


def test_zero_discount_rate_is_plain_arithmetic():
    assert npv(1_000, 400, 0.0, 3) == pytest.approx(200)
    assert pv_costs(1_000, 100, 0.0, 3) == pytest.approx(1_300)


def _random_idea(rng: random.Random) -> tuple[float, float, float, int]:
    return (
        rng.uniform(0, 1e6),  # C0
        rng.uniform(-2e5, 5e5),  # net a year
        rng.uniform(0, 0.5),  # rate
        rng.randint(1, 30),  # horizon
    )


def test_npv_agrees_with_numpy_financial():
    rng = random.Random(20261126)
    for _ in range(500):
        one_off, net, rate, horizon = _random_idea(rng)
        cash_flows = [-one_off] + [net] * horizon
        assert npv(one_off, net, rate, horizon) == pytest.approx(
            npf.npv(rate, cash_flows), rel=1e-9, abs=1e-6
        )
        assert pv_costs(one_off, max(net, 0), rate, horizon) == pytest.approx(
            -npf.npv(rate, [-one_off] + [-max(net, 0)] * horizon), rel=1e-9, abs=1e-6
        )


def test_report_npv_agrees_with_numpy_financial_cash_flows():
    cat = catalogue()
    rng = random.Random(7)
    keys = list(cat)
    for i in range(200):
        needs = tuple(
            Need(
                f"n{j}",
                rng.choice(keys),
                money(rng.uniform(0, 20_000)),
                weight=rng.uniform(0.1, 3),
                essential=rng.random() < 0.5,
            )
            for j in range(rng.randint(1, 5))
        )
        idea = Idea(
            i,
            money(rng.uniform(0, 300_000)),
            rng.random(),
            rng.randint(1, 30),
            rng.uniform(0, 0.3),
            needs,
        )
        report = roi_report(idea, cat)
        net = report.probability_of_success * idea.benefit.mean - report.annual_run_cost
        flows = [-report.one_off_investment] + [net] * idea.horizon_years
        assert report.npv == pytest.approx(npf.npv(idea.discount_rate, flows), rel=1e-9)
        for step in report.ladder:
            step_net = (
                step.probability_of_success * idea.benefit.mean * step.benefit_coverage
                - step.annual_run_cost
            )
            flows = [-step.cumulative_investment] + [step_net] * idea.horizon_years
            assert step.npv == pytest.approx(npf.npv(idea.discount_rate, flows), rel=1e-9, abs=1e-6)


def test_reports_for_many_ideas_match_one_by_one():
    cat = catalogue()
    ideas = [walk_idea(id=1), walk_idea(id=2, needs=walk_idea().needs[:1])]
    assert roi_reports(ideas, cat) == [roi_report(idea, cat) for idea in ideas]


@pytest.mark.parametrize("seed", range(8))
def test_reports_match_a_plain_second_reading_of_the_design(seed):
    """tests/engine/reference.py recomputes everything from DESIGN section 3 year by year."""
    rng = random.Random(1000 + seed)
    cat = random_catalogue(rng, size=rng.randint(3, 12))
    for idea in random_ideas(rng, cat, 60):
        reference.assert_matches(roi_report(idea, cat), reference.report(idea, cat))


def test_the_second_reading_agrees_with_the_hand_worked_example():
    expected = reference.report(walk_idea(), catalogue())
    assert expected.npv == pytest.approx(-88_091.53, abs=0.01)
    assert [step.npv for step in expected.ladder] == pytest.approx(
        [92_474.08, 122_258.45, 122_258.45, -88_091.53], abs=0.01
    )
