"""The demo's score table means something: product managers' inputs on most ideas, the drafts
not (fully) scored, and the quadrants drawn at NPV = 0."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from valuechain import mappers
from valuechain.engine import portfolio, scoring
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


def demo_scores() -> dict[str, scoring.IdeaScores]:
    call_command("load_demo", stdout=StringIO())
    rows = list(selectors.ideas().order_by("id"))
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    ideas = mappers.ideas_to_engine(rows, rates)
    problem = portfolio.portfolio_problem(ideas, catalogue, 0.10, 3)
    scores = scoring.score(
        problem, ideas, catalogue, mappers.score_inputs(rows), mappers.tier_day_rates()
    )
    return {s.title: s for s in scores}


def test_the_demo_score_table_is_scored_by_its_product_managers():
    scores = demo_scores()
    # a draft nobody scored yet, and one with RICE judged but not WSJF
    triage = scores["Support ticket triage"]
    assert (triage.rice, triage.ice, triage.wsjf) == (None, None, None)
    pricing = scores["Dynamic pricing against competitors"]
    assert pricing.rice is not None and pricing.ice is not None and pricing.wsjf is None
    # every other idea is scored, each differently, over the chain's own effort
    scored = [s for s in scores.values() if s.wsjf is not None]
    assert len(scored) == len(scores) - 2
    assert len({round(s.wsjf, 6) for s in scored}) == len(scored)
    assert all(s.person_days is not None and s.person_days > 0 for s in scores.values())
    # the garden season will not wait: it outranks the marketing budget on WSJF
    garden = scores["Garden season demand forecast"].wsjf
    marketing = scores["Marketing budget allocation"].wsjf
    assert garden is not None and marketing is not None and garden > marketing


def test_the_demo_quadrants_never_call_a_loss_a_quick_win_or_a_big_bet():
    scores = demo_scores()
    winning = {scoring.QUICK_WIN, scoring.BIG_BET}
    assert all(s.npv > 0 for s in scores.values() if s.quadrant in winning)
    assert any(s.quadrant == scoring.QUICK_WIN for s in scores.values())
    assert any(s.quadrant == scoring.MONEY_PIT for s in scores.values())


def test_loading_the_demo_twice_keeps_the_scores():
    first = demo_scores()
    assert demo_scores() == first
