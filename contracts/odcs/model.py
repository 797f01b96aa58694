"""What an ODCS document says in the registry's terms, and the error bad input raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_DOCUMENT_BYTES = 1024 * 1024
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MISSING_METRICS = ("nullValues", "missingValues")
X_ODCS = "x-odcs"
X_OBJECTS = "x-odcs-objects"


class OdcsError(ValueError):
    """Bad ODCS input. ``errors`` is a list of ``{"path": ..., "message": ...}``."""

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "errors": self.errors}


@dataclass
class ContractData:
    """What an ODCS document says, in the registry's own terms."""

    odcs_id: str
    name: str
    version: str
    status: str
    purpose: str = ""
    producer_team: str = ""
    owner: str = ""
    consumers: list[str] = field(default_factory=list)
    json_schema: dict[str, Any] = field(default_factory=dict)
    semantics: dict[str, Any] = field(default_factory=dict)
    sla: dict[str, Any] = field(default_factory=dict)
    missing_thresholds: list[dict[str, Any]] = field(default_factory=list)
    # The document minus the parts rebuilt from the fields above (schema), verbatim.
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def production_use(self) -> bool:
        return bool(self.sla.get("production_use"))


def json_pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
