"""RICE, ICE and WSJF scores, and the value-versus-investment matrix.

Product managers know these frameworks; here their inputs come from the value chain instead
of being guessed. Effort (RICE), ease (ICE) and job size (WSJF) all derive from the one-off
investment the chain says the idea needs; confidence is the probability of success p (with the
feasibility of the essential needs' charged assets) and the yearly value is p x k x B, k the
expected coverage of the needs. Relative scales (1 to 10) are taken across the ideas
scored together, as teams do when they score a backlog side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from valuechain.engine.chain import Catalogue, ClosureCache, Idea
from valuechain.engine.finance import expected_annual_benefit
from valuechain.engine.portfolio import PortfolioProblem
from valuechain.engine.uncertainty import idea_terms

SCALE_MAX = 10.0


@dataclass(frozen=True, slots=True)
class IdeaScores:
    idea_id: int
    title: str
    npv: float
    one_off_investment: float
    expected_annual_benefit: float
    probability: float
    # RICE = reach x impact x confidence / effort; reach x impact is the yearly benefit.
    rice: float
    # ICE = impact x confidence x ease, each on 1..10.
    impact: float
    confidence: float
    ease: float
    ice: float
    # WSJF = (business value + time criticality + risk reduction / enablement) / job size.
    business_value: float
    time_criticality: float
    enablement: float
    job_size: float
    wsjf: float
    quadrant: str

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}


QUICK_WIN = "quick win"
BIG_BET = "big bet"
FILL_IN = "fill-in"
MONEY_PIT = "money pit"


def relative(values: Sequence[float]) -> list[float]:
    """Map non-negative values onto 1..10 in proportion to the largest."""
    top = max((v for v in values), default=0.0)
    if top <= 0:
        return [1.0 for _ in values]
    return [1.0 + (SCALE_MAX - 1.0) * max(v, 0.0) / top for v in values]


def quadrant(value: float, investment: float, value_line: float, investment_line: float) -> str:
    high_value = value > value_line
    high_investment = investment > investment_line
    if high_value:
        return BIG_BET if high_investment else QUICK_WIN
    return MONEY_PIT if high_investment else FILL_IN


def score(
    problem: PortfolioProblem, ideas: Sequence[Idea], catalogue: Catalogue
) -> list[IdeaScores]:
    """Score every idea of a portfolio problem (built from `ideas`, same order), standalone."""
    n = len(problem.ideas)
    if not n:
        return []
    closures = ClosureCache(catalogue)
    benefits = [idea.benefit.mean for idea in ideas]
    terms = [idea_terms(idea, catalogue, closures) for idea in ideas]
    probabilities = [t.probability for t in terms]
    # What the idea earns a year on average: p x k x B.
    earned = [
        expected_annual_benefit(t.probability, t.expected_coverage, b)
        for t, b in zip(terms, benefits, strict=True)
    ]
    npv = [problem.npv([i]) for i in range(n)]
    investment = [problem.one_off([i]) for i in range(n)]
    run = [problem.annual_run([i]) for i in range(n)]
    users: dict[int, int] = {}
    for idea in problem.ideas:
        for a in idea.charged:
            users[a] = users.get(a, 0) + 1
    # Building an asset that other ideas also need enables them: count those ideas.
    enabled = [sum(users[a] - 1 for a in idea.charged) for idea in problem.ideas]

    impact = relative(list(benefits))
    ease = [SCALE_MAX + 1.0 - s for s in relative(investment)]
    net_yearly = [e - r for e, r in zip(earned, run, strict=True)]
    business_value = relative(net_yearly)
    # An idea's own horizon is its window of value: a year's delay loses 1 / H of it.
    time_criticality = relative([1.0 / idea.horizon_years for idea in ideas])
    enablement = relative([float(e) for e in enabled])
    job_size = relative(investment)

    value_line = median(npv)
    investment_line = median(investment)
    scores = []
    for i, idea in enumerate(problem.ideas):
        p = probabilities[i]
        effort = max(investment[i], 1.0)
        confidence = 1.0 + (SCALE_MAX - 1.0) * p
        cost_of_delay = business_value[i] + time_criticality[i] + enablement[i]
        scores.append(
            IdeaScores(
                idea_id=idea.id,
                title=idea.title,
                npv=npv[i],
                one_off_investment=investment[i],
                expected_annual_benefit=earned[i],
                probability=p,
                rice=earned[i] / effort,
                impact=impact[i],
                confidence=confidence,
                ease=ease[i],
                ice=impact[i] * confidence * ease[i],
                business_value=business_value[i],
                time_criticality=time_criticality[i],
                enablement=enablement[i],
                job_size=job_size[i],
                wsjf=cost_of_delay / job_size[i],
                quadrant=quadrant(npv[i], investment[i], value_line, investment_line),
            )
        )
    return scores
