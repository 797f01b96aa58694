"""Monte Carlo and tornado: sampled numbers agree with closed forms and with the ROI report."""

from __future__ import annotations

import numpy as np
import pytest

from valuechain.engine.chain import Asset, AssetKind, Deployment, Estimate, Idea, Need
from valuechain.engine.finance import annuity_factor, roi_report
from valuechain.engine.tornado import tornado
from valuechain.engine.uncertainty import (
    pert_mean,
    pert_variance,
    sample_pert,
    simulate,
)

F = AssetKind.FEATURE
C = AssetKind.CURATED_DATASET


def feature(i: int, build: Estimate, run: Estimate = Estimate.ZERO, feasibility: float = 1.0):
    return Asset(
        kind=F,
        id=i,
        available=False,
        build=build,
        run=run,
        feasibility=feasibility,
        name=f"feature {i}",
    )


def idea(
    i: int, benefit: Estimate, needs: tuple[Need, ...], probability: float = 1.0, **kwargs
) -> Idea:
    return Idea(id=i, benefit=benefit, probability=probability, needs=needs, **kwargs)


@pytest.mark.parametrize(
    ("low", "likely", "high"),
    [(0.0, 0.0, 10.0), (100.0, 150.0, 400.0), (5.0, 9.0, 10.0), (2.0, 6.0, 10.0)],
)
def test_sampled_pert_mean_and_variance_match_the_closed_forms(low, likely, high):
    draws = sample_pert(np.random.default_rng(7), low, likely, high, 400_000)
    mean, variance = pert_mean(low, likely, high), pert_variance(low, likely, high)
    assert mean == pytest.approx((low + 4 * likely + high) / 6)
    # Standard error of the mean is sqrt(var / n); allow 5 of them.
    assert draws.mean() == pytest.approx(mean, abs=5 * np.sqrt(variance / draws.size))
    assert draws.var() == pytest.approx(variance, rel=0.02)
    assert draws.min() >= low and draws.max() <= high


def test_probability_of_loss_equals_the_chance_of_failure_when_money_is_exact():
    # Success pays, failure loses the investment: P(NPV < 0) = 1 - p x feasibility.
    catalogue = {(F, 1): feature(1, Estimate.exact(50_000), feasibility=0.8)}
    one = idea(1, Estimate.exact(100_000), (Need("n", (F, 1)),), probability=0.6)
    result = simulate([one], catalogue, draws=200_000, seed=3)
    dist = result.ideas[0]
    assert dist.probability_of_loss == pytest.approx(1 - 0.6 * 0.8, abs=0.005)
    report = roi_report(one, catalogue)
    assert dist.mean == pytest.approx(report.npv, rel=0.01)


def test_probability_of_loss_for_a_pert_benefit_with_a_known_cdf():
    # Benefit PERT(0, 0, Bmax) is Bmax x Beta(1, 5), whose CDF is 1 - (1 - x)^5.
    # NPV < 0 exactly when A x B < C0, i.e. x < C0 / (A x Bmax).
    bmax, c0 = 100_000.0, 60_000.0
    catalogue = {(F, 1): feature(1, Estimate.exact(c0))}
    one = idea(1, Estimate(0.0, 0.0, bmax), (Need("n", (F, 1)),))
    threshold = c0 / (annuity_factor(0.10, 3) * bmax)
    expected = 1 - (1 - threshold) ** 5
    result = simulate([one], catalogue, draws=200_000, seed=11)
    assert result.ideas[0].probability_of_loss == pytest.approx(expected, abs=0.005)


def shared_catalogue():
    return {
        (F, 1): feature(1, Estimate(10_000, 20_000, 60_000), Estimate(1_000, 2_000, 3_000), 0.9),
        (F, 2): feature(2, Estimate(5_000, 5_000, 5_000)),
        (F, 3): feature(3, Estimate(0, 8_000, 9_000), feasibility=0.7),
    }


def shared_ideas():
    return [
        idea(
            1,
            Estimate(20_000, 40_000, 90_000),
            (Need("a", (F, 1), Estimate(1_000, 2_000, 4_000)), Need("b", (F, 2))),
            probability=0.8,
        ),
        idea(
            2,
            Estimate(30_000, 35_000, 50_000),
            (Need("c", (F, 1)), Need("d", (F, 3))),
            probability=0.9,
            deployment=Deployment(setup=Estimate(1_000, 2_000, 5_000), run=Estimate(500, 500, 800)),
        ),
    ]


