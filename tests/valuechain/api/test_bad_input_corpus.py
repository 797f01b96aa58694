"""The bad-input corpus: every hostile or absurd input a user can send answers a 4xx with a
message naming the field or the problem, never a 500, and leaves the database exactly as it was
(row counts and a checksum of every table of the three apps, before and after)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from contracts.models import ContractVersion
from deployments.models import DeploymentType
from tests.contracts.factories import ContractVersionFactory
from tests.deployments.factories import DeploymentPlanFactory
from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain.catalogue.bulk.document import MAX_REPORTED_ERRORS

pytestmark = pytest.mark.django_db

APPS = ("valuechain", "deployments", "contracts", "auth", "authtoken")


def database_state() -> dict[str, tuple[int, str]]:
    """Per table: its row count and a checksum of every row, in primary key order."""
    state = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            rows = list(model.objects.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode("utf-8", "backslashreplace")).hexdigest()
            state[model._meta.label] = (len(rows), digest)
    return state


@dataclass
class World:
    idea_id: int
    contract_id: int
    deployment_type_id: int
    clients: dict[str, APIClient]
    page: Client


@pytest.fixture
def world(
    pm_user: User,
    lead_user: User,
    staff_user: User,
    api_client_for: Callable[[User | None], APIClient],
) -> World:
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, feature=FeatureFactory(build_low=10, build_likely=20, build_high=30))
    DeploymentPlanFactory(idea=idea)
    version = ContractVersionFactory(contract__owner=lead_user)
    page = Client()
    page.force_login(staff_user)
    users = {"pm": pm_user, "lead": lead_user, "staff": staff_user}
    return World(
        idea_id=idea.pk,
        contract_id=version.contract_id,
        deployment_type_id=DeploymentType.objects.get(kind="batch").pk,
        # Made (with their tokens) before any case takes its snapshot of the database.
        clients={who: api_client_for(user) for who, user in users.items()},
        page=page,
    )


PLAN = {
    "deployment_type": "batch",
    "latency_ms": 200,
    "requests_per_day": 1000,
    "freshness": "hours",
    "data_location": "server",
    "connectivity": "always",
}
REQUIREMENTS = {k: v for k, v in PLAN.items() if k != "deployment_type"}
SURROGATE = '"\\udcff"'
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)
CSV_HEADER = "kind,name,build_low,build_likely,build_high\n"


@dataclass(frozen=True)
class Case:
    """One request: `who` sends `body` (a dict as JSON, or raw text with `content_type`)."""

    id: str
    method: str
    path: str
    expect: str  # a word the answer must contain: the field, or the problem
    body: Any = None
    content_type: str = "application/json"
    who: str = "staff"
    status: int = 400
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def _plan(**changes: Any) -> dict[str, Any]:
    return {**PLAN, **changes}


CASES = [
    # 3. money and counts bounded at the edge
    Case(
        "plan setup estimate 1e308",
        "put",
        "/api/ideas/{idea}/deployment-plan/",
        "setup_estimate",
        _plan(setup_estimate={"low": 1e308, "likely": 1e308, "high": 1e308}),
    ),
    Case(
        "plan run estimate above MAX_MONEY",
        "put",
        "/api/ideas/{idea}/deployment-plan/",
        "run_estimate",
        _plan(run_estimate={"low": 1, "likely": 2, "high": 2e15}),
    ),
    Case(
        "plan estimate as the string 1e999",
        "put",
        "/api/ideas/{idea}/deployment-plan/",
        "setup_estimate",
        _plan(setup_estimate={"low": "1e999", "likely": 1, "high": 1}),
    ),
    Case(
        "plan estimate as the string NaN",
        "put",
        "/api/ideas/{idea}/deployment-plan/",
        "run_estimate",
        _plan(run_estimate={"low": "NaN", "likely": 1, "high": 1}),
    ),
    Case(
        "plan requests per day 1e308",
        "put",
        "/api/ideas/{idea}/deployment-plan/",
        "requests_per_day",
        _plan(requests_per_day=1e308),
    ),
    Case(
        "plan latency 1e300",
        "put",
        "/api/ideas/{idea}/deployment-plan/",
        "latency_ms",
        _plan(latency_ms=1e300),
    ),
    Case(
        "plan role id beyond any column",
        "put",
        "/api/ideas/{idea}/deployment-plan/",
        "days_of_role",
        _plan(setup_estimate={"low": 1, "likely": 1, "high": 1, "days_of_role": 10**30}),
    ),
    Case(
        "deployment type setup cost 1e308",
        "patch",
        "/api/deployment-types/{deployment_type}/",
        "setup_estimate",
        {"setup_estimate": {"low": 1e308, "likely": 1e308, "high": 1e308}},
    ),
    Case(
        "deployment type extra cost above MAX_MONEY",
        "patch",
        "/api/deployment-types/{deployment_type}/",
        "extra_estimates",
        {"extra_estimates": {"compression": {"low": 1, "likely": 1, "high": 1e16}}},
    ),
    Case(
        "deployment type latency 1e300",
        "patch",
        "/api/deployment-types/{deployment_type}/",
        "typical_latency_ms",
        {"typical_latency_ms": 1e300},
    ),
    Case(
        "idea benefit 1e308",
        "post",
        "/api/ideas/",
        "benefit_estimate",
        {"title": "x", "benefit_estimate": {"low": 1e308, "likely": 1e308, "high": 1e308}},
        who="pm",
    ),
    Case(
        "role day rate 1e300",
        "post",
        "/api/roles/",
        "day_rate",
        {"name": "Quant", "day_rate": 1e300},
    ),
    Case(
        "a JSON number beyond a float (1e999)",
        "post",
        "/api/roles/",
        "out of range",
        '{"name": "Quant", "day_rate": 1e999}',
    ),
    Case(
        "NaN in a JSON body",
        "post",
        "/api/roles/",
        "NaN",
        '{"name": "Quant", "day_rate": NaN}',
    ),
    Case(
        "a record amount of 1e999 sent to validate",
        "post",
        "/api/contracts/{contract}/validate/",
        "out of range",
        '[{"order_id": "a1", "amount": 1e999}]',
        who="lead",
    ),
    Case(
        "a record amount of 1e999 in an uploaded batch",
        "post",
        "/api/contracts/{contract}/validate/",
        "out of range",
        files={"file": ("batch.ndjson", b'{"order_id": "a1", "amount": 1e999}\n')},
        who="lead",
    ),
    Case(
        "portfolio budget 1e999 as a string",
        "post",
        "/api/portfolio/runs/",
        "budget",
        {"budget": "1e999"},
    ),
    Case(
        "portfolio discount rate NaN",
        "post",
        "/api/portfolio/runs/",
        "discount_rate",
        {"discount_rate": "NaN"},
    ),
    Case(
        "portfolio must include an id beyond any column",
        "post",
        "/api/portfolio/runs/",
        "must_include",
        {"must_include": [99999999999999999999999]},
    ),
    Case(
        "catalogue import JSON with 1e999",
        "post",
        "/api/catalogue/import/?format=json",
        "out of range",
        '[{"kind": "feature", "name": "f", "build_low": 1e999}]',
        who="lead",
    ),
    Case(
        "catalogue import CSV with an estimate above MAX_MONEY",
        "post",
        "/api/catalogue/import/?format=csv",
        "build_",
        CSV_HEADER + "feature,f,1,1,1e308\n",
        content_type="text/csv",
        who="lead",
    ),
    # 5. YAML aliases
    Case(
        "catalogue import YAML alias bomb",
        "post",
        "/api/catalogue/import/?format=yaml",
        "anchors and aliases",
        BOMB,
        content_type="application/yaml",
        who="lead",
    ),
    Case(
        "catalogue import YAML with a single alias",
        "post",
        "/api/catalogue/import/?format=yaml",
        "line 1",
        "- &one {kind: feature, name: f}\n- *one\n",
        content_type="application/yaml",
        who="lead",
    ),
    # 7. unpaired surrogates in the shared JSON parsers
    *(
        Case(
            f"unpaired surrogate on {name}",
            "post",
            path,
            "surrogate",
            body.replace("SURROGATE", SURROGATE),
            who=who,
        )
        for name, path, body, who in (
            ("compatibility", "/api/contracts/compatibility/", '{"old": SURROGATE}', "lead"),
            (
                "versions/check",
                "/api/contracts/{contract}/versions/check/",
                '{"version": SURROGATE}',
                "lead",
            ),
            (
                "validate",
                "/api/contracts/{contract}/validate/",
                '[{"order_id": SURROGATE, "amount": 1}]',
                "lead",
            ),
            (
                "catalogue import",
                "/api/catalogue/import/?format=json",
                '[{"kind": "feature", "name": SURROGATE}]',
                "lead",
            ),
            (
                "recommend",
                "/api/deployments/recommend/",
                '{"freshness": SURROGATE}',
                "pm",
            ),
            ("ideas", "/api/ideas/", '{"title": SURROGATE}', "pm"),
            ("a key", "/api/roles/", '{"name": "Quant", SURROGATE: 1}', "staff"),
        )
    ),
    # 7. search bounded in terms
    Case(
        "search with 1,000 terms",
        "get",
        "/api/features/?search=" + "+".join(f"t{i}" for i in range(1000)),
        "search",
    ),
    Case(
        "search with 1,000 terms on deployment types",
        "get",
        "/api/deployment-types/?search=" + "+".join(f"t{i}" for i in range(1000)),
        "search",
    ),
    Case(
        "search with 1,000 terms on contracts",
        "get",
        "/api/contracts/?search=" + "+".join(f"t{i}" for i in range(1000)),
        "search",
    ),
]


def _send(world: World, case: Case) -> Any:
    client = world.clients[case.who]
    path = case.path.format(
        idea=world.idea_id, contract=world.contract_id, deployment_type=world.deployment_type_id
    )
    send = getattr(client, case.method)
    if case.files:
        uploads = {k: SimpleUploadedFile(n, data) for k, (n, data) in case.files.items()}
        return send(path, uploads, format="multipart")
    if case.body is None:
        return send(path)
    raw = case.body if isinstance(case.body, str) else json.dumps(case.body)
    return send(path, raw.encode("utf-8"), content_type=case.content_type)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_answers_4xx_naming_the_problem_and_changes_nothing(
    world: World, case: Case
) -> None:
    before = database_state()
    response = _send(world, case)
    assert response.status_code == case.status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    assert case.expect.lower() in response.content.decode().lower()
    assert database_state() == before


def test_portfolio_page_with_an_idea_id_beyond_any_column_is_a_form_error(world: World) -> None:
    before = database_state()
    response = world.page.post("/portfolio/", {"must_include": ["99999999999999999999999"]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert database_state() == before


def test_portfolio_page_budget_above_max_money_is_a_form_error(world: World) -> None:
    before = database_state()
    response = world.page.post("/portfolio/", {"budget": "1e300", "stop_tiers": "on"})
    assert response.status_code == 400
    assert "less than or equal to" in response.content.decode()
    assert database_state() == before


def test_deployment_plan_page_refuses_an_estimate_above_max_money(world: World) -> None:
    before = database_state()
    form = {
        "deployment_type": world.deployment_type_id,
        **{k: v for k, v in REQUIREMENTS.items()},
        "setup_low": "1e308",
        "setup_likely": "1e308",
        "setup_high": "1e308",
    }
    response = world.page.post(f"/deployments/ideas/{world.idea_id}/plan/", form)
    assert response.status_code in (200, 400)
    assert "less than or equal to" in response.content.decode()
    assert database_state() == before


def test_a_catalogue_import_with_many_bad_rows_reports_the_first_hundred_and_a_count(
    world: World,
) -> None:
    rows = "".join(f"feature,f{i},3,2,1\n" for i in range(MAX_REPORTED_ERRORS + 50))
    before = database_state()
    response = world.clients["lead"].post(
        "/api/catalogue/import/?format=csv",
        (CSV_HEADER + rows).encode(),
        content_type="text/csv",
    )
    assert response.status_code == 400
    body = response.json()
    assert len(body["errors"]) == MAX_REPORTED_ERRORS
    assert body["error_count"] == MAX_REPORTED_ERRORS + 50
    assert "50 more" in body["detail"]
    assert database_state() == before


def test_the_record_bound_leaves_ordinary_large_numbers_valid(world: World) -> None:
    response = world.clients["lead"].post(
        f"/api/contracts/{world.contract_id}/validate/",
        b'[{"order_id": "a1", "amount": 1e300}]',
        content_type="application/json",
    )
    assert response.status_code in (200, 201, 202), response.content[:300]
    assert ContractVersion.objects.filter(contract_id=world.contract_id).exists()
