"""Feast: a feature repository's registry -> plain records.

Reads the registry as `feast apply` writes it (the binary protobuf `registry.db`, decoded with
our own wire-format reader: Feast itself is never imported) or as `feast registry-dump` prints
it (JSON). Each feature view's features become features (their group is the view, `online`
its online flag, which deployment costs depend on); each view's batch source becomes a curated
dataset the features come from. Pure: no Django.

Field numbers are those of Feast's core protos (Registry, FeatureView, FeatureViewSpec,
FeatureSpecV2, DataSource), stable across Feast releases because protobuf forbids renumbering.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from valuechain.connectors import protowire as pw
from valuechain.connectors.records import (
    CURATED_DATASET,
    FEATURE,
    AssetRecord,
    ConnectorError,
    Import,
    text,
)

# Registry
_FEATURE_VIEWS, _STREAM_FEATURE_VIEWS = 6, 14
# FeatureView -> spec; FeatureViewSpec fields
_SPEC = 1
_NAME, _PROJECT, _FEATURES, _BATCH_SOURCE, _ONLINE, _DESCRIPTION, _OWNER = 1, 2, 4, 7, 8, 10, 11
# FeatureSpecV2
_FEATURE_NAME, _FEATURE_DESCRIPTION = 1, 4
# DataSource
_SOURCE_NAME, _SOURCE_DESCRIPTION, _SOURCE_OWNER = 20, 23, 25


@dataclass(frozen=True, slots=True)
class View:
    project: str
    name: str
    description: str
    owner: str
    online: bool
    features: list[tuple[str, str]]  # (name, description)
    source: tuple[str, str, str] | None  # (name, description, owner)


def _views_of_binary(data: bytes) -> list[View]:
    try:
        registry = pw.fields(data)
        views = []
        for number in (_FEATURE_VIEWS, _STREAM_FEATURE_VIEWS):
            for view in pw.messages(registry, number):
                spec = pw.message(view, _SPEC)
                source = pw.message(spec, _BATCH_SOURCE)
                features = [
                    (pw.string(f, _FEATURE_NAME), pw.string(f, _FEATURE_DESCRIPTION))
                    for f in pw.messages(spec, _FEATURES)
                ]
                source_name = pw.string(source, _SOURCE_NAME)
                views.append(
                    View(
                        project=pw.string(spec, _PROJECT),
                        name=pw.string(spec, _NAME),
                        description=pw.string(spec, _DESCRIPTION),
                        owner=pw.string(spec, _OWNER),
                        online=pw.boolean(spec, _ONLINE),
                        features=features,
                        source=(
                            source_name,
                            pw.string(source, _SOURCE_DESCRIPTION),
                            pw.string(source, _SOURCE_OWNER),
                        )
                        if source_name
                        else None,
                    )
                )
    except pw.WireError as exc:
        raise ConnectorError("registry", f"Not a Feast registry: {exc}") from None
    return views


def _views_of_dump(dump: Mapping[str, Any]) -> list[View]:
    project = text(dump.get("project"), 200)
    views = []
    for key in ("featureViews", "streamFeatureViews"):
        entries = dump.get(key) or []
        if not isinstance(entries, list):
            raise ConnectorError("registry", f"{key} is not a list.")
        for view in entries:
            spec = view.get("spec") if isinstance(view, Mapping) else None
            if not isinstance(spec, Mapping):
                raise ConnectorError("registry", f"A {key} entry has no spec.")
            source = spec.get("batchSource")
            source = source if isinstance(source, Mapping) else {}
            features = [
                (text(f.get("name"), 200), text(f.get("description")))
                for f in spec.get("features") or []
                if isinstance(f, Mapping)
            ]
            source_name = text(source.get("name"), 200)
            views.append(
                View(
                    project=text(spec.get("project"), 200) or project,
                    name=text(spec.get("name"), 200),
                    description=text(spec.get("description")),
                    owner=text(spec.get("owner"), 200),
                    online=spec.get("online") is True,
                    features=features,
                    source=(
                        source_name,
                        text(source.get("description")),
                        text(source.get("owner"), 200),
                    )
                    if source_name
                    else None,
                )
            )
    return views


def parse_registry(data: bytes) -> Import:
    """Records of a Feast registry, binary (registry.db) or JSON (feast registry-dump)."""
    stripped = data.lstrip()
    if stripped.startswith(b"{"):
        try:
            dump = json.loads(stripped)
        except (ValueError, RecursionError):
            raise ConnectorError("registry", "Not valid JSON.") from None
        if not isinstance(dump, Mapping):
            raise ConnectorError("registry", "Not a Feast registry dump.")
        views = _views_of_dump(dump)
    else:
        views = _views_of_binary(data)
    result = Import(complete=True)
    sources: dict[str, AssetRecord] = {}
    for view in views:
        if not view.name:
            raise ConnectorError("registry", "A feature view has no name.")
        prefix = f"{view.project}/" if view.project else ""
        upstream: tuple[tuple[str, str], ...] = ()
        if view.source is not None:
            name, description, owner = view.source
            source_id = f"{prefix}source/{name}"
            sources.setdefault(
                source_id,
                AssetRecord(
                    asset_type=CURATED_DATASET,
                    external_id=source_id,
                    name=name,
                    description=description,
                    owner=owner,
                ),
            )
            upstream = ((CURATED_DATASET, source_id),)
        for feature_name, feature_description in view.features:
            if not feature_name:
                raise ConnectorError("registry", f"A feature of {view.name} has no name.")
            result.add(
                AssetRecord(
                    asset_type=FEATURE,
                    external_id=f"{prefix}{view.name}/{feature_name}",
                    name=f"{view.name}:{feature_name}"[:200],
                    description=feature_description or view.description,
                    owner=view.owner,
                    upstream=upstream,
                    online=view.online,
                    feature_group=view.name[:200],
                )
            )
    for record in sources.values():
        result.add(record)
    return result
