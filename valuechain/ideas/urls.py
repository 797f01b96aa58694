"""Idea pages under /ideas/."""

from django.urls import URLPattern, path

from valuechain.ideas import views

urlpatterns: list[URLPattern] = [
    path("ideas/", views.idea_list, name="idea-list"),
    path("ideas/new/", views.idea_create, name="idea-create"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea-detail"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="idea-edit"),
    path("ideas/new/preview/", views.idea_preview_new, name="idea-preview-new"),
    path("ideas/<int:pk>/preview/", views.idea_preview, name="idea-preview"),
    path("ideas/<int:pk>/stakeholders/", views.idea_stakeholders, name="idea-stakeholders"),
    path("ideas/<int:pk>/built/", views.idea_built_assets, name="idea-built-assets"),
]
