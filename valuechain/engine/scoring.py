"""RICE, ICE and WSJF scores, and the value-versus-investment matrix.

The product manager judges what only people can judge: how many people an idea reaches, its
impact on each, how sure they are, and, for WSJF, its user-business value, time criticality and
risk reduction or opportunity enablement. The value chain gives the rest: the effort is the
person-days of work the chain says the idea needs (its needs' engineering plus the build of
every charged asset), so effort, ease and job size are never guessed.

- Person-days: every cost divided by the average day rate of the roles that build its tier
  (a charged asset: its own tier; need engineering: tier 1, the model's own work). A tier
  without roles uses the average of the tiers that have some.
- RICE = reach x impact x confidence / effort, effort in person-months of 20 person-days.
- ICE = impact x confidence x ease; ease is 10 for up to 5 person-days and one point less for
  each doubling of the work (1 beyond 1,280 person-days).
- WSJF = (user-business value + time criticality + risk reduction) / job size, job size the
  effort in person-months.

A score whose inputs the product manager has not entered yet is None ("not scored"), never a
made-up number. The matrix puts an idea's standalone NPV against its one-off investment: the
value line is NPV = 0 (above it the idea creates value) and the investment line the median
one-off investment of the ideas scored together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from valuechain.engine.chain import Catalogue, ClosureCache, Idea
from valuechain.engine.finance import Investment, expected_annual_benefit, investment
from valuechain.engine.portfolio import PortfolioProblem

PERSON_DAYS_PER_MONTH = 20.0
MIN_PERSON_DAYS = 1.0  # even an idea whose data all exists takes a day to ship
EASE_MAX = 10
EASE_FULL_UP_TO_DAYS = 5.0  # ease 10 up to this many person-days, one point less per doubling
NEED_ENGINEERING_TIER = 1


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    """What the product manager entered; None where they have not scored the idea yet."""

    reach: float | None = None
    impact: float | None = None
    confidence: float | None = None
    business_value: float | None = None
    time_criticality: float | None = None
    risk_reduction: float | None = None


NOT_SCORED = ScoreInputs()


def tier_day_rates(default_roles_rates: Mapping[int, Sequence[float]]) -> dict[int, float]:
    """The average day rate of each tier's default roles; a tier without roles (or whose roles
    cost nothing) takes the average over the tiers that have some. Empty when none has."""
    known = {
        tier: sum(rates) / len(rates)
        for tier, rates in default_roles_rates.items()
        if rates and sum(rates) > 0
    }
    if not known:
        return {}
    fallback = sum(known.values()) / len(known)
    return {tier: known.get(tier, fallback) for tier in (1, 2, 3, 4)}


def person_days(
    cost: Investment, catalogue: Catalogue, day_rates: Mapping[int, float]
) -> float | None:
    """The work the chain says an idea needs (`cost`: its finance.investment), in person-days
    (None without day rates): its needs' engineering plus the build of every charged asset,
    each at its tier's rate."""
    if not day_rates:
        return None
    days = cost.need_engineering / day_rates[NEED_ENGINEERING_TIER]
    for key in cost.charged:
        asset = catalogue[key]
        days += asset.build.mean / day_rates[asset.tier]
    return days


def effort_months(days: float) -> float:
    return max(days, MIN_PERSON_DAYS) / PERSON_DAYS_PER_MONTH


def ease(days: float) -> int:
    """10 up to 5 person-days, one point less for each doubling, never below 1."""
    doublings = math.ceil(math.log2(max(days, MIN_PERSON_DAYS) / EASE_FULL_UP_TO_DAYS))
    return max(1, min(EASE_MAX, EASE_MAX - max(doublings, 0)))


def rice(inputs: ScoreInputs, effort: float | None) -> float | None:
    if effort is None or None in (inputs.reach, inputs.impact, inputs.confidence):
        return None
    assert inputs.reach is not None and inputs.impact is not None
    assert inputs.confidence is not None
    return inputs.reach * inputs.impact * inputs.confidence / effort


def ice(inputs: ScoreInputs, ease_points: int | None) -> float | None:
    if ease_points is None or inputs.impact is None or inputs.confidence is None:
        return None
    return inputs.impact * inputs.confidence * ease_points


def cost_of_delay(inputs: ScoreInputs) -> float | None:
    parts = (inputs.business_value, inputs.time_criticality, inputs.risk_reduction)
    if any(part is None for part in parts):
        return None
    return sum(part for part in parts if part is not None)


