from django.urls import path

from valuechain.api.catalogue_io_views import CatalogueExportView, CatalogueImportView

urlpatterns = [
    path("import/", CatalogueImportView.as_view(), name="catalogue-import-api"),
    path("export/", CatalogueExportView.as_view(), name="catalogue-export-api"),
]
