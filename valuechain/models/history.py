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

from django.db import models
from simple_history import register

# Bookkeeping fields that change on every save and say nothing to a reader.
UNTRACKED = {"updated_at"}


def record_changes(*recorded: type[models.Model]) -> None:
    """Keep a historical row per save and delete of each model (called once, by models)."""
    for model in recorded:
        untracked = [f.name for f in model._meta.concrete_fields if f.name in UNTRACKED]
        register(model, app="valuechain", excluded_fields=untracked)
