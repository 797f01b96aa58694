"""The core API under /api/ (DESIGN section 4): the catalogue, ideas, analysis runs and the
catalogue's bulk import and export."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from valuechain.api.analysis import views as analysis
from valuechain.api.catalogue import views as catalogue
from valuechain.api.catalogue.bulk import CatalogueExportView, CatalogueImportView
from valuechain.api.connectors import views as connectors
from valuechain.api.ideas import views as ideas
from valuechain.api.lineage import AssetLineageView, IdeaLineageView
from valuechain.api.scenarios import views as scenarios

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("roles", catalogue.RoleViewSet, basename="role")
router.register("tiers", catalogue.TierProfileViewSet, basename="tier")
router.register("features", catalogue.FeatureViewSet, basename="feature")
router.register("curated-datasets", catalogue.CuratedDatasetViewSet, basename="curated-dataset")
router.register("raw-sources", catalogue.RawSourceViewSet, basename="raw-source")
router.register(
    "acquisition-options", catalogue.AcquisitionOptionViewSet, basename="acquisition-option"
)
router.register("ideas", ideas.IdeaViewSet, basename="idea")
router.register(
    "stakeholder-assignments",
    ideas.StakeholderAssignmentViewSet,
    basename="stakeholder-assignment",
)

need_list = ideas.NeedViewSet.as_view({"get": "list", "post": "create"})
need_detail = ideas.NeedViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
ID = r"[0-9]{1,19}"
IDEA = rf"ideas/(?P<idea_pk>{ID})"

# The core endpoints of DESIGN section 4, on their own for schema checks.
core_urlpatterns = [
    path("", include(router.urls)),
    re_path(rf"^{IDEA}/needs/$", need_list, name="idea-need-list"),
    re_path(rf"^{IDEA}/needs/(?P<pk>{ID})/$", need_detail, name="idea-need-detail"),
]

# Analysis runs: simulations of an idea, portfolio runs.
analysis_urlpatterns = [
    re_path(
        rf"^{IDEA}/simulations/$",
        analysis.IdeaSimulationList.as_view(),
        name="idea-simulation-list",
    ),
    re_path(
        rf"^{IDEA}/simulations/(?P<pk>{ID})/$",
        analysis.IdeaSimulationDetail.as_view(),
        name="idea-simulation-detail",
    ),
    re_path(r"^portfolio/runs/$", analysis.PortfolioRunList.as_view(), name="portfolio-run-list"),
    re_path(
        rf"^portfolio/runs/(?P<pk>{ID})/$",
        analysis.PortfolioRunDetail.as_view(),
        name="portfolio-run-detail",
    ),
]

# The catalogue's bulk import and export.
bulk_urlpatterns = [
    path("catalogue/import/", CatalogueImportView.as_view(), name="catalogue-import-api"),
    path("catalogue/export/", CatalogueExportView.as_view(), name="catalogue-export-api"),
]

# Scenarios: what-ifs on the live data, their comparison, sensitivity and roadmap.
SCENARIO = rf"scenarios/(?P<pk>{ID})"
scenario_urlpatterns = [
    re_path(r"^scenarios/$", scenarios.ScenarioList.as_view(), name="scenario-list-api"),
    re_path(rf"^{SCENARIO}/$", scenarios.ScenarioDetail.as_view(), name="scenario-detail-api"),
    re_path(
        rf"^{SCENARIO}/compare/$", scenarios.ScenarioCompare.as_view(), name="scenario-compare-api"
    ),
    re_path(
        rf"^{SCENARIO}/sensitivity/$",
        scenarios.ScenarioSensitivity.as_view(),
        name="scenario-sensitivity-api",
    ),
    re_path(
        rf"^{SCENARIO}/roadmap/$", scenarios.ScenarioRoadmap.as_view(), name="scenario-roadmap-api"
    ),
]

# Connectors: metadata kept in sync with dbt, Feast and OpenLineage.
connector_urlpatterns = [
    path("connectors/dbt/", connectors.DbtImportView.as_view(), name="connector-dbt"),
    path("connectors/feast/", connectors.FeastImportView.as_view(), name="connector-feast"),
    re_path(
        rf"^connectors/runs/(?P<pk>{ID})/$",
        connectors.ConnectorRunDetail.as_view(),
        name="connector-run-detail",
    ),
    # the OpenLineage HTTP transport posts to <url>/api/v1/lineage, its url being /api/openlineage
    re_path(
        r"^openlineage/api/v1/lineage/?$",
        connectors.OpenLineageView.as_view(),
        name="openlineage-lineage",
    ),
    # ... and where it posts when that url is given without its trailing slash (urljoin)
    re_path(r"^api/v1/lineage/?$", connectors.OpenLineageView.as_view()),
]


# Lineage graphs of an idea and of an asset.
ASSET_TYPES = "feature|curated_dataset|raw_source|acquisition_option"
lineage_urlpatterns = [
    re_path(rf"^{IDEA}/lineage/$", IdeaLineageView.as_view(), name="idea-lineage"),
    re_path(
        rf"^lineage/(?P<asset_type>{ASSET_TYPES})/(?P<pk>{ID})/$",
        AssetLineageView.as_view(),
        name="asset-lineage",
    ),
]

urlpatterns = [
    *core_urlpatterns,
    *analysis_urlpatterns,
    *bulk_urlpatterns,
    *scenario_urlpatterns,
    *connector_urlpatterns,
    *lineage_urlpatterns,
]
