"""The plain records every connector parser produces and the sync service consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FEATURE = "feature"
CURATED_DATASET = "curated_dataset"
RAW_SOURCE = "raw_source"

# Upper bounds on what one import may hold: past them the upload is refused, not half read.
MAX_RECORDS = 50_000
MAX_NAME = 200
MAX_EXTERNAL_ID = 500

Ref = tuple[str, str]  # (asset type, external id)


class ConnectorError(ValueError):
    """The file is not what the connector reads; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class AssetRecord:
    """One asset as its source system describes it. `upstream` names its inputs by reference."""

    asset_type: str
    external_id: str
    name: str
    description: str = ""
    owner: str = ""  # a username or an e-mail, matched to a user on creation only
    upstream: tuple[Ref, ...] = ()
    online: bool | None = None  # features: served online
    feature_group: str = ""
    system: str = ""  # raw sources: where they live

    @property
    def ref(self) -> Ref:
        return (self.asset_type, self.external_id)


@dataclass(frozen=True, slots=True)
class ContractRecord:
    """An enforced contract of one asset: its columns as a JSON Schema."""

    external_id: str  # the contract's own id in the source system
    name: str
    asset: Ref
    json_schema: dict[str, Any]
    owner: str = ""


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """An idea's need of one asset, as a downstream use (a dbt ML exposure) declares it."""

    idea_title: str
    name: str
    asset: Ref
    description: str = ""


@dataclass(slots=True)
class Import:
    """What one parser read. `complete`: the source listed everything it has, so what is
    missing from it has gone upstream (dbt, Feast); an OpenLineage event tells only what one
    run touched and retires nothing."""

    assets: list[AssetRecord] = field(default_factory=list)
    contracts: list[ContractRecord] = field(default_factory=list)
    needs: list[NeedRecord] = field(default_factory=list)
    complete: bool = True

    def add(self, record: AssetRecord) -> None:
        if len(self.assets) >= MAX_RECORDS:
            raise ConnectorError("file", f"More than {MAX_RECORDS} assets in one import.")
        self.assets.append(record)


def text(value: Any, limit: int = 10_000) -> str:
    """A string field of an untrusted document, bounded; anything else is empty."""
    return value[:limit] if isinstance(value, str) else ""


def name_of(value: Any, field: str) -> str:
    name = text(value, MAX_NAME).strip()
    if not name:
        raise ConnectorError(field, "An entry has no name.")
    return name


def external_id_of(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConnectorError(field, "An entry has no id.")
    if len(value) > MAX_EXTERNAL_ID:
        raise ConnectorError(field, f"An id is longer than {MAX_EXTERNAL_ID} characters.")
    return value


def to_json(data: Import) -> dict[str, Any]:
    """The import as plain JSON, to hand to a worker."""
    return {
        "complete": data.complete,
        "assets": [
            {**{name: getattr(r, name) for name in AssetRecord.__slots__}, "upstream": r.upstream}
            for r in data.assets
        ],
        "contracts": [
            {name: getattr(r, name) for name in ContractRecord.__slots__} for r in data.contracts
        ],
        "needs": [{name: getattr(r, name) for name in NeedRecord.__slots__} for r in data.needs],
    }


def _ref(value: Any) -> Ref:
    return (str(value[0]), str(value[1]))


def from_json(value: dict[str, Any]) -> Import:
    return Import(
        complete=bool(value["complete"]),
        assets=[
            AssetRecord(**{**r, "upstream": tuple(_ref(u) for u in r["upstream"])})
            for r in value["assets"]
        ],
        contracts=[ContractRecord(**{**r, "asset": _ref(r["asset"])}) for r in value["contracts"]],
        needs=[NeedRecord(**{**r, "asset": _ref(r["asset"])}) for r in value["needs"]],
    )