def test_simulated_means_match_each_ideas_expected_npv():
    catalogue, ideas = shared_catalogue(), shared_ideas()
    result = simulate(ideas, catalogue, draws=300_000, seed=5)
    for one, dist in zip(ideas, result.ideas, strict=True):
        report = roi_report(one, catalogue)
        sd = result.npv[ideas.index(one)].std()
        assert dist.mean == pytest.approx(report.npv, abs=5 * sd / np.sqrt(300_000))
        assert dist.p10 <= dist.p50 <= dist.p90


def test_a_shared_asset_is_drawn_once_per_draw_and_paid_once_in_the_portfolio():
    catalogue, ideas = shared_catalogue(), shared_ideas()
    result = simulate(ideas, catalogue, draws=50_000, seed=9)
    assert result.portfolio_npv is not None
    # Expected portfolio NPV: the standalone NPVs minus the second payment for feature 1.
    shared = catalogue[(F, 1)]
    twice = shared.build.mean + annuity_factor(0.10, 3) * shared.run.mean
    expected = sum(roi_report(i, catalogue).npv for i in ideas) + twice
    assert result.portfolio is not None
    assert result.portfolio.mean == pytest.approx(expected, rel=0.02)
    # Feature 1 failing sinks both ideas in the same draw: their successes are correlated,
    # which shows as both ideas losing together more often than independence would allow.
    loss = result.npv < -1e-9
    both = (loss[0] & loss[1]).mean()
    assert both > loss[0].mean() * loss[1].mean() + 0.02


def test_same_seed_same_numbers_and_another_seed_other_numbers():
    catalogue, ideas = shared_catalogue(), shared_ideas()
    a = simulate(ideas, catalogue, draws=5_000, seed=42)
    b = simulate(ideas, catalogue, draws=5_000, seed=42)
    c = simulate(ideas, catalogue, draws=5_000, seed=43)
    assert np.array_equal(a.npv, b.npv)
    assert a.ideas == b.ideas
    assert not np.array_equal(a.npv, c.npv)


def test_small_chunks_keep_the_expected_mean_and_report_progress(monkeypatch):
    catalogue, ideas = shared_catalogue(), shared_ideas()
    progress: list[float] = []
    from valuechain.engine import uncertainty

    monkeypatch.setattr(uncertainty, "CHUNK_ELEMENTS", 20)
    chunked = simulate(ideas, catalogue, draws=20_000, seed=1, progress=progress.append)
    expected = roi_report(ideas[0], catalogue).npv
    se = chunked.npv[0].std() / np.sqrt(20_000)
    assert chunked.ideas[0].mean == pytest.approx(expected, abs=5 * se)
    assert len(progress) > 10 and progress[-1] == 1.0
    assert progress == sorted(progress)


def test_histogram_counts_every_draw():
    catalogue, ideas = shared_catalogue(), shared_ideas()
    dist = simulate(ideas, catalogue, draws=2_000, seed=2).ideas[1]
    assert sum(dist.histogram_counts) == 2_000
    assert len(dist.histogram_edges) == len(dist.histogram_counts) + 1


def test_tornado_base_is_the_roi_npv_and_bars_are_sorted_by_swing():
    catalogue, ideas = shared_catalogue(), shared_ideas()
    one = ideas[1]
    result = tornado(one, catalogue)
    assert result.base_npv == pytest.approx(roi_report(one, catalogue).npv)
    swings = [bar.swing for bar in result.bars]
    assert swings == sorted(swings, reverse=True)
    names = {bar.input for bar in result.bars}
    assert {
        "Benefit (yearly)",
        "Build: feature 1",
        "Run (yearly): feature 1",
        "Build: feature 3",
        "Deployment setup",
        "Deployment run",
        "Probability of success",
        "Discount rate",
        "Horizon (years)",
    } <= names
    # Exact estimates have nothing to swing.
    assert "Build: feature 2" not in names


def test_tornado_benefit_swing_is_annuity_times_p_times_range():
    catalogue, ideas = shared_catalogue(), shared_ideas()
    one = ideas[0]
    bar = next(b for b in tornado(one, catalogue).bars if b.input == "Benefit (yearly)")
    p = 0.8 * 0.9
    assert bar.swing == pytest.approx(annuity_factor(0.10, 3) * p * (90_000 - 20_000))
    assert bar.npv_at_high > bar.npv_at_low
    rate = next(b for b in tornado(one, catalogue).bars if b.input == "Discount rate")
    assert (rate.low_value, rate.high_value) == pytest.approx((0.05, 0.15))


