"""What an import says beyond assets: enforced contracts become data contracts (through the
contract registry's own services, so the compatibility rules hold), and declared downstream
uses (dbt exposures) become needs of ideas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User

from contracts.models import DataContract
from contracts.registry import selectors as contract_selectors
from contracts.registry import services as contract_services
from contracts.registry.errors import BreakingChangeError
from valuechain import models as m
from valuechain.connectors.records import ContractRecord, Import, Ref

FIRST_VERSION = "1.0.0"


def odcs_id(system: str, record: ContractRecord) -> str:
    """The contract's id in the registry: stable across imports."""
    return f"{system}:{record.external_id}"[:200]


def _latest_schema(contract: DataContract) -> Any:
    latest = contract_selectors.latest_version(contract)
    return None if latest is None else latest.json_schema


def preview(system: str, data: Import, existing: Mapping[Ref, Any]) -> dict[str, Any]:
    """What applying would do to contracts and needs, without writing."""
    created = updated = 0
    for record in data.contracts:
        contract = contract_selectors.contract_by_odcs_id(odcs_id(system, record))
        if contract is None:
            created += 1
        elif _latest_schema(contract) != record.json_schema:
            updated += 1
    return {"contracts": {"created": created, "updated": updated}, "needs": {"created": 0}}


def _next_version(contract: DataContract, *, major: bool) -> str:
    latest = contract_selectors.latest_version(contract)
    if latest is None:
        return FIRST_VERSION
    if major:
        return f"{latest.major + 1}.0.0"
    return f"{latest.major}.{latest.minor + 1}.0"


def _publish(contract: DataContract, record: ContractRecord, user: User | None) -> None:
    """A new version with the source's schema: a minor one when compatible; when the source
    changed it in a breaking way (dbt enforced the change at its end), a new major."""
    try:
        with_minor = _next_version(contract, major=False)
        contract_services.publish_version(
            contract=contract,
            version=with_minor,
            json_schema=record.json_schema,
            change_notes="Synced from the source's enforced contract.",
            user=user,
        )
    except BreakingChangeError:
        contract_services.publish_version(
            contract=contract,
            version=_next_version(contract, major=True),
            json_schema=record.json_schema,
            change_notes="Synced from the source's enforced contract: a breaking change.",
            user=user,
        )


def _contracts(
    system: str, data: Import, pks: Mapping[Ref, int], user: User | None
) -> dict[str, int]:
    created = updated = 0
    for record in data.contracts:
        asset_id = pks.get(record.asset)
        if asset_id is None:
            continue
        contract = contract_selectors.contract_by_odcs_id(odcs_id(system, record))
        if contract is None:
            owner = User.objects.filter(username=record.owner).first() if record.owner else None
            contract = contract_services.create_contract(
                name=record.name,
                asset_type=record.asset[0],
                asset_id=asset_id,
                owner=owner,
                status=DataContract.Status.ACTIVE,
                odcs_id=odcs_id(system, record),
            )
            contract_services.publish_version(
                contract=contract,
                version=FIRST_VERSION,
                json_schema=record.json_schema,
                change_notes="Imported from the source's enforced contract.",
                user=user,
            )
            created += 1
        elif _latest_schema(contract) != record.json_schema:
            _publish(contract, record, user)
            updated += 1
    return {"created": created, "updated": updated}


def _needs(data: Import, pks: Mapping[Ref, int]) -> dict[str, int]:
    """Each declared use as a need of the idea of that title (a draft idea when none has it);
    a need already on the asset is left as the product manager shaped it."""
    created = 0
    ideas: dict[str, m.Idea] = {}
    for record in data.needs:
        asset_id = pks.get(record.asset)
        if asset_id is None:
            continue
        idea = ideas.get(record.idea_title)
        if idea is None:
            idea = m.Idea.objects.filter(title=record.idea_title).order_by("pk").first()
            if idea is None:
                idea = m.Idea.objects.create(
                    title=record.idea_title,
                    description="Declared as a downstream use in the source system.",
                )
            ideas[record.idea_title] = idea
        field = f"{record.asset[0]}_id"
        if not m.Need.objects.filter(idea=idea, **{field: asset_id}).exists():
            m.Need.objects.create(
                idea=idea, name=record.name, description=record.description, **{field: asset_id}
            )
            created += 1
    return {"created": created}


def apply(
    system: str, data: Import, pks: Mapping[Ref, int], *, user: User | None
) -> dict[str, Any]:
    return {
        "contracts": _contracts(system, data, pks, user),
        "needs": {"created": _needs(data, pks)["created"]},
    }
