from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from valuechain import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", RedirectView.as_view(pattern_name="idea-list", permanent=False), name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/search/", views.catalogue_search, name="catalogue-search"),
    path("ideas/", views.idea_list, name="idea-list"),
    path("ideas/new/", views.idea_create, name="idea-create"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea-detail"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="idea-edit"),
    path("ideas/<int:pk>/stakeholders/", views.idea_stakeholders, name="idea-stakeholders"),
]

urlpatterns += [path("", include("valuechain.analysis_urls"))]
urlpatterns += [path("", include("valuechain.catalogue_urls"))]
urlpatterns += [path("", include("valuechain.dashboard_urls"))]
