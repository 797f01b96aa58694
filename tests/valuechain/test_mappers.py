"""ORM rows -> engine dataclasses: prices, defaults and lineage arrive in the engine intact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.deployments.factories import DeploymentPlanFactory
from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
)
from valuechain import mappers
from valuechain import models as m
from valuechain.engine import batch
from valuechain.engine.chain import AssetKind, Deployment, Estimate
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


def test_person_day_estimates_are_priced_at_the_role_day_rate():
    role = RoleFactory(name="Platform engineer", day_rate=700)
    feature = FeatureFactory(
        available=False,
        build_low=10,
        build_likely=12,
        build_high=20,
        build_days_role=role,
        run_low=1_000,
        run_likely=2_000,
        run_high=3_000,
    )
    asset = mappers.load_catalogue()[(AssetKind.FEATURE, feature.pk)]
    # build in days x 700; run stays money
    assert asset.build == Estimate(7_000, 8_400, 14_000)
    assert asset.build.mean == pytest.approx(700 * (10 + 48 + 20) / 6)
    assert asset.run == Estimate(1_000, 2_000, 3_000)


def test_an_empty_feasibility_takes_the_tier_default_which_admins_may_edit():
    raw = RawSourceFactory(feasibility=None)
    curated = CuratedDatasetFactory(feasibility=0.42, raw_sources=[raw])
    catalogue = mappers.load_catalogue()
    assert catalogue[(AssetKind.RAW_SOURCE, raw.pk)].feasibility == pytest.approx(0.75)
    assert catalogue[(AssetKind.CURATED_DATASET, curated.pk)].feasibility == 0.42
    m.TierProfile.objects.filter(tier=3).update(default_feasibility=0.5)
    catalogue = mappers.load_catalogue()
    assert catalogue[(AssetKind.RAW_SOURCE, raw.pk)].feasibility == 0.5


def test_lineage_becomes_upstream_keys_of_the_right_kind():
    option = AcquisitionOptionFactory()
    new_raw = RawSourceFactory(available=False, acquisition_option=option)
    old_raw = RawSourceFactory(available=True)
    curated = CuratedDatasetFactory(available=False, raw_sources=[new_raw, old_raw])
    feature = FeatureFactory(available=False, online=True, curated_datasets=[curated])
    catalogue = mappers.load_catalogue()
    assert catalogue[(AssetKind.FEATURE, feature.pk)].upstream == (
        (AssetKind.CURATED_DATASET, curated.pk),
    )
    assert catalogue[(AssetKind.FEATURE, feature.pk)].online
    assert set(catalogue[(AssetKind.CURATED_DATASET, curated.pk)].upstream) == {
        (AssetKind.RAW_SOURCE, new_raw.pk),
        (AssetKind.RAW_SOURCE, old_raw.pk),
    }
    assert catalogue[(AssetKind.RAW_SOURCE, new_raw.pk)].upstream == (
        (AssetKind.ACQUISITION_OPTION, option.pk),
    )
    assert catalogue[(AssetKind.RAW_SOURCE, old_raw.pk)].upstream == ()
    # the same feature id and curated dataset id never collide: keys carry the kind
    assert len(catalogue) == 5


def test_an_idea_maps_with_its_needs_in_order_and_priced_engineering():
    role = RoleFactory(name="Data wrangler", day_rate=500)
    raw = RawSourceFactory()
    idea = IdeaFactory(
        benefit_low=60_000,
        benefit_likely=90_000,
        benefit_high=180_000,
        probability_of_success=0.8,
        horizon_years=5,
        discount_rate=0.07,
    )
    NeedFactory(
        idea=idea,
        name="first",
        engineering_low=2,
        engineering_likely=4,
        engineering_high=6,
        engineering_days_role=role,
        weight=2,
        essential=False,
    )
    NeedFactory(idea=idea, name="second", raw_source=raw)
    engine_idea = mappers.idea_to_engine(selectors.ideas().get(pk=idea.pk))
    assert engine_idea.benefit.mean == pytest.approx(100_000)
    assert (engine_idea.probability, engine_idea.horizon_years, engine_idea.discount_rate) == (
        0.8,
        5,
        0.07,
    )
    first, second = engine_idea.needs
    assert first.name == "first" and first.asset[0] == AssetKind.FEATURE
    assert first.engineering == Estimate(1_000, 2_000, 3_000)
    assert (first.weight, first.essential) == (2.0, False)
    assert second.asset == (AssetKind.RAW_SOURCE, raw.pk)


def test_a_report_from_the_database_matches_the_hand_worked_numbers():
    # A raw source that arrives already (always charged: curation 12,000, run 3,000, 0.8)
    # feeding a curated dataset to build (24,000, run 6,000, 0.9) and a feature to build
    # (8,000, run 1,000, 0.95). One need on the feature, engineering 4,000.
    raw = RawSourceFactory(
        available=True,
        build_low=12_000,
        build_likely=12_000,
        build_high=12_000,
        run_low=3_000,
        run_likely=3_000,
        run_high=3_000,
        feasibility=0.8,
    )
    curated = CuratedDatasetFactory(
        available=False,
        build_low=24_000,
        build_likely=24_000,
        build_high=24_000,
        run_low=6_000,
        run_likely=6_000,
        run_high=6_000,
        feasibility=0.9,
        raw_sources=[raw],
    )
    feature = FeatureFactory(
        available=False,
        build_low=8_000,
        build_likely=8_000,
        build_high=8_000,
        run_low=1_000,
        run_likely=1_000,
        run_high=1_000,
        feasibility=0.95,
        curated_datasets=[curated],
    )
    idea = IdeaFactory(probability_of_success=0.8)  # benefit 100,000, 3 years at 10 %
    NeedFactory(
        idea=idea,
        feature=feature,
        engineering_low=4_000,
        engineering_likely=4_000,
        engineering_high=4_000,
    )
    report = selectors.roi_report(selectors.ideas().get(pk=idea.pk))
    # C0 = 4,000 + 8,000 + 24,000 + 12,000 = 48,000; R = 10,000
    # p = 0.8 x 0.95 x 0.9 x 0.8 = 0.5472; net = 54,720 - 10,000 = 44,720
    # NPV = -48,000 + 44,720 x 2.486852 = 63,212.02
    assert report.tier == 3
    assert report.one_off_investment == pytest.approx(48_000)
    assert report.annual_run_cost == pytest.approx(10_000)
    assert report.probability_of_success == pytest.approx(0.5472)
    assert report.npv == pytest.approx(63_212.02, abs=0.01)
    assert [step.tier for step in report.ladder] == [1, 2, 3]


def _catalogue_of(size: int) -> None:
    for _ in range(size):
        option = AcquisitionOptionFactory()
        raw = RawSourceFactory(available=False, acquisition_option=option)
        curated = CuratedDatasetFactory(raw_sources=[raw])
        FeatureFactory(curated_datasets=[curated])


@pytest.mark.parametrize("size", [3, 30])
def test_loading_the_catalogue_takes_a_constant_number_of_queries(size):
    _catalogue_of(size)
    with CaptureQueriesContext(connection) as queries:
        catalogue = mappers.load_catalogue()
    assert len(catalogue) == 4 * size
    # roles, tier defaults, three lineage tables, four asset tables
    assert len(queries) == 9


def _lineage(size: int) -> m.Feature:
    """A feature on two curated datasets, one on raw data from an acquisition option, among
    `size` unrelated chains."""
    for _ in range(size):
        FeatureFactory(curated_datasets=[CuratedDatasetFactory(raw_sources=[RawSourceFactory()])])
    option = AcquisitionOptionFactory()
    raw = RawSourceFactory(available=False, acquisition_option=option)
    curated = [CuratedDatasetFactory(available=False, raw_sources=[raw]), CuratedDatasetFactory()]
    return FeatureFactory(available=False, curated_datasets=curated)


def test_a_closure_load_holds_exactly_the_lineage_of_its_roots_as_the_catalogue_has_it():
    feature = _lineage(size=3)
    root = (AssetKind.FEATURE, feature.pk)
    whole = mappers.load_catalogue()
    part = mappers.load_closure([root])
    assert len(part) == 5  # feature, two curated, raw, acquisition option
    assert len(whole) == 5 + 3 * 3
    assert all(part[key] == whole[key] for key in part)
    # every upstream key is in the part: engine rules can walk it without the catalogue
    assert all(up in part for asset in part.values() for up in asset.upstream)


def test_a_closure_load_costs_the_same_queries_whatever_the_catalogue_size():
    counts = []
    for size in (1, 12):
        feature = _lineage(size)
        with CaptureQueriesContext(connection) as queries:
            mappers.load_closure([(AssetKind.FEATURE, feature.pk)])
        counts.append(len(queries))
    # two per tier, plus the curated -> curated links (model -> model lineage)
    assert counts[0] == counts[1] <= 9


def test_ideas_read_as_values_are_the_ideas_read_as_models(value_chain):
    DeploymentPlanFactory(idea=value_chain.idea)
    bare = IdeaFactory(title="No needs yet")
    rates = mappers.day_rates()
    as_models = mappers.ideas_to_engine(selectors.ideas().order_by("pk"), rates)
    as_values = mappers.engine_ideas_of(m.Idea.objects.order_by("pk"), rates)
    assert as_values == as_models
    assert [i.id for i in as_values] == sorted([value_chain.idea.pk, bare.pk])
    assert as_values[0].deployment != Deployment()


def test_ideas_read_as_columns_give_the_reports_of_the_ideas_read_as_values(value_chain):
    DeploymentPlanFactory(idea=value_chain.idea)
    bare = IdeaFactory(title="No needs yet")
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    ideas = m.Idea.objects.order_by("pk")
    with CaptureQueriesContext(connection) as queries:
        columns = mappers.idea_columns_of(ideas, rates)
    assert len(queries) == 3
    assert columns.ids == (value_chain.idea.pk, bare.pk)
    as_columns = batch.report_documents(columns, catalogue)
    assert as_columns == batch.report_documents(mappers.engine_ideas_of(ideas, rates), catalogue)
    assert as_columns[0]["deployment_setup_cost"] > 0
    assert as_columns[1]["charged_assets"] == []
