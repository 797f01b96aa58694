"""Analysis runs under /api/: simulations of an idea, portfolio runs."""

from django.urls import re_path

from valuechain.api import analysis_views as views

ID = r"[0-9]{1,19}"

urlpatterns = [
    re_path(
        rf"^ideas/(?P<idea_pk>{ID})/simulations/$",
        views.IdeaSimulationList.as_view(),
        name="idea-simulation-list",
    ),
    re_path(
        rf"^ideas/(?P<idea_pk>{ID})/simulations/(?P<pk>{ID})/$",
        views.IdeaSimulationDetail.as_view(),
        name="idea-simulation-detail",
    ),
    re_path(r"^portfolio/runs/$", views.PortfolioRunList.as_view(), name="portfolio-run-list"),
    re_path(
        rf"^portfolio/runs/(?P<pk>{ID})/$",
        views.PortfolioRunDetail.as_view(),
        name="portfolio-run-detail",
    ),
]
