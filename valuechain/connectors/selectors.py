"""Reads of the connectors: import runs and the catalogue's synced assets."""

from __future__ import annotations

from django.db.models import Count, Q

from valuechain import models as m


def find_run(pk: int) -> m.ConnectorRun | None:
    return m.ConnectorRun.objects.filter(pk=pk).select_related("created_by").first()


def recent_runs(limit: int = 20) -> list[m.ConnectorRun]:
    return list(m.ConnectorRun.objects.defer("params").order_by("-created_at", "-id")[:limit])


def synced_counts() -> list[dict[str, object]]:
    """Per kind and source system: how many assets, and how many of them are retired."""
    rows = []
    for kind, model in m.ASSET_MODELS.items():
        counts = (
            model._default_manager.values("source_system")
            .annotate(
                total=Count("pk"), retired_count=Count("pk", filter=Q(retired_at__isnull=False))
            )
            .order_by("source_system")
        )
        rows += [{"asset_type": kind, **row} for row in counts]
    return rows
