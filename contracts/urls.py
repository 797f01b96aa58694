from django.urls import path

from contracts.enforcement import views as enforcement_views
from contracts.registry import views as registry_views

app_name = "contracts"

urlpatterns = [
    path("", registry_views.contract_list, name="list"),
    path("check/", registry_views.compatibility_check, name="check"),
    path("import/", registry_views.odcs_import, name="import"),
    path("<int:pk>/", registry_views.contract_detail, name="detail"),
    path("<int:pk>/diff/", registry_views.contract_diff, name="diff"),
    path("<int:pk>/validate/", enforcement_views.validate_upload, name="validate"),
    path("alerts/", enforcement_views.alert_list, name="alerts"),
    path("<int:pk>/dead-letters/", enforcement_views.dead_letter_list, name="dead_letters"),
    path(
        "<int:pk>/dead-letters/<int:dl_id>/",
        enforcement_views.dead_letter_detail,
        name="dead_letter",
    ),
]
