"""API tokens that expire, are revoked on request, and die with a logout or a password change.

One token per user (DRF's `Token`): it stops working `API_TOKEN_LIFETIME_HOURS` after it was
issued; asking for a token again then issues a fresh one. Logging out of the site, changing
the password (any way: the page, the admin, `changepassword`) and `POST
/api/auth/token/revoke/` delete it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> timedelta:
    return timedelta(hours=settings.VALUECHAIN["API_TOKEN_LIFETIME_HOURS"])


def expires_at(token: Token) -> datetime:
    return token.created + token_lifetime()


def has_expired(token: Token, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than the configured lifetime."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if has_expired(token):
            raise exceptions.AuthenticationFailed(
                f"Token expired at {expires_at(token).isoformat()}: "
                "ask POST /api/auth/token/ for a new one."
            )
        return user, token


@transaction.atomic
def issue_token(*, user: User) -> Token:
    """The user's token, a fresh one when there is none or the old one has expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not has_expired(token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


@transaction.atomic
def revoke_tokens(*, user_id: int) -> int:
    """Deletes the user's API token; answers how many there were."""
    deleted, _ = Token.objects.filter(user_id=user_id).delete()
    return deleted


@receiver(user_logged_out, dispatch_uid="valuechain-revoke-tokens-on-logout")
def _revoke_on_logout(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    if user is not None and user.pk is not None:
        revoke_tokens(user_id=user.pk)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="valuechain-revoke-tokens-on-password")
def _revoke_on_password_change(
    sender: type[AbstractBaseUser], instance: AbstractBaseUser, **kwargs: Any
) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    previous = stored.first()
    if previous is not None and previous != instance.password:
        revoke_tokens(user_id=instance.pk)
