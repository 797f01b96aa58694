"""The demo company's contracts, portfolio run and simulation (`manage.py load_demo`)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from contracts import compatibility as compat
from contracts.demo import DEMO_CONTRACTS, ORDERS_V2
from contracts.demo_activity import MORE_CONTRACTS
from contracts.enforcement import selectors as enforcement
from contracts.models import (
    Consumer,
    ContractVersion,
    DataContract,
    DeadLetter,
    SlaBreach,
    ValidationRun,
)
from contracts.registry import selectors
from valuechain import models as vm
from valuechain.ideas import selectors as core_selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def load(django_capture_on_commit_callbacks):
    """Run the command as a user would: runs are computed once the transaction commits."""

    def run() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("load_demo", stdout=out)
        return out.getvalue()

    return run


def _state() -> dict[str, object]:
    return {
        "contracts": sorted(DataContract.objects.values_list("pk", "odcs_id", "status")),
        "versions": sorted(
            ContractVersion.objects.values_list("pk", "contract_id", "version", "published_at")
        ),
        "consumers": sorted(Consumer.objects.values_list("contract_id", "name", "pinned_major")),
        "validation runs": sorted(
            ValidationRun.objects.values_list(
                "pk", "contract_id", "valid_count", "dead_letter_count"
            )
        ),
        "breaches": sorted(SlaBreach.objects.values_list("pk", "contract_id", "key")),
        "dead letters": sorted(DeadLetter.objects.values_list("pk", "run_id", "record_index")),
        "portfolio runs": sorted(vm.PortfolioRun.objects.values_list("pk", "status")),
        "simulations": sorted(vm.SimulationRun.objects.values_list("pk", "status")),
    }


def test_running_again_adds_nothing(load):
    first_output = load()
    first = _state()
    assert load() == first_output
    assert _state() == first


def test_active_contracts_carry_a_compatible_minor_and_a_breaking_major(load):
    load()
    orders = DataContract.objects.get(odcs_id="hafen-orders")
    assert orders.status == DataContract.Status.ACTIVE
    assert orders.asset_key == ("curated_dataset", vm.CuratedDataset.objects.get(name="orders").pk)
    history = selectors.published_versions(orders)
    assert [v.version for v in history] == ["1.0.0", "1.1.0", "2.0.0"]
    assert history[1].changes and not any(c["breaking"] for c in history[1].changes)
    assert any(c["breaking"] for c in history[2].changes)
    # the 2.0.0 schema really breaks the 1.x line: as 1.x it would need a new major
    plan = selectors.plan_version(orders, ORDERS_V2, "1.2.0")
    assert plan.needs_major and plan.breaking
    pinned = set(orders.consumers.values_list("pinned_major", flat=True))
    assert pinned == {1, 2}
    several = DataContract.objects.filter(status=DataContract.Status.ACTIVE)
    assert sum(1 for c in several if len(selectors.published_versions(c)) >= 2) >= 3


def test_every_version_states_its_terms_against_its_own_schema(load):
    load()
    for version in ContractVersion.objects.select_related("contract"):
        compat.validate_schema(version.json_schema)
        assert version.json_schema["properties"], version
        assert version.sla.get("freshness"), version
        for threshold in version.missing_thresholds:
            compat.resolve_pointer(version.json_schema, threshold["field"])
        consumers = version.contract.consumers.all()
        published = set(
            version.contract.versions.filter(published_at__isnull=False).values_list(
                "major", flat=True
            )
        )
        assert {c.pinned_major for c in consumers} <= published


def test_two_draft_only_and_one_deprecated_contract(load):
    load()
    drafts = DataContract.objects.filter(status=DataContract.Status.DRAFT)
    assert drafts.count() == 2
    for draft in drafts:
        assert not draft.versions.filter(published_at__isnull=False).exists()
        assert draft.versions.count() == 1
    assert DataContract.objects.filter(status=DataContract.Status.DEPRECATED).count() == 1
    assert DataContract.objects.count() == len(DEMO_CONTRACTS) + len(MORE_CONTRACTS)


def test_recent_validation_runs_dead_letters_and_one_breach_in_the_window(load):
    load()
    policy = enforcement.health_policy()
    contracts = list(DataContract.objects.all())
    activity = enforcement.activity([c.pk for c in contracts], days=policy.window_days)
    by_name = {c.name: activity[c.pk] for c in contracts}
    assert sum(a.breaches for a in by_name.values()) == 1
    assert by_name["Product catalogue"].breaches == 1
    assert SlaBreach.objects.count() == 2  # the other one is older than the window
    assert sum(1 for a in by_name.values() if a.dead_letters) >= 4
    rates = {name: a.dead_letters / a.records for name, a in by_name.items() if a.records}
    assert rates["Payments"] > policy.max_dead_letter_rate
    # every dead-lettered record is there to read on the contract's page, with its error
    for run in ValidationRun.objects.all():
        letters = DeadLetter.objects.filter(run=run)
        assert letters.count() == run.dead_letter_count
        assert all(letter.errors and letter.errors[0]["message"] for letter in letters[:3])
    assert all(
        rate < policy.max_dead_letter_rate for name, rate in rates.items() if name != "Payments"
    )


def test_idea_pages_show_every_level_of_contract_health(load):
    load()
    ideas = list(vm.Idea.objects.all())
    health = selectors.ideas_contract_health(ideas)
    levels = {idea.title: health[idea.pk].level for idea in ideas}
    assert set(levels.values()) == {"healthy", "at_risk", "deprecated", "ungoverned"}
    assert levels["Homepage personalisation"] == "healthy"
    assert levels["Support ticket triage"] == "deprecated"
    # the product catalogue's stale delivery two days ago
    search = health[next(i.pk for i in ideas if i.title.startswith("Search ranking"))]
    assert search.level == "at_risk"
    assert search.risks[0].text == "Product catalogue: 1 SLA breach in the last 7 days."
    # governed through available assets: the payments dataset behind the fraud features
    fraud = health[next(i.pk for i in ideas if i.title == "Payment fraud scoring")]
    assert fraud.level == "at_risk"
    assert any("Payments: 6.5% of the 4,000 records" in r.text for r in fraud.risks)
    assert any("draft contract only (CrediScore buyer scores)" in r.text for r in fraud.risks)


def test_a_finished_portfolio_run_and_a_simulation_of_the_top_idea(load):
    load()
    run = vm.PortfolioRun.objects.get()
    assert run.status == vm.RunStatus.SUCCEEDED
    assert run.params["budget"] == 400_000
    assert run.result is not None
    assert run.result["selected"]
    assert run.result["one_off_investment"] <= 400_000
    simulation = vm.SimulationRun.objects.get()
    assert simulation.status == vm.RunStatus.SUCCEEDED
    reports = core_selectors.roi_reports(list(core_selectors.ideas()))
    top = max(reports.values(), key=lambda r: r.npv)
    assert simulation.idea_id == top.idea_id
    assert simulation.result is not None
    assert simulation.result["distribution"]["p10"] <= simulation.result["distribution"]["p90"]


def test_runs_a_user_made_are_not_joined_by_demo_runs(load, pm_user):
    idea = vm.Idea.objects.create(title="Mine", owner=pm_user)
    own = vm.SimulationRun.objects.create(idea=idea, draws=100, seed=1)
    load()
    assert list(vm.SimulationRun.objects.all()) == [own]
    assert vm.PortfolioRun.objects.count() == 1
