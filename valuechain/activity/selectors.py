"""Reads of the conversation: an idea's comments and a user's notifications, each a page in a
constant number of queries."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from valuechain import models as m


def comments_of(idea_id: int) -> QuerySet[m.Comment]:
    return m.Comment.objects.filter(idea_id=idea_id).select_related("author")


def notifications_of(user: User) -> QuerySet[m.Notification]:
    return m.Notification.objects.filter(recipient=user).select_related("actor", "idea")


def unread_count(user: User) -> int:
    return m.Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def comment_with_idea(pk: int) -> m.Comment | None:
    return m.Comment.objects.select_related("idea").filter(pk=pk).first()
