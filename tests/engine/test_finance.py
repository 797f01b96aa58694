"""C0, R, p, k, NPV, ROI, payback and the ladder, worked by hand (DESIGN section 3).

The catalogue and the idea are drawn in tests/engine/worked_example.py. AF is the annuity
factor at 10 % over 3 years: 1/1.1 + 1/1.21 + 1/1.331 = 2.486852.

p = p0 x the feasibility of E, the charged assets of the essential needs only; an optional
need earns its weight share w(n) / W times the feasibility of its own charged assets outside
E, summed into the expected coverage k; the idea earns p x k x B a year.
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
from valuechain.engine.chain import Asset, AssetKind, Deployment, Estimate, Idea, Need
from valuechain.engine.finance import (
    Verdict,
    annuity_factor,
    discounted_payback,
    investment,
    ladder,
    npv,
    pv_costs,
    roi,
    roi_report,
    roi_reports,
    success_factors,
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
    assert report.tier == 4


def test_optional_needs_on_uncertain_data_lower_coverage_not_the_chance_of_delivering():
    """The supplier lead time need (optional) reaches an acquisition option that comes off one
    time in two. Multiplying every charged asset into p (0.8 x 0.95 x 0.95 x 0.9 x 0.8 x 0.9 x
    0.5 = 0.233928) said the idea would fail three times in four, for want of a nice-to-have:
    it showed an NPV of -88,091.53. The idea delivers whenever basket size arrives."""
    report = roi_report(walk_idea(), catalogue())
    # E = charged assets of the essential need (basket size -> F1, which exists) = none.
    # p = p0 = 0.8
    assert report.probability_of_success == pytest.approx(0.8)
    # W = 2 + 1 + 1 = 4
    # k = 2/4 (basket size, essential)
    #   + 1/4 x 0.95 (return rate: F2)
    #   + 1/4 x 0.95 x 0.9 x 0.8 x 0.9 x 0.5 (supplier lead time: F3, C2, R1, R2, A1 = 0.3078)
    #   = 0.5 + 0.2375 + 0.07695 = 0.81445
    assert report.expected_coverage == pytest.approx(0.81445)
    # p k B = 0.8 x 0.81445 x 100,000 = 65,156; net = 65,156 - 17,800 = 47,356 a year
    # NPV = -102,000 + 47,356 x 2.486852 = 15,767.36
    assert report.expected_annual_benefit == pytest.approx(65_156)
    assert report.npv == pytest.approx(15_767.36, abs=0.01)
    # PV(costs) = 102,000 + 17,800 x 2.486852 = 146,265.97; ROI = 0.107799
    assert report.pv_costs == pytest.approx(146_265.97, abs=0.01)
    assert report.roi == pytest.approx(15_767.36 / 146_265.97, rel=1e-6)
    # discounted inflows 43,051 + 39,137 + 35,579: the third year recovers the last 19,812
    # payback = 2 + (102,000 - 43,051 - 39,137) / 35,579 = 2.5568
    assert report.payback_years == pytest.approx(
        2 + (102_000 - 47_356 / 1.1 - 47_356 / 1.21) / (47_356 / 1.331)
    )


def test_an_asset_an_essential_need_brings_costs_an_optional_need_no_coverage():
    # essential: supplier lead time -> F3 (F3, C2, R1, R2, A1); optional: clickstream -> R1.
    idea = walk_idea(
        needs=(
            Need("supplier lead time", F3, money(4_000), weight=1, essential=True),
            Need("clickstream", R1, money(1_000), weight=1, essential=False),
        )
    )
    report = roi_report(idea, catalogue())
    # R1 is in E: p = 0.8 x 0.95 x 0.9 x 0.8 x 0.9 x 0.5 = 0.246240, counted once
    assert report.probability_of_success == pytest.approx(0.24624)
    # clickstream has nothing outside E: k = 1/2 + 1/2 x 1 = 1
    assert report.expected_coverage == pytest.approx(1.0)


def test_success_factors_name_what_p_and_k_are_made_of():
    factors = success_factors(walk_idea(), catalogue())
    assert factors.idea_probability == 0.8
    assert factors.essential_factors == ()  # basket size needs nothing to be built
    assert factors.probability_of_success == pytest.approx(0.8)
    basket, returns, supplier = factors.coverage_terms
    assert (basket.need, basket.essential, basket.weight_share, basket.factors) == (
        "basket size",
        True,
        0.5,
        (),
    )
    assert returns.weight_share == 0.25
    assert [(f.asset, f.feasibility) for f in returns.factors] == [(F2, 0.95)]
    # sorted by key: features, curated, raw, acquisition as the kinds sort
    assert {f.asset: f.feasibility for f in supplier.factors} == {
        F3: 0.95,
        C2: 0.9,
        R1: 0.8,
        R2: 0.9,
        A1: 0.5,
    }
    assert supplier.value == pytest.approx(0.25 * 0.3078)
    assert sum(term.value for term in factors.coverage_terms) == pytest.approx(
        factors.expected_coverage
    )
    assert factors.expected_coverage == pytest.approx(0.81445)


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
    assert t1.expected_coverage == pytest.approx(0.5)
    # Tier 2: n1 + n2. C0 = 7,000 + 5,000 + 6,000 (F2) = 18,000; R = 600
    # F2 serves the optional return rate: p stays 0.8 (it was 0.8 x 0.95 = 0.76 when every
    # charged asset counted), and return rate earns its quarter 95 times in 100:
    # coverage 3 / 4; k = 2/4 + 1/4 x 0.95 = 0.7375; net = 0.8 x 0.7375 x 100,000 - 600 = 58,400
    # NPV = -18,000 + 58,400 x AF = 127,232.16; PV(costs) = 18,000 + 600 x AF = 19,492.11
    assert t2.cumulative_investment == pytest.approx(18_000)
    assert t2.annual_run_cost == pytest.approx(600)
    assert t2.probability_of_success == pytest.approx(0.8)
    assert t2.benefit_coverage == pytest.approx(0.75)
    assert t2.expected_coverage == pytest.approx(0.7375)
    assert t2.npv == pytest.approx(127_232.16, abs=0.01)
    assert t2.roi == pytest.approx(127_232.16 / 19_492.11, rel=1e-6)
    # Tier 3 adds no need: the same as tier 2.
    assert (t3.cumulative_investment, t3.npv) == (t2.cumulative_investment, t2.npv)
    # Tier 4 holds every need: the headline figures, downstream included.
    assert t4.cumulative_investment == pytest.approx(102_000)
    assert t4.benefit_coverage == 1
    assert t4.expected_coverage == pytest.approx(0.81445)
    assert t4.npv == pytest.approx(15_767.36, abs=0.01)


def test_an_idea_worth_building_is_best_stopped_before_acquisition():
    report = roi_report(walk_idea(), catalogue())
    # NPVs 92,474 / 127,232 / 127,232 / 15,767: positive all the way, so ROI never turns
    # negative (the old rule, p over every charged asset, put tier 4 at -88,092).
    assert report.negative_from_tier is None
    # tiers 2 and 3 share the highest NPV; stop at the more downstream one
    assert report.best_stop_tier == 2
    assert report.verdict == Verdict.STOP_EARLY == "stop_early"


def test_an_idea_with_no_positive_step_is_not_to_be_built():
    # Benefit 2,000 a year. Tier 1: -7,000 + 0.8 x 0.5 x 2,000 x AF = -5,010.52
    # Tier 2: k = 0.7375: -18,000 + (0.8 x 0.7375 x 2,000 - 600) x AF = -18,000 + 580 x AF
    #   = -16,557.63
    # Tier 4: k = 0.81445: -102,000 + (0.8 x 0.81445 x 2,000 - 17,800) x AF
    #   = -102,000 - 16,496.88 x AF = -143,025.30
    report = roi_report(walk_idea(benefit=money(2_000)), catalogue())
    assert [step.npv for step in report.ladder] == pytest.approx(
        [-5_010.52, -16_557.63, -16_557.63, -143_025.30], abs=0.01
    )
    assert report.best_stop_tier is None
    assert report.verdict == Verdict.DO_NOT_BUILD
    # tier 1 already earns (basket size is met) and loses money
    assert report.negative_from_tier == 1


def test_coverage_is_zero_while_an_essential_need_is_further_upstream():
    # n1 (tier 1, weight 2, not essential) and n2 -> R1 (tier 3, weight 1, essential)
    idea = walk_idea(
        needs=(
            Need("basket size", F1, money(7_000), weight=2, essential=False),
            Need("clickstream", R1, money(3_000), weight=1, essential=True),
        )
    )
    t1, t2, t3 = ladder(idea, catalogue())
    # Tiers 1 and 2: 7,000 spent for nothing yet, NPV = -7,000, ROI = -1
    assert (t1.benefit_coverage, t2.benefit_coverage) == (0, 0)
    assert (t1.expected_coverage, t2.expected_coverage) == (0, 0)
    assert t1.npv == pytest.approx(-7_000)
    assert t1.roi == pytest.approx(-1)
    # Tier 3: C0 = 7,000 + 3,000 + 12,000 (R1) = 22,000; R = 3,000; p = 0.8 x 0.8 = 0.64
    # net = 64,000 - 3,000 = 61,000; NPV = -22,000 + 61,000 x AF = 129,698.00
    assert t3.benefit_coverage == 1
    assert t3.cumulative_investment == pytest.approx(22_000)
    assert t3.npv == pytest.approx(-22_000 + 61_000 * 2.4868520, abs=0.01)
    report = roi_report(idea, catalogue())
    # Tiers 1 and 2 lose money only because the idea is not there yet: "no benefit yet",
    # not where it turns negative (the old rule said tier 1). Once it earns it never loses.
    assert report.negative_from_tier is None
    assert report.best_stop_tier == 3
    assert report.verdict == Verdict.BUILD


def test_blocked_below_an_essential_upstream_need_turns_negative_where_it_really_drops():
    # Benefit 60,000 a year; basket size (tier 1, optional, weight 2), clickstream -> R1
    # (tier 3, essential, weight 1), supplier feed -> R2 -> A1 (tier 4, optional, weight 1).
    idea = walk_idea(
        benefit=money(60_000),
        needs=(
            Need("basket size", F1, money(7_000), weight=2, essential=False),
            Need("clickstream", R1, money(3_000), weight=1, essential=True),
            Need("supplier feed", R2, money(10_000), weight=1, essential=False),
        ),
    )
    report = roi_report(idea, catalogue())
    t1, t2, t3, t4 = report.ladder
    # Tiers 1 and 2: 7,000 for basket size, nothing earned until clickstream: ROI -1
    assert (t1.benefit_coverage, t1.npv, t1.roi) == (0, pytest.approx(-7_000), pytest.approx(-1))
    assert (t2.benefit_coverage, t2.npv) == (0, pytest.approx(-7_000))
    # Tier 3: C0 = 7,000 + 3,000 + 12,000 (R1) = 22,000; R = 3,000 (R1)
    # E = {R1}: p = 0.8 x 0.8 = 0.64; W = 4; coverage = k = 2/4 + 1/4 = 0.75
    # net = 0.64 x 0.75 x 60,000 - 3,000 = 25,800; NPV = -22,000 + 25,800 x AF = 42,160.78
    assert t3.probability_of_success == pytest.approx(0.64)
    assert t3.expected_coverage == pytest.approx(0.75)
    assert t3.npv == pytest.approx(42_160.78, abs=0.01)
    # Tier 4: + 10,000 engineering + 6,000 (R2) + 30,000 (A1): C0 = 68,000
    # R = 3,000 + 1,200 + 6,000 = 10,200; p stays 0.64 (supplier feed is optional)
    # k = 0.75 + 1/4 x 0.9 x 0.5 = 0.8625; net = 0.64 x 0.8625 x 60,000 - 10,200 = 22,920
    # NPV = -68,000 + 22,920 x AF = -11,001.35
    assert t4.cumulative_investment == pytest.approx(68_000)
    assert t4.probability_of_success == pytest.approx(0.64)
    assert t4.expected_coverage == pytest.approx(0.8625)
    assert t4.npv == pytest.approx(-11_001.35, abs=0.01)
    # The drop is at acquisition, not at tier 1 where nothing is earned yet.
    assert report.negative_from_tier == 4
    assert report.best_stop_tier == 3
    assert report.verdict == Verdict.STOP_EARLY


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
        net = (
            report.probability_of_success * report.expected_coverage * idea.benefit.mean
            - report.annual_run_cost
        )
        flows = [-report.one_off_investment] + [net] * idea.horizon_years
        assert report.npv == pytest.approx(npf.npv(idea.discount_rate, flows), rel=1e-9)
        for step in report.ladder:
            step_net = (
                step.probability_of_success * step.expected_coverage * idea.benefit.mean
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
    assert expected.npv == pytest.approx(15_767.36, abs=0.01)
    assert [step.npv for step in expected.ladder] == pytest.approx(
        [92_474.08, 127_232.16, 127_232.16, 15_767.36], abs=0.01
    )


def test_figures_do_not_depend_on_the_order_the_charged_assets_are_walked_in():
    """Charged assets are a set, walked in an order that changes from one process to the
    next; sums and products of them are exact or ordered, so every worker answers alike."""
    builds = (0.1, 0.2, 0.3)  # 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1 in floating point
    feasibilities = (0.7, 0.9, 0.3)
    catalogue = {
        (AssetKind.CURATED_DATASET, i): Asset(
            AssetKind.CURATED_DATASET,
            i,
            available=False,
            build=Estimate.exact(build),
            run=Estimate.exact(build),
            feasibility=f,
        )
        for i, (build, f) in enumerate(zip(builds, feasibilities, strict=True))
    }
    needs = tuple(Need(f"n{i}", (AssetKind.CURATED_DATASET, i)) for i in range(3))
    idea = Idea(1, Estimate.exact(100.0), 0.5, needs=needs)

    cost = investment(idea, catalogue)

    assert cost.asset_build == 0.6 and cost.asset_run == 0.6
    assert cost.probability == 0.5 * (0.3 * 0.7 * 0.9)
