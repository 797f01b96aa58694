"""An idea's contract health over the database: behaviour in the window, and one reading for
the idea page and the dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.enforcement import selectors as enforcement
from contracts.models import DataContract
from contracts.registry import selectors
from tests.contracts.factories import (
    ContractVersionFactory,
    DataContractFactory,
    SlaBreachFactory,
    ValidationRunFactory,
)
from tests.factories import CuratedDatasetFactory, FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def governed():
    """An idea on an available feature computed from one contracted curated dataset."""
    orders = CuratedDatasetFactory(available=True, name="orders")
    feature = FeatureFactory(available=True, name="basket value", curated_datasets=[orders])
    idea = IdeaFactory(title="Basket upsell")
    NeedFactory(idea=idea, feature=feature)
    contract = DataContractFactory(name="Orders", asset_type="curated_dataset", asset_id=orders.pk)
    version = ContractVersionFactory(contract=contract)
    return idea, contract, version


def test_a_breach_in_the_window_makes_the_idea_at_risk(governed):
    idea, contract, version = governed
    assert selectors.idea_contract_health(idea).level == "healthy"
    SlaBreachFactory(
        contract=contract, version=version, detected_at=timezone.now() - timedelta(days=2)
    )
    health = selectors.idea_contract_health(idea)
    assert health.level == "at_risk"
    assert health.risks[0].text == "Orders: 1 SLA breach in the last 7 days."


def test_an_old_breach_outside_the_window_does_not(governed):
    idea, contract, version = governed
    SlaBreachFactory(
        contract=contract, version=version, detected_at=timezone.now() - timedelta(days=8)
    )
    assert selectors.idea_contract_health(idea).level == "healthy"


def test_the_window_is_a_setting(governed, settings):
    idea, contract, version = governed
    SlaBreachFactory(
        contract=contract, version=version, detected_at=timezone.now() - timedelta(days=8)
    )
    settings.VALUECHAIN = {**settings.VALUECHAIN, "CONTRACT_HEALTH_WINDOW_DAYS": 30}
    health = selectors.idea_contract_health(idea)
    assert health.level == "at_risk"
    assert "in the last 30 days" in health.risks[0].text


def test_the_dead_letter_rate_above_the_threshold_makes_the_idea_at_risk(governed):
    idea, contract, version = governed
    ValidationRunFactory(contract=contract, version=version, valid_count=95, dead_letter_count=5)
    assert selectors.idea_contract_health(idea).level == "healthy"  # 5 %: at the threshold
    ValidationRunFactory(contract=contract, version=version, valid_count=0, dead_letter_count=2)
    health = selectors.idea_contract_health(idea)  # 7 of 102
    assert health.level == "at_risk"
    assert "6.9% of the 102 records validated in the last 7 days" in health.risks[0].text
    # runs of last month do not count
    ValidationRunFactory(
        contract=contract,
        version=version,
        valid_count=100_000,
        received_at=timezone.now() - timedelta(days=40),
    )
    assert selectors.idea_contract_health(idea).level == "at_risk"


def test_activity_is_read_in_two_queries_whatever_the_contracts_and_runs():
    contracts = [DataContractFactory() for _ in range(3)]
    for contract in contracts:
        version = ContractVersionFactory(contract=contract)
        for _ in range(2):
            ValidationRunFactory(contract=contract, version=version, dead_letter_count=1)
        SlaBreachFactory(contract=contract, version=version)
    with CaptureQueriesContext(connection) as ctx:
        found = enforcement.activity([c.pk for c in contracts], days=7)
    assert len(ctx.captured_queries) == 2
    assert {a.breaches for a in found.values()} == {1}
    assert {(a.dead_letters, a.records) for a in found.values()} == {(2, 202)}


def test_no_contract_anywhere_upstream_is_ungoverned():
    raw_feature = FeatureFactory(available=True, name="weather", curated_datasets=[])
    idea = IdeaFactory()
    NeedFactory(idea=idea, feature=raw_feature)
    health = selectors.idea_contract_health(idea)
    assert health.level == "ungoverned"
    assert health.reasons[0].text == "No contract governs the data behind weather."


def _dashboard_health(client: Client) -> dict[str, str]:
    html = client.get("/dashboard/").content.decode()
    table = html.split('id="risk-table"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-idea="(\d+)">.*?data-health="(\w+)"', table, re.S)
    return dict(rows)


def test_the_dashboard_and_the_idea_page_agree(governed, exec_user, monkeypatch):
    idea, contract, version = governed
    SlaBreachFactory(contract=contract, version=version)
    other = IdeaFactory(title="Old contract")
    legacy = CuratedDatasetFactory(available=True, name="legacy")
    NeedFactory(idea=other, curated_dataset=legacy)
    DataContractFactory(
        asset_type="curated_dataset", asset_id=legacy.pk, status=DataContract.Status.RETIRED
    )
    calls = []
    real = selectors.contract_health_by_id

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "contract_health_by_id", spy)
    client = Client()
    client.force_login(exec_user)
    shown = _dashboard_health(client)
    assert calls, "the dashboard reads contract health through the idea page's function"
    for row in m.Idea.objects.all():
        page = client.get(f"/ideas/{row.pk}/").content.decode()
        level = re.search(r'id="contract-health" data-health="(\w+)"', page)
        assert level is not None
        assert shown[str(row.pk)] == level.group(1) == selectors.idea_contract_health(row).level
    assert shown == {str(idea.pk): "at_risk", str(other.pk): "deprecated"}


def test_the_summary_of_many_ideas_reads_each_idea_as_its_page_does(governed):
    """The dashboard walks lineage only for ideas downstream of a contract or linked to one;
    every idea's level and reasons are still those of its own page."""
    idea, contract, version = governed
    SlaBreachFactory(contract=contract, version=version)
    loose = CuratedDatasetFactory(available=False, name="clickstream")
    ungoverned = IdeaFactory(title="Ungoverned")
    NeedFactory(idea=ungoverned, feature=FeatureFactory(name="clicks", curated_datasets=[loose]))
    by_hand = IdeaFactory(title="Linked by hand")
    NeedFactory(idea=by_hand, curated_dataset=loose)
    draft = DataContractFactory(name="Draft", status=DataContract.Status.DRAFT)
    draft.ideas.add(by_hand)
    empty = IdeaFactory(title="No data yet")
    ids = [idea.pk, ungoverned.pk, by_hand.pk, empty.pk]
    detailed = selectors.contract_health_by_id(ids)
    summary = selectors.contract_health_by_id(ids, detail=False)
    for pk in ids:
        assert (summary[pk].state.level, summary[pk].state.reasons) == (
            detailed[pk].state.level,
            detailed[pk].state.reasons,
        )
    assert [summary[pk].state.level for pk in ids] == [
        "at_risk",
        "ungoverned",
        "ungoverned",  # its data is ungoverned, and its only contract a draft
        "no_data",
    ]
    assert any("draft contract only" in r.text for r in summary[by_hand.pk].state.reasons)


def test_the_dashboard_follows_a_need_pointed_at_other_data(governed, exec_user):
    """The needs' assets are cached with the figures' epoch: repointing a need is seen."""
    idea, contract, version = governed
    SlaBreachFactory(contract=contract, version=version)
    other = IdeaFactory(title="Clicks")
    need = NeedFactory(idea=other, feature=FeatureFactory(available=True, name="clicks"))
    client = Client()
    client.force_login(exec_user)
    assert _dashboard_health(client)[str(other.pk)] == "ungoverned"
    need.feature = idea.needs.get().feature  # now on the contracted data, with its breach
    need.save()
    assert _dashboard_health(client)[str(other.pk)] == "at_risk"
