"""The connectors page: import a dbt manifest or a Feast registry, preview the diff first."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from valuechain import models as m
from valuechain.connectors import dbt, feast, runs, selectors
from valuechain.connectors.forms import MAX_PAGE_BYTES, ConnectorImportForm
from valuechain.connectors.records import ConnectorError, Import
from valuechain.platform.roles import is_data_lead


def _records(connector: str, upload: Any, catalog: Any) -> Import:
    data = upload.read(MAX_PAGE_BYTES + 1)
    if connector == m.SourceSystem.FEAST:
        return feast.parse_registry(data)
    try:
        manifest = json.loads(data)
        catalogued = json.loads(catalog.read(MAX_PAGE_BYTES + 1)) if catalog else None
    except (ValueError, RecursionError):
        raise ConnectorError("file", "Not valid JSON.") from None
    return dbt.parse_manifest(manifest, catalogued)


def connectors_page(request: HttpRequest) -> HttpResponse:
    if not is_data_lead(request.user):
        raise PermissionDenied("Only data leads import metadata into the catalogue.")
    answer: dict[str, Any] | None = None
    queued: m.ConnectorRun | None = None
    status = 200
    form = ConnectorImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                data = _records(
                    form.cleaned_data["connector"],
                    form.cleaned_data["file"],
                    form.cleaned_data.get("catalog"),
                )
                outcome = runs.start_import(
                    system=form.cleaned_data["connector"],
                    data=data,
                    dry_run=form.cleaned_data["dry_run"],
                    user=request.user,
                )
            except ConnectorError as exc:
                form.add_error("catalog" if exc.field == "catalog" else "file", exc.message)
            except ValidationError as exc:
                form.add_error("file", " ".join(exc.messages))
            else:
                if isinstance(outcome, m.ConnectorRun):
                    queued = outcome
                else:
                    answer = outcome
        if not form.is_valid():
            status = 400
    return render(
        request,
        "valuechain/connectors/import.html",
        {
            "form": form,
            "answer": answer,
            "queued": queued,
            "counts": selectors.synced_counts(),
            "runs": selectors.recent_runs(),
        },
        status=status,
    )
