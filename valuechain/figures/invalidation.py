"""Every write that can change an idea's ROI report makes its stored figures stale, in the
writing transaction, and queues their refresh for after the commit.

Receivers on the models rather than calls in each service: the admin, imports and the API
write the same rows, and a figure that one path forgets to invalidate would be shown stale.
Writes that send no signal (bulk_create, queryset.update) call `assets_changed` or
`ideas_changed` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from deployments import models as dm
from valuechain import models as m
from valuechain.figures import store, tasks
from valuechain.platform import sql

AssetRef = tuple[str, int]  # (asset type as the API names it, id)

# Set while a bulk writer has taken over invalidation (see `suspended`).
_suspended: ContextVar[bool] = ContextVar("figures_invalidation_suspended", default=False)

_FEATURE, _CURATED, _RAW, _ACQUISITION = (
    str(m.AssetType.FEATURE),
    str(m.AssetType.CURATED_DATASET),
    str(m.AssetType.RAW_SOURCE),
    str(m.AssetType.ACQUISITION_OPTION),
)


def ideas_reaching(assets: Iterable[AssetRef]) -> set[int]:
    """Ideas whose needs' closures contain one of these assets: the needs on the assets and on
    whatever is made from them through assets that are not available (a closure only walks
    upstream of what does not exist yet). Five queries whatever the catalogue size, each
    list of ids passed as one parameter (an import changes thousands of assets at once)."""
    found: dict[str, set[int]] = {kind: set() for kind in m.ASSET_MODELS}
    for kind, pk in assets:
        found[kind].add(pk)
    found[_RAW] |= set(
        sql.among(
            m.RawSource.objects.filter(available=False),
            "acquisition_option_id",
            found[_ACQUISITION],
        ).values_list("pk", flat=True)
    )
    found[_CURATED] |= set(
        sql.among(
            m.CuratedDataset.raw_sources.through.objects.filter(curateddataset__available=False),
            "rawsource_id",
            found[_RAW],
        ).values_list("curateddataset_id", flat=True)
    )
    found[_CURATED] = _downstream_curated(found[_CURATED])
    found[_FEATURE] |= set(
        sql.among(
            m.Feature.curated_datasets.through.objects.filter(feature__available=False),
            "curateddataset_id",
            found[_CURATED],
        ).values_list("feature_id", flat=True)
    )
    pointers = sql.any_among(
        m.Need.objects.order_by(), {f"{kind}_id": ids for kind, ids in found.items()}
    )
    return set(pointers.values_list("idea_id", flat=True).distinct())


def _downstream_curated(curated: set[int]) -> set[int]:
    """These curated datasets and the unavailable ones built from them, however deep (dbt
    model -> model chains): the links are read in one query and walked here."""
    if not curated:
        return curated
    made_from: dict[int, list[int]] = {}
    links = m.CuratedDataset.upstream_curated_datasets.through.objects.filter(
        from_curateddataset__available=False
    ).values_list("to_curateddataset_id", "from_curateddataset_id")
    for upstream, downstream in links:
        made_from.setdefault(upstream, []).append(downstream)
    seen = set(curated)
    stack = list(seen)
    while stack:
        for downstream in made_from.get(stack.pop(), ()):
            if downstream not in seen:
                seen.add(downstream)
                stack.append(downstream)
    return seen


def _refresh_after_commit() -> None:
    tasks.refresh_figures.delay()


def _queue_refresh() -> None:
    """One refresh per transaction, however many rows it writes. A refresh queued in an outer
    block serves this write too: a rollback that drops it drops this write as well."""
    connection = transaction.get_connection()
    current = set(connection.savepoint_ids)
    for entry in connection.run_on_commit:
        sids, func = entry[0], entry[1]
        if func is _refresh_after_commit and set(sids) <= current:
            return
    transaction.on_commit(_refresh_after_commit)


def assets_changed(assets: Iterable[AssetRef]) -> None:
    """Assets were written: a new catalogue version, and the ideas using them go stale."""
    store.bump_catalogue()
    store.bump_ideas(ideas_reaching(assets))
    _queue_refresh()


def ideas_changed(idea_ids: Iterable[int]) -> None:
    store.bump_ideas(idea_ids)
    _queue_refresh()


def prices_changed() -> None:
    """Day rates or tier defaults: any estimate of any idea may be priced differently."""
    store.bump_catalogue()
    store.bump_all_ideas()
    _queue_refresh()


@contextmanager
def suspended(*, queue_refresh: bool = True) -> Iterator[None]:
    """For writers of thousands of rows (a generated company, a wholesale delete): the
    receivers stand down inside the block, and at its end every idea's figures go stale at
    once, with one refresh queued (unless the writer refreshes them itself), instead of one
    invalidation per row."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)
    store.bump_catalogue()
    store.bump_all_ideas()
    if queue_refresh:
        _queue_refresh()


# --- receivers ----------------------------------------------------------------------------------


def _asset_written(sender: type[m.Asset], instance: m.Asset, **kwargs: Any) -> None:
    if _suspended.get():
        return
    if not kwargs.get("raw"):
        assets_changed([(instance.asset_type, instance.pk)])


