"""Catalogue pages: the tiers with lineage, one tier and one page at a time (everyone), the
need picker's search, and for data leads the editing of the four asset kinds, tier profiles
and the bulk import.

Data leads and staff edit assets; everyone else gets a 403. Staff edit tier profiles, data
leads read them. Every write goes through the services (atomic, validated by the model).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from valuechain import models as m
from valuechain.activity import panels as activity_panels
from valuechain.catalogue import selectors, services
from valuechain.catalogue.bulk import database as bulk
from valuechain.catalogue.bulk.document import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UPLOAD,
    TOO_LARGE,
    ImportFileError,
    ImportReport,
    detect_format,
)
from valuechain.catalogue.forms import (
    ASSET_FORMS,
    AssetForm,
    AssetSearchForm,
    CatalogueFilterForm,
    CatalogueImportForm,
    TierProfileForm,
)
from valuechain.lineage import graph as lineage_graph
from valuechain.lineage import panels as lineage_panels
from valuechain.platform import paging
from valuechain.platform.display import attach_errors
from valuechain.platform.roles import is_data_lead

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


# --- the catalogue by tier, and the need picker's search -----------------------------------------


def _search_text(request: HttpRequest) -> str:
    # NUL characters cannot reach PostgreSQL; nothing searchable contains them.
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


def catalogue_url(tier: int, page: int = 1, anchor: str = "") -> str:
    """The catalogue page showing `tier` at `page`, scrolled to `anchor`."""
    query = f"?tier={tier}" + (f"&page={page}" if page > 1 else "")
    return reverse("catalogue") + query + (f"#{anchor}" if anchor else "")


def _set_links(rows: list[selectors.CatalogueRow]) -> None:
    """Addresses of a page's lineage and ideas: each route is reversed once, not per link
    (hundreds of links on a page of 50 rows)."""
    places = {
        kind: reverse("catalogue-asset", args=[kind, 0]).removesuffix("0/")
        for kind in m.ASSET_MODELS
    }
    idea = reverse("idea-detail", args=[0]).removesuffix("0/")
    for row in rows:
        for link in (*row.upstream, *row.downstream):
            link.href = f"{places[link.asset_type]}{link.pk}/"
        for idea_link in row.ideas:
            idea_link.href = f"{idea}{idea_link.pk}/"


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """One tier at a time, a page at a time, with the count of every tier for the same
    search and filters. Unknown filter values are ignored; a page number past the end
    shows the last page, and one that is not a number the first."""
    chosen = CatalogueFilterForm({**request.GET.dict(), "q": _search_text(request)}).choices()
    filters = selectors.CatalogueFilters(
        query=chosen["q"],
        availability=chosen["availability"],
        owner_id=request.user.pk if chosen["owner"] == "mine" else None,
        use=chosen["use"],
        sort=chosen["sort"],
    )
    counts = selectors.tier_counts(filters)
    tier = chosen["tier"]
    if tier is None:
        # Without a tier asked for, the first tier that has something to show.
        tier = next((number for number in sorted(counts) if counts[number]), 1)
    shown = selectors.catalogue_tier(tier, filters, request.GET.get("page"), counts[tier])
    _set_links(shown.rows)
    params = request.GET.copy()
    params["tier"] = str(tier)
    params.pop("q", None)
    if filters.query:
        params["q"] = filters.query
    tabs = [
        {
            "tier": number,
            "label": m.Tier(number).label,
            "count": counts[number],
            "href": paging.page_query({**params.dict(), "tier": str(number)}, 1),
        }
        for number in sorted(counts)
    ]
    return render(
        request,
        "valuechain/catalogue/catalogue.html",
        {
            "section": shown,
            "tabs": tabs,
            "form": CatalogueFilterForm(initial={**chosen, "tier": tier}),
            "query": filters.query,
            "filtered": any(
                chosen[name] != CatalogueFilterForm.DEFAULTS[name]
                for name in ("q", "availability", "owner", "use")
            ),
            "pagination": paging.pagination(shown.page, params),
            # The catalogue is edited in the admin, which only staff can open.
            "can_edit_catalogue": request.user.is_staff,
            # Data leads and staff edit assets on the catalogue editing pages.
            "can_edit_assets": is_data_lead(request.user),
        },
    )


@login_required
@require_GET
def catalogue_asset(request: HttpRequest, asset_type: str, pk: int) -> HttpResponse:
    """An asset's page: its lineage graph, its history, and a link to its row (the tier and
    page it is on, scrolled to it)."""
    position = selectors.catalogue_position(asset_type, pk)
    found = lineage_graph.asset_graph(asset_type, pk) if position is not None else None
    if position is None or found is None:
        raise Http404("No such asset.")
    tier, page = position
    asset = next(node for node in found.nodes if node.key == (asset_type, pk))
    return render(
        request,
        "valuechain/catalogue/asset.html",
        {
            **_kind_context(asset_type),
            "asset": asset,
            "asset_type": asset_type,
            "pk": pk,
            "place": catalogue_url(tier, page, f"asset-{asset_type}-{pk}"),
            "lineage": lineage_panels.panel(found),
            "can_edit_assets": is_data_lead(request.user),
            **activity_panels.asset_panels(asset_type, pk, request.GET),
        },
    )


@login_required
@require_GET
def catalogue_search(request: HttpRequest) -> HttpResponse:
    """Matching assets of one tier, for picking a need's data (an htmx partial)."""
    template = "valuechain/catalogue/_asset_search_results.html"
    form = AssetSearchForm(request.GET or {"tier": 1})
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    tier: int = form.cleaned_data["tier"]
    query: str = form.cleaned_data["q"]
    results, truncated = selectors.search_assets(tier, query)
    return render(
        request,
        template,
        {
            "form": form,
            "tier": tier,
            "tier_label": m.Tier(tier).label,
            "query": query,
            "results": results,
            "truncated": truncated,
            "next_tier": tier + 1 if tier < 4 else None,
        },
    )


