"""OpenLineage: one run event (as the OpenLineage HTTP transport posts it) -> plain records.

A dataset is known by its namespace and name (external id `namespace/name`). Each output
dataset becomes a curated dataset built from the run's inputs; an input that is never an output
is a raw source (the sync links to a curated dataset of the same id when one exists). An event
tells only what one run touched, so the import is not complete: it retires nothing. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from valuechain.connectors.records import (
    CURATED_DATASET,
    MAX_EXTERNAL_ID,
    RAW_SOURCE,
    AssetRecord,
    ConnectorError,
    Import,
    name_of,
    text,
)

EVENT_TYPES = {"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"}
MAX_DATASETS = 1_000


def dataset_id(dataset: Mapping[str, Any], field: str) -> str:
    namespace = text(dataset.get("namespace"), MAX_EXTERNAL_ID)
    name = name_of(dataset.get("name"), field)
    if not namespace:
        raise ConnectorError(field, "A dataset has no namespace.")
    identifier = f"{namespace}/{name}"
    if len(identifier) > MAX_EXTERNAL_ID:
        raise ConnectorError(field, f"A dataset id is longer than {MAX_EXTERNAL_ID} characters.")
    return identifier


def _facet_text(dataset: Mapping[str, Any], facet: str, key: str) -> str:
    facets = dataset.get("facets")
    value = facets.get(facet) if isinstance(facets, Mapping) else None
    return text(value.get(key)) if isinstance(value, Mapping) else ""


def _owner(dataset: Mapping[str, Any]) -> str:
    facets = dataset.get("facets")
    ownership = facets.get("ownership") if isinstance(facets, Mapping) else None
    owners = ownership.get("owners") if isinstance(ownership, Mapping) else None
    if isinstance(owners, list):
        for owner in owners:
            if isinstance(owner, Mapping) and isinstance(owner.get("name"), str):
                # "user:alice" -> "alice", as the spec's examples name people
                return owner["name"].split(":", 1)[-1][:200]
    return ""


def _datasets(event: Mapping[str, Any], field: str) -> list[Mapping[str, Any]]:
    value = event.get(field) or []
    if not isinstance(value, list) or not all(isinstance(d, Mapping) for d in value):
        raise ConnectorError(field, "Expected a list of datasets.")
    if len(value) > MAX_DATASETS:
        raise ConnectorError(field, f"More than {MAX_DATASETS} datasets in one event.")
    return value


def parse_run_event(event: Any) -> Import:
    """Records of one OpenLineage run event (a dict as json.loads gives it)."""
    if not isinstance(event, Mapping):
        raise ConnectorError("event", "Expected one OpenLineage run event (a JSON object).")
    if event.get("eventType") is not None and event.get("eventType") not in EVENT_TYPES:
        raise ConnectorError("eventType", f"Unknown event type {str(event['eventType'])[:50]!r}.")
    job = event.get("job")
    if not isinstance(job, Mapping):
        raise ConnectorError("job", "A run event names its job.")
    job_name = f"{text(job.get('namespace'), 200)}/{name_of(job.get('name'), 'job')}"
    inputs = _datasets(event, "inputs")
    outputs = _datasets(event, "outputs")
    output_ids = {dataset_id(d, "outputs") for d in outputs}
    result = Import(complete=False)
    upstream: list[tuple[str, str]] = []
    for dataset in inputs:
        identifier = dataset_id(dataset, "inputs")
        if identifier in output_ids:
            continue  # a job that rewrites its input in place adds no lineage
        kind = RAW_SOURCE
        upstream.append((kind, identifier))
        result.add(
            AssetRecord(
                asset_type=kind,
                external_id=identifier,
                name=name_of(dataset.get("name"), "inputs"),
                description=_facet_text(dataset, "documentation", "description"),
                owner=_owner(dataset),
                system=text(dataset.get("namespace"), 200),
            )
        )
    for dataset in outputs:
        description = _facet_text(dataset, "documentation", "description")
        result.add(
            AssetRecord(
                asset_type=CURATED_DATASET,
                external_id=dataset_id(dataset, "outputs"),
                name=name_of(dataset.get("name"), "outputs"),
                description=description or f"Written by the job {job_name[:300]}.",
                owner=_owner(dataset),
                upstream=tuple(dict.fromkeys(upstream)),
            )
        )
    return result
