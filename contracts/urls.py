from django.urls import path

from contracts import enforcement_pages
from contracts.registry import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("check/", views.compatibility_check, name="check"),
    path("import/", views.odcs_import, name="import"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/diff/", views.contract_diff, name="diff"),
    path("<int:pk>/validate/", enforcement_pages.validate_upload, name="validate"),
    path("alerts/", enforcement_pages.alert_list, name="alerts"),
]
