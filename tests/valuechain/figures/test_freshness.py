"""Stored figures are never older than the data: every kind of write that can change an idea's
ROI report makes it stale at once, only the ideas it touches, and the refresh after the commit
stores exactly what a fresh computation over the whole catalogue gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from deployments.models import DeploymentType
from tests.deployments.factories import DeploymentPlanFactory
from tests.engine.test_batch import assert_same_report
from tests.factories import (
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RoleFactory,
)
from valuechain import mappers
from valuechain import models as m
from valuechain.catalogue import services as catalogue_services
from valuechain.catalogue.bulk import database as bulk
from valuechain.engine import finance
from valuechain.estimates import EstimateInput
from valuechain.figures import store
from valuechain.ideas import selectors as idea_selectors
from valuechain.ideas import services as idea_services

pytestmark = pytest.mark.django_db


class Company:
    def __init__(self, chain: Any, lead: Any) -> None:
        self.chain = chain
        self.lead = lead
        self.role = RoleFactory(name="Analytics engineer", day_rate=600)
        # priced in person-days, at its tier's default feasibility, upstream of a feature to build
        self.spare = CuratedDatasetFactory(
            name="Promotions calendar",
            available=False,
            feasibility=None,
            build_low=10,
            build_likely=15,
            build_high=20,
            build_days_role=self.role,
        )
        chain.new_feature.curated_datasets.add(self.spare)
        self.plan = DeploymentPlanFactory(idea=chain.idea)
        # uses only a feature in the store: no change upstream of it touches its figures
        self.bystander = IdeaFactory(title="Churn alert")
        NeedFactory(idea=self.bystander, feature=chain.feature)


def _truth() -> dict[int, finance.RoiReport]:
    rates = mappers.day_rates()
    engine_ideas = mappers.ideas_to_engine(mappers.engine_ideas(), rates)
    catalogue = mappers.load_catalogue(rates)
    return {report.idea_id: report for report in finance.roi_reports(engine_ideas, catalogue)}


def _save(instance: Any, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()


def _import(*records: dict[str, Any]) -> None:
    data = json.dumps({"assets": list(records)}).encode()
    assert bulk.import_catalogue(data=data, fmt="json", dry_run=False).ok


def _mark_built(company: Company) -> None:
    _save(company.chain.idea, status=m.Idea.Status.SHIPPED)
    keys = [f"feature:{company.chain.new_feature.pk}"]
    idea_services.mark_built_available(idea=company.chain.idea, keys=keys, user=company.lead)


def _estimate(low: float, likely: float, high: float) -> dict[str, float]:
    return {"build_low": low, "build_likely": likely, "build_high": high}


Write = Callable[[Company], object]

# name -> (the write, whether the bystander idea is touched by it)
WRITES: dict[str, tuple[Write, bool]] = {
    "asset estimate, through the service": (
        lambda c: catalogue_services.update_asset(
            asset=c.chain.new_curated,
            changes={"build": EstimateInput(low=40_000, likely=50_000, high=90_000)},
        ),
        False,
    ),
    "raw data upstream of data to build": (
        lambda c: _save(c.chain.raw, build_low=60_000, build_likely=60_000, build_high=60_000),
        False,
    ),
    "acquisition estimate": (lambda c: _save(c.chain.acquisition, build_likely=250_000), False),
    "feature made available": (lambda c: _save(c.chain.new_feature, available=True), False),
    "curated data made available": (lambda c: _save(c.spare, available=True), False),
    "asset feasibility": (lambda c: _save(c.chain.new_curated, feasibility=0.3), False),
    "lineage added": (
        lambda c: c.chain.new_feature.curated_datasets.add(c.chain.new_curated),
        False,
    ),
    "lineage added from upstream": (
        lambda c: c.chain.new_curated.features.add(c.chain.new_feature),
        False,
    ),
    "lineage removed": (lambda c: c.chain.new_feature.curated_datasets.remove(c.spare), False),
    "lineage cleared": (lambda c: c.chain.new_feature.curated_datasets.clear(), False),
    "lineage cleared from upstream": (lambda c: c.spare.features.clear(), False),
    "acquisition unlinked": (lambda c: _save(c.chain.new_raw, acquisition_option=None), False),
    "upstream asset deleted": (lambda c: c.spare.delete(), False),
    "new feature replaces a need's data": (
        lambda c: _save(
            c.chain.idea.needs.get(name="promotions"),
            feature=FeatureFactory(available=False, build_likely=90_000, build_high=90_000),
        ),
        False,
    ),
    "day rate": (lambda c: _save(c.role, day_rate=1_500), True),
    "tier default feasibility": (
        lambda c: _save(m.TierProfile.objects.get(tier=2), default_feasibility=0.4),
        True,
    ),
    "idea benefit": (
        lambda c: _save(c.chain.idea, benefit_likely=400_000, benefit_high=500_000),
        False,
    ),
    "need added": (lambda c: NeedFactory(idea=c.chain.idea, curated_dataset=c.spare), False),
    "need weight": (lambda c: _save(c.chain.idea.needs.get(name="promotions"), weight=9), False),
    "need deleted": (lambda c: c.chain.idea.needs.get(name="weather").delete(), False),
    "deployment plan changed": (
        lambda c: _save(c.plan, deployment_type=DeploymentType.objects.get(kind="stream")),
        False,
    ),
    "deployment plan deleted": (lambda c: c.plan.delete(), False),
    "deployment type price": (
        lambda c: _save(
            DeploymentType.objects.get(kind="batch"),
            setup_low=0,
            setup_likely=70_000,
            setup_high=90_000,
        ),
        False,
    ),
    "catalogue import of an upstream estimate": (
        lambda c: _import(
            {
                "kind": "raw_source",
                "name": "Weather observations",
                **_estimate(45_000, 50_000, 70_000),
            }
        ),
        False,
    ),
    "catalogue import of new data linked to a feature to build": (
        lambda c: _import(
            {
                "kind": "curated_dataset",
                "name": "Holiday calendar",
                **_estimate(9_000, 9_000, 9_000),
            },
            {
                "kind": "feature",
                "name": "Promotion uplift",
                "upstream": ["Sales golden table", "Promotions calendar", "Holiday calendar"],
            },
        ),
        False,
    ),
    "catalogue import making a feature in the store one to build": (
        lambda c: _import(
            {
                "kind": "feature",
                "name": "Weekly sales per store",
                "available": False,
                **_estimate(20_000, 30_000, 40_000),
            }
        ),
        True,
    ),
    "shipped idea's data marked available": (
        lambda c: _mark_built(c),
        False,
    ),
}


@pytest.fixture
def company(value_chain: Any, lead_user: Any) -> Company:
    built = Company(value_chain, lead_user)
    store.refresh()
    # as if the company had been committed: its refresh ran, nothing is pending
    transaction.get_connection().run_on_commit.clear()
    return built


@pytest.mark.parametrize("name", WRITES)
def test_after_every_kind_of_write_stored_figures_equal_a_fresh_computation(
    company: Company, name: str, django_capture_on_commit_callbacks: Any
) -> None:
    write, touches_bystander = WRITES[name]
    idea, bystander = company.chain.idea.pk, company.bystander.pk
    before = store.figures_of([idea, bystander], compute_up_to=0)
    assert not before.refreshing
    cached = idea_selectors.explained_report(idea_selectors.ideas().get(pk=idea))  # now cached
    with django_capture_on_commit_callbacks(execute=False) as queued:
        write(company)
    assert queued, "a write that can change figures queues their refresh"
    # until the refresh runs, the changed idea's figures are not served at all
    during = store.figures_of([idea, bystander], compute_up_to=0)
    assert idea in during.refreshing
    assert (bystander in during.refreshing) is touches_bystander
    for callback in queued:
        callback()
    after = store.figures_of([idea, bystander], compute_up_to=0)
    assert not after.refreshing
    truth = _truth()
    for idea_id in (idea, bystander):
        assert_same_report(after.reports[idea_id], truth[idea_id])
    # the write really changed the idea's figures: had it been missed, they would differ
    assert after.reports[idea] != before.reports[idea]
    # the ROI report's explanation, cached under the figures' version, is never the old one
    explained = idea_selectors.explained_report(idea_selectors.ideas().get(pk=idea))
    assert_same_report(explained.report, truth[idea])
    assert explained.report != cached.report