def wsjf(inputs: ScoreInputs, job_size: float | None) -> float | None:
    delay = cost_of_delay(inputs)
    if delay is None or job_size is None:
        return None
    return delay / job_size


QUICK_WIN = "quick win"
BIG_BET = "big bet"
FILL_IN = "fill-in"
MONEY_PIT = "money pit"
VALUE_LINE = 0.0  # NPV above it creates value


def investment_line(investments: Sequence[float]) -> float:
    """The median one-off investment of the ideas scored together."""
    return float(median(investments)) if investments else 0.0


def quadrant(npv: float, investment: float, investment_line: float) -> str:
    """Quick win and big bet create value (NPV > 0); fill-in and money pit do not."""
    high_value = npv > VALUE_LINE
    high_investment = investment > investment_line
    if high_value:
        return BIG_BET if high_investment else QUICK_WIN
    return MONEY_PIT if high_investment else FILL_IN


@dataclass(frozen=True, slots=True)
class IdeaScores:
    idea_id: int
    title: str
    npv: float
    one_off_investment: float
    expected_annual_benefit: float
    probability: float
    # The chain's work: person-days, effort and job size in person-months, ease on 1..10.
    person_days: float | None
    effort: float | None
    ease: int | None
    # What the product manager entered (None: not scored yet).
    reach: float | None
    impact: float | None
    confidence: float | None
    business_value: float | None
    time_criticality: float | None
    risk_reduction: float | None
    rice: float | None
    ice: float | None
    cost_of_delay: float | None
    wsjf: float | None
    quadrant: str

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}


def score(
    problem: PortfolioProblem,
    ideas: Sequence[Idea],
    catalogue: Catalogue,
    inputs: Mapping[int, ScoreInputs] | None = None,
    day_rates: Mapping[int, float] | None = None,
) -> list[IdeaScores]:
    """Score every idea of a portfolio problem (built from `ideas`, same order), standalone:
    `inputs` by idea id (missing: not scored), `day_rates` by tier (see tier_day_rates)."""
    if not problem.ideas:
        return []
    inputs = inputs or {}
    rates = day_rates or {}
    closures = ClosureCache(catalogue)
    investments = [problem.one_off([i]) for i in range(len(problem.ideas))]
    line = investment_line(investments)
    scores = []
    for i, (row, idea) in enumerate(zip(problem.ideas, ideas, strict=True)):
        given = inputs.get(idea.id, NOT_SCORED)
        cost = investment(idea, catalogue, closures=closures)
        days = person_days(cost, catalogue, rates)
        effort = effort_months(days) if days is not None else None
        ease_points = ease(days) if days is not None else None
        npv = problem.npv([i])
        scores.append(
            IdeaScores(
                idea_id=row.id,
                title=row.title,
                npv=npv,
                one_off_investment=investments[i],
                expected_annual_benefit=expected_annual_benefit(
                    cost.probability, cost.expected_coverage, idea.benefit.mean
                ),
                probability=cost.probability,
                person_days=days,
                effort=effort,
                ease=ease_points,
                reach=given.reach,
                impact=given.impact,
                confidence=given.confidence,
                business_value=given.business_value,
                time_criticality=given.time_criticality,
                risk_reduction=given.risk_reduction,
                rice=rice(given, effort),
                ice=ice(given, ease_points),
                cost_of_delay=cost_of_delay(given),
                wsjf=wsjf(given, effort),
                quadrant=quadrant(npv, investments[i], line),
            )
        )
    return scores


SCORED_FIELDS = ("rice", "ice", "cost_of_delay", "wsjf")


def stored_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Score rows as a finished run stored them, read with today's rules: quadrants against
    NPV = 0 and the median investment, and rows stored before the product manager's inputs
    existed shown as not scored (their old scores were derived, not judged)."""
    line = investment_line([float(row["one_off_investment"]) for row in rows])
    shown = []
    for row in rows:
        current = dict(row)
        current["quadrant"] = quadrant(
            float(row["npv"]),
            float(row["one_off_investment"]),
            line,
        )
        if "reach" not in row:
            current.update(dict.fromkeys(SCORED_FIELDS))
            for name in IdeaScores.__slots__:
                current.setdefault(name, None)
        shown.append(current)
    return shown


def ranked(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Highest WSJF first; ideas not scored yet after them, by title."""

    def key(row: Mapping[str, Any]) -> tuple[bool, float, str]:
        value = row.get("wsjf")
        return (value is None, -float(value) if value is not None else 0.0, str(row["title"]))

    return sorted(rows, key=key)