# --- the editing list ------------------------------------------------------------------------


@login_required
@require_GET
def asset_list(request: HttpRequest, asset_type: str) -> HttpResponse:
    _require_data_lead(request)
    query = _search_text(request)
    page, rows = selectors.asset_list_rows(asset_type, query, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("q", None)
    if query:
        params["q"] = query
    return render(
        request,
        "valuechain/catalogue/asset_list.html",
        {
            **_kind_context(asset_type),
            "rows": rows,
            "query": query,
            "pagination": paging.pagination(page, params),
        },
    )


# --- create and edit ----------------------------------------------------------------------------


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
        attach_errors(form, error)
        return None


def _asset_form_page(request: HttpRequest, asset_type: str, asset: m.Asset | None) -> HttpResponse:
    _require_data_lead(request)
    form_class = ASSET_FORMS[asset_type]
    model = m.ASSET_MODELS[asset_type]
    instance = asset if asset is not None else model(owner=request.user)  # type: ignore[misc]
    default = selectors.default_feasibility(asset_type)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, instance=instance, default_feasibility=default)
        if form.is_valid():
            # The form validated a scratch copy; the services write the stored row.
            target = None if asset is None else selectors.assets_of(asset_type).get(pk=asset.pk)
            saved = _save(form, asset_type, target)
            if saved is not None:
                verb = "added" if asset is None else "saved"
                messages.success(request, f"{_label(asset_type)} “{saved.name}” {verb}.")
                position = selectors.catalogue_position(asset_type, saved.pk)
                tier, page = position if position is not None else (int(model.TIER), 1)
                return redirect(catalogue_url(tier, page, f"asset-{asset_type}-{saved.pk}"))
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
    asset = get_object_or_404(selectors.assets_of(asset_type), pk=pk)
    return _asset_form_page(request, asset_type, asset)


# --- delete -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def asset_delete(request: HttpRequest, asset_type: str, pk: int) -> HttpResponse:
    _require_data_lead(request)
    asset = get_object_or_404(selectors.assets_of(asset_type), pk=pk)
    status = 200
    refused = False
    if request.method == "POST":
        if services.delete_unused_asset(asset=asset):
            messages.success(request, f"{_label(asset_type)} “{asset.name}” deleted.")
            return redirect("catalogue-asset-list", asset_type=asset_type)
        status = 409
        refused = True
    needs, downstream = selectors.asset_users(asset)
    return render(
        request,
        "valuechain/catalogue/asset_delete.html",
        {
            **_kind_context(asset_type),
            "asset": asset,
            "needs": needs,
            "downstream": downstream,
            "downstream_label": selectors.downstream_label(asset_type),
            "refused": refused,
        },
        status=status,
    )


# --- tier profiles ------------------------------------------------------------------------------


@login_required
@require_GET
def tier_profiles(request: HttpRequest) -> HttpResponse:
    _require_data_lead(request)
    profiles = list(selectors.tier_profiles())
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
    profile = get_object_or_404(selectors.tier_profiles(), tier=tier)
    status = 200
    if request.method == "POST":
        # The form validates a scratch copy; the service writes the stored row.
        form = TierProfileForm(request.POST, instance=selectors.tier_profiles().get(tier=tier))
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
                attach_errors(form, error)
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


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    _require_data_lead(request)
    report: ImportReport | None = None
    too_large = ""
    status = 200
    if request.method == "POST" and _content_length(request) > MAX_UPLOAD:
        # Refused before Django reads the body into a temporary file.
        form = CatalogueImportForm()
        too_large = TOO_LARGE
        status = 413
    elif request.method == "POST":
        form = CatalogueImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(MAX_BYTES + 1)
            fmt = form.cleaned_data["format"] or detect_format(
                upload.name or "", upload.content_type or "", data
            )
            try:
                report = bulk.import_catalogue(
                    data=data, fmt=fmt, dry_run=form.cleaned_data["dry_run"]
                )
            except ImportFileError as exc:
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
            "columns": COLUMNS,
            "max_rows": MAX_ROWS,
        },
        status=status,
    )