def test_an_idea_without_needs_simulates_its_benefit_alone():
    lonely = idea(1, Estimate(0, 10, 20), ())
    dist = simulate([lonely], {}, draws=20_000, seed=4).ideas[0]
    assert dist.mean == pytest.approx(10 * annuity_factor(0.10, 3), rel=0.02)
    assert dist.probability_of_loss == 0.0


def test_curated_upstream_of_a_feature_is_charged_in_the_simulation():
    catalogue = {
        (F, 1): Asset(
            kind=F, id=1, available=False, upstream=((C, 1),), build=Estimate.exact(1_000)
        ),
        (C, 1): Asset(kind=C, id=1, available=False, build=Estimate.exact(2_000)),
    }
    one = idea(1, Estimate.exact(0), (Need("n", (F, 1)),))
    dist = simulate([one], catalogue, draws=100, seed=0).ideas[0]
    assert dist.mean == pytest.approx(-3_000)


# --- optional needs: what fails takes away its need's share, not the idea -------------------


def weather_catalogue():
    """Basket data to build (sure), and two feeds that often do not arrive."""
    return {
        (F, 1): feature(1, Estimate(20_000, 30_000, 50_000), Estimate(1_000, 2_000, 4_000)),
        (C, 1): Asset(
            kind=C,
            id=1,
            available=False,
            build=Estimate(30_000, 40_000, 80_000),
            run=Estimate(2_000, 3_000, 6_000),
            feasibility=0.3,
            name="weather feed",
        ),
        (F, 2): Asset(
            kind=F,
            id=2,
            available=False,
            upstream=((C, 1),),
            build=Estimate(5_000, 8_000, 9_000),
            feasibility=0.6,
            name="rain tomorrow",
        ),
        (F, 3): feature(3, Estimate(1_000, 2_000, 3_000), feasibility=0.5),
    }


def weather_idea(benefit: Estimate | None = None, basket_engineering: Estimate | None = None):
    # W = 2 + 1 + 1 = 4: basket (essential), rain (optional, on F2 <- weather feed),
    # promotions (optional, on F3)
    return idea(
        1,
        benefit or Estimate(100_000, 150_000, 260_000),
        (
            Need("basket", (F, 1), basket_engineering or Estimate(2_000, 4_000, 9_000), weight=2),
            Need("rain", (F, 2), weight=1, essential=False),
            Need("promotions", (F, 3), weight=1, essential=False),
        ),
        probability=0.7,
    )


def test_the_closed_form_of_optional_needs_is_what_the_simulation_converges_to():
    catalogue, one = weather_catalogue(), weather_idea()
    report = roi_report(one, catalogue)
    # p = 0.7 (F1 is sure); k = 2/4 + 1/4 x 0.6 x 0.3 + 1/4 x 0.5 = 0.67
    assert report.probability_of_success == pytest.approx(0.7)
    assert report.expected_coverage == pytest.approx(0.5 + 0.25 * 0.18 + 0.25 * 0.5)
    draws = 400_000
    result = simulate([one], catalogue, draws=draws, seed=17)
    se = result.npv[0].std() / np.sqrt(draws)
    assert abs(result.ideas[0].mean - report.npv) < 4 * se


def test_a_missing_optional_feed_leaves_the_idea_earning_its_other_shares():
    # Money exact: NPV takes one value per outcome. p0 = 0.7; rain arrives 0.18, promotions 0.5
    catalogue = exact_weather_catalogue()
    one = weather_idea(Estimate.exact(100_000), Estimate.exact(4_000))
    result = simulate([one], catalogue, draws=200_000, seed=8)
    report = roi_report(one, catalogue)
    cost = report.pv_costs
    earned = np.round((result.npv[0] + cost) / (annuity_factor(0.10, 3) * 100_000), 6)
    shares, counts = np.unique(earned, return_counts=True)
    frequency = dict(zip(shares.tolist(), (counts / counts.sum()).tolist(), strict=True))
    # failure 0.3; otherwise basket's half always, plus each optional quarter independently
    assert frequency[0.0] == pytest.approx(0.3, abs=0.005)
    assert frequency[0.5] == pytest.approx(0.7 * 0.82 * 0.5, abs=0.005)
    assert frequency[0.75] == pytest.approx(0.7 * (0.18 * 0.5 + 0.82 * 0.5), abs=0.005)
    assert frequency[1.0] == pytest.approx(0.7 * 0.18 * 0.5, abs=0.005)


def exact_weather_catalogue():
    return {
        key: Asset(
            kind=asset.kind,
            id=asset.id,
            available=asset.available,
            build=Estimate.exact(asset.build.mean),
            run=Estimate.exact(asset.run.mean),
            feasibility=asset.feasibility,
            upstream=asset.upstream,
            name=asset.name,
        )
        for key, asset in weather_catalogue().items()
    }


