"""Contract pages: list, detail with history, side-by-side diff, checker, ODCS upload."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from contracts import compatibility as compat
from contracts import odcs, selectors, services
from contracts.forms import CompatibilityForm, OdcsImportForm
from contracts.models import DataContract
from contracts.sla import duration_text


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.contracts()
    status = request.GET.get("status", "")
    if status in DataContract.Status.values:
        rows = rows.filter(status=status)
    contracts = list(rows)
    names = selectors.asset_names(c.asset_key for c in contracts if c.asset_key)
    items = [
        {
            "contract": c,
            "asset_name": names.get(c.asset_key) if c.asset_key else None,
            "latest": selectors.latest_version(c),
        }
        for c in contracts
    ]
    return render(
        request,
        "contracts/contract_list.html",
        {
            "items": items,
            "status": status,
            "statuses": DataContract.Status.choices,
            "can_import": services.can_write(request.user),
        },
    )


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(selectors.contracts(), pk=pk)
    versions = list(selectors.versions(contract))
    published = [v for v in versions if v.is_published]
    latest = published[-1] if published else None
    history = [
        {
            "version": v,
            "breaking": sum(1 for c in v.changes if c.get("breaking")),
            "changes": len(v.changes),
        }
        for v in reversed(versions)
    ]
    asset_name = (
        selectors.asset_names([contract.asset_key]).get(contract.asset_key)
        if contract.asset_key
        else None
    )
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "asset_name": asset_name,
            "latest": latest,
            "history": history,
            "published": published,
            "consumers": selectors.consumers_of(contract),
            "sla": _sla_rows(latest.sla if latest else {}),
            "schema_text": json.dumps(latest.json_schema, indent=2) if latest else "",
            "can_write": services.can_write(request.user, contract),
        },
    )


def _sla_rows(sla: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = [("Meant for production use", "yes" if sla.get("production_use") else "no")]
    for key, label in (
        ("max_lateness", "Maximum lateness"),
        ("freshness", "Freshness"),
        ("retention", "Retention"),
    ):
        value = sla.get(key)
        if isinstance(value, Mapping):
            rows.append((label, duration_text(value)))
    return rows


# --- side-by-side diff ---------------------------------------------------------------------


@dataclass
class FieldRow:
    pointer: str
    depth: int
    name: str
    old: str | None
    new: str | None
    changes: list[dict[str, Any]]

    @property
    def breaking(self) -> bool:
        return any(c["breaking"] for c in self.changes)

    @property
    def state(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.changes else "same"


def _summary(schema: Any, required: bool) -> str:
    if not isinstance(schema, Mapping):
        return "anything" if schema is True else "nothing"
    parts = []
    t = schema.get("type")
    if t is not None:
        parts.append(" | ".join(t) if isinstance(t, list) else str(t))
    if "$ref" in schema:
        parts.append(f"→ {schema['$ref']}")
    for key in (
        "format",
        "enum",
        "const",
        "minimum",
        "exclusiveMinimum",
        "maximum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
    ):
        if key in schema:
            parts.append(f"{key} {json.dumps(schema[key])}")
    if schema.get("additionalProperties") is False:
        parts.append("closed")
    if required:
        parts.append("required")
    return ", ".join(parts) or "anything"


def _fields(schema: Any, pointer: str = "", depth: int = 0) -> dict[str, tuple[int, str, str]]:
    """pointer -> (depth, name, summary) for every property, nested ones included."""
    found: dict[str, tuple[int, str, str]] = {}
    if not isinstance(schema, Mapping):
        return found
    required = set(schema.get("required") or ())
    for name, sub in (schema.get("properties") or {}).items():
        here = f"{pointer}/properties/{name.replace('~', '~0').replace('/', '~1')}"
        found[here] = (depth, name, _summary(sub, name in required))
        found.update(_fields(sub, here, depth + 1))
        if isinstance(sub, Mapping) and isinstance(sub.get("items"), Mapping):
            found.update(_fields(sub["items"], here + "/items", depth + 1))
    return found


def _target(change: Mapping[str, Any], raw: compat.Change) -> str:
    """The schema location a change is about: required changes belong to their property."""
    if raw.type in (compat.ChangeType.REQUIRED_ADDED, compat.ChangeType.REQUIRED_REMOVED):
        parent = change["path"].rsplit("/required/", 1)[0]
        name = str(raw.new if raw.new is not None else raw.old)
        return f"{parent}/properties/{name.replace('~', '~0').replace('/', '~1')}"
    return str(change["path"])


def diff_rows(
    old_schema: Any, new_schema: Any, mode: compat.Mode
) -> tuple[list[FieldRow], list[dict[str, Any]]]:
    """Rows of fields side by side, each with the changes that belong to it; the changes
    that belong to no field (the root) are returned apart."""
    raw_changes = compat.diff_schemas(old_schema, new_schema)
    old_f, new_f = _fields(old_schema), _fields(new_schema)
    # the new schema's order, with removed fields back where they stood in the old one
    pointers = list(new_f)
    previous = None
    for p in old_f:
        if p not in new_f:
            pointers.insert(pointers.index(previous) + 1 if previous else 0, p)
        previous = p
    rows = {
        p: FieldRow(
            pointer=p,
            depth=(new_f.get(p) or old_f[p])[0],
            name=(new_f.get(p) or old_f[p])[1],
            old=old_f[p][2] if p in old_f else None,
            new=new_f[p][2] if p in new_f else None,
            changes=[],
        )
        for p in pointers
    }
    root: list[dict[str, Any]] = []
    for raw in raw_changes:
        change = {**raw.as_dict(mode), "target": ""}
        target = _target(change, raw)
        owner = max(
            (p for p in rows if target == p or target.startswith(p + "/")), key=len, default=None
        )
        if owner is None:
            root.append(change)
        else:
            rows[owner].changes.append(change)
    return list(rows.values()), root


@login_required
def contract_diff(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(DataContract, pk=pk)
    versions = list(selectors.versions(contract))
    if len(versions) < 1:
        raise Http404("This contract has no versions yet.")
    by_label = {v.version: v for v in versions}
    default_old = versions[-2].version if len(versions) > 1 else versions[-1].version
    old = by_label.get(request.GET.get("old") or default_old)
    new = by_label.get(request.GET.get("new") or versions[-1].version)
    if old is None or new is None:
        raise Http404("No such version of this contract.")
    mode = compat.parse_mode(contract.compatibility_mode)
    context: dict[str, Any] = {
        "contract": contract,
        "versions": versions,
        "old": old,
        "new": new,
        "mode": mode.value,
    }
    try:
        rows, root = diff_rows(old.json_schema, new.json_schema, mode)
    except compat.SchemaTooComplexError as exc:
        context |= {"rows": [], "root_changes": [], "breaking": 0, "changed": [], "error": str(exc)}
        return render(request, "contracts/contract_diff.html", context, status=400)
    context |= {
        "rows": rows,
        "root_changes": root,
        "breaking": sum(1 for r in rows if r.breaking) + sum(1 for c in root if c["breaking"]),
        "changed": [r for r in rows if r.state != "same"],
    }
    return render(request, "contracts/contract_diff.html", context)


# --- checker and import ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def compatibility_check(request: HttpRequest) -> HttpResponse:
    form = CompatibilityForm(request.POST or None)
    result = None
    rows: Sequence[FieldRow] = []
    root: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            mode = compat.parse_mode(form.cleaned_data["mode"])
            old, new = form.cleaned_data["old_schema"], form.cleaned_data["new_schema"]
            try:
                result = compat.check_compatibility(new, [old], mode)
                rows, root = diff_rows(old, new, mode)
            except compat.SchemaTooComplexError as exc:
                form.add_error(None, str(exc))
                result, status = None, 400
        else:
            status = 400
    return render(
        request,
        "contracts/compatibility_check.html",
        {
            "form": form,
            "result": result,
            "rows": rows,
            "root_changes": root,
            "suggested": compat.bump_level(result.changes, result.mode) if result else None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def odcs_import(request: HttpRequest) -> HttpResponse:
    form = OdcsImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "report": None, "errors": [], "problem": None}
    if request.method != "POST":
        return render(request, "contracts/import.html", context)
    if not form.is_valid():
        return render(request, "contracts/import.html", context, status=400)
    raw = form.cleaned_data["file"]
    asset_type = form.cleaned_data.get("asset_type") or ""
    asset_id = form.cleaned_data.get("asset_id")
    status = 200
    try:
        if not services.can_write(request.user):
            existing = DataContract.objects.filter(odcs_id=odcs.parse(raw).odcs_id).first()
            if not services.can_write(request.user, existing):
                raise PermissionError("Only data leads and contract owners may import contracts.")
        report = services.import_odcs(
            raw=raw,
            user=request.user,  # type: ignore[arg-type]
            asset_type=asset_type,
            asset_id=asset_id,
        )
        context["report"] = report.as_dict()
        context["contract"] = report.contract
        status = 201
    except odcs.OdcsError as exc:
        context["problem"], context["errors"] = exc.message, exc.errors
        status = 400
    except ValidationError as exc:
        context["problem"] = "The contract was not imported."
        context["errors"] = [
            {"path": field, "message": " ".join(msgs)}
            for field, msgs in getattr(exc, "message_dict", {"": exc.messages}).items()
        ]
        status = 400
    except PermissionError as exc:
        context["problem"] = str(exc)
        status = 403
    except services.BreakingChangeError as exc:
        plan = exc.as_dict()
        context["problem"] = plan["detail"]
        context["errors"] = [
            {"path": c["path"], "message": c["message"]} for c in plan["breaking_changes"]
        ]
        context["impact"] = plan["impact"]
        status = 409
    except services.VersionConflictError as exc:
        context["problem"] = exc.message
        status = 409
    return render(request, "contracts/import.html", context, status=status)
