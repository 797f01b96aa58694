"""Pages for scenarios."""

from django.urls import path

from valuechain.scenarios import views

urlpatterns = [
    path("scenarios/", views.scenario_list, name="scenario-list"),
    path("scenarios/compare/", views.scenario_compare, name="scenario-compare"),
    path("scenarios/<run_id:pk>/", views.scenario_detail, name="scenario-detail"),
    path("scenarios/<run_id:pk>/roadmap/", views.scenario_roadmap, name="scenario-roadmap"),
    path(
        "scenarios/<run_id:pk>/roadmap/start/",
        views.scenario_roadmap_start,
        name="scenario-roadmap-start",
    ),
    path("scenarios/<run_id:pk>/export.xlsx", views.scenario_workbook, name="scenario-workbook"),
    path("scenarios/<run_id:pk>/export/<slug:view>.csv", views.scenario_csv, name="scenario-csv"),
]