def _lineage_changed(
    sender: Any, instance: m.Asset, action: str, model: type[m.Asset], reverse: bool, **kwargs: Any
) -> None:
    """Both ends of every link that changes; a clear is read before it happens."""
    if _suspended.get():
        return
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    pk_set = kwargs.get("pk_set") or ()
    if action == "pre_clear":
        manager = _LINKS[(sender, reverse)]
        pk_set = getattr(instance, manager).values_list("pk", flat=True)
    assets_changed([(instance.asset_type, instance.pk), *((model.ASSET_TYPE, pk) for pk in pk_set)])


# (through model, seen from the reverse side) -> the instance's manager of the other end
_LINKS: dict[tuple[Any, bool], str] = {
    (m.Feature.curated_datasets.through, False): "curated_datasets",
    (m.Feature.curated_datasets.through, True): "features",
    (m.CuratedDataset.raw_sources.through, False): "raw_sources",
    (m.CuratedDataset.raw_sources.through, True): "curated_datasets",
    (m.CuratedDataset.upstream_curated_datasets.through, False): "upstream_curated_datasets",
    (m.CuratedDataset.upstream_curated_datasets.through, True): "downstream_curated_datasets",
}


def _idea_saved(sender: type[m.Idea], instance: m.Idea, created: bool, **kwargs: Any) -> None:
    if _suspended.get():
        return
    if kwargs.get("raw"):
        return
    if created:
        m.IdeaFigures.objects.get_or_create(idea=instance)
        store.bump_epoch()
        _queue_refresh()
    else:
        ideas_changed([instance.pk])


def _idea_deleted(sender: type[m.Idea], instance: m.Idea, **kwargs: Any) -> None:
    if not _suspended.get():
        store.bump_epoch()


def _need_written(sender: type[m.Need], instance: m.Need, **kwargs: Any) -> None:
    if _suspended.get():
        return
    if not kwargs.get("raw"):
        ideas_changed([instance.idea_id])


def _plan_written(sender: Any, instance: dm.DeploymentPlan, **kwargs: Any) -> None:
    if _suspended.get():
        return
    if not kwargs.get("raw"):
        ideas_changed([instance.idea_id])


def _deployment_type_written(sender: Any, instance: dm.DeploymentType, **kwargs: Any) -> None:
    if _suspended.get():
        return
    if not kwargs.get("raw"):
        ideas_changed(
            dm.DeploymentPlan.objects.filter(deployment_type=instance).values_list(
                "idea_id", flat=True
            )
        )


def _prices_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _suspended.get():
        return
    if not kwargs.get("raw"):
        prices_changed()


def _people_written(sender: Any, **kwargs: Any) -> None:
    """Stakeholder assignments and the tiers' default roles: no figure moves, but the
    dashboard's stakeholder gaps, cached under the epoch, do."""
    if _suspended.get() or kwargs.get("raw"):
        return
    if kwargs.get("action", "post_add") in ("post_add", "post_remove", "post_clear"):
        store.bump_epoch()


def _person_saved(sender: Any, **kwargs: Any) -> None:
    """A user's names are shown with what is cached under the epoch (owners on the dashboard,
    who made each change in a feed); a login writes only its time."""
    if _suspended.get() or kwargs.get("raw"):
        return
    if set(kwargs.get("update_fields") or ()) != {"last_login"}:
        store.bump_epoch()


UID = "valuechain-figures"


def connect() -> None:
    """Called once from the app config."""
    for model in m.ASSET_MODELS.values():
        post_save.connect(_asset_written, sender=model, dispatch_uid=f"{UID}-save-{model.__name__}")
        # before the delete: the lineage that says who used the asset is about to go
        pre_delete.connect(
            _asset_written, sender=model, dispatch_uid=f"{UID}-delete-{model.__name__}"
        )
    for through in (
        m.Feature.curated_datasets.through,
        m.CuratedDataset.raw_sources.through,
        m.CuratedDataset.upstream_curated_datasets.through,
    ):
        m2m_changed.connect(
            _lineage_changed, sender=through, dispatch_uid=f"{UID}-{through.__name__}"
        )
    post_save.connect(_idea_saved, sender=m.Idea, dispatch_uid=f"{UID}-idea")
    post_delete.connect(_idea_deleted, sender=m.Idea, dispatch_uid=f"{UID}-idea-delete")
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_need_written, sender=m.Need, dispatch_uid=f"{UID}-need-{name}")
        signal.connect(_plan_written, sender=dm.DeploymentPlan, dispatch_uid=f"{UID}-plan-{name}")
        signal.connect(
            _deployment_type_written, sender=dm.DeploymentType, dispatch_uid=f"{UID}-type-{name}"
        )
        signal.connect(_prices_written, sender=m.Role, dispatch_uid=f"{UID}-role-{name}")
        signal.connect(_prices_written, sender=m.TierProfile, dispatch_uid=f"{UID}-tier-{name}")
        signal.connect(
            _people_written, sender=m.StakeholderAssignment, dispatch_uid=f"{UID}-people-{name}"
        )
    post_save.connect(_person_saved, sender=get_user_model(), dispatch_uid=f"{UID}-person")
    m2m_changed.connect(
        _people_written,
        sender=m.TierProfile.default_roles.through,
        dispatch_uid=f"{UID}-default-roles",
    )
