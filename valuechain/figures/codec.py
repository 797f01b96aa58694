"""An ROI report as JSON and back, exactly: floats keep every bit (JSON writes the shortest
repr that reads back to the same float), asset keys become [kind, id] pairs."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from valuechain.engine.chain import AssetKind
from valuechain.engine.finance import LadderStep, RoiReport

_STEP_FIELDS = tuple(f.name for f in fields(LadderStep))
_REPORT_FIELDS = tuple(
    f.name for f in fields(RoiReport) if f.name not in ("ladder", "charged_assets")
)


class UnreadableReport(ValueError):
    """A stored report that does not have the shape this version writes."""


def report_to_json(report: RoiReport) -> dict[str, Any]:
    document: dict[str, Any] = {name: getattr(report, name) for name in _REPORT_FIELDS}
    document["ladder"] = [[getattr(step, name) for name in _STEP_FIELDS] for step in report.ladder]
    document["charged_assets"] = [[str(kind), pk] for kind, pk in report.charged_assets]
    return document


def report_from_json(document: Any) -> RoiReport:
    try:
        ladder = tuple(
            LadderStep(**dict(zip(_STEP_FIELDS, step, strict=True))) for step in document["ladder"]
        )
        charged = tuple((AssetKind(kind), int(pk)) for kind, pk in document["charged_assets"])
        values = {name: document[name] for name in _REPORT_FIELDS}
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableReport(str(error)) from error
    return RoiReport(**values, ladder=ladder, charged_assets=charged)
