"""The tornado: the NPV swing of each input between its low and high, the others at their
expected values (DESIGN section 3). Inputs of p and of k (each uncertain asset's feasibility)
swing too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from valuechain.engine.chain import (
    AssetKey,
    Catalogue,
    ClosureCache,
    Estimate,
    Idea,
)
from valuechain.engine.finance import (
    annuity_factor,
    expected_coverage,
    investment,
    probability_of_success,
    reach,
)
from valuechain.engine.uncertainty import idea_terms


@dataclass(frozen=True, slots=True)
class TornadoBar:
    input: str
    low_value: float
    high_value: float
    npv_at_low: float
    npv_at_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_at_high - self.npv_at_low)

    def as_dict(self) -> dict[str, object]:
        return {
            "input": self.input,
            "low_value": self.low_value,
            "high_value": self.high_value,
            "npv_at_low": self.npv_at_low,
            "npv_at_high": self.npv_at_high,
            "swing": self.swing,
        }


@dataclass(frozen=True, slots=True)
class Tornado:
    base_npv: float
    bars: tuple[TornadoBar, ...]

    def as_dict(self) -> dict[str, object]:
        return {"base_npv": self.base_npv, "bars": [bar.as_dict() for bar in self.bars]}


def tornado(
    idea: Idea,
    catalogue: Catalogue,
    probability_swing: float = 0.2,
    rate_swing: float = 0.05,
    horizon_swing: int = 1,
    feasibility_swing: float = 0.2,
) -> Tornado:
    """NPV swing of each input between its low and high, the others at expected values.

    Estimates swing between their low and high. Point inputs swing by a relative
    `probability_swing` on the idea's probability of success, a relative `feasibility_swing`
    on each charged asset that may not arrive (through p when an essential need uses it,
    through k when only optional ones do), `rate_swing` (absolute) on the discount rate and
    `horizon_swing` years on the horizon, within their valid ranges.
    """
    closures = ClosureCache(catalogue)
    t = idea_terms(idea, catalogue, closures)
    rate, horizon = idea.discount_rate, idea.horizon_years
    benefit = idea.benefit.mean
    base = investment(idea, catalogue, closures=closures)
    one_off, yearly = base.one_off, base.annual_run
    p, k = base.probability, base.expected_coverage

    def value(
        c0: float = one_off,
        r_cost: float = yearly,
        b: float = benefit,
        prob: float = p,
        cov: float = k,
        r: float = rate,
        h: int = horizon,
    ) -> float:
        return -c0 + annuity_factor(r, h) * (prob * cov * b - r_cost)

    bars: list[TornadoBar] = []

    def estimate_bar(label: str, est: Estimate, kind: str, factor: float = 1.0) -> None:
        if est.high == est.low:
            return
        lo_hi = []
        for point in (est.low, est.high):
            delta = (point - est.mean) * factor
            if kind == "one_off":
                lo_hi.append(value(c0=one_off + delta))
            elif kind == "yearly":
                lo_hi.append(value(r_cost=yearly + delta))
            else:
                lo_hi.append(value(b=benefit + delta))
        bars.append(TornadoBar(label, est.low, est.high, lo_hi[0], lo_hi[1]))

    estimate_bar("Benefit (yearly)", idea.benefit, "benefit")
    for key in t.charged:
        asset = catalogue[key]
        name = asset.name or f"{key[0].value} {key[1]}"
        estimate_bar(f"Build: {name}", asset.build, "one_off")
        estimate_bar(f"Run (yearly): {name}", asset.run, "yearly")
    for item in t.items:
        estimate_bar(item.label, item.estimate, "yearly" if item.yearly else "one_off", item.factor)

    p_low = max(0.0, idea.probability * (1 - probability_swing)) * t.feasibility
    p_high = min(1.0, idea.probability * (1 + probability_swing)) * t.feasibility
    bars.append(
        TornadoBar(
            "Probability of success",
            p_low,
            p_high,
            value(prob=p_low),
            value(prob=p_high),
        )
    )
    reached = reach(idea, catalogue, None, closures)
    for key in t.charged:
        asset = catalogue[key]
        if asset.feasibility >= 1:
            continue  # sure to arrive: nothing to swing
        f_low = max(0.0, asset.feasibility * (1 - feasibility_swing))
        f_high = min(1.0, asset.feasibility * (1 + feasibility_swing))
        if f_high == f_low:
            continue
        at_low, at_high = (
            value(
                prob=probability_of_success(idea.probability, reached, feasibility),
                cov=expected_coverage(reached, feasibility),
            )
            for feasibility in (_with(catalogue, key, f_low), _with(catalogue, key, f_high))
        )
        name = asset.name or f"{key[0].value} {key[1]}"
        bars.append(TornadoBar(f"Feasibility: {name}", f_low, f_high, at_low, at_high))
    r_low, r_high = max(0.0, rate - rate_swing), min(1.0, rate + rate_swing)
    bars.append(TornadoBar("Discount rate", r_low, r_high, value(r=r_low), value(r=r_high)))
    h_low, h_high = max(1, horizon - horizon_swing), min(30, horizon + horizon_swing)
    bars.append(TornadoBar("Horizon (years)", h_low, h_high, value(h=h_low), value(h=h_high)))
    bars.sort(key=lambda bar: bar.swing, reverse=True)
    return Tornado(base_npv=value(), bars=tuple(bars))


def _with(catalogue: Catalogue, changed: AssetKey, value: float) -> Callable[[AssetKey], float]:
    """The catalogue's feasibilities with one of them set to `value`."""
    return lambda key: value if key == changed else catalogue[key].feasibility
