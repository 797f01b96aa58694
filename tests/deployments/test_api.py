"""The deployments API: types, an idea's plan, and the recommendation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deployments.models import DeploymentPlan, DeploymentType
from tests.deployments.factories import DeploymentPlanFactory, deployment_type
from tests.factories import FeatureFactory, IdeaFactory, NeedFactory, RoleFactory

pytestmark = pytest.mark.django_db

RECOMMEND = "/api/deployments/recommend/"

KEYBOARD = {
    "latency_ms": 10,
    "requests_per_day": 100_000_000,
    "freshness": "seconds",
    "data_location": "device",
    "privacy_sensitive": True,
    "connectivity": "intermittent",
    "inputs_enumerable": False,
    "continuous_events": True,
}


def plan_url(idea_id: int) -> str:
    return f"/api/ideas/{idea_id}/deployment-plan/"


def plan_body(**overrides: object) -> dict[str, object]:
    return {
        "deployment_type": "request_response",
        "latency_ms": 150,
        "requests_per_day": 200_000,
        "freshness": "seconds",
        "data_location": "server",
        "connectivity": "always",
        "api_protocol": "grpc",
        "api_contract": "service Scoring { rpc Score(Request) returns (Score); }",
        **overrides,
    }


# --- deployment types -------------------------------------------------------


def test_deployment_types_lists_the_four_seeded_profiles(api_client_for, exec_user) -> None:
    response = api_client_for(exec_user).get("/api/deployment-types/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["kind"] for row in rows] == ["batch", "stream", "request_response", "edge"]
    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["request_response"]["needs_online_features"] is True
    assert by_kind["batch"]["needs_online_features"] is False
    assert "real-time storage" in by_kind["batch"]["description"]
    setup = by_kind["edge"]["setup_estimate"]
    assert setup["low"] <= setup["likely"] <= setup["high"]
    assert by_kind["edge"]["extra_estimates"]["compression"]["likely"] > 0
    assert by_kind["stream"]["extra_estimates"]["online_feature_setup"]["likely"] > 0


def test_deployment_types_need_authentication(api_client_for) -> None:
    assert api_client_for(None).get("/api/deployment-types/").status_code == 401


def test_there_are_always_exactly_four_types(api_client_for, staff_user) -> None:
    client = api_client_for(staff_user)
    edge = DeploymentType.objects.get(kind="edge")

    assert client.post("/api/deployment-types/", {}, format="json").status_code == 405
    assert client.delete(f"/api/deployment-types/{edge.pk}/").status_code == 405
    assert DeploymentType.objects.count() == 4


def test_staff_reprice_a_type_and_its_plans_follow(api_client_for, staff_user, pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, feature=FeatureFactory(online=False))
    stream = deployment_type("stream", setup=60_000, online_feature_setup=4_000)
    DeploymentPlanFactory(idea=idea, deployment_type=stream, continuous_events=True)
    client = api_client_for(staff_user)

    response = client.patch(
        f"/api/deployment-types/{stream.pk}/",
        {
            "setup_estimate": {"low": 40_000, "likely": 50_000, "high": 90_000},
            "extra_estimates": {
                "online_feature_setup": {"low": 1_000, "likely": 1_000, "high": 1_000}
            },
            "kind": "edge",  # not writable: ignored
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "stream"
    assert body["setup_estimate"] == {"low": 40_000, "likely": 50_000, "high": 90_000}
    plan = client.get(plan_url(idea.pk)).json()
    assert plan["deployment_setup_cost"] == pytest.approx(
        (40_000 + 4 * 50_000 + 90_000) / 6 + 1_000
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"typical_latency_ms": 0}, "typical_latency_ms"),
        ({"setup_estimate": {"low": 9, "likely": 1, "high": 10}}, "setup_estimate"),
        ({"extra_estimates": {"teleport": {"low": 1, "likely": 1, "high": 1}}}, "extra_estimates"),
        (
            {"extra_estimates": {"compression": {"low": -1, "likely": 1, "high": 1}}},
            "extra_estimates",
        ),
        ({"needs_online_features": "sometimes"}, "needs_online_features"),
    ],
)
def test_invalid_type_changes_are_400s_naming_the_field(
    api_client_for, staff_user, body: dict[str, object], field: str
) -> None:
    edge = DeploymentType.objects.get(kind="edge")
    before = edge.setup_likely

    response = api_client_for(staff_user).patch(
        f"/api/deployment-types/{edge.pk}/", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    edge.refresh_from_db()
    assert edge.setup_likely == before


@pytest.mark.parametrize("who", ["pm_user", "lead_user", "exec_user"])
def test_only_staff_change_a_type(api_client_for, request, who: str) -> None:
    edge = DeploymentType.objects.get(kind="edge")

    response = api_client_for(request.getfixturevalue(who)).patch(
        f"/api/deployment-types/{edge.pk}/", {"name": "Phone"}, format="json"
    )

    assert response.status_code == 403
    edge.refresh_from_db()
    assert edge.name == "Edge"


# --- recommendation -----------------------------------------------------------


def test_recommend_ranks_the_four_types_best_first_with_reasons(api_client_for, pm_user) -> None:
    response = api_client_for(pm_user).post(RECOMMEND, KEYBOARD, format="json")

    assert response.status_code == 200
    ranking = response.json()
    assert ranking[0]["type"] == "edge"
    assert sorted(item["type"] for item in ranking) == [
        "batch",
        "edge",
        "request_response",
        "stream",
    ]
    scores = [item["score"] for item in ranking]
    assert scores == sorted(scores, reverse=True)
    assert all(item["reasons"] for item in ranking)


def test_recommend_offers_batch_with_real_time_storage_for_enumerable_inputs(
    api_client_for, exec_user
) -> None:
    body = {
        "latency_ms": 200,
        "requests_per_day": 5_000_000,
        "freshness": "hours",
        "data_location": "server",
        "connectivity": "always",
        "inputs_enumerable": True,
    }

    ranking = api_client_for(exec_user).post(RECOMMEND, body, format="json").json()

    assert ranking[0]["type"] == "batch"
    assert ranking[0]["realtime_storage"] is True
    assert any("real-time storage" in reason for reason in ranking[0]["reasons"])
    assert not any(item["realtime_storage"] for item in ranking[1:])


def test_contradictory_requirements_are_explained_not_rejected(api_client_for, pm_user) -> None:
    body = {**KEYBOARD, "data_location": "server", "connectivity": "none"}

    response = api_client_for(pm_user).post(RECOMMEND, body, format="json")

    assert response.status_code == 200
    ranking = response.json()
    assert not any(item["viable"] for item in ranking)
    edge = next(item for item in ranking if item["type"] == "edge")
    assert any("data only on servers and no connectivity" in c for c in edge["conflicts"])
    assert all(any("No deployment type" in c for c in item["conflicts"]) for item in ranking)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latency_ms", 0),
        ("latency_ms", -5),
        ("latency_ms", "fast"),
        ("requests_per_day", -1),
        ("freshness", "weekly"),
        ("data_location", "cloud"),
        ("connectivity", "sometimes"),
        ("privacy_sensitive", "perhaps"),
    ],
)
def test_recommend_rejects_invalid_values_naming_the_field(
    api_client_for, pm_user, field: str, value: object
) -> None:
    response = api_client_for(pm_user).post(RECOMMEND, {**KEYBOARD, field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_recommend_names_each_missing_field(api_client_for, pm_user) -> None:
    response = api_client_for(pm_user).post(RECOMMEND, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {
        "latency_ms",
        "requests_per_day",
        "freshness",
        "data_location",
        "connectivity",
    }


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"text"', "{"])
def test_recommend_rejects_malformed_bodies_with_400(api_client_for, pm_user, body: str) -> None:
    response = api_client_for(pm_user).generic(
        "POST", RECOMMEND, body, content_type="application/json"
    )

    assert response.status_code == 400


def test_recommend_needs_authentication(api_client_for) -> None:
    assert api_client_for(None).post(RECOMMEND, KEYBOARD, format="json").status_code == 401


# --- an idea's plan -------------------------------------------------------------


def test_owner_creates_then_replaces_the_plan(api_client_for, pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    client = api_client_for(pm_user)

    created = client.put(plan_url(idea.pk), plan_body(), format="json")
    replaced = client.put(
        plan_url(idea.pk),
        plan_body(
            deployment_type="batch",
            batch_schedule="0 2 * * *",
            loads_realtime_storage=True,
            inputs_enumerable=True,
            api_protocol="",
            api_contract="",
        ),
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["deployment_type"] == "request_response"
    assert created.json()["api_protocol"] == "grpc"
    assert replaced.status_code == 200
    body = replaced.json()
    assert body["deployment_type"] == "batch"
    assert body["batch_schedule"] == "0 2 * * *"
    assert body["api_contract"] == ""  # a plan only describes its own type
    assert DeploymentPlan.objects.filter(idea=idea).count() == 1


def test_plan_response_states_costs_recommendation_and_comparison(api_client_for, pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, feature=FeatureFactory(online=False))
    deployment_type("request_response", setup=30_000, run=10_000, online_feature_setup=2_000)

    body = api_client_for(pm_user).put(plan_url(idea.pk), plan_body(), format="json").json()

    assert body["deployment_setup_cost"] == pytest.approx(32_000)
    assert body["deployment_run_cost"] == pytest.approx(10_000)
    assert body["recommendation"][0]["type"] == "request_response"
    assert {row["type"] for row in body["comparison"]} == {
        "batch",
        "stream",
        "request_response",
        "edge",
    }
    assert [row["type"] for row in body["comparison"] if row["is_plan"]] == ["request_response"]
    assert body["conflicts"] == []


def test_a_plan_that_cannot_work_is_saved_with_its_conflicts(api_client_for, pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    body = plan_body(
        deployment_type="edge",
        data_location="server",
        connectivity="none",
        api_protocol="",
        api_contract="",
        edge_platform="android",
    )

    response = api_client_for(pm_user).put(plan_url(idea.pk), body, format="json")

    assert response.status_code == 201
    assert any("no connectivity" in c for c in response.json()["conflicts"])


def test_get_plan_returns_it_to_any_authenticated_user(api_client_for, exec_user) -> None:
    plan = DeploymentPlanFactory(batch_schedule="@daily", loads_realtime_storage=True)

    response = api_client_for(exec_user).get(plan_url(plan.idea_id))

    assert response.status_code == 200
    assert response.json()["deployment_type"] == "batch"
    assert response.json()["batch_schedule"] == "@daily"


def test_get_plan_404s_without_a_plan_or_an_idea(api_client_for, exec_user) -> None:
    client = api_client_for(exec_user)
    idea = IdeaFactory()

    assert client.get(plan_url(idea.pk)).status_code == 404
    assert client.get(plan_url(999_999)).status_code == 404
    assert client.put(plan_url(999_999), plan_body(), format="json").status_code in (403, 404)


@pytest.mark.parametrize("who", ["other_pm", "lead_user", "exec_user"])
def test_only_the_owner_or_staff_write_a_plan(
    api_client_for, pm_user, staff_user, request, who: str
) -> None:
    idea = IdeaFactory(owner=pm_user)

    denied = api_client_for(request.getfixturevalue(who)).put(
        plan_url(idea.pk), plan_body(), format="json"
    )
    allowed = api_client_for(staff_user).put(plan_url(idea.pk), plan_body(), format="json")

    assert denied.status_code == 403
    assert allowed.status_code == 201


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"deployment_type": "quantum"}, "deployment_type"),
        ({"latency_ms": 0}, "latency_ms"),
        ({"requests_per_day": -3}, "requests_per_day"),
        ({"freshness": "never"}, "freshness"),
        ({"api_protocol": "soap"}, "api_protocol"),
        ({"batch_schedule": "@hourly"}, "batch_schedule"),  # not a batch plan
        ({"edge_platform": "android"}, "edge_platform"),
        ({"model_size_budget_mb": 0}, "model_size_budget_mb"),
        ({"setup_estimate": {"low": 5, "likely": 3, "high": 9}}, "setup_estimate"),
        ({"setup_estimate": {"low": -1, "likely": 3, "high": 9}}, "setup_estimate"),
        ({"run_estimate": {"low": 1, "likely": 2, "high": 3, "days_of_role": 999}}, "run_estimate"),
        ({"api_contract": "x" * 20_001}, "api_contract"),
    ],
)
def test_invalid_plans_are_400s_naming_the_field_and_write_nothing(
    api_client_for, pm_user, override: dict[str, object], field: str
) -> None:
    idea = IdeaFactory(owner=pm_user)

    response = api_client_for(pm_user).put(plan_url(idea.pk), plan_body(**override), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not DeploymentPlan.objects.filter(idea=idea).exists()


def test_invalid_replacement_keeps_the_old_plan(api_client_for, pm_user) -> None:
    plan = DeploymentPlanFactory(idea=IdeaFactory(owner=pm_user), latency_ms=300)

    response = api_client_for(pm_user).put(
        plan_url(plan.idea_id), plan_body(latency_ms=-1), format="json"
    )

    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.latency_ms == 300
    assert plan.deployment_type.kind == "batch"


def test_person_day_estimates_are_priced_at_the_roles_day_rate(api_client_for, pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    role = RoleFactory(day_rate=1_000)
    body = plan_body(setup_estimate={"low": 10, "likely": 10, "high": 10, "days_of_role": role.pk})

    response = api_client_for(pm_user).put(plan_url(idea.pk), body, format="json").json()

    assert response["setup_estimate"]["days_of_role"] == role.pk
    assert response["deployment_setup_cost"] == pytest.approx(10_000)


def test_owner_deletes_the_plan(api_client_for, pm_user, other_pm) -> None:
    plan = DeploymentPlanFactory(idea=IdeaFactory(owner=pm_user))

    assert api_client_for(other_pm).delete(plan_url(plan.idea_id)).status_code == 403
    assert api_client_for(pm_user).delete(plan_url(plan.idea_id)).status_code == 204
    assert api_client_for(pm_user).delete(plan_url(plan.idea_id)).status_code == 404


def test_plan_query_count_does_not_grow_with_the_idea(api_client_for, exec_user) -> None:
    client = api_client_for(exec_user)

    def queries_for(needs: int) -> int:
        plan = DeploymentPlanFactory()
        for _ in range(needs):
            NeedFactory(idea=plan.idea, feature=FeatureFactory())
        client.get(plan_url(plan.idea_id))  # warm the token and group lookups
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(plan_url(plan.idea_id)).status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(8)
