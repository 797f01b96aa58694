"""Writes of the conversation: comments on ideas (plain text, bounded) and the notifications
their @mentions send, in the app and by e-mail to users who have an address.

Keyword-only, atomic, validated: a refused write changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as Person
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from valuechain import models as m
from valuechain.activity.mentions import mentioned

User = Person | AnonymousUser


def clean_body(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"body": "Write something before posting."})
    if len(text) > m.COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": f"A comment holds at most {m.COMMENT_MAX_LENGTH:,} characters "
                f"({len(text):,} given)."
            }
        )
    if "\x00" in text:
        raise ValidationError({"body": "A comment cannot hold a null character."})
    return text


def may_change(user: User, comment: m.Comment) -> bool:
    """Authors edit and delete their own comments; staff may delete any."""
    return bool(user.is_authenticated and user.pk == comment.author_id)


def may_delete(user: User, comment: m.Comment) -> bool:
    return may_change(user, comment) or bool(getattr(user, "is_staff", False))


def _notify(comment: m.Comment, usernames: Iterable[str], site: str) -> list[m.Notification]:
    """A notification to each active user named, except the author; e-mail after commit."""
    names = [name for name in usernames if name != comment.author.get_username()]
    if not names:
        return []
    people = list(get_user_model().objects.filter(username__in=names, is_active=True))
    author = comment.author.get_username()
    title = comment.idea.title
    message = f"{author} mentioned you on “{title}”"[:300]
    notes = m.Notification.objects.bulk_create(
        [
            m.Notification(
                recipient=person,
                actor=comment.author,
                idea=comment.idea,
                comment=comment,
                message=message,
            )
            for person in people
        ]
    )
    link = site + reverse("idea-detail", args=[comment.idea_id]) + f"#comment-{comment.pk}"
    addresses = [person.email for person in people if person.email]
    if addresses:
        body = f"{message}:\n\n{comment.body}\n\nOpen the idea: {link}\n"

        def mail() -> None:
            # one message per person: nobody learns who else was mentioned
            for address in addresses:
                send_mail(
                    f"[ValueChain] {message}",
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [address],
                    fail_silently=True,
                )

        transaction.on_commit(mail)
    return notes


@transaction.atomic
def post_comment(*, idea: m.Idea, author: Person, body: str, site: str = "") -> m.Comment:
    """`site`: the address the e-mails link from (scheme and host), e.g. the request's."""
    comment = m.Comment(idea=idea, author=author, body=clean_body(body))
    comment.full_clean()
    comment.save()
    _notify(comment, mentioned(comment.body), site)
    return comment


@transaction.atomic
def edit_comment(*, comment: m.Comment, user: User, body: str, site: str = "") -> m.Comment:
    """The author's new text; people it newly mentions are notified (the others were)."""
    if not may_change(user, comment):
        raise PermissionDenied("Only its author edits a comment.")
    before = set(mentioned(comment.body))
    comment.body = clean_body(body)
    comment.edited_at = timezone.now()
    comment.full_clean()
    comment.save(update_fields=["body", "edited_at"])
    _notify(comment, [name for name in mentioned(comment.body) if name not in before], site)
    return comment


@transaction.atomic
def delete_comment(*, comment: m.Comment, user: User) -> None:
    if not may_delete(user, comment):
        raise PermissionDenied("Only its author (or staff) deletes a comment.")
    comment.delete()


@transaction.atomic
def mark_read(*, user: Person, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (of these ids) read; how many."""
    rows = m.Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
