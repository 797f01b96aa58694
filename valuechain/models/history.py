"""Who changed what, when: django-simple-history keeps a row per save or delete of the rows
people edit (ideas, needs, the four asset kinds with their estimates, stakeholder assignments).

Registered here rather than in the class bodies. Which writes are recorded: every save and
delete through the ORM (pages, API, admin, services), and the catalogue's bulk import (it adds
the records in bulk itself). Not recorded: writes that send no signal and exist to generate or
reset data wholesale (make_company, load_demo's generated company, queryset.update of figures).
Lineage links (many-to-many) are recorded on the asset's next save only through its fields,
not as rows of their own.
"""

from __future__ import annotations

from simple_history import register

from valuechain.models import (
    AcquisitionOption,
    CuratedDataset,
    Feature,
    Idea,
    Need,
    RawSource,
    StakeholderAssignment,
)

# Bookkeeping fields that change on every save and say nothing to a reader.
UNTRACKED = {"updated_at"}

RECORDED = (
    Idea,
    Need,
    Feature,
    CuratedDataset,
    RawSource,
    AcquisitionOption,
    StakeholderAssignment,
)

for _model in RECORDED:
    _fields = [f.name for f in _model._meta.concrete_fields if f.name in UNTRACKED]
    register(_model, app="valuechain", excluded_fields=_fields)
