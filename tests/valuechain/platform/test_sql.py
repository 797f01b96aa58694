"""Filters on long lists of values pass the list as one parameter, and find the same rows as
an IN list would: an import that changes thousands of assets makes exactly their ideas stale."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import FeatureFactory, NeedFactory, RawSourceFactory
from valuechain import models as m
from valuechain.platform import sql

pytestmark = pytest.mark.django_db


def test_among_finds_rows_by_thousands_of_ids_or_names_in_one_short_statement():
    features = FeatureFactory.create_batch(3)
    ids = [features[0].pk, features[2].pk, *range(10**6, 10**6 + 5000)]
    found = set(sql.among(m.Feature.objects.all(), "id", ids).values_list("pk", flat=True))
    assert found == {features[0].pk, features[2].pk}
    if connection.vendor in ("postgresql", "sqlite"):
        _, params = sql.one_of('"id"', ids)
        assert len(params) == 1  # not 5,002 placeholders to compile and adapt
    names = [features[1].name, "O'Brien; DROP TABLE x", *(f"nobody {i}" for i in range(3000))]
    by_name = sql.among(m.Feature.objects.all(), "name", names)
    assert list(by_name.values_list("pk", flat=True)) == [features[1].pk]


def test_among_nothing_is_no_row():
    FeatureFactory()
    assert not sql.among(m.Feature.objects.all(), "id", []).exists()
    assert not sql.any_among(m.Feature.objects.all(), {"id": [], "name": []}).exists()


def test_any_among_is_true_when_any_column_matches():
    on_feature = NeedFactory()
    raw = RawSourceFactory()
    on_raw = NeedFactory(raw_source=raw)
    NeedFactory()  # on neither
    found = sql.any_among(
        m.Need.objects.order_by(),
        {
            "feature_id": [on_feature.feature_id],
            "raw_source_id": [raw.pk],
            "curated_dataset_id": [],
        },
    )
    assert set(found.values_list("pk", flat=True)) == {on_feature.pk, on_raw.pk}
