"""Who changed what, when: django-simple-history keeps a row per save or delete of the rows
people edit (ideas, needs, the four asset kinds with their estimates, stakeholder assignments).

Registered here rather than in the class bodies. Which writes are recorded: every save and
delete through the ORM (pages, API, admin, services), and the catalogue's bulk import (it adds
the records in bulk itself). Not recorded: writes that send no signal and exist to generate or
reset data wholesale (make_company's generated company is written with bulk_create: it starts
with no history), and queryset.update of stored figures (not a user's change). Lineage links in
many-to-many tables (a feature's curated datasets, a curated dataset's raw sources) are not
recorded; a raw source's acquisition option is (it is a field).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_save, pre_save
from simple_history import register

# Bookkeeping fields that change on every save and say nothing to a reader.
UNTRACKED = {"updated_at"}


def _skip_if_unchanged(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    """A save that changes nothing is not a change: the idea form saves every need of the
    idea, and the feed would fill with needs "changed" to what they were. One query, on
    updates only: the row's last record, compared field by field."""
    if kwargs.get("raw") or instance._state.adding or instance.pk is None:
        return
    history = sender.history.model
    names = [f.attname for f in history.tracked_fields]
    last = (
        history.objects.filter(id=instance.pk).order_by("-history_id").values_list(*names).first()
    )
    if last is not None and tuple(getattr(instance, name) for name in names) == last:
        instance.skip_history_when_saving = True  # type: ignore[attr-defined]


def _forget_skip(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    if hasattr(instance, "skip_history_when_saving"):
        del instance.skip_history_when_saving


def record_changes(*recorded: type[models.Model]) -> None:
    """Keep a historical row per save that changes something and per delete of each model
    (called once, by models)."""
    for model in recorded:
        untracked = [f.name for f in model._meta.concrete_fields if f.name in UNTRACKED]
        register(model, app="valuechain", excluded_fields=untracked)
        uid = f"valuechain-history-{model.__name__}"
        pre_save.connect(_skip_if_unchanged, sender=model, dispatch_uid=uid)
        # after simple_history's own receiver, connected by register() above
        post_save.connect(_forget_skip, sender=model, dispatch_uid=uid)
