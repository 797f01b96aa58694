"""Catalogue editing pages for data leads: the four asset kinds, tier profiles, bulk import.

Data leads and staff edit assets; everyone else gets a 403. Staff edit tier profiles, data
leads read them. Every write goes through the services (atomic, validated by the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError, QuerySet, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from valuechain import catalogue_io, estimates, mappers, services
from valuechain import models as m
from valuechain.catalogue_forms import (
    ASSET_FORMS,
    AssetForm,
    CatalogueImportForm,
    TierProfileForm,
)
from valuechain.platform.roles import is_data_lead
from valuechain.views import _attach

# What uses an asset of each kind downstream (the reverse of its lineage).
DOWNSTREAM: dict[str, tuple[str, str]] = {
    m.AssetType.CURATED_DATASET: ("features", "feature"),
    m.AssetType.RAW_SOURCE: ("curated_datasets", "curated dataset"),
    m.AssetType.ACQUISITION_OPTION: ("raw_sources", "raw source"),
}
UPSTREAM: dict[str, str] = {
    m.AssetType.FEATURE: "curated_datasets",
    m.AssetType.CURATED_DATASET: "raw_sources",
}
# A service's refusal named after the API field lands on the form field that holds it.
SERVICE_FIELDS = {"build_estimate": "build_likely", "run_cost_estimate": "run_likely"}


def _require_data_lead(request: HttpRequest) -> None:
    if not is_data_lead(request.user):
        raise PermissionDenied("Only data leads and staff edit the catalogue.")


def _label(asset_type: str) -> str:
    return m.AssetType(asset_type).label


def _kind_context(asset_type: str) -> dict[str, Any]:
    model = m.ASSET_MODELS[asset_type]
    return {
        "asset_type": asset_type,
        "kind_label": _label(asset_type),
        "tier": int(model.TIER),
        "tier_label": model.TIER.label,
        "kinds": [(kind, _label(kind)) for kind in m.ASSET_MODELS],
    }


# --- list ------------------------------------------------------------------------------------


@dataclass
class AssetListRow:
    asset: m.Asset
    build_mean: float
    run_mean: float
    upstream: list[str]
    need_count: int
    downstream_count: int

    @property
    def in_use(self) -> bool:
        return bool(self.need_count or self.downstream_count)


def _list_queryset(asset_type: str) -> QuerySet[Any]:
    """Assets of one kind with their upstream names and use counts in a constant number
    of queries."""
    model = m.ASSET_MODELS[asset_type]
    queryset = model._default_manager.select_related("owner").annotate(
        need_count=Count("needs", distinct=True)
    )
    if asset_type in DOWNSTREAM:
        queryset = queryset.annotate(
            downstream_count=Count(DOWNSTREAM[asset_type][0], distinct=True)
        )
    if asset_type in UPSTREAM:
        queryset = queryset.prefetch_related(UPSTREAM[asset_type])
    if asset_type == m.AssetType.RAW_SOURCE:
        queryset = queryset.select_related("acquisition_option")  # type: ignore[misc]
    return queryset.order_by("name", "id")


def _upstream_names(asset: m.Asset) -> list[str]:
    if isinstance(asset, m.RawSource):
        return [asset.acquisition_option.name] if asset.acquisition_option else []
    field = UPSTREAM.get(asset.asset_type)
    return [row.name for row in getattr(asset, field).all()] if field else []


@login_required
@require_GET
def asset_list(request: HttpRequest, asset_type: str) -> HttpResponse:
    _require_data_lead(request)
    rates = mappers.day_rates()
    rows = [
        AssetListRow(
            asset=asset,
            build_mean=estimates.estimate_of(asset, "build", rates).mean,
            run_mean=estimates.estimate_of(asset, "run", rates).mean,
            upstream=_upstream_names(asset),
            need_count=asset.need_count,
            downstream_count=getattr(asset, "downstream_count", 0),
        )
        for asset in _list_queryset(asset_type)
    ]
    return render(
        request,
        "valuechain/catalogue/asset_list.html",
        {**_kind_context(asset_type), "rows": rows},
    )


# --- create and edit ----------------------------------------------------------------------------


def _default_feasibility(asset_type: str) -> float | None:
    tier = int(m.ASSET_MODELS[asset_type].TIER)
    return (
        m.TierProfile.objects.filter(tier=tier)
        .values_list("default_feasibility", flat=True)
        .first()
    )


def _save(form: AssetForm, asset_type: str, asset: m.Asset | None) -> m.Asset | None:
    """Write through the services; a refusal goes onto the form and nothing is written."""
    try:
        if asset is None:
            return services.create_asset(asset_type=asset_type, changes=form.changes())
        return services.update_asset(asset=asset, changes=form.changes())
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            error = ValidationError(
                {
                    SERVICE_FIELDS.get(name, name): problems
                    for name, problems in error.message_dict.items()
                }
            )
        _attach(form, error)
        return None


def _asset_form_page(request: HttpRequest, asset_type: str, asset: m.Asset | None) -> HttpResponse:
    _require_data_lead(request)
    form_class = ASSET_FORMS[asset_type]
    model = m.ASSET_MODELS[asset_type]
    instance = asset if asset is not None else model(owner=request.user)  # type: ignore[misc]
    default = _default_feasibility(asset_type)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, instance=instance, default_feasibility=default)
        if form.is_valid():
            # The form validated a scratch copy; the services write the stored row.
            target = model._default_manager.get(pk=asset.pk) if asset is not None else None
            saved = _save(form, asset_type, target)
            if saved is not None:
                verb = "added" if asset is None else "saved"
                messages.success(request, f"{_label(asset_type)} “{saved.name}” {verb}.")
                return redirect(f"{reverse('catalogue')}#asset-{asset_type}-{saved.pk}")
        status = 400
    else:
        form = form_class(instance=instance, default_feasibility=default)
    return render(
        request,
        "valuechain/catalogue/asset_form.html",
        {**_kind_context(asset_type), "form": form, "asset": asset, "creating": asset is None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def asset_create(request: HttpRequest, asset_type: str) -> HttpResponse:
    return _asset_form_page(request, asset_type, None)


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, asset_type: str, pk: int) -> HttpResponse:
    _require_data_lead(request)
    asset = get_object_or_404(m.ASSET_MODELS[asset_type]._default_manager, pk=pk)
    return _asset_form_page(request, asset_type, asset)


# --- delete -------------------------------------------------------------------------------------


def asset_users(asset: m.Asset) -> tuple[list[m.Need], list[m.Asset]]:
    """The needs pointing at the asset and the assets downstream that use it as input."""
    needs = list(asset.needs.select_related("idea").order_by("idea__title", "name"))  # type: ignore[attr-defined]
    downstream: list[m.Asset] = []
    if asset.asset_type in DOWNSTREAM:
        downstream = list(getattr(asset, DOWNSTREAM[asset.asset_type][0]).order_by("name"))
    return needs, downstream


@login_required
@require_http_methods(["GET", "POST"])
def asset_delete(request: HttpRequest, asset_type: str, pk: int) -> HttpResponse:
    _require_data_lead(request)
    asset = get_object_or_404(m.ASSET_MODELS[asset_type]._default_manager, pk=pk)
    status = 200
    refused = False
    if request.method == "POST":
        with transaction.atomic():
            needs, downstream = asset_users(asset)
            if not needs and not downstream:
                try:
                    services.delete_asset(asset=asset)
                except (ProtectedError, RestrictedError):
                    refused = True
                else:
                    messages.success(request, f"{_label(asset_type)} “{asset.name}” deleted.")
                    return redirect("catalogue-asset-list", asset_type=asset_type)
        status = 409
        refused = True
    needs, downstream = asset_users(asset)
    return render(
        request,
        "valuechain/catalogue/asset_delete.html",
        {
            **_kind_context(asset_type),
            "asset": asset,
            "needs": needs,
            "downstream": downstream,
            "downstream_label": DOWNSTREAM.get(asset_type, ("", ""))[1],
            "refused": refused,
        },
        status=status,
    )


# --- tier profiles ------------------------------------------------------------------------------


@login_required
@require_GET
def tier_profiles(request: HttpRequest) -> HttpResponse:
    _require_data_lead(request)
    profiles = list(m.TierProfile.objects.prefetch_related("default_roles"))
    return render(
        request,
        "valuechain/catalogue/tier_profiles.html",
        {"profiles": profiles, "can_edit": request.user.is_staff},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tier_profile_edit(request: HttpRequest, tier: int) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff edit tier profiles.")
    profile = get_object_or_404(m.TierProfile, tier=tier)
    status = 200
    if request.method == "POST":
        form = TierProfileForm(request.POST, instance=m.TierProfile.objects.get(tier=tier))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_tier_profile(
                    profile=profile,
                    changes={
                        "label": data["label"],
                        "investment_band": data["investment_band"],
                        "default_roles": list(data["default_roles"]),
                        "default_feasibility": data["default_feasibility"],
                    },
                )
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, f"Tier {tier} profile saved.")
                return redirect("catalogue-tiers")
        status = 400
    else:
        form = TierProfileForm(instance=profile)
    return render(
        request,
        "valuechain/catalogue/tier_profile_form.html",
        {"profile": profile, "form": form},
        status=status,
    )


# --- bulk import --------------------------------------------------------------------------------


# Room for the multipart envelope around a file of the largest allowed size.
MAX_UPLOAD = catalogue_io.MAX_BYTES + 64 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    _require_data_lead(request)
    report: catalogue_io.ImportReport | None = None
    too_large = ""
    status = 200
    if request.method == "POST" and _content_length(request) > MAX_UPLOAD:
        # Refused before Django reads the body into a temporary file.
        form = CatalogueImportForm()
        too_large = f"The file is larger than {catalogue_io.MAX_BYTES // 1024} KiB."
        status = 413
    elif request.method == "POST":
        form = CatalogueImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(catalogue_io.MAX_BYTES + 1)
            fmt = form.cleaned_data["format"] or catalogue_io.detect_format(
                upload.name or "", upload.content_type or "", data
            )
            try:
                report = catalogue_io.import_catalogue(
                    data=data, fmt=fmt, dry_run=form.cleaned_data["dry_run"]
                )
            except catalogue_io.ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                if report.ok and not report.dry_run:
                    messages.success(
                        request,
                        f"Imported: {report.count('create')} created, "
                        f"{report.count('update')} updated, "
                        f"{report.count('unchanged')} unchanged.",
                    )
        if not form.is_valid() or (report is not None and not report.ok):
            status = 400
    else:
        form = CatalogueImportForm()
    return render(
        request,
        "valuechain/catalogue/import.html",
        {
            "form": form,
            "report": report,
            "too_large": too_large,
            "counts": {action: report.count(action) for action in ("create", "update", "unchanged")}
            if report is not None
            else {},
            "columns": catalogue_io.COLUMNS,
            "max_rows": catalogue_io.MAX_ROWS,
        },
        status=status,
    )
