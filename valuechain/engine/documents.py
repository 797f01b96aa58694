"""An ROI report as a JSON-ready document and back, exactly: floats keep every bit (JSON
writes the shortest repr that reads back to the same float), asset keys become [kind, id]
pairs. The stored figures keep this shape; batch builds it straight from its arrays.

The shape: every RoiReport field but the ladder and the charged assets by name; "ladder" a
list of steps, each the list of its LadderStep field values in field order; "charged_assets"
a list of [kind, id].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, cast

from valuechain.engine.chain import AssetKind
from valuechain.engine.finance import LadderStep, RoiReport

STEP_FIELDS = tuple(f.name for f in fields(LadderStep))
REPORT_FIELDS = tuple(
    f.name for f in fields(RoiReport) if f.name not in ("ladder", "charged_assets")
)
# The document's keys in the order report_to_document writes them (JSON text follows it).
DOCUMENT_KEYS = (*REPORT_FIELDS, "ladder", "charged_assets")


class UnreadableReport(ValueError):
    """A stored report that does not have the shape this version writes."""


def report_to_document(report: RoiReport) -> dict[str, Any]:
    document: dict[str, Any] = {name: getattr(report, name) for name in REPORT_FIELDS}
    document["ladder"] = [[getattr(step, name) for name in STEP_FIELDS] for step in report.ladder]
    document["charged_assets"] = [[str(kind), pk] for kind, pk in report.charged_assets]
    return document


def report_from_document(document: Any) -> RoiReport:
    try:
        ladder = tuple(
            LadderStep(**dict(zip(STEP_FIELDS, step, strict=True))) for step in document["ladder"]
        )
        charged = tuple((AssetKind(kind), int(pk)) for kind, pk in document["charged_assets"])
        values = {name: document[name] for name in REPORT_FIELDS}
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableReport(str(error)) from error
    return RoiReport(**values, ladder=ladder, charged_assets=charged)


def _document_constructor() -> Callable[..., dict[str, Any]]:
    """A function taking the document's values positionally (DOCUMENT_KEYS order) and
    returning the document: one dict display with constant keys, no loop, for building very
    many (as dataclasses writes __init__)."""
    names = [f"v{position}" for position in range(len(DOCUMENT_KEYS))]
    items = ", ".join(f"{key!r}: {name}" for key, name in zip(DOCUMENT_KEYS, names, strict=True))
    namespace: dict[str, Any] = {}
    exec(f"def new_document({', '.join(names)}):\n    return {{{items}}}\n", namespace)
    return cast(Callable[..., dict[str, Any]], namespace["new_document"])


# new_document(*values) == dict(zip(DOCUMENT_KEYS, values)), faster.
new_document: Callable[..., dict[str, Any]] = _document_constructor()
