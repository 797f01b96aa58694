"""Signing in to the API: a token for a username and password, its revocation, and the
password-change page every signed-in user has.

Failed token requests count toward django-axes' lockout like failed page logins: the
credentials go through `authenticate()` with the request, so axes' backend and signals see
them; a locked-out client gets 429 with a JSON `detail` saying when to try again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from django.urls import reverse_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from valuechain.platform.lockout import lockout_response
from valuechain.platform.tokens import expires_at, issue_token, revoke_tokens


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires = serializers.DateTimeField(
        read_only=True, help_text="When the token stops working; ask for a new one then."
    )


LOCKED_OUT = inline_serializer(
    "LockedOut",
    fields={
        "detail": serializers.CharField(),
        "retry_after": serializers.IntegerField(help_text="Seconds until the lock lifts."),
        "retry_at": serializers.DateTimeField(),
    },
)


class ObtainTokenView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Missing fields, or wrong username or password."),
            429: OpenApiResponse(
                LOCKED_OUT, description="Locked out after too many failed logins."
            ),
        },
        description=(
            "A token for a username and password: send it as `Authorization: Token <token>`. "
            "It expires after the configured lifetime (`expires`), and on logout or a "
            "password change. Repeated failures lock the username and the address out."
        ),
    )
    def post(self, request: Request) -> Any:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        credentials = form.validated_data
        page_request = request._request
        user = authenticate(
            request=page_request,
            username=credentials["username"],
            password=credentials["password"],
        )
        if getattr(page_request, "axes_locked_out", False):
            return lockout_response(page_request, credentials={"username": credentials["username"]})
        if user is None:
            return Response(
                {"non_field_errors": ["Unable to log in with provided credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = issue_token(user=user)
        return Response({"token": token.key, "expires": expires_at(token)})


class RevokeTokenView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="auth_token_revoke",
        tags=["auth"],
        request=None,
        responses={
            204: OpenApiResponse(description="The caller's token no longer works."),
            401: OpenApiResponse(description="No valid token or session."),
        },
        description=(
            "Revokes the caller's API token at once (for instance when it may have leaked). "
            "Ask POST /api/auth/token/ for a new one."
        ),
    )
    def post(self, request: Request) -> Response:
        assert request.user.pk is not None  # IsAuthenticated
        revoke_tokens(user_id=request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change on the site's layout; the API token is revoked with it."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its start-up script served as a file (no inline script under the CSP).

    Who may read it follows SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] (signed-in users unless
    API_DOCS_PUBLIC): a token or a session; an anonymous browser is sent to the login page.
    """

    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
