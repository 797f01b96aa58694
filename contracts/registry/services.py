"""Writes for the contract registry. Each is atomic: on any refusal nothing is written."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts import odcs, schema_safety
from contracts.models import Consumer, ContractVersion, DataContract
from contracts.permissions import can_write
from contracts.registry import selectors as sel
from contracts.registry.errors import BreakingChangeError, VersionConflictError
from valuechain import models as vm

_STATUS_FROM_ODCS = {
    "active": DataContract.Status.ACTIVE,
    "production": DataContract.Status.ACTIVE,
    "deprecated": DataContract.Status.DEPRECATED,
    "retired": DataContract.Status.RETIRED,
}


def status_from_odcs(value: str) -> str:
    return _STATUS_FROM_ODCS.get(value.lower(), DataContract.Status.DRAFT)


def _check_asset(asset_type: str, asset_id: int | None) -> None:
    if not asset_type and asset_id is None:
        return
    if asset_type not in vm.ASSET_MODELS:
        raise ValidationError({"asset_type": [f"Unknown asset type {asset_type!r}."]})
    if asset_id is None:
        raise ValidationError({"asset_id": ["Give the id of the asset this contract governs."]})
    if not sel.asset_exists(asset_type, asset_id):
        raise ValidationError({"asset_id": [f"No {asset_type} with id {asset_id}."]})


@transaction.atomic
def create_contract(
    *,
    name: str,
    asset_type: str = "",
    asset_id: int | None = None,
    owner: User | None = None,
    producer_team: str = "",
    purpose: str = "",
    status: str = DataContract.Status.DRAFT,
    compatibility_mode: str = "BACKWARD",
    odcs_id: str = "",
    ideas: Iterable[vm.Idea] = (),
) -> DataContract:
    _check_asset(asset_type, asset_id)
    if odcs_id and DataContract.objects.filter(odcs_id=odcs_id).exists():
        raise ValidationError({"odcs_id": [f"A contract with ODCS id {odcs_id!r} exists."]})
    contract = DataContract.objects.create(
        name=name,
        asset_type=asset_type,
        asset_id=asset_id,
        owner=owner,
        producer_team=producer_team,
        purpose=purpose,
        status=status,
        compatibility_mode=compatibility_mode,
        odcs_id=odcs_id,
    )
    contract.ideas.set(list(ideas))
    return contract


@transaction.atomic
def update_contract(*, contract: DataContract, changes: Mapping[str, Any]) -> DataContract:
    """Change a contract's own fields (never its published versions)."""
    allowed = {
        "name",
        "asset_type",
        "asset_id",
        "owner",
        "producer_team",
        "purpose",
        "status",
        "compatibility_mode",
        "ideas",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: ["Cannot be changed here."] for k in sorted(unknown)})
    asset_type = changes.get("asset_type", contract.asset_type)
    asset_id = changes.get("asset_id", contract.asset_id)
    if "asset_type" in changes or "asset_id" in changes:
        _check_asset(asset_type, asset_id)
    for name, value in changes.items():
        if name != "ideas":
            setattr(contract, name, value)
    contract.save()
    if "ideas" in changes:
        contract.ideas.set(list(changes["ideas"]))
    return contract


