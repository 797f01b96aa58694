import pytest

from tests.factories import FeatureFactory, RoleFactory
from valuechain import mappers
from valuechain.engine.chain import AssetKind


@pytest.mark.django_db
def test_a_read_snapshot_loads_the_catalogue_once(django_assert_num_queries):
    FeatureFactory.create_batch(3)
    with mappers.read_snapshot():
        first = mappers.load_catalogue()
        with django_assert_num_queries(0):
            again = mappers.load_catalogue(mappers.day_rates())
    assert again is first
    assert len(first) == 3


@pytest.mark.django_db
def test_outside_a_snapshot_every_load_sees_the_latest_catalogue():
    FeatureFactory()
    assert len(mappers.load_catalogue()) == 1
    FeatureFactory()
    assert len(mappers.load_catalogue()) == 2


@pytest.mark.django_db
def test_other_day_rates_are_never_served_from_the_snapshot():
    role = RoleFactory(day_rate=500)
    FeatureFactory(build_low=2, build_likely=2, build_high=2, build_days_role=role)
    with mappers.read_snapshot():
        standard = mappers.load_catalogue()
        doubled = mappers.load_catalogue({role.pk: 1000.0})
    assert next(iter(standard.values())).build.mean == pytest.approx(1000)
    assert next(iter(doubled.values())).build.mean == pytest.approx(2000)


@pytest.mark.django_db
def test_a_page_s_panels_read_one_idea_s_closure_once(django_assert_num_queries):
    feature = FeatureFactory(available=False)
    roots = [(AssetKind.FEATURE, feature.pk)]
    with mappers.read_snapshot():
        first = mappers.load_closure(roots)
        with django_assert_num_queries(0):
            again = mappers.load_closure(list(reversed(roots)), mappers.day_rates())
        other = mappers.load_closure([(AssetKind.FEATURE, FeatureFactory().pk)])
    assert again is first and other is not first
    assert mappers.load_closure(roots) is not first  # outside the snapshot: read afresh
