"""The idea page's uncertainty section and the portfolio page, polled while runs work."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import IdeaFactory, UserFactory
from tests.valuechain.charts.plotly_check import assert_plotly_accepts
from valuechain import models as m

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def figure(html: str, script_id: str) -> dict:
    match = re.search(
        rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no figure {script_id}"
    return json.loads(match.group(1))


def test_the_idea_page_loads_its_uncertainty_section(page_client, pm_user, shared_pair):
    html = page_client(pm_user).get(f"/ideas/{shared_pair.churn.pk}/").content.decode()
    assert f'hx-get="/ideas/{shared_pair.churn.pk}/uncertainty/"' in html
    assert "js/analysis_charts.js" in html


def test_uncertainty_shows_the_tornado_and_no_run_yet(page_client, pm_user, shared_pair):
    idea = shared_pair.churn
    idea.benefit_low, idea.benefit_high = 10_000, 90_000
    idea.save()
    html = page_client(pm_user).get(f"/ideas/{idea.pk}/uncertainty/").content.decode()
    tornado = figure(html, "tornado-chart-data")
    names = tornado["data"][0]["y"]
    # The widest swing is drawn at the top, i.e. last on the category axis.
    assert names[-1] == "Benefit (yearly)"
    assert "Discount rate" in names
    assert_plotly_accepts(tornado)
    assert "No simulation yet" in html
    assert 'name="draws"' in html  # a product manager may run one


def test_starting_a_simulation_polls_until_the_histogram_shows(
    page_client, pm_user, shared_pair, django_capture_on_commit_callbacks
):
    client = page_client(pm_user)
    idea = shared_pair.churn
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/ideas/{idea.pk}/simulations/", {"draws": 500, "seed": 3}, **HTMX)
    assert response.status_code == 200
    run = m.SimulationRun.objects.get(idea=idea)
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'role="progressbar"' in html

    for callback in callbacks:
        callback()
    done = client.get(f"/ideas/{idea.pk}/simulations/{run.pk}/").content.decode()
    assert "every 1s" not in done
    histogram = figure(done, f"histogram-chart-data-{run.pk}")
    assert histogram["data"][0]["type"] == "bar"
    assert_plotly_accepts(histogram)
    assert 'data-metric="mc-loss">100.0 %' in done


def test_a_running_simulation_shows_its_progress(page_client, exec_user, shared_pair):
    run = m.SimulationRun.objects.create(
        idea=shared_pair.churn, seed=1, status=m.RunStatus.RUNNING, progress=40
    )
    html = (
        page_client(exec_user)
        .get(f"/ideas/{shared_pair.churn.pk}/simulations/{run.pk}/")
        .content.decode()
    )
    assert 'style="width: 40%"' in html and "every 1s" in html


def test_bad_draws_answer_400_with_the_error_and_start_nothing(page_client, pm_user, shared_pair):
    response = page_client(pm_user).post(
        f"/ideas/{shared_pair.churn.pk}/simulations/", {"draws": 5}, **HTMX
    )
    assert response.status_code == 400
    assert "greater than or equal to 100" in response.content.decode()
    assert not m.SimulationRun.objects.exists()


def test_people_outside_the_groups_cannot_start_runs(page_client, shared_pair):
    outsider = UserFactory(username="visitor")
    client = page_client(outsider)
    assert (
        client.post(f"/ideas/{shared_pair.churn.pk}/simulations/", {"draws": 500}).status_code
        == 403
    )
    assert client.post("/portfolio/", {}).status_code == 403
    page = client.get("/portfolio/").content.decode()
    assert "Select the portfolio" not in page


def test_the_portfolio_page_runs_a_selection_and_shows_it(
    page_client, exec_user, shared_pair, django_capture_on_commit_callbacks
):
    client = page_client(exec_user)
    assert "No portfolio run yet" in client.get("/portfolio/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portfolio/", {"budget": "", "discount_rate": "0.1", "horizon_years": "3"}
        )
    assert response.status_code == 302
    run = m.PortfolioRun.objects.get()
    assert response["Location"].endswith(f"/portfolio/?run={run.pk}")

    html = client.get(response["Location"]).content.decode()
    assert 'data-metric="total-npv">40,000' in html
    assert 'data-metric="selected-count">2' in html
    assert "vendor/plotly-custom/plotly-custom.min.js" in html
    frontier = figure(html, f"frontier-data-{run.pk}")
    assert frontier["data"][0]["y"][-1] == pytest.approx(40_000)
    assert_plotly_accepts(frontier)
    matrix = figure(html, f"matrix-data-{run.pk}")
    assert_plotly_accepts(matrix)
    assert {trace["name"] for trace in matrix["data"]} <= {
        "quick win",
        "big bet",
        "fill-in",
        "money pit",
    }
    assert "Customer 360" in html  # the shared asset
    assert "WSJF" in html and "RICE" in html


def test_a_pending_portfolio_run_polls_with_a_progress_bar(page_client, exec_user, db):
    run = m.PortfolioRun.objects.create(
        params={"budget": None}, status=m.RunStatus.RUNNING, progress=65
    )
    html = page_client(exec_user).get(f"/portfolio/runs/{run.pk}/").content.decode()
    assert f'hx-get="/portfolio/runs/{run.pk}/"' in html
    assert 'style="width: 65%"' in html


def test_portfolio_form_errors_are_shown_and_nothing_starts(page_client, exec_user, shared_pair):
    client = page_client(exec_user)
    both = client.post(
        "/portfolio/",
        {"must_include": [shared_pair.churn.pk], "must_exclude": [shared_pair.churn.pk]},
    )
    assert both.status_code == 400
    assert "Also in must include: Churn" in both.content.decode()
    poor = client.post("/portfolio/", {"budget": "1000", "must_include": [shared_pair.churn.pk]})
    assert poor.status_code == 400
    assert "110,000" in poor.content.decode()
    negative = client.post("/portfolio/", {"budget": "-5"})
    assert negative.status_code == 400
    assert not m.PortfolioRun.objects.exists()


def test_the_portfolio_page_takes_a_constant_number_of_queries(page_client, exec_user, shared_pair):
    client = page_client(exec_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/portfolio/").status_code == 200
        return len(queries)

    m.PortfolioRun.objects.create(params={"budget": None})
    few = count()
    for i in range(4):
        IdeaFactory(title=f"more {i}")
        m.PortfolioRun.objects.create(params={"budget": float(i)})
    assert count() == few


def test_unknown_runs_and_huge_ids_are_404(page_client, exec_user, shared_pair):
    client = page_client(exec_user)
    assert client.get("/portfolio/runs/999/").status_code == 404
    assert client.get("/portfolio/runs/99999999999999999999999/").status_code == 404
    assert client.get(f"/ideas/{shared_pair.churn.pk}/simulations/999/").status_code == 404
    assert client.get("/ideas/999999/uncertainty/").status_code == 404


def test_the_form_starts_from_the_choices_of_the_run_on_show(page_client, exec_user, shared_pair):
    run = m.PortfolioRun.objects.create(
        params={
            "budget": 120_000.0,
            "must_include": [shared_pair.upsell.pk],
            "must_exclude": [],
            "discount_rate": 0.2,
            "horizon_years": 5,
            "seed": 1,
        }
    )
    html = page_client(exec_user).get(f"/portfolio/?run={run.pk}").content.decode()
    # the budget as money, never "120000.0"
    assert re.search(r'name="budget"[^>]*value="120000"', html)
    assert '<span class="budget-money">120,000 ' in html
    assert re.search(r'name="horizon_years"[^>]*value="5"', html)
    # the whole title beside a ticked checkbox, never cut off in a narrow list
    upsell = shared_pair.upsell.pk
    checkbox = rf'<input type="checkbox" name="must_include" value="{upsell}"[^>]*checked>'
    assert re.search(checkbox + r"\s*Upsell</label>", html)
