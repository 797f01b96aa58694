from django.urls import URLPattern, path

from valuechain.lineage import views

urlpatterns: list[URLPattern] = [
    path("catalogue/lineage/", views.catalogue_lineage, name="catalogue-lineage"),
]
