from django.urls import path

from contracts.enforcement import views as enforcement_views
from contracts.notifications import views as notification_views
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
    path("notifications/", notification_views.notification_settings, name="notifications"),
    path("notifications/subscribe/", notification_views.subscribe, name="subscribe"),
    path(
        "notifications/subscriptions/<int:pk>/delete/",
        notification_views.unsubscribe,
        name="unsubscribe",
    ),
    path("notifications/webhooks/", notification_views.add_webhook, name="add-webhook"),
    path("notifications/webhooks/<int:pk>/", notification_views.webhook_detail, name="webhook"),
    path(
        "notifications/webhooks/<int:pk>/delete/",
        notification_views.delete_webhook,
        name="delete-webhook",
    ),
    path("<int:pk>/dead-letters/", enforcement_views.dead_letter_list, name="dead_letters"),
    path(
        "<int:pk>/dead-letters/<int:dl_id>/",
        enforcement_views.dead_letter_detail,
        name="dead_letter",
    ),
]
