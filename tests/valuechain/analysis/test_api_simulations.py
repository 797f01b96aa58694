"""Monte Carlo runs of an idea through the API."""

from __future__ import annotations

import pytest

from tests.factories import IdeaFactory
from valuechain import models as m

pytestmark = pytest.mark.django_db


def url(idea_id: int) -> str:
    return f"/api/ideas/{idea_id}/simulations/"


def start(client, idea_id, body, capture):
    with capture(execute=True):
        return client.post(url(idea_id), body, format="json")


def test_a_simulation_run_reports_the_npv_distribution_with_its_seed(
    client_as, shared_pair, django_capture_on_commit_callbacks
):
    client = client_as("pm")
    idea = shared_pair.churn
    response = start(
        client, idea.pk, {"draws": 2_000, "seed": 12}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["seed"] == 12 and body["draws"] == 2_000 and body["idea"] == idea.pk

    run = client.get(f"{url(idea.pk)}{body['id']}/").json()
    assert run["status"] == "succeeded" and run["progress"] == 100
    dist = run["result"]["distribution"]
    # Money is exact here: every draw is the expected NPV, -30k.
    assert dist["mean"] == pytest.approx(-30_000)
    assert dist["probability_of_loss"] == 1.0
    assert run["result"]["expected_npv"] == pytest.approx(-30_000)
    assert sum(dist["histogram"]["counts"]) == 2_000


def test_the_same_seed_reproduces_the_numbers_and_no_seed_draws_one(
    client_as, shared_pair, django_capture_on_commit_callbacks
):
    idea = shared_pair.upsell
    idea.benefit_low, idea.benefit_high = 10_000, 200_000
    idea.probability_of_success = 0.7
    idea.save()
    client = client_as("exec")
    runs = [
        start(
            client, idea.pk, {"draws": 1_000, "seed": 5}, django_capture_on_commit_callbacks
        ).json()["id"]
        for _ in range(2)
    ]
    first, second = (m.SimulationRun.objects.get(pk=pk).result or {} for pk in runs)
    assert first["distribution"] == second["distribution"]
    assert 0 < first["distribution"]["probability_of_loss"] < 1

    unseeded = start(client, idea.pk, {}, django_capture_on_commit_callbacks).json()
    assert unseeded["draws"] == 10_000
    assert isinstance(unseeded["seed"], int)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"draws": 99}, "draws"),
        ({"draws": 200_001}, "draws"),
        ({"draws": "many"}, "draws"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_draws_or_seed_is_a_400_naming_the_field(client_as, shared_pair, body, field):
    response = client_as("pm").post(url(shared_pair.churn.pk), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not m.SimulationRun.objects.exists()


def test_unknown_idea_or_run_is_404(client_as, shared_pair):
    client = client_as("pm")
    assert client.post(url(987654), {"draws": 100}, format="json").status_code == 404
    assert client.get(f"{url(shared_pair.churn.pk)}12345/").status_code == 404
    other = IdeaFactory()
    run = m.SimulationRun.objects.create(idea=shared_pair.churn, seed=1)
    # A run is only found under its own idea.
    assert client.get(f"{url(other.pk)}{run.pk}/").status_code == 404
    assert client.get(f"{url(shared_pair.churn.pk)}{run.pk}/").status_code == 200


def test_listing_shows_the_ideas_runs_without_results(client_as, shared_pair):
    m.SimulationRun.objects.create(idea=shared_pair.churn, seed=1)
    m.SimulationRun.objects.create(idea=shared_pair.upsell, seed=2)
    listed = client_as("lead").get(url(shared_pair.churn.pk)).json()["results"]
    assert [r["seed"] for r in listed] == [1]
    assert "result" not in listed[0]


def test_a_run_not_finished_has_no_result(client_as, shared_pair):
    run = m.SimulationRun.objects.create(
        idea=shared_pair.churn,
        seed=1,
        status=m.RunStatus.RUNNING,
        progress=40,
        result={"partial": True},
    )
    body = client_as("pm").get(f"{url(shared_pair.churn.pk)}{run.pk}/").json()
    assert body["status"] == "running" and body["progress"] == 40
    assert body["result"] is None
