"""The core API under /api/ (DESIGN section 4)."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from valuechain.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("roles", views.RoleViewSet, basename="role")
router.register("tiers", views.TierProfileViewSet, basename="tier")
router.register("features", views.FeatureViewSet, basename="feature")
router.register("curated-datasets", views.CuratedDatasetViewSet, basename="curated-dataset")
router.register("raw-sources", views.RawSourceViewSet, basename="raw-source")
router.register(
    "acquisition-options", views.AcquisitionOptionViewSet, basename="acquisition-option"
)
router.register("ideas", views.IdeaViewSet, basename="idea")
router.register(
    "stakeholder-assignments",
    views.StakeholderAssignmentViewSet,
    basename="stakeholder-assignment",
)

need_list = views.NeedViewSet.as_view({"get": "list", "post": "create"})
need_detail = views.NeedViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
IDEA = r"ideas/(?P<idea_pk>[0-9]{1,19})"

# The core endpoints of DESIGN section 4, on their own for schema checks.
core_urlpatterns = [
    path("", include(router.urls)),
    re_path(rf"^{IDEA}/needs/$", need_list, name="idea-need-list"),
    re_path(rf"^{IDEA}/needs/(?P<pk>[0-9]{{1,19}})/$", need_detail, name="idea-need-detail"),
]
urlpatterns = list(core_urlpatterns)

urlpatterns += [path("", include("valuechain.api.analysis_urls"))]
urlpatterns += [path("catalogue/", include("valuechain.api.catalogue_io_urls"))]
