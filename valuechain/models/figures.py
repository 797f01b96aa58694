"""What is computed from the models and kept: each idea's figures and the catalogue's version.

Kept apart from the rows users enter; valuechain.figures reads and writes them.
"""

from __future__ import annotations

from django.db import models

__all__ = ["CatalogueVersion", "FiguresEpoch", "IdeaFigures"]


class CatalogueVersion(models.Model):
    """One row whose number goes up with every write that can change a catalogue figure
    (assets, lineage, day rates, tier defaults, deployment types): the key of cached
    compiled catalogues, so a cache never serves a catalogue older than the database."""

    version = models.PositiveBigIntegerField(default=1)
    # New on every bump: a number a rolled-back write used is never a cache key again.
    token = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"Catalogue version {self.version}"


class FiguresEpoch(models.Model):
    """One row whose number goes up in every transaction that changes any idea or any idea's
    stored figures: the key of what is computed from all of them at once (the dashboard's
    totals and charts), so such a cache never serves totals older than the database."""

    version = models.PositiveBigIntegerField(default=1)
    token = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"Figures epoch {self.version}"


class IdeaFigures(models.Model):
    """An idea's ROI report as last computed, with the figures lists sort and filter on.

    Every write that can change the report raises `inputs_version` in its own transaction;
    the figures are fresh only while `computed_version` equals it. A refresh stores a report
    only if `inputs_version` is still the one it read before computing, so a write racing a
    refresh is never overwritten by figures computed from older inputs.
    """

    idea = models.OneToOneField(
        "valuechain.Idea", primary_key=True, on_delete=models.CASCADE, related_name="figures"
    )
    inputs_version = models.PositiveBigIntegerField(default=1)
    computed_version = models.PositiveBigIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    npv = models.FloatField(null=True, blank=True)
    roi = models.FloatField(null=True, blank=True)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    verdict = models.CharField(max_length=20, blank=True)
    # build 2, stop early 1, do not build 0: sorting by verdict puts the best first
    verdict_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    one_off_investment = models.FloatField(null=True, blank=True)
    annual_run_cost = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "idea figures"

    def __str__(self) -> str:
        return f"Figures of idea {self.idea_id}"

    @property
    def fresh(self) -> bool:
        return self.computed_version == self.inputs_version
