"""Contract pages: list, detail with history, side-by-side diff, checker, ODCS upload."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from contracts import compatibility as compat
from contracts import permissions
from contracts.models import DataContract
from contracts.registry import selectors, services
from contracts.registry.diffs import FieldRow, diff_rows
from contracts.registry.forms import (
    EXAMPLE_NEW,
    EXAMPLE_OLD,
    CompatibilityForm,
    OdcsImportForm,
)
from contracts.sla import duration_text
from valuechain.models import Tier


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    contracts = list(
        selectors.contracts(status=status if status in DataContract.Status.values else "")
    )
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
        "contracts/registry/contract_list.html",
        {
            "items": items,
            "status": status,
            "statuses": DataContract.Status.choices,
            "can_import": permissions.may_open_import(request.user),
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
        "contracts/registry/contract_detail.html",
        {
            "contract": contract,
            "asset_name": asset_name,
            "latest": latest,
            "history": history,
            "published": published,
            "consumers": selectors.consumers_of(contract),
            "sla": _sla_rows(latest.sla if latest else {}),
            "schema_text": json.dumps(latest.json_schema, indent=2) if latest else "",
            "can_write": permissions.can_write(request.user, contract),
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


@login_required
def contract_diff(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(selectors.all_contracts(), pk=pk)
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
        return render(request, "contracts/registry/contract_diff.html", context, status=400)
    context |= {
        "rows": rows,
        "root_changes": root,
        "breaking": sum(1 for r in rows if r.breaking) + sum(1 for c in root if c["breaking"]),
        "changed": [r for r in rows if r.state != "same"],
    }
    return render(request, "contracts/registry/contract_diff.html", context)


# --- checker and import ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def compatibility_check(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CompatibilityForm(request.POST)
    elif request.GET.get("example"):
        form = CompatibilityForm(
            initial={
                "old_schema": json.dumps(EXAMPLE_OLD, indent=2),
                "new_schema": json.dumps(EXAMPLE_NEW, indent=2),
            }
        )
    else:
        form = CompatibilityForm()
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
        "contracts/registry/compatibility_check.html",
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
    context: dict[str, Any] = {
        "form": form,
        "report": None,
        "errors": [],
        "problem": None,
        "tiers": Tier.choices,
        "can_import": permissions.may_open_import(request.user),
    }
    if not context["can_import"]:
        # The form is not offered to whom it would refuse: the page says who may import.
        return render(request, "contracts/registry/import.html", context, status=403)
    if request.method != "POST":
        return render(request, "contracts/registry/import.html", context)
    if not form.is_valid():
        return render(request, "contracts/registry/import.html", context, status=400)
    raw = form.cleaned_data["file"]
    try:
        permissions.check_odcs_import(request.user, raw)
        report = services.import_odcs(
            raw=raw,
            user=request.user,  # type: ignore[arg-type]
            asset_type=form.cleaned_data.get("asset_type") or "",
            asset_id=form.cleaned_data.get("asset_id"),
        )
    except permissions.REFUSALS as exc:
        refused = permissions.refusal(exc)
        context["problem"], context["errors"] = refused.problem, refused.errors
        if refused.impact is not None:
            context["impact"] = refused.impact
        return render(request, "contracts/registry/import.html", context, status=refused.status)
    context["report"] = report.as_dict()
    context["contract"] = report.contract
    return render(request, "contracts/registry/import.html", context, status=201)
