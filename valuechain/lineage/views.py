"""The catalogue-wide lineage: one tier's assets a page at a time, each with its closure."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from valuechain import models as m
from valuechain.lineage import graph, panels
from valuechain.platform import paging


def _tier(value: str | None) -> int | None:
    return int(value) if value in ("1", "2", "3", "4") else None


@login_required
@require_GET
def catalogue_lineage(request: HttpRequest) -> HttpResponse:
    raw_tier = request.GET.get("tier")
    tier = _tier(raw_tier) if raw_tier is not None else 1
    raw_page = request.GET.get("page", "1")
    if tier is None or not (raw_page.isdigit() and len(raw_page) < 7):
        field = "tier" if tier is None else "page"
        message = "tier must be 1, 2, 3 or 4" if tier is None else "page must be a whole number"
        return render(
            request,
            "valuechain/lineage/catalogue.html",
            {"error": f"{field}: {message}.", "tiers": m.Tier.choices},
            status=400,
        )
    found = graph.tier_graph(tier, int(raw_page))
    pages = [
        paging.PageLink(
            number,
            "" if number is None else paging.page_query(request.GET, number),
            number == found.number,
        )
        for number in paging.page_window(found.number, found.num_pages)
    ]
    return render(
        request,
        "valuechain/lineage/catalogue.html",
        {
            "lineage": panels.panel(found.graph),
            "found": found,
            "tier": tier,
            "tiers": m.Tier.choices,
            "pages": pages,
            "page_size": graph.TIER_PAGE_SIZE,
            "max_nodes": graph.MAX_NODES,
        },
    )
