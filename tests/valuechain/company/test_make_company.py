"""`manage.py make_company`: a large believable company, the same for a seed, that never
overwrites a company by accident."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory

from contracts.models import DataContract, ValidationRun
from contracts.registry import selectors as contract_selectors
from tests.contracts.factories import DataContractFactory
from tests.factories import FeatureFactory, IdeaFactory
from valuechain import models as m
from valuechain.company.build import NEEDS_PER_IDEA, tier_counts
from valuechain.demo import DEMO_PASSWORD
from valuechain.figures import store
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db

IDEAS, ASSETS = 12, 80


def make(**options: object) -> str:
    out = StringIO()
    call_command("make_company", stdout=out, **{"ideas": IDEAS, "assets": ASSETS, **options})
    return out.getvalue()


def snapshot() -> dict[str, object]:
    """The company by names, ids aside: what two runs of one seed must share."""
    return {
        "features": sorted(
            (
                f.name,
                f.available,
                f.build_likely,
                tuple(sorted(c.name for c in f.curated_datasets.all())),
            )
            for f in m.Feature.objects.prefetch_related("curated_datasets")
        ),
        "curated": sorted(
            (c.name, c.available, tuple(sorted(r.name for r in c.raw_sources.all())))
            for c in m.CuratedDataset.objects.prefetch_related("raw_sources")
        ),
        "raw": sorted(
            (r.name, r.acquisition_option.name if r.acquisition_option else None)
            for r in m.RawSource.objects.select_related("acquisition_option")
        ),
        "ideas": sorted(
            (i.title, i.status, i.benefit_likely, i.probability_of_success)
            for i in m.Idea.objects.all()
        ),
        "needs": sorted(
            (n.idea.title, n.name, n.weight) for n in m.Need.objects.select_related("idea")
        ),
        "stakeholders": m.StakeholderAssignment.objects.count(),
    }


def test_builds_a_company_of_the_requested_size():
    out = make(seed=3)

    expected = tier_counts(ASSETS)
    assert m.Feature.objects.count() == expected["feature"] > expected["curated_dataset"]
    assert m.CuratedDataset.objects.count() == expected["curated_dataset"] > 0
    assert m.RawSource.objects.count() == expected["raw_source"] > 0
    assert m.AcquisitionOption.objects.count() == expected["acquisition_option"] > 0
    assert sum(expected.values()) == ASSETS
    assert m.Idea.objects.count() == IDEAS
    assert m.Need.objects.count() == IDEAS * NEEDS_PER_IDEA
    assert f"{IDEAS} ideas" in out and f"{IDEAS * NEEDS_PER_IDEA} needs" in out


def test_every_idea_needs_eight_assets_mostly_features():
    make(seed=3)

    per_idea = m.Idea.objects.annotate(n=Count("needs")).values_list("n", flat=True)
    assert set(per_idea) == {NEEDS_PER_IDEA}
    assert m.Need.objects.filter(feature__isnull=False).count() > IDEAS * NEEDS_PER_IDEA / 2
    assert len({i.title for i in m.Idea.objects.all()}) == IDEAS


def test_lineage_runs_from_features_up_to_acquisition():
    make(seed=3)

    for feature in m.Feature.objects.annotate(n=Count("curated_datasets")):
        assert 1 <= feature.n <= 3
    for curated in m.CuratedDataset.objects.annotate(n=Count("raw_sources")):
        assert 1 <= curated.n <= 3
    assert not m.AcquisitionOption.objects.filter(available=True).exists()
    available = m.Feature.objects.filter(available=True).count()
    assert available > m.Feature.objects.count() / 2  # most features exist already


def test_the_same_seed_gives_the_same_company_and_another_seed_another():
    make(seed=7)
    first = snapshot()
    make(seed=7, replace=True)
    assert snapshot() == first
    make(seed=8, replace=True)
    assert snapshot() != first


def test_every_idea_gets_roi_figures_and_the_demo_people_can_log_in():
    make(seed=3)

    # the command stored every idea's figures: the first page reads them, computing none
    assert store.stale_count() == 0
    reports = selectors.roi_reports(list(selectors.ideas()))
    assert len(reports) == IDEAS
    request = RequestFactory().post("/login/")
    assert authenticate(request=request, username="pm", password=DEMO_PASSWORD) is not None
    assert m.Idea.objects.filter(owner__username__in=["pm", "pm2"]).count() == IDEAS


def test_refuses_to_touch_an_existing_company_without_replace():
    idea = IdeaFactory()
    FeatureFactory()

    with pytest.raises(CommandError, match="--replace"):
        make()

    assert list(m.Idea.objects.all()) == [idea]
    assert m.Feature.objects.count() == 1


def test_replace_deletes_the_existing_catalogue_and_ideas_first():
    idea = IdeaFactory(title="An idea of the old company")
    FeatureFactory(name="old_feature")
    DataContractFactory()  # governs a curated dataset of the old catalogue
    unbound = DataContractFactory(asset_type="", asset_id=None)

    make(replace=True)

    assert not m.Idea.objects.filter(pk=idea.pk).exists()
    assert not m.Feature.objects.filter(name="old_feature").exists()
    assert m.Idea.objects.count() == IDEAS
    # a contract bound to an old asset would otherwise govern whichever new one took its id
    assert list(DataContract.objects.filter(asset_type="")) == [unbound]
    assert DataContract.objects.count() == 1 + _bound_to_the_new_catalogue()


def _bound_to_the_new_catalogue() -> int:
    """How many contracts the company has, each checked to govern one of its assets."""
    bound = DataContract.objects.exclude(asset_type="")
    for contract in bound:
        assert (
            m.ASSET_MODELS[contract.asset_type]
            ._default_manager.filter(pk=contract.asset_id)
            .exists()
        )
    return bound.count()


def test_part_of_the_raw_and_curated_data_is_governed_and_some_of_it_misbehaves():
    """Contract health at the company's size: contracts of each status on curated data and
    raw sources, published versions, consumers, a week of runs and some breaches."""
    make(seed=3, ideas=40, assets=400)

    count = _bound_to_the_new_catalogue()
    contracts = DataContract.objects.prefetch_related("versions", "consumers")
    assert 0 < count < m.CuratedDataset.objects.count() + m.RawSource.objects.count()
    assert {c.asset_type for c in contracts} == {"curated_dataset", "raw_source"}
    assert {c.status for c in contracts} >= {"active", "draft"}
    for contract in contracts:
        (version,) = contract.versions.all()
        assert version.is_published == (contract.status != "draft")
        assert contract.consumers.exists()
    active = contracts.filter(status="active")
    assert ValidationRun.objects.filter(contract__in=active).count() == 3 * active.count()
    health = contract_selectors.contract_health_by_id(
        list(m.Idea.objects.values_list("pk", flat=True)), detail=False
    )
    # a mixed picture, as in a real company: gaps, and contracts that are drafts or misbehave
    reasons = {reason.level for found in health.values() for reason in found.reasons}
    assert {"at_risk", "ungoverned"} <= reasons


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ideas": 0}, "--ideas must be between 1"),
        ({"ideas": 10**6}, "--ideas must be between 1"),
        ({"assets": 5}, "--assets must be between 10"),
        ({"seed": -1}, "--seed must be between 0"),
    ],
)
def test_refuses_sizes_out_of_bounds(options, message):
    with pytest.raises(CommandError, match=message):
        make(**options)
    assert not m.Idea.objects.exists()


def test_the_planner_knows_the_tables_it_filled():
    """Statistics refreshed at the end: planned for empty tables, an idea's page would read its
    needs' assets by scanning whole catalogue tables until autovacuum's next round."""
    make(seed=3)
    features = m.Feature.objects.count()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'valuechain_feature'")
            (estimate,) = cursor.fetchone()
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'valuechain_feature'")
            estimate = int(cursor.fetchone()[0].split()[0])
    assert estimate == features > 0
