"""A scenario as tables: one per view (portfolio, roadmap work, ideas, assets, cash, people,
break-even, tornado), written as CSV (one view) or as an .xlsx workbook (one sheet per view).
Text cells are never formulas: spreadsheet.neutralise guards both formats."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook

from valuechain.spreadsheet import neutralise, write_csv

Table = tuple[list[str], list[list[Any]]]
ROADMAP_COLUMNS = ["quarter", "kind", "asset_type", "asset_id", "name", "idea", "role",
                   "person_days", "one_off"]  # fmt: skip
CASH_COLUMNS = ["quarter", "one_off", "run", "benefit", "net", "cumulative", "discounted",
                "cumulative_discounted"]  # fmt: skip


def tables(
    portfolio: Mapping[str, Any],
    roadmap: Mapping[str, Any] | None,
    sensitivity: Mapping[str, Any] | None,
) -> dict[str, Table]:
    found: dict[str, Table] = {
        "portfolio": (
            ["idea", "title", "stop_tier", "idea_tier"],
            [[r["idea"], r["title"], r["stop_tier"], r["idea_tier"]] for r in portfolio["ideas"]],
        )
    }
    found["roi"] = (
        ["idea", "title", "tier", "one_off_investment", "npv", "roi", "verdict"],
        [
            [r["idea"], r["title"], r["tier"], r["one_off_investment"], r["npv"], r["roi"],
             r["verdict"]]
            for r in portfolio.get("roi_reports", [])
        ],
    )  # fmt: skip
    if roadmap:
        found["roadmap"] = (
            ROADMAP_COLUMNS,
            [
                [i["quarter"], i["kind"], i["asset_type"], i["asset_id"], i["name"], i["idea"],
                 i["role"], i["person_days"], i["one_off"]]
                for i in roadmap["items"]
            ],
        )  # fmt: skip
        found["ideas"] = (
            ["idea", "title", "stop_tier", "done", "value_from"],
            [
                [i["idea"], i["title"], i["stop_tier"], i["done"], i["value_from"]]
                for i in roadmap["ideas"]
            ],
        )
        found["assets"] = (
            ["asset_type", "asset_id", "name", "built"],
            [[a["asset_type"], a["asset_id"], a["name"], a["built"]] for a in roadmap["assets"]],
        )
        found["cash"] = (
            CASH_COLUMNS,
            [
                [r["quarter"], r["one_off"], r["run"], r["benefit"], r["net"], r["cumulative"],
                 r["discounted"], r["cumulative_discounted"]]
                for r in roadmap["cash"]
            ],
        )  # fmt: skip
        found["people"] = (
            ["role", "role_name", "quarter", "needed", "capacity", "overloaded"],
            [
                [p["role"], p["role_name"], p["quarter"], p["needed"], p["capacity"],
                 p["needed"] > p["capacity"] + 1e-6]
                for p in roadmap["people"]
            ],
        )  # fmt: skip
    if sensitivity:
        found["break_even"] = (
            ["idea", "title", "stop_tier", "benefit", "break_even_benefit", "margin"],
            [
                [
                    r["idea"],
                    r["title"],
                    r["stop_tier"],
                    r["benefit"],
                    r["break_even_benefit"],
                    r["margin"],
                ]
                for r in sensitivity["break_even"]
            ],
        )
        found["tornado"] = (
            ["asset_type", "asset_id", "name", "cost_low_npv", "cost_high_npv",
             "feasibility_low_npv", "feasibility_high_npv", "swing"],
            [
                [r["asset_type"], r["asset_id"], r["name"], r["cost_low_npv"], r["cost_high_npv"],
                 r["feasibility_low_npv"], r["feasibility_high_npv"], r["swing"]]
                for r in sensitivity["tornado"]
            ],
        )  # fmt: skip
    return found


def csv_of(table: Table) -> str:
    columns, rows = table
    return write_csv(columns, rows)


def _cell(value: Any) -> Any:
    """A value as a workbook cell: numbers stay numbers, text is never a formula."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    return neutralise(str(value))


def workbook(views: Mapping[str, Table]) -> bytes:
    book = Workbook(write_only=True)
    for name, (columns, rows) in views.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append([neutralise(c) for c in columns])
        for row in rows:
            sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_names(views: Sequence[str]) -> list[str]:
    return [v[:31] for v in views]