@transaction.atomic
def publish_version(
    *,
    contract: DataContract,
    version: str,
    json_schema: Any,
    semantics: Mapping[str, Any] | None = None,
    sla: Mapping[str, Any] | None = None,
    missing_thresholds: list[dict[str, Any]] | None = None,
    change_notes: str = "",
    user: User | None = None,
    odcs_document: Mapping[str, Any] | None = None,
    document_changes: Mapping[str, Any] | None = None,
    publish: bool = True,
) -> ContractVersion:
    """Add a version. Refused (BreakingChangeError, answered with 409) when the schema breaks
    the contract's compatibility mode and the version does not start a new major.

    ``odcs_document`` is the rest of an imported ODCS document (servers, team, roles...);
    without one the version keeps the latest published version's, with ``document_changes``
    laid over it key by key (None removes a key). The result must follow the standard."""
    try:  # nothing unsafe to validate records with: no remote $ref, no backtracking pattern
        schema_safety.check_schema_safety(json_schema)
    except schema_safety.UnsafeSchemaError as exc:
        raise ValidationError({"json_schema": [str(exc)]}) from None
    # lock the contract so two publishers cannot both take the next number
    DataContract.objects.select_for_update().filter(pk=contract.pk).first()
    major, minor, patch = sel.parsed_version(version)
    history = sel.published_versions(contract)
    document = _next_document(history, odcs_document, document_changes)
    terms = {
        "semantics": dict(semantics or {}),
        "sla": dict(sla or {}),
        "missing_thresholds": list(missing_thresholds or []),
    }
    plan = sel.plan_version(contract, json_schema, version, history=history, terms=terms)
    if ContractVersion.objects.filter(
        contract=contract, major=major, minor=minor, patch=patch
    ).exists():
        raise VersionConflictError(f"Version {version} of this contract already exists.")
    if history and (major, minor, patch) <= (
        history[-1].major,
        history[-1].minor,
        history[-1].patch,
    ):
        raise VersionConflictError(
            f"Version {version} is not after the latest published version {history[-1].version}."
        )
    if plan.needs_major:
        raise BreakingChangeError(plan)
    return ContractVersion.objects.create(
        contract=contract,
        version=version,
        major=major,
        minor=minor,
        patch=patch,
        json_schema=json_schema,
        semantics=dict(semantics or {}),
        sla=dict(sla or {}),
        missing_thresholds=list(missing_thresholds or []),
        compatibility_mode=contract.compatibility_mode,
        change_notes=change_notes,
        changes=plan.changes,
        odcs_document=document,
        published_at=timezone.now() if publish else None,
        created_by=user,
    )


def _next_document(
    history: list[ContractVersion],
    odcs_document: Mapping[str, Any] | None,
    changes: Mapping[str, Any] | None,
) -> dict[str, Any]:
    if odcs_document is not None:
        document = copy.deepcopy(dict(odcs_document))
    else:
        document = copy.deepcopy(dict(history[-1].odcs_document)) if history else {}
    for key, value in (changes or {}).items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = copy.deepcopy(value)
    if changes:
        _check_document(document)
    return document


def _check_document(document: Mapping[str, Any]) -> None:
    """The parts sent must still make a document that follows the ODCS standard."""
    probe = odcs.to_document(
        odcs.contract_from_fields(
            odcs_id="probe",
            name="probe",
            version="1.0.0",
            status=str(document.get("status") or "draft"),
            json_schema={},
            document=document,
        )
    )
    probe.pop("schema", None)
    try:
        odcs.validate_document(probe)
    except odcs.OdcsError as exc:
        raise ValidationError(
            {"odcs_document": [f"{e['path'] or '/'}: {e['message']}" for e in exc.errors]}
        ) from None


@transaction.atomic
def pin_consumer(
    *, contract: DataContract, name: str, pinned_major: int, user: User | None = None
) -> Consumer:
    """Add a consumer, or move an existing one to another major version."""
    majors = set(
        contract.versions.filter(published_at__isnull=False).values_list("major", flat=True)
    )
    if majors and pinned_major not in majors:
        raise ValidationError(
            {
                "pinned_major": [
                    f"No published version has major {pinned_major}; "
                    f"published majors: {sorted(majors)}."
                ]
            }
        )
    consumer, _ = Consumer.objects.update_or_create(
        contract=contract, name=name, defaults={"pinned_major": pinned_major, "user": user}
    )
    return consumer


# --- ODCS --------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    contract: DataContract
    version: ContractVersion
    created: bool
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract.pk,
            "created": self.created,
            "version": self.version.version,
            **self.summary,
        }


