"""What people say and what the figures did: comments on ideas, the in-app notifications their
mentions send, and each idea's NPV and ROI before and after a change re-priced it.

The record of who changed which row is kept by django-simple-history (models/history.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["COMMENT_MAX_LENGTH", "Comment", "FiguresChange", "Notification"]

COMMENT_MAX_LENGTH = 4000


class Comment(models.Model):
    """A remark on an idea, plain text (shown escaped, never as HTML)."""

    idea = models.ForeignKey("valuechain.Idea", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_comments"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["idea", "-created_at"], name="comment_idea_recent")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on idea {self.idea_id}"


class Notification(models.Model):
    """Something a user should see: for now, being mentioned in a comment."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idea = models.ForeignKey(
        "valuechain.Idea", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk} for {self.recipient_id}"


class FiguresChange(models.Model):
    """An idea's stored figures replaced by figures that differ: what they were and became.

    Recorded when a refresh stores a new report over an older one, so the activity feed can
    show next to the change that caused it what it did to the idea's NPV and ROI.
    """

    idea = models.ForeignKey(
        "valuechain.Idea", on_delete=models.CASCADE, related_name="figures_changes"
    )
    changed_at = models.DateTimeField(db_index=True)
    inputs_version = models.PositiveBigIntegerField()
    npv_before = models.FloatField(null=True, blank=True)
    npv_after = models.FloatField(null=True, blank=True)
    roi_before = models.FloatField(null=True, blank=True)
    roi_after = models.FloatField(null=True, blank=True)
    verdict_before = models.CharField(max_length=20, blank=True)
    verdict_after = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["idea", "-changed_at"], name="figureschange_idea_recent")]

    def __str__(self) -> str:
        return f"Figures of idea {self.idea_id} re-priced at {self.changed_at:%Y-%m-%d %H:%M}"
