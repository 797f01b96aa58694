"""The scenarios API: create, read with its portfolio, compare, sensitivity and roadmap."""

from __future__ import annotations

import pytest

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m

QUERY_BUDGET = 18
ROADMAP_ITEM_KEYS = {"kind", "asset_type", "asset_id", "idea", "role", "quarter", "person_days"}


@pytest.mark.django_db
def test_an_executive_creates_a_scenario_and_reads_its_portfolio(shared_pair, client_as) -> None:
    client = client_as("exec")
    answer = client.post(
        "/api/scenarios/",
        {"name": "Upsell doubted", "overrides": [
            {"target": "idea", "id": shared_pair.upsell.pk, "field": "benefit", "multiply": 0.1}
        ]},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    # Without upsell's benefit, the shared dataset no longer pays: nothing is selected.
    assert body["portfolio"]["selected"] == []
    detail = client.get(f"/api/scenarios/{body['id']}/").json()
    assert detail["name"] == "Upsell doubted"
    assert detail["portfolio"]["total_npv"] == 0
    assert detail["overrides"][0]["multiply"] == 0.1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": "x", "budget": "lots"}, "budget"),
        ({"name": "x", "horizon_years": 99}, "horizon_years"),
        ({"name": "x", "overrides": [{"target": "moon", "id": 1, "field": "x", "value": 1}]},
         "overrides"),
        ({"name": "x", "budget_change": float("1e400") if False else -101}, "budget_change"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(shared_pair, client_as, payload, field) -> None:
    answer = client_as("pm").post("/api/scenarios/", payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not m.Scenario.objects.exists()


@pytest.mark.django_db
def test_who_may_create_scenarios(shared_pair, client_as) -> None:
    assert client_as("anon").post("/api/scenarios/", {"name": "x"}, format="json").status_code in (
        401,
        403,
    )
    for who in ("pm", "lead", "exec"):
        assert (
            client_as(who).post("/api/scenarios/", {"name": who}, format="json").status_code == 201
        )


@pytest.mark.django_db
def test_compare_with_the_live_plan_highlights_what_changed(shared_pair, client_as) -> None:
    client = client_as("exec")
    cut = client.post("/api/scenarios/", {"name": "Budget -30 %", "budget_change": -30},
                      format="json").json()  # fmt: skip
    other = client.post("/api/scenarios/", {"name": "Same"}, format="json").json()
    answer = client.get(f"/api/scenarios/{cut['id']}/compare/?with=live,{other['id']}")
    assert answer.status_code == 200
    body = answer.json()
    assert [c["name"] for c in body["scenarios"]] == ["Budget -30 %", "Live plan", "Same"]
    live = body["scenarios"][1]
    assert live["total_npv"] == pytest.approx(40_000, rel=1e-6)
    assert live["differences"]["total_npv"]["change"] == pytest.approx(40_000, rel=1e-6)
    rows = {row["idea"]: row for row in body["ideas"]}
    assert rows[shared_pair.churn.pk]["stop_tiers"] == [None, 2, 2]
    assert rows[shared_pair.churn.pk]["differs"]
    assert client.get(f"/api/scenarios/{cut['id']}/compare/?with=").status_code == 400
    assert client.get(f"/api/scenarios/{cut['id']}/compare/?with=1,2,3,4").status_code == 400
    assert client.get(f"/api/scenarios/{cut['id']}/compare/?with=999999").status_code == 400


@pytest.mark.django_db
def test_the_roadmap_run_answers_the_documented_shape(
    shared_pair, client_as, django_capture_on_commit_callbacks
) -> None:
    client = client_as("pm")
    scenario = client.post("/api/scenarios/", {"name": "Plan"}, format="json").json()
    role = m.Role.objects.order_by("id").first()
    url = f"/api/scenarios/{scenario['id']}/roadmap/"
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            url,
            {"quarters": 4, "start": "2027Q1",
             "capacity": [{"role": role.pk, "quarter": "2027Q1", "person_days": 0}]},
            format="json",
        )  # fmt: skip
    assert started.status_code == 202, started.json()
    body = client.get(url).json()
    assert body["status"] == "succeeded", body
    assert {"items", "ideas", "cash", "npv", "gap"} <= set(body)
    assert body["items"] and all(set(i) >= ROADMAP_ITEM_KEYS for i in body["items"])
    assert {i["idea"] for i in body["ideas"]} == {shared_pair.churn.pk, shared_pair.upsell.pk}
    assert all(i["value_from"] for i in body["ideas"])
    assert set(body["cash"][0]) >= {"quarter", "one_off", "run", "benefit", "cumulative"}
    # The zero-capacity role does no work in 2027Q1.
    assert not [i for i in body["items"] if i["role"] == role.pk and i["quarter"] == "2027Q1"]
    # The shared dataset is built once, before either idea's own work.
    dataset = [i for i in body["items"] if i["asset_type"] == "curated_dataset"]
    first_idea = min(n for n, i in enumerate(body["items"]) if i["kind"] == "idea")
    assert dataset and max(body["items"].index(i) for i in dataset) < first_idea
    assert body["npv"] == pytest.approx(sum(r["discounted"] for r in body["cash"]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": "2027-01"}, "start"),
        ({"start": "2027Q1", "quarters": 99}, "quarters"),
        ({"start": "2027Q1", "capacity": [{"role": 1, "quarter": "2031Q1", "person_days": 5}]},
         "capacity"),
        ({"start": "2027Q1", "capacity": [{"role": 1, "quarter": "2027Q1", "person_days": -5}]},
         "capacity"),
    ],
)  # fmt: skip
def test_bad_roadmap_input_is_a_400(shared_pair, client_as, payload, field) -> None:
    client = client_as("pm")
    scenario = client.post("/api/scenarios/", {"name": "Plan"}, format="json").json()
    answer = client.post(f"/api/scenarios/{scenario['id']}/roadmap/", payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not m.RoadmapRun.objects.exists()


@pytest.mark.django_db
def test_sensitivity_answers(shared_pair, client_as) -> None:
    client = client_as("exec")
    scenario = client.post("/api/scenarios/", {"name": "Plan"}, format="json").json()
    body = client.get(f"/api/scenarios/{scenario['id']}/sensitivity/").json()
    assert len(body["break_even"]) == 2 and body["tornado"][0]["name"] == "Customer 360"


@pytest.mark.django_db
def test_the_list_costs_a_constant_number_of_queries(
    shared_pair, client_as, django_assert_max_num_queries
) -> None:
    client = client_as("exec")
    for n in range(2):
        m.Scenario.objects.create(name=f"s{n}", created_by=m.Scenario._meta.get_field(
            "created_by").related_model.objects.first())  # fmt: skip
    with django_assert_max_num_queries(8):
        assert client.get("/api/scenarios/").status_code == 200
    for n in range(30):
        m.Scenario.objects.create(name=f"t{n}")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/scenarios/").json()["results"]) == 32


def _more_ideas(shared_pair, count: int) -> None:
    for n in range(count):
        feature = FeatureFactory(
            name=f"Score {n}", curated_datasets=[shared_pair.dataset], build_likely=1_000,
            build_high=1_000, build_low=1_000,
        )  # fmt: skip
        idea = IdeaFactory(title=f"Idea {n}", benefit_low=50_000, benefit_likely=50_000,
                           benefit_high=50_000)  # fmt: skip
        NeedFactory(idea=idea, feature=feature)


@pytest.mark.django_db
def test_a_scenario_and_its_comparison_cost_a_constant_number_of_queries(
    shared_pair, client_as, django_assert_max_num_queries
) -> None:
    client = client_as("exec")
    scenario = client.post("/api/scenarios/", {"name": "Plan"}, format="json").json()
    urls = [
        f"/api/scenarios/{scenario['id']}/",
        f"/api/scenarios/{scenario['id']}/compare/?with=live",
        f"/api/scenarios/{scenario['id']}/sensitivity/",
    ]
    for size in (0, 25):
        _more_ideas(shared_pair, size)
        for url in urls:
            with django_assert_max_num_queries(QUERY_BUDGET):
                assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_roadmap_dates_hold_and_an_impossible_one_fails_the_run_saying_why(
    shared_pair, client_as, django_capture_on_commit_callbacks
) -> None:
    client = client_as("pm")
    scenario = client.post("/api/scenarios/", {"name": "Plan"}, format="json").json()
    url = f"/api/scenarios/{scenario['id']}/roadmap/"
    late = {"idea": shared_pair.churn.pk, "not_before": "2027Q3"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"quarters": 4, "start": "2027Q1", "dates": [late]}, format="json")
    body = client.get(url).json()
    churn = [i for i in body["items"] if i["idea"] == shared_pair.churn.pk]
    assert churn and min(i["quarter"] for i in churn) >= "2027Q3"
    nobody = [{"role": r.pk, "quarter": "2027Q1", "person_days": 0} for r in m.Role.objects.all()]
    urgent = {"idea": shared_pair.churn.pk, "must_start": "2027Q1"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {"quarters": 2, "start": "2027Q1", "capacity": nobody, "dates": [urgent]},
            format="json",
        )
    failed = client.get(url).json()
    assert failed["status"] == "failed" and "must-start" in failed["error"]
    bad = client.post(url, {"start": "2027Q1", "dates": [{"idea": 1, "must_start": "soon"}]},
                      format="json")  # fmt: skip
    assert bad.status_code == 400 and "dates" in bad.json()
