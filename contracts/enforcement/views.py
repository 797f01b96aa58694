"""Enforcement pages: a batch upload from the contract page, and the user's alerts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from contracts.enforcement import selectors, services
from contracts.enforcement.forms import BatchUploadForm
from contracts.models import ValidationRun
from contracts.permissions import may_validate
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
