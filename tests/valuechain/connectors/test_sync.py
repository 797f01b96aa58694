"""The shared sync service, on small manifests written here (the real tools are in test_dbt)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import RawSourceFactory
from valuechain import models as m
from valuechain.connectors import dbt, openlineage, records, sync, tasks

pytestmark = pytest.mark.django_db


def _manifest(models: int, extra: dict | None = None) -> dict:
    nodes = {
        f"model.p.m{i}": {
            "resource_type": "model",
            "name": f"m{i}",
            "depends_on": {"nodes": [f"model.p.m{i - 1}"] if i else ["source.p.s.t"]},
        }
        for i in range(models)
    }
    nodes.update(extra or {})
    return {"nodes": nodes, "sources": {"source.p.s.t": {"resource_type": "source", "name": "t"}}}


def _apply(document: dict, dry_run: bool = False) -> dict:
    return sync.apply_import(system="dbt", data=dbt.parse_manifest(document), dry_run=dry_run)


def test_links_a_data_lead_added_by_hand_survive_a_reimport():
    _apply(_manifest(2))
    model = m.CuratedDataset.objects.get(external_id="model.p.m1")
    by_hand = RawSourceFactory(name="Survey answers")
    model.raw_sources.add(by_hand)
    again = _apply(_manifest(2))
    assert again["changes"] == []
    assert by_hand in model.raw_sources.all()


def test_an_import_whose_models_loop_is_refused_and_writes_nothing():
    looping = _manifest(2)
    looping["nodes"]["model.p.m0"]["depends_on"]["nodes"] = ["model.p.m1"]
    with pytest.raises(ValidationError) as refused:
        _apply(looping)
    assert "lineage" in refused.value.message_dict
    assert not m.CuratedDataset.objects.exists()


def test_events_that_would_close_a_loop_are_refused():
    def event(source: str, target: str) -> records.Import:
        return openlineage.parse_run_event(
            {
                "job": {"namespace": "n", "name": "j"},
                "inputs": [{"namespace": "db", "name": source}],
                "outputs": [{"namespace": "db", "name": target}],
            }
        )

    sync.apply_import(system="openlineage", data=event("a", "b"))
    sync.apply_import(system="openlineage", data=event("b", "c"))
    with pytest.raises(ValidationError):
        sync.apply_import(system="openlineage", data=event("c", "b"))


def test_a_retired_asset_that_comes_back_is_revived():
    _apply(_manifest(3))
    _apply(_manifest(2))
    assert m.CuratedDataset.objects.get(external_id="model.p.m2").retired
    back = _apply(_manifest(3))
    assert back["updated"] == 1
    assert not m.CuratedDataset.objects.get(external_id="model.p.m2").retired


def test_the_same_external_id_in_two_systems_is_two_assets():
    _apply(_manifest(1))
    other = dbt.parse_manifest(_manifest(1))
    sync.apply_import(system="feast", data=other)
    assert m.CuratedDataset.objects.filter(external_id="model.p.m0").count() == 2


@pytest.mark.parametrize("size", [10, 300])
def test_an_import_costs_the_same_queries_whatever_its_size(size, django_assert_max_num_queries):
    data = dbt.parse_manifest(_manifest(size))
    # asset reads and writes per kind, links per table, the stored figures' bookkeeping; on
    # SQLite a bulk insert is cut into statements of at most 999 parameters (about 40 rows)
    with django_assert_max_num_queries(22 + size // 40):
        sync.apply_import(system="dbt", data=data)
    with django_assert_max_num_queries(11):
        assert sync.apply_import(system="dbt", data=data)["unchanged"] == size + 1


def test_records_survive_the_trip_to_a_worker():
    data = dbt.parse_manifest(_manifest(3))
    assert records.from_json(records.to_json(data)) == data


def test_an_import_whose_worker_died_is_queued_again_and_applied():
    run = m.ConnectorRun.objects.create(
        connector="dbt", params=records.to_json(dbt.parse_manifest(_manifest(2)))
    )
    # its task message was lost with the broker long ago
    m.ConnectorRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=1))
    assert tasks.requeue_stalled_imports() >= 1
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert run.result is not None and run.result["created"] == 3
