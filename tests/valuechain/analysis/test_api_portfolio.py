"""Portfolio runs through the API: start, poll, read the selection; bad input named."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import IdeaFactory
from valuechain import models as m

pytestmark = pytest.mark.django_db

URL = "/api/portfolio/runs/"


def start(client, body, capture):
    with capture(execute=True):
        response = client.post(URL, body, format="json")
    return response


def test_a_portfolio_run_selects_the_pair_that_pays_off_together(
    client_as, shared_pair, django_capture_on_commit_callbacks
):
    client = client_as("exec")
    response = start(
        client,
        {"budget": None, "must_include": [], "must_exclude": []},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert {"id", "status", "progress"} <= body.keys()
    assert body["status"] in {"pending", "running", "succeeded"}

    run = client.get(f"{URL}{body['id']}/").json()
    assert run["status"] == "succeeded" and run["progress"] == 100
    result = run["result"]
    assert sorted(result["selected"]) == sorted([shared_pair.churn.pk, shared_pair.upsell.pk])
    assert result["total_npv"] == pytest.approx(40_000)
    assert result["one_off_investment"] == pytest.approx(130_000)
    assert 0 <= result["gap"] <= 1e-4
    assert result["frontier"][0]["budget"] == pytest.approx(0)
    assert result["frontier"][-1]["npv"] == pytest.approx(40_000)
    assert all({"budget", "npv"} <= point.keys() for point in result["frontier"])
    views = {v["idea_id"]: v for v in result["cost_views"]}
    assert views[shared_pair.churn.pk]["standalone_one_off"] == pytest.approx(110_000)
    assert views[shared_pair.churn.pk]["marginal_one_off"] == pytest.approx(10_000)
    assert views[shared_pair.churn.pk]["fair_share_one_off"] == pytest.approx(60_000)
    assert result["shared_assets"][0]["name"] == "Customer 360"
    assert {s["idea_id"] for s in result["scores"]} == set(views)
    assert result["distribution"]["mean"] == pytest.approx(40_000)
    assert result["discount_rate"] == 0.10 and result["horizon_years"] == 3


def test_a_budget_below_the_shared_dataset_funds_nothing(
    client_as, shared_pair, django_capture_on_commit_callbacks
):
    client = client_as("pm")
    body = start(client, {"budget": 120_000}, django_capture_on_commit_callbacks).json()
    result = client.get(f"{URL}{body['id']}/").json()["result"]
    assert result["selected"] == []
    assert result["total_npv"] == 0
    assert result["budget"] == 120_000


def test_must_include_and_exclude_are_honoured_and_rejected_ideas_are_not_candidates(
    client_as, shared_pair, django_capture_on_commit_callbacks
):
    IdeaFactory(title="Dropped", status=m.Idea.Status.REJECTED)
    client = client_as("pm")
    body = start(
        client,
        {
            "must_include": [shared_pair.churn.pk],
            "must_exclude": [shared_pair.upsell.pk],
            "discount_rate": 0.2,
            "horizon_years": 5,
        },
        django_capture_on_commit_callbacks,
    ).json()
    run = client.get(f"{URL}{body['id']}/").json()
    assert run["must_include"] == [shared_pair.churn.pk]
    assert run["discount_rate"] == 0.2 and run["horizon_years"] == 5
    assert run["result"]["selected"] == [shared_pair.churn.pk]
    assert run["result"]["candidates"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"budget": -1}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"must_include": [True]}, "must_include"),
        ({"must_include": [987654]}, "must_include"),
        ({"must_include": "all"}, "must_include"),
        ({"must_exclude": [0]}, "must_exclude"),
        ({"discount_rate": 1.5}, "discount_rate"),
        ({"horizon_years": 0}, "horizon_years"),
        ({"horizon_years": 31}, "horizon_years"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    client_as, shared_pair, body, field
):
    response = client_as("pm").post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not m.PortfolioRun.objects.exists()


def test_overlap_rejected_idea_and_unaffordable_must_include_are_refused(client_as, shared_pair):
    client = client_as("pm")
    both = client.post(
        URL,
        {"must_include": [shared_pair.churn.pk], "must_exclude": [shared_pair.churn.pk]},
        format="json",
    )
    assert both.status_code == 400 and "must_exclude" in both.json()

    rejected = IdeaFactory(status=m.Idea.Status.REJECTED)
    refused = client.post(URL, {"must_include": [rejected.pk]}, format="json")
    assert refused.status_code == 400 and "must_include" in refused.json()

    # Churn alone needs 110k (its feature and the dataset).
    poor = client.post(
        URL, {"budget": 100_000, "must_include": [shared_pair.churn.pk]}, format="json"
    )
    assert poor.status_code == 400 and "110,000" in poor.json()["budget"][0]
    assert not m.PortfolioRun.objects.exists()


def test_who_may_start_and_read_runs(client_as, users, api_client_for, shared_pair):
    from tests.factories import UserFactory

    assert client_as("anon").post(URL, {}, format="json").status_code in (401, 403)
    nobody = api_client_for(UserFactory(username="no-group"))
    assert nobody.post(URL, {}, format="json").status_code == 403
    assert nobody.get(URL).status_code == 200
    assert client_as("lead").post(URL, {}, format="json").status_code == 202


def test_unknown_run_is_404(client_as, db):
    assert client_as("pm").get(f"{URL}999/").status_code == 404
    assert client_as("pm").get(f"{URL}99999999999999999999/").status_code == 404


def test_listing_runs_takes_a_constant_number_of_queries(client_as, shared_pair):
    client = client_as("pm")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    m.PortfolioRun.objects.create(params={"budget": None})
    few = count()
    for _ in range(5):
        m.PortfolioRun.objects.create(params={"budget": 1.0})
    assert count() == few
    assert len(client.get(URL).json()["results"]) == 6