def test_an_asset_in_e_sinks_the_idea_even_when_an_optional_need_uses_it_too():
    catalogue = weather_catalogue()
    # rain is essential now: the weather feed and rain tomorrow are in E, and promotions
    # (optional, on F3) is all that is left to k.
    one = idea(
        1,
        Estimate.exact(100_000),
        (
            Need("rain", (F, 2), weight=1),
            Need("weather again", (C, 1), weight=1, essential=False),
            Need("promotions", (F, 3), weight=2, essential=False),
        ),
        probability=1.0,
    )
    report = roi_report(one, catalogue)
    assert report.probability_of_success == pytest.approx(0.6 * 0.3)
    assert report.expected_coverage == pytest.approx(0.25 + 0.25 + 0.5 * 0.5)
    result = simulate([one], catalogue, draws=200_000, seed=21)
    # Failing draws lose everything: P(NPV < 0) is at least 1 - 0.18.
    assert result.ideas[0].probability_of_loss >= 0.82 - 0.005
    se = result.npv[0].std() / np.sqrt(200_000)
    assert abs(result.ideas[0].mean - report.npv) < 4 * se


def test_an_optional_feed_shared_by_two_ideas_fails_for_both_in_the_same_draw():
    catalogue = exact_weather_catalogue()
    first = weather_idea(Estimate.exact(100_000), Estimate.exact(4_000))
    second = idea(
        2, Estimate.exact(50_000), (Need("rain", (F, 2), essential=False),), probability=1.0
    )
    result = simulate([first, second], catalogue, draws=100_000, seed=5)
    af = annuity_factor(0.10, 3)
    earned = [
        (result.npv[i] + roi_report(one, catalogue).pv_costs) / (af * one.benefit.mean)
        for i, one in enumerate((first, second))
    ]
    # The second idea earns only when rain tomorrow and the weather feed arrive: 0.6 x 0.3
    second_earns = earned[1] > 0.5
    assert second_earns.mean() == pytest.approx(0.18, abs=0.005)
    # The first earns its rain quarter in exactly those draws: all of its benefit only then,
    # and never basket's half alone then (promotions' quarter comes on its own).
    first = earned[0]
    assert not (np.isclose(first, 1.0) & ~second_earns).any()
    assert not (np.isclose(first, 0.5) & second_earns).any()
    assert (np.isclose(first, 1.0) & second_earns).mean() == pytest.approx(
        0.7 * 0.18 * 0.5, abs=0.005
    )


def test_a_stop_tier_is_simulated_as_that_ladder_step():
    catalogue = weather_catalogue()
    # rain reaches the weather feed (tier 2); stopping at tier 1 funds basket and promotions.
    one = weather_idea()
    step = roi_report(one, catalogue).ladder[0]
    assert step.tier == 1
    draws = 200_000
    result = simulate([one], catalogue, draws=draws, seed=3, stops={1: 1})
    se = result.npv[0].std() / np.sqrt(draws)
    assert abs(result.ideas[0].mean - step.npv) < 4 * se
    with pytest.raises(ValueError, match="tier 4"):
        simulate([one], catalogue, draws=10, seed=3, stops={1: 4})


def test_tornado_swings_the_feasibility_behind_each_optional_need():
    catalogue, one = weather_catalogue(), weather_idea()
    bars = {bar.input: bar for bar in tornado(one, catalogue).bars}
    af, benefit = annuity_factor(0.10, 3), one.benefit.mean
    # weather feed 0.3 swings 0.24 .. 0.36; rain's quarter moves by 0.6 x 0.12 of it, times p B
    feed = bars["Feasibility: weather feed"]
    assert (feed.low_value, feed.high_value) == pytest.approx((0.24, 0.36))
    assert feed.swing == pytest.approx(af * 0.7 * benefit * 0.25 * 0.6 * 0.12)
    # promotions 0.5 swings 0.4 .. 0.6: its quarter moves by 0.2
    promotions = bars["Feasibility: feature 3"]
    assert promotions.swing == pytest.approx(af * 0.7 * benefit * 0.25 * 0.2)
    assert promotions.npv_at_high > promotions.npv_at_low
    # basket is sure: no bar; the probability bar still swings p0 by 20 %, at k = 0.67
    assert "Feasibility: feature 1" not in bars
    k = 0.5 + 0.25 * 0.18 + 0.25 * 0.5
    assert bars["Probability of success"].swing == pytest.approx(af * 0.7 * 0.4 * k * benefit)
