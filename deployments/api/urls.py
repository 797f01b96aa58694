from django.urls import include, path
from rest_framework.routers import DefaultRouter

from deployments.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("deployment-types", views.DeploymentTypeViewSet, basename="deployment-type")

urlpatterns = [
    path("", include(router.urls)),
    path(
        "ideas/<int:idea_id>/deployment-plan/",
        views.IdeaDeploymentPlanView.as_view(),
        name="idea-deployment-plan",
    ),
    path(
        "deployments/recommend/",
        views.RecommendView.as_view(),
        name="deployment-recommend",
    ),
]
