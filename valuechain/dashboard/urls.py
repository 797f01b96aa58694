"""The executive dashboard and the ROI export."""

from django.urls import path

from valuechain.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("ideas/export.csv", views.ideas_export_csv, name="ideas-export-csv"),
]
