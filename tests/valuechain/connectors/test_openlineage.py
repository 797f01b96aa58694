"""OpenLineage: run events built with openlineage-python, posted as its HTTP transport does."""

from __future__ import annotations

import gzip
import uuid
from datetime import UTC, datetime

import pytest
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import documentation_dataset, ownership_dataset
from openlineage.client.serde import Serde
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport
from rest_framework.authtoken.models import Token

from valuechain import models as m

URL = "/api/openlineage/api/v1/lineage"
DB = "postgres://warehouse:5432"


def _event(job: str, inputs: list[str], outputs: list[str], **facets) -> RunEvent:
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace="airflow", name=job),
        producer="https://example.com/scheduler",
        inputs=[InputDataset(namespace=DB, name=name) for name in inputs],
        outputs=[OutputDataset(namespace=DB, name=name, facets=facets) for name in outputs],
    )


@pytest.fixture
def bearer(lead_user):
    token, _ = Token.objects.get_or_create(user=lead_user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token.key}"}


def _post(client, event: RunEvent, headers: dict, **extra):
    body = Serde.to_json(event)
    return client.post(URL, body, content_type="application/json", **headers, **extra)


@pytest.mark.django_db
def test_run_events_build_lineage_by_namespace_and_name(client, bearer, lead_user):
    docs = documentation_dataset.DocumentationDatasetFacet(description="Orders, cleaned")
    owners = ownership_dataset.OwnershipDatasetFacet(
        owners=[ownership_dataset.Owner(name="user:lead-test")]
    )
    first = _post(
        client,
        _event(
            "stage", ["public.orders"], ["staging.orders"], documentation=docs, ownership=owners
        ),
        bearer,
    )
    assert first.status_code == 200, first.content
    assert first.json()["created"] == 2
    second = _post(
        client, _event("mart", ["staging.orders", "public.payments"], ["mart.ltv"]), bearer
    )
    assert second.json()["created"] == 2  # the mart and the payments; staging is known

    staging = m.CuratedDataset.objects.get(external_id=f"{DB}/staging.orders")
    mart = m.CuratedDataset.objects.get(external_id=f"{DB}/mart.ltv")
    assert (staging.description, staging.owner) == ("Orders, cleaned", lead_user)
    # an output read by a later job is curated -> curated lineage, not a second raw source
    assert list(mart.upstream_curated_datasets.all()) == [staging]
    assert set(mart.raw_sources.values_list("external_id", flat=True)) == {f"{DB}/public.payments"}
    assert set(staging.raw_sources.values_list("external_id", flat=True)) == {f"{DB}/public.orders"}
    assert not m.RawSource.objects.filter(external_id=f"{DB}/staging.orders").exists()

    again = _post(
        client, _event("mart", ["staging.orders", "public.payments"], ["mart.ltv"]), bearer
    )
    assert (again.json()["unchanged"], again.json()["updated"], again.json()["retired"]) == (
        2,
        0,
        0,
    )


@pytest.mark.django_db
def test_a_gzipped_event_is_read_and_a_bad_one_is_a_400(client, bearer):
    body = gzip.compress(Serde.to_json(_event("j", ["a"], ["b"])).encode())
    answer = client.post(
        URL, body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip", **bearer
    )
    assert answer.status_code == 200 and answer.json()["created"] == 2
    for bad, field in (
        (b"{}", "job"),
        (b"[1]", "event"),
        (b'{"job": {"name": "j"}, "inputs": 3}', "inputs"),
    ):
        refused = client.post(URL, bad, content_type="application/json", **bearer)
        assert refused.status_code == 400 and field in refused.json()


@pytest.mark.django_db
def test_events_need_a_data_leads_key(client, pm_user):
    event = Serde.to_json(_event("j", ["a"], ["b"]))
    assert client.post(URL, event, content_type="application/json").status_code == 401
    wrong = {"HTTP_AUTHORIZATION": "Bearer not-a-key"}
    assert client.post(URL, event, content_type="application/json", **wrong).status_code == 401
    token, _ = Token.objects.get_or_create(user=pm_user)
    pm = {"HTTP_AUTHORIZATION": f"Bearer {token.key}"}
    assert client.post(URL, event, content_type="application/json", **pm).status_code == 403
    assert not m.CuratedDataset.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("suffix", ["/", ""])
def test_the_openlineage_http_transport_posts_to_the_site(live_server, lead_user, suffix):
    token, _ = Token.objects.get_or_create(user=lead_user)
    transport = HttpTransport(
        HttpConfig(
            url=f"{live_server.url}/api/openlineage{suffix}",
            auth=ApiKeyTokenProvider({"apiKey": token.key}),
            retry={"total": 0},
        )
    )
    transport.emit(_event("nightly", ["raw.events"], ["clean.events"]))
    assert m.CuratedDataset.objects.filter(external_id=f"{DB}/clean.events").exists()
