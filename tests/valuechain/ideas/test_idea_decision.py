"""The idea page says the decision: the verdict, what stopping early skips, steps that earn
nothing yet, p and k as products one can read, help beside every figure, and whether the
deployment is in the figures."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.deployments.factories import DeploymentPlanFactory
from tests.factories import (
    AcquisitionOptionFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)


def text_of(html: str) -> str:
    """What a reader sees: tags and visually hidden words out, spaces squeezed."""
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    html = re.sub(r"</?(span|strong|a|small)\b[^>]*>", "", html)  # inline: no break
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def page_of(client, idea) -> str:
    response = client.get(reverse("idea-detail", args=[idea.pk]))
    assert response.status_code == 200
    return response.content.decode()


def costly_vendor(**extra) -> object:
    return AcquisitionOptionFactory(
        name="Vendor feed", build_low=900_000, build_likely=900_000, build_high=900_000, **extra
    )


@pytest.fixture
def client(client_for, pm_user):
    return client_for(pm_user)


@pytest.mark.django_db
def test_an_idea_that_pays_whole_says_build(client, pm_user):
    idea = IdeaFactory(owner=pm_user, title="Easy win")
    NeedFactory(idea=idea, name="sales")
    verdict = text_of(section(page_of(client, idea), "verdict"))
    assert "Build" in verdict and "Build to tier" not in verdict
    assert "The whole idea pays best" in verdict


@pytest.mark.django_db
def test_an_idea_worth_stopping_early_says_to_which_tier_and_what_it_skips(client, pm_user):
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, name="sales", weight=3)
    NeedFactory(
        idea=idea,
        name="vendor data",
        feature=None,
        acquisition_option=costly_vendor(),
        essential=False,
    )
    verdict = text_of(section(page_of(client, idea), "verdict"))
    assert "Build to tier 1" in verdict
    assert "Skip tier 4: acquisition (vendor data)" in verdict


@pytest.mark.django_db
def test_an_idea_no_tier_pays_for_says_do_not_build_and_why(client, pm_user):
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, name="sales")
    NeedFactory(idea=idea, name="vendor data", feature=None, acquisition_option=costly_vendor())
    html = page_of(client, idea)
    verdict = text_of(section(html, "verdict"))
    assert "Do not build" in verdict
    assert "No step of the ladder has a positive NPV" in verdict
    assert 'data-metric="best-stop">none<' in html


@pytest.mark.django_db
def test_a_dip_below_zero_the_idea_recovers_from_is_explained_beside_the_verdict(client, pm_user):
    idea = IdeaFactory(
        owner=pm_user, benefit_low=2_000, benefit_likely=2_000, benefit_high=2_000, discount_rate=0
    )
    NeedFactory(idea=idea)
    NeedFactory(
        idea=idea,
        feature=None,
        raw_source=RawSourceFactory(
            build_low=1_000, build_likely=1_000, build_high=1_000, feasibility=0.5
        ),
        essential=False,
    )
    NeedFactory(
        idea=idea,
        feature=None,
        acquisition_option=AcquisitionOptionFactory(
            build_low=10, build_likely=10, build_high=10, feasibility=0.9
        ),
        weight=50,
        essential=False,
    )
    verdict = text_of(section(page_of(client, idea), "verdict"))
    assert "The decision Build The whole idea pays best" in verdict
    assert "The ROI dips below 0 at tier 3, yet the steps up to tier 4 pay it back." in verdict


@pytest.mark.django_db
def test_steps_earning_nothing_say_no_benefit_until_the_tier_that_unblocks_them(client, pm_user):
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, name="sales")
    NeedFactory(idea=idea, name="vendor data", feature=None, acquisition_option=costly_vendor())
    table = section(page_of(client, idea), "ladder")
    rows = re.findall(r"<tr class=\"([^\"]*)\">(.*?)</tr>", table, re.S)
    assert len(rows) == 4
    for classes, cells in rows[:3]:
        assert "no benefit until tier 4" in cells
        assert "negative-row" not in classes and "turns negative" not in cells
        assert " %</td>" not in cells.split('class="num')[-1]  # no ROI figure
    classes, cells = rows[3]
    assert "negative-row" in classes and "turns negative" in cells


@pytest.fixture
def weather_idea(pm_user):
    """p0 0.60; an essential need on a weather feed (f 0.80), an optional one on an uncertain
    footfall counter (f 0.50)."""
    idea = IdeaFactory(owner=pm_user, probability_of_success=0.6)
    NeedFactory(idea=idea, name="sales", weight=2)
    NeedFactory(
        idea=idea,
        name="weather",
        feature=None,
        raw_source=RawSourceFactory(name="Weather feed", feasibility=0.8),
        weight=1,
    )
    NeedFactory(
        idea=idea,
        name="footfall",
        feature=None,
        raw_source=RawSourceFactory(name="Footfall counter", feasibility=0.5),
        weight=1,
        essential=False,
    )
    return idea


@pytest.mark.django_db
def test_p_reads_as_the_product_of_what_you_entered_and_the_essential_data(client, weather_idea):
    html = page_of(client, weather_idea)
    why = section(html, "why")
    p_line = text_of(why[why.index('id="p-explained"') :].split("</dd>")[0])
    assert p_line.endswith("0.60 you entered × 0.80 feasibility of Weather feed = 0.48")  # noqa: RUF001
    assert 'data-metric="p">0.480<' in html
    # the optional footfall's chance is in k, not in p
    assert "Footfall counter" not in p_line
    k_lines = text_of(why[why.index('id="k-explained"') :].split("</ul>")[0])
    assert (
        "footfall (optional): 0.25 weight share × 0.50 feasibility of Footfall counter" in k_lines  # noqa: RUF001
    )
    assert "k = 0.50 + 0.25 + 0.125 = 0.875" in text_of(why)
    assert 'data-metric="k">0.875<' in html
    assert "lowers k, not p" in text_of(why)


HELPED = ("c0", "r", "p", "k", "npv", "roi", "payback", "negative-from", "best-stop")


@pytest.mark.django_db
def test_every_figure_has_a_short_help_text_beside_it(client, weather_idea):
    html = page_of(client, weather_idea)
    for name in HELPED:
        described = re.search(rf'aria-describedby="(help-[\w-]+)" data-metric="{name}"', html)
        assert described, name
        helper = re.search(rf'<small class="help" id="{described.group(1)}">(.*?)</small>', html)
        assert helper and len(text_of(helper.group(1))) > 20, name
    ladder_help = text_of(section(html, "ladder"))
    for term in ("Benefit coverage", "k", "NPV, ROI", "Cumulative investment"):
        assert term in ladder_help


@pytest.mark.django_db
def test_an_idea_without_a_deployment_plan_says_its_figures_leave_it_out(client, weather_idea):
    html = page_of(client, weather_idea)
    notice = section(html, "verdict")
    assert "Deployment not planned: not in these figures." in text_of(notice)
    assert f'href="{reverse("deployment-plan", args=[weather_idea.pk])}"' in notice
    DeploymentPlanFactory(idea=weather_idea)
    assert "Deployment not planned" not in page_of(client, weather_idea)


@pytest.mark.django_db
def test_explaining_p_and_k_keeps_the_query_count_constant(client, pm_user):
    idea = IdeaFactory(owner=pm_user)

    def add_uncertain(count: int) -> None:
        for index in range(count):
            NeedFactory(
                idea=idea,
                feature=None,
                raw_source=RawSourceFactory(feasibility=0.9),
                essential=index % 2 == 0,
            )

    add_uncertain(2)
    # The activity feed reads a short history whole, with fewer queries than a full page:
    # give the idea's and its needs' histories a full page on both sides of the comparison.
    need = idea.needs.first()
    for step in range(21):
        idea.description = need.description = f"Draft {step}"
        idea.save()
        need.save()
    with CaptureQueriesContext(connection) as few:
        page_of(client, idea)
    add_uncertain(20)
    DeploymentPlanFactory(idea=idea)
    with CaptureQueriesContext(connection) as many:
        html = page_of(client, idea)
    assert text_of(section(html, "why")).count("feasibility of raw source") == 22
    assert len(many) == len(few)
