"""Enforcement pages: a batch upload from the contract page, the user's alerts, and the
recovery of dead letters (browse, fix, revalidate, replay, discard)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from contracts.enforcement import recovery, selectors, services
from contracts.enforcement.forms import (
    BatchUploadForm,
    DeadLetterFilterForm,
    DiscardForm,
    PayloadForm,
    VersionForm,
)
from contracts.enforcement.selectors import published_versions
from contracts.models import DataContract, DeadLetter, ValidationRun
from contracts.permissions import can_write, may_validate
from contracts.registry.selectors import all_contracts


@login_required
@require_POST
def validate_upload(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(all_contracts(), pk=pk)
    if not may_validate(request.user, contract):
        raise PermissionDenied("Only the producer, data leads and consumers send batches.")
    try:
        version = selectors.enforced_version(contract)
    except selectors.NoPublishedVersionError as exc:
        messages.error(request, str(exc))
        return redirect("contracts:detail", pk=pk)
    form = BatchUploadForm(request.POST, request.FILES, schema=version.json_schema)
    if not form.is_valid():
        return render(
            request,
            "contracts/enforcement/validate_upload.html",
            {"contract": contract, "form": form},
            status=400,
        )
    upload = form.cleaned_data["file"]
    run, inline = services.validate_batch_now_or_later(
        contract=contract,
        records=form.cleaned_data["records"],
        source=ValidationRun.Source.UPLOAD,
        filename=upload.name or "",
        user=request.user,  # type: ignore[arg-type]
    )
    if inline:
        messages.success(
            request,
            f"{upload.name}: {run.valid_count} valid, {run.dead_letter_count} dead-lettered.",
        )
    else:
        messages.info(
            request, f"{upload.name}: {run.received_count} records queued (run {run.pk})."
        )
    return redirect(f"/contracts/{pk}/#enforcement")


@login_required
@require_http_methods(["GET", "POST"])
def alert_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.mark_alerts_read(user=request.user)  # type: ignore[arg-type]
        return redirect("contracts:alerts")
    alerts = list(selectors.alerts_for(request.user)[:200])  # type: ignore[arg-type]
    unread = sum(1 for a in alerts if a.read_at is None)
    return render(
        request, "contracts/enforcement/alerts.html", {"alerts": alerts, "unread": unread}
    )


# --- dead-letter recovery ----------------------------------------------------------------------

PAGE_SIZE = 50


def _readable(request: HttpRequest, pk: int) -> DataContract:
    contract = get_object_or_404(all_contracts(), pk=pk)
    if not may_validate(request.user, contract):
        raise PermissionDenied("Only the producer, data leads and consumers see records.")
    return contract


def _published(contract: DataContract) -> list[str]:
    return [v.version for v in published_versions(contract)]


@login_required
@require_http_methods(["GET", "POST"])
def dead_letter_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Browse the contract's dead letters by status, version and rejecting consumer; POST
    revalidates and replays every open one against a chosen version."""
    contract = _readable(request, pk)
    versions = _published(contract)
    writable = can_write(request.user, contract)
    replay_form = VersionForm(request.POST or None, versions=versions)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied("Only the contract's owner and data leads replay.")
        if replay_form.is_valid():
            version = selectors.published_version(contract, replay_form.cleaned_data["version"])
            result, queued = services.replay_now_or_later(
                contract=contract, ids=None, version=version, user=request.user,  # type: ignore[arg-type]
            )  # fmt: skip
            if queued:
                messages.info(request, f"{queued} dead letters are being replayed by a worker.")
            else:
                messages.success(
                    request,
                    f"Against {version.version}: {result.replayed} replayed, "
                    f"{result.still_invalid} still invalid, {result.already_replayed} "
                    "replayed before.",
                )
            return redirect("contracts:dead_letters", pk=pk)
    filters = DeadLetterFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.dead_letters(
        contract,
        status=chosen.get("status", ""),
        version=chosen.get("version", ""),
        consumer=chosen.get("consumer", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/enforcement/dead_letters.html",
        {
            "contract": contract,
            "page": page,
            "filters": filters,
            "counts": selectors.status_counts(contract),
            "replay_form": replay_form,
            "can_write": writable,
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def dead_letter_detail(request: HttpRequest, pk: int, dl_id: int) -> HttpResponse:
    """One dead letter: its record (fixable), why each version rejects it, its audit; POST
    ``action`` = edit, revalidate, replay or discard."""
    contract = _readable(request, pk)
    letter = get_object_or_404(selectors.dead_letters(contract), pk=dl_id)
    versions = _published(contract)
    writable = can_write(request.user, contract)
    action = request.POST.get("action") if request.method == "POST" else None
    forms_by_action = {
        "edit": PayloadForm(
            request.POST if action == "edit" else None,
            initial={"payload": json.dumps(letter.payload, indent=2, ensure_ascii=False)},
        ),
        "revalidate": VersionForm(
            request.POST if action == "revalidate" else None, versions=versions,
            prefix="revalidate",
        ),
        "replay": VersionForm(
            request.POST if action == "replay" else None, versions=versions, prefix="replay"
        ),
        "discard": DiscardForm(request.POST if action == "discard" else None),
    }  # fmt: skip
    if action is not None:
        if not writable:
            raise PermissionDenied("Only the contract's owner and data leads recover records.")
        form = forms_by_action.get(action)
        if form is not None and form.is_valid():
            try:
                messages.success(request, _act(contract, letter, action, form.cleaned_data,
                                               request.user))  # fmt: skip
                return redirect("contracts:dead_letter", pk=pk, dl_id=dl_id)
            except recovery.DeadLetterStateError as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                for problems in exc.message_dict.values():
                    messages.error(request, " ".join(problems))
    status = 400 if action is not None else 200
    return render(
        request,
        "contracts/enforcement/dead_letter.html",
        {
            "contract": contract,
            "letter": letter,
            "forms": forms_by_action,
            "actions": list(selectors.dead_letter_actions(letter)[:100]),
            "can_write": writable,
        },
        status=status,
    )


def _act(
    contract: DataContract, letter: DeadLetter, action: str, data: dict[str, Any], user: Any
) -> str:
    """Apply one recovery step; the words that report it."""
    if action == "edit":
        fixed = recovery.edit_payload(dead_letter=letter, payload=data["payload"], user=user)
        return "Record saved; " + (
            f"still {len(fixed.errors)} errors." if fixed.errors else "it is now valid."
        )
    if action == "discard":
        recovery.discard(dead_letter=letter, reason=data["reason"], user=user)
        return "Dead letter discarded."
    version = selectors.published_version(contract, data["version"])
    if action == "revalidate":
        errors = recovery.revalidate(dead_letter=letter, version=version, user=user)
        return f"Against {version.version}: " + (f"{len(errors)} errors." if errors else "valid.")
    result = recovery.replay(contract=contract, ids=[letter.pk], version=version, user=user)
    if result.replayed:
        return f"Replayed to the validated path against {version.version}."
    if result.already_replayed:
        return "It was replayed before; nothing changed."
    return f"Still invalid against {version.version}; fix the record first."
