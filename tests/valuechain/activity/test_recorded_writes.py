"""Which writes are recorded: the pages, the API and the catalogue's bulk import (in bulk,
with who imported), each row's history with its values at that time."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.factories import FeatureFactory, IdeaFactory, RoleFactory
from valuechain import models as m
from valuechain.catalogue.bulk import database as bulk


@pytest.mark.django_db
def test_the_bulk_import_records_what_it_creates_and_changes(client_for, lead_user):
    FeatureFactory(name="Basket size", build_likely=10, build_high=10)
    records: list[dict[str, object]] = [
        {
            "kind": "feature",
            "name": "Basket size",
            **{"build_low": 0, "build_likely": 300, "build_high": 500},
        },
        {"kind": "feature", "name": "Churn score"},
    ]
    data = json.dumps({"assets": records}).encode()
    assert bulk.import_catalogue(data=data, fmt="json", dry_run=False).ok
    basket = m.Feature.objects.get(name="Basket size")
    history = list(basket.history.order_by("history_id"))  # type: ignore[attr-defined]
    assert [(h.history_type, h.build_likely) for h in history] == [("+", 10), ("~", 300)]
    churn = m.Feature.objects.get(name="Churn score")
    assert churn.history.get().history_type == "+"  # type: ignore[attr-defined]
    page = client_for(lead_user).get(reverse("catalogue-asset", args=["feature", basket.pk]))
    assert "Build likely" in page.content.decode()


@pytest.mark.django_db
def test_an_import_through_the_page_records_who_imported(client_for, lead_user):
    data = json.dumps({"assets": [{"kind": "raw_source", "name": "Clickstream"}]})
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("assets.json", data.encode(), content_type="application/json")
    response = client_for(lead_user).post(
        reverse("catalogue-import"), {"file": upload, "dry_run": ""}
    )
    assert response.status_code in (200, 302)
    raw = m.RawSource.objects.get(name="Clickstream")
    assert raw.history.get().history_user == lead_user  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_dry_run_records_nothing():
    data = json.dumps({"assets": [{"kind": "feature", "name": "Trial"}]}).encode()
    assert bulk.import_catalogue(data=data, fmt="json", dry_run=True).ok
    assert not m.Feature.history.exists()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_deleted_need_stays_in_its_ideas_history(client_for, pm_user):
    idea = IdeaFactory(owner=pm_user)
    feature = FeatureFactory()
    need = m.Need.objects.create(idea=idea, name="gone soon", feature=feature)
    need.delete()
    RoleFactory()
    page = client_for(pm_user).get(reverse("idea-detail", args=[idea.pk])).content.decode()
    assert "Need “gone soon”</strong> deleted" in page


@pytest.mark.django_db
def test_a_save_that_changes_nothing_is_not_recorded(client_for, pm_user):
    idea = IdeaFactory(owner=pm_user)
    need = m.Need.objects.create(idea=idea, name="steady", feature=FeatureFactory())
    need.save()  # the idea form saves every need of the idea, changed or not
    need.weight = 2
    need.save()
    kinds = [h.history_type for h in need.history.order_by("history_id")]  # type: ignore[attr-defined]
    assert kinds == ["+", "~"]
    page = client_for(pm_user).get(reverse("idea-detail", args=[idea.pk])).content.decode()
    assert "saved without changes" not in page
