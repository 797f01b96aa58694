"""Scenarios: overrides on top of the live data, and the quarterly roadmaps made from them.

A scenario never changes the live data: its overrides are applied in memory when it is
evaluated (valuechain.scenarios.inputs).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

__all__ = ["RoadmapRun", "Scenario"]


class Scenario(models.Model):
    """A named what-if: a budget, a rate and horizon, estimate overrides, ideas forced in/out."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    budget = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.0)], help_text="One-off budget."
    )
    discount_rate = models.FloatField(
        default=0.10, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    horizon_years = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    force_include = models.JSONField(default=list, blank=True)
    force_exclude = models.JSONField(default=list, blank=True)
    # [{"target": "idea"|"asset"|"role", "id", "asset_type"?, "field", "multiply"|"value"}]
    overrides = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


# The fields of valuechain.models.AnalysisRun, the same statuses (valuechain.models.RunStatus):
# this module cannot import that one back, which imports it.
STATUSES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
]


class RoadmapRun(models.Model):
    """A quarterly roadmap of a scenario's selection; params hold quarters, start, capacity.
    A background run like the analysis runs: claimed by conditional update with a lease."""

    status = models.CharField(max_length=12, choices=STATUSES, default="pending")
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    params = models.JSONField(default=dict)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="roadmaps")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Roadmap {self.pk} of scenario {self.scenario_id} ({self.status})"
