from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api import enforcement_recovery as recovery_views
from contracts.api import enforcement_views as ev
from contracts.api import notification_views as nv
from contracts.api.registry_views import ContractViewSet

router = SimpleRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("subscriptions", nv.SubscriptionViewSet, basename="subscription")
router.register("webhooks", nv.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("contracts/<int:pk>/validate/", ev.ValidateBatchView.as_view(), name="contract-validate"),
    path("contracts/<int:pk>/runs/", ev.RunListView.as_view(), name="contract-runs"),
    path(
        "contracts/<int:pk>/runs/<int:run_id>/",
        ev.RunDetailView.as_view(),
        name="contract-run-detail",
    ),
    path(
        "contracts/<int:pk>/dead-letters/",
        ev.DeadLetterListView.as_view(),
        name="contract-dead-letters",
    ),
    path(
        "contracts/<int:pk>/valid-records/",
        ev.ValidRecordListView.as_view(),
        name="contract-valid-records",
    ),
    path(
        "contracts/<int:pk>/sla-breaches/",
        ev.SlaBreachListView.as_view(),
        name="contract-sla-breaches",
    ),
    path(
        "contracts/<int:pk>/dead-letters/replay/",
        recovery_views.ReplayView.as_view(),
        name="contract-dead-letters-replay",
    ),
    path(
        "contracts/<int:pk>/dead-letters/<int:dl_id>/",
        recovery_views.DeadLetterDetailView.as_view(),
        name="contract-dead-letter-detail",
    ),
    path(
        "contracts/<int:pk>/dead-letters/<int:dl_id>/discard/",
        recovery_views.DiscardView.as_view(),
        name="contract-dead-letter-discard",
    ),
    path(
        "contracts/<int:pk>/dead-letters/<int:dl_id>/revalidate/",
        recovery_views.RevalidateView.as_view(),
        name="contract-dead-letter-revalidate",
    ),
    path(
        "contracts/<int:pk>/dead-letters/<int:dl_id>/actions/",
        recovery_views.DeadLetterActionListView.as_view(),
        name="contract-dead-letter-actions",
    ),
    path("alerts/", ev.AlertListView.as_view(), name="alert-list"),
    path("alerts/read/", ev.MarkAlertsReadView.as_view(), name="alert-read"),
    *router.urls,
]
