from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from valuechain.platform.auth_views import (
    ApiDocsView,
    ObtainTokenView,
    PasswordChangeDoneView,
    PasswordChangeView,
    RevokeTokenView,
)
from valuechain.platform.health import healthz, ping

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("ping/", ping, name="ping"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("valuechain.api.urls")),
    path("api/", include("contracts.api.urls")),
    path("api/", include("deployments.api.urls")),
    path("contracts/", include("contracts.urls")),
    path("deployments/", include("deployments.urls")),
    path("", RedirectView.as_view(pattern_name="idea-list", permanent=False), name="home"),
    path("", include("valuechain.ideas.urls")),
    path("", include("valuechain.catalogue.urls")),
    path("", include("valuechain.analysis.urls")),
    path("", include("valuechain.dashboard.urls")),
    path("", include("valuechain.scenarios.urls")),
    path("", include("valuechain.connectors.urls")),
    path("", include("valuechain.activity.urls")),
    path("", include("valuechain.lineage.urls")),
]

# The error pages in the site's layout (JSON under /api/).
handler403 = "valuechain.platform.errors.permission_denied"
handler404 = "valuechain.platform.errors.page_not_found"
handler500 = "valuechain.platform.errors.server_error"
