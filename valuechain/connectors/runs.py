"""Starting an import: small ones are applied in the request, large ones go to a worker."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from valuechain import models as m
from valuechain.connectors import records, sync
from valuechain.connectors.tasks import run_connector_import

# Past this many assets an import runs as a task with progress, and the API answers 202.
TASK_THRESHOLD = 300


@transaction.atomic
def start_import(
    *,
    system: str,
    data: records.Import,
    dry_run: bool,
    user: AbstractBaseUser | AnonymousUser | None,
) -> dict[str, Any] | m.ConnectorRun:
    """The import's answer when applied at once, or the queued run that will apply it."""
    person: Any = user if user is not None and user.is_authenticated else None
    if len(data.assets) <= TASK_THRESHOLD:
        return sync.apply_import(system=system, data=data, dry_run=dry_run, user=person)
    run = m.ConnectorRun.objects.create(
        connector=system, dry_run=dry_run, params=records.to_json(data), created_by=person
    )
    run_connector_import.delay_on_commit(run.pk)
    return run