def _summary(data: odcs.ContractData) -> dict[str, Any]:
    schema = data.json_schema
    objects = schema.get(odcs.X_OBJECTS)
    if objects is None:
        objects = [schema.get(odcs.X_ODCS, {}).get("name", data.name)]
    properties = odcs.walk_properties(schema)
    sla = {k: v for k, v in data.sla.items() if k != "properties"}
    mapped = {"id", "version", "status", "name", "schema", "slaProperties", "team", "roles"}
    return {
        "odcs_id": data.odcs_id,
        "name": data.name,
        "status": data.status,
        "schema_objects": list(objects),
        "properties": len(properties),
        "sla": sla,
        "sla_properties": len(data.sla.get("properties") or []),
        "missing_thresholds": data.missing_thresholds,
        "owner": data.owner,
        "producer_team": data.producer_team,
        "consumers": data.consumers,
        "kept_verbatim": sorted(k for k in data.document if k not in mapped),
    }


@transaction.atomic
def import_odcs(
    *,
    raw: bytes | str,
    user: User,
    asset_type: str = "",
    asset_id: int | None = None,
) -> ImportReport:
    """Import an ODCS document: a new contract, or a new version of the contract with the same
    ODCS id. Raises odcs.OdcsError, ValidationError, PermissionError, VersionConflictError or
    BreakingChangeError; nothing is written then."""
    data = odcs.parse(raw)
    schema = sel.checked_schema(data.json_schema)
    sel.parsed_version(data.version)
    existing = sel.contract_by_odcs_id(data.odcs_id)
    created = existing is None
    if existing is None:
        owner = User.objects.filter(username=data.owner).first() if data.owner else None
        contract = create_contract(
            name=data.name[:200],
            asset_type=asset_type,
            asset_id=asset_id,
            owner=owner,
            producer_team=data.producer_team[:200],
            purpose=data.purpose,
            status=status_from_odcs(data.status),
            odcs_id=data.odcs_id,
        )
    else:
        contract = existing
        if not can_write(user, contract):
            raise PermissionError("Only data leads and the contract owner may add versions.")
        changes: dict[str, Any] = {
            "status": status_from_odcs(data.status),
            "purpose": data.purpose or contract.purpose,
        }
        if asset_type or asset_id is not None:
            changes.update(asset_type=asset_type, asset_id=asset_id)
        update_contract(contract=contract, changes=changes)
    version = publish_version(
        contract=contract,
        version=data.version,
        json_schema=schema,
        semantics=data.semantics,
        sla=data.sla,
        missing_thresholds=data.missing_thresholds,
        change_notes="Imported from ODCS.",
        user=user,
        odcs_document=data.document,
    )
    for name in data.consumers:
        if not contract.consumers.filter(name=name).exists():
            Consumer.objects.create(contract=contract, name=name[:200], pinned_major=version.major)
    return ImportReport(contract=contract, version=version, created=created, summary=_summary(data))


def _status_to_odcs(contract: DataContract, version: ContractVersion) -> str:
    original = version.odcs_document.get("status")
    if isinstance(original, str) and status_from_odcs(original) == contract.status:
        return original  # e.g. "production" stays as written
    return str(contract.status)


def _export_data(contract: DataContract, version: ContractVersion) -> odcs.ContractData:
    owner = contract.owner.get_username() if contract.owner else ""
    return odcs.contract_from_fields(
        odcs_id=contract.odcs_id or sel.generated_odcs_id(contract),
        name=contract.name,
        version=version.version,
        status=_status_to_odcs(contract, version),
        json_schema=version.json_schema,
        purpose=contract.purpose,
        producer_team=contract.producer_team,
        owner=owner,
        consumers=[c.name for c in contract.consumers.all()],
        sla=version.sla,
        missing_thresholds=version.missing_thresholds,
        document=version.odcs_document,
    )


def export_odcs(contract: DataContract, version: ContractVersion) -> str:
    """The ODCS YAML of one version of the contract."""
    return odcs.dump(_export_data(contract, version))


def export_odcs_document(contract: DataContract, version: ContractVersion) -> dict[str, Any]:
    """The ODCS document of one version of the contract, as a mapping (for JSON)."""
    return odcs.to_document(_export_data(contract, version))
