"""Catalogue pages under /catalogue/: the tiers, the need picker's search, and editing."""

from django.urls import URLPattern, path, register_converter

from valuechain import models as m
from valuechain.catalogue import views

SLUGS = {
    m.AssetType.FEATURE: "features",
    m.AssetType.CURATED_DATASET: "curated-datasets",
    m.AssetType.RAW_SOURCE: "raw-sources",
    m.AssetType.ACQUISITION_OPTION: "acquisition-options",
}
KINDS = {slug: str(kind) for kind, slug in SLUGS.items()}


class AssetKindConverter:
    """`curated-datasets` in the path, `curated_dataset` (the API's asset type) in views."""

    regex = "|".join(SLUGS.values())

    def to_python(self, value: str) -> str:
        return KINDS[value]

    def to_url(self, value: str) -> str:
        return SLUGS[m.AssetType(value)]


register_converter(AssetKindConverter, "asset_kind")

urlpatterns: list[URLPattern] = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path(
        "catalogue/asset/<asset_kind:asset_type>/<int:pk>/",
        views.catalogue_asset,
        name="catalogue-asset",
    ),
    path("catalogue/search/", views.catalogue_search, name="catalogue-search"),
    path("catalogue/import/", views.catalogue_import, name="catalogue-import"),
    path("catalogue/tiers/", views.tier_profiles, name="catalogue-tiers"),
    path("catalogue/tiers/<int:tier>/edit/", views.tier_profile_edit, name="catalogue-tier-edit"),
    path("catalogue/<asset_kind:asset_type>/", views.asset_list, name="catalogue-asset-list"),
    path(
        "catalogue/<asset_kind:asset_type>/new/",
        views.asset_create,
        name="catalogue-asset-create",
    ),
    path(
        "catalogue/<asset_kind:asset_type>/<int:pk>/edit/",
        views.asset_edit,
        name="catalogue-asset-edit",
    ),
    path(
        "catalogue/<asset_kind:asset_type>/<int:pk>/delete/",
        views.asset_delete,
        name="catalogue-asset-delete",
    ),
]
