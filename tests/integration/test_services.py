"""The real PostgreSQL and Redis: CI points DATABASE_URL and REDIS_URL at them."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_an_estimate_out_of_order(postgres):
    assert connection.vendor == "postgresql"
    feature = FeatureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Feature.objects.filter(pk=feature.pk).update(build_low=10, build_likely=5)
    feature.refresh_from_db()
    assert feature.build_low == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_a_need_pointing_at_two_assets(postgres):
    need = NeedFactory()
    curated = m.CuratedDataset.objects.create(name="orders, golden")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Need.objects.filter(pk=need.pk).update(curated_dataset_id=curated.pk)
    assert m.Need.objects.get(pk=need.pk).curated_dataset_id is None


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_protects_an_asset_still_needed(postgres):
    need = NeedFactory(idea=IdeaFactory())
    with pytest.raises(ProtectedError):
        need.feature.delete()
    assert m.Feature.objects.filter(pk=need.feature_id).exists()


@pytest.mark.redis
def test_redis_cache_round_trip(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("ladder", {"tier": 3}, timeout=30)
    assert cache.get("ladder") == {"tier": 3}
    cache.delete("ladder")
    assert cache.get("ladder") is None
