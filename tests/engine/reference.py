"""DESIGN section 3 written out a second time, as plainly as possible, to check the engine.

Nothing here is shared with valuechain.engine.finance except the input dataclasses: closures
are walked recursively, cash flows are listed year by year and discounted one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from valuechain.engine.chain import Asset, AssetKey, AssetKind, Idea, Need


@dataclass
class Step:
    tier: int
    one_off: float
    run: float
    p: float
    coverage: float
    k: float
    npv: float
    roi: float | None


@dataclass
class Report:
    tier: int
    one_off: float
    run: float
    p: float
    k: float
    npv: float
    roi: float | None
    payback: float | None
    ladder: list[Step]
    negative_from_tier: int | None
    best_stop_tier: int | None
    verdict: str


def closure_of(catalogue: dict[AssetKey, Asset], key: AssetKey) -> set[AssetKey]:
    asset = catalogue[key]
    found = {key}
    if not asset.available:
        for up in asset.upstream:
            found |= closure_of(catalogue, up)
    return found


def is_charged(asset: Asset) -> bool:
    if asset.kind in (AssetKind.RAW_SOURCE, AssetKind.ACQUISITION_OPTION):
        return True
    return not asset.available


def _charged_closure(catalogue, key: AssetKey) -> set[AssetKey]:
    return {k for k in closure_of(catalogue, key) if is_charged(catalogue[k])}


def _success(catalogue, idea: Idea, needs: list[Need]) -> tuple[float, float]:
    """p over E, the essential needs' charged assets; k as if every essential need were met
    (the caller zeroes it while one is missing)."""
    essential: set[AssetKey] = set()
    for need in needs:
        if need.essential:
            essential |= _charged_closure(catalogue, need.asset)
    p = idea.probability
    for key in essential:
        p *= catalogue[key].feasibility
    if not idea.needs:
        return p, 1.0
    total_weight = sum(n.weight for n in idea.needs)
    k = 0.0
    for need in needs:
        arrives = 1.0
        for key in _charged_closure(catalogue, need.asset) - essential:
            arrives *= catalogue[key].feasibility
        k += need.weight / total_weight * arrives
    return p, k


def _costs(catalogue, idea: Idea, needs: list[Need]) -> tuple[float, float]:
    reached: set[AssetKey] = set()
    for need in needs:
        reached |= closure_of(catalogue, need.asset)
    charged = [catalogue[key] for key in reached if is_charged(catalogue[key])]
    one_off = sum(need.engineering.mean for need in needs)
    run = 0.0
    for asset in charged:
        one_off += asset.build.mean
        run += asset.run.mean
    deployment = idea.deployment
    one_off += deployment.setup.mean
    run += deployment.run.mean
    if deployment.online_serving:
        offline = len([k for k in reached if k[0] == AssetKind.FEATURE and not catalogue[k].online])
        offline += len([n for n in needs if n.asset[0] != AssetKind.FEATURE])
        one_off += offline * deployment.online_feature_setup.mean
        run += offline * deployment.online_feature_run.mean
    return one_off, run


def _cash_flows(one_off: float, yearly: float, horizon: int) -> list[float]:
    return [-one_off, *([yearly] * horizon)]


def _present_value(flows: list[float], rate: float) -> float:
    return sum(flow / (1 + rate) ** year for year, flow in enumerate(flows))


def report(idea: Idea, catalogue: dict[AssetKey, Asset]) -> Report:
    r, horizon, benefit = idea.discount_rate, idea.horizon_years, idea.benefit.mean
    need_tiers = [max(k[0].tier for k in closure_of(catalogue, n.asset)) for n in idea.needs]
    top = max(need_tiers, default=1)

    def evaluate(
        needs: list[Need], earning: bool
    ) -> tuple[float, float, float, float, float, float | None, list[float]]:
        one_off, run = _costs(catalogue, idea, needs)
        p, k = _success(catalogue, idea, needs)
        k = k if earning else 0.0
        flows = _cash_flows(one_off, p * k * benefit - run, horizon)
        npv = _present_value(flows, r)
        cost = one_off + _present_value([0.0, *([run] * horizon)], r)  # C0 + PV(R)
        return one_off, run, p, k, npv, (npv / cost if cost > 0 else None), flows

    one_off, run, p, k, npv, roi, flows = evaluate(list(idea.needs), True)
    payback: float | None = None
    if one_off <= 0:
        payback = 0.0
    else:
        cumulative = flows[0]
        for year in range(1, horizon + 1):
            inflow = flows[year] / (1 + r) ** year
            if inflow > 0 and cumulative + inflow >= 0:
                payback = (year - 1) + (0 - cumulative) / inflow
                break
            cumulative += inflow

    ladder = []
    total_weight = sum(n.weight for n in idea.needs)
    for t in range(1, top + 1):
        met = [n for n, nt in zip(idea.needs, need_tiers, strict=True) if nt <= t]
        waiting = [n for n, nt in zip(idea.needs, need_tiers, strict=True) if nt > t]
        blocked = any(n.essential for n in waiting)
        if not idea.needs:
            coverage = 1.0
        elif blocked:
            coverage = 0.0
        else:
            coverage = sum(n.weight for n in met) / total_weight
        c0, yearly, q, k_t, value, ratio, _ = evaluate(met, not blocked)
        ladder.append(Step(t, c0, yearly, q, coverage, k_t, value, ratio))
    # Steps earning nothing are "no benefit yet", not where the idea turns negative.
    negative = [s.tier for s in ladder if s.coverage > 0 and s.roi is not None and s.roi < 0]
    best: Step | None = None
    for step in ladder:
        if step.npv > 0 and (best is None or step.npv > best.npv):
            best = step
    verdict = "do_not_build"
    if best is not None:
        verdict = "build" if best.tier == top else "stop_early"
    return Report(
        top,
        one_off,
        run,
        p,
        k,
        npv,
        roi,
        payback,
        ladder,
        negative[0] if negative else None,
        best.tier if best else None,
        verdict,
    )


def assert_matches(report_, expected: Report) -> None:
    """An engine RoiReport against the reference, to 1e-9 of the money involved."""
    import math

    def close(a: float | None, b: float | None, scale: float) -> bool:
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale)

    scale = max(1.0, expected.one_off + expected.run * 30, abs(expected.npv))
    assert report_.tier == expected.tier
    assert close(report_.one_off_investment, expected.one_off, scale)
    assert close(report_.annual_run_cost, expected.run, scale)
    assert close(report_.probability_of_success, expected.p, 1.0)
    assert close(report_.expected_coverage, expected.k, 1.0)
    assert close(report_.npv, expected.npv, scale)
    assert close(report_.roi, expected.roi, max(1.0, abs(expected.roi or 0)))
    assert close(report_.payback_years, expected.payback, 30.0)
    assert report_.negative_from_tier == expected.negative_from_tier
    assert report_.best_stop_tier == expected.best_stop_tier
    assert report_.verdict == expected.verdict
    assert len(report_.ladder) == len(expected.ladder)
    for step, want in zip(report_.ladder, expected.ladder, strict=True):
        step_scale = max(1.0, want.one_off + want.run * 30, abs(want.npv))
        assert step.tier == want.tier
        assert close(step.cumulative_investment, want.one_off, step_scale)
        assert close(step.annual_run_cost, want.run, step_scale)
        assert close(step.probability_of_success, want.p, 1.0)
        assert close(step.benefit_coverage, want.coverage, 1.0)
        assert close(step.expected_coverage, want.k, 1.0)
        assert close(step.npv, want.npv, step_scale)
        assert close(step.roi, want.roi, max(1.0, abs(want.roi or 0)))
