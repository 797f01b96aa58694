"""The value chain catalogue, ML product ideas, their needs and stakeholders.

Formulas live in valuechain.engine; these models only hold what users enter.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from valuechain.engine.chain import MAX_MONEY, weight_problem
from valuechain.engine.scales import MAX_REACH
from valuechain.models.assets import ASSET_MODELS as ASSET_MODELS
from valuechain.models.assets import ESTIMATE_PARTS as ESTIMATE_PARTS
from valuechain.models.assets import IMPACT_CHOICES as IMPACT_CHOICES
from valuechain.models.assets import NON_NEGATIVE as NON_NEGATIVE
from valuechain.models.assets import TIER_RANGE as TIER_RANGE
from valuechain.models.assets import UNIT_INTERVAL as UNIT_INTERVAL
from valuechain.models.assets import WSJF_CHOICES as WSJF_CHOICES
from valuechain.models.assets import AcquisitionOption as AcquisitionOption
from valuechain.models.assets import Asset as Asset
from valuechain.models.assets import AssetType as AssetType
from valuechain.models.assets import BuildRunEstimates as BuildRunEstimates
from valuechain.models.assets import CuratedDataset as CuratedDataset
from valuechain.models.assets import Feature as Feature
from valuechain.models.assets import RawSource as RawSource
from valuechain.models.assets import SourceSystem as SourceSystem
from valuechain.models.assets import Tier as Tier
from valuechain.models.assets import asset_constraints as asset_constraints
from valuechain.models.assets import clean_estimate as clean_estimate
from valuechain.models.assets import estimate_constraints as estimate_constraints
from valuechain.models.figures import CatalogueVersion as CatalogueVersion
from valuechain.models.figures import FiguresEpoch as FiguresEpoch
from valuechain.models.figures import IdeaFigures as IdeaFigures


class Role(models.Model):
    name = models.CharField(max_length=100, unique=True)
    day_rate = models.FloatField(validators=NON_NEGATIVE, help_text="Cost of one person-day.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(day_rate__gte=0), name="role_day_rate_non_negative")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.day_rate is not None and not 0 <= self.day_rate <= MAX_MONEY:
            raise ValidationError({"day_rate": f"A day rate is between 0 and {MAX_MONEY:.0e}."})


class TierProfile(models.Model):
    """Per-tier defaults: editable data, seeded by a migration."""

    class InvestmentBand(models.TextChoices):
        MINIMAL = "minimal", "Minimal"
        MINIMAL_TO_MEDIUM = "minimal_to_medium", "Minimal to medium"
        MEDIUM_TO_HIGH = "medium_to_high", "Medium to high"
        HIGH = "high", "High"

    tier = models.PositiveSmallIntegerField(
        primary_key=True, choices=Tier.choices, validators=TIER_RANGE
    )
    label = models.CharField(max_length=100)
    asset_label = models.CharField(max_length=100, blank=True)
    investment_band = models.CharField(max_length=20, choices=InvestmentBand.choices)
    description = models.TextField(blank=True)
    default_roles = models.ManyToManyField(Role, blank=True, related_name="tier_profiles")
    default_feasibility = models.FloatField(validators=UNIT_INTERVAL, default=1.0)

    class Meta:
        ordering = ["tier"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_feasibility__gte=0, default_feasibility__lte=1),
                name="tierprofile_feasibility_unit_interval",
            )
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier}: {self.label}"


class Idea(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        IN_PROGRESS = "in_progress", "In progress"
        SHIPPED = "shipped", "Shipped"
        REJECTED = "rejected", "Rejected"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    benefit_low = models.FloatField(default=0, validators=NON_NEGATIVE)
    benefit_likely = models.FloatField(default=0, validators=NON_NEGATIVE)
    benefit_high = models.FloatField(default=0, validators=NON_NEGATIVE)
    probability_of_success = models.FloatField(default=0.5, validators=UNIT_INTERVAL)
    horizon_years = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    discount_rate = models.FloatField(default=0.10, validators=UNIT_INTERVAL)
    # Scores: what the product manager judges; blank means not scored yet.
    reach = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_REACH)],
        help_text="RICE reach: how many people (or events) the idea affects each quarter.",
    )
    impact = models.FloatField(
        null=True,
        blank=True,
        choices=IMPACT_CHOICES,
        help_text="RICE and ICE impact on each person reached, 0.25 (minimal) to 3 (massive).",
    )
    confidence = models.FloatField(
        null=True,
        blank=True,
        validators=UNIT_INTERVAL,
        help_text="How sure you are of reach and impact, 0 to 1: 1 high, 0.8 medium, 0.5 low.",
    )
    business_value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=WSJF_CHOICES,
        help_text="WSJF user-business value, relative to your other ideas.",
    )
    time_criticality = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=WSJF_CHOICES,
        help_text="WSJF time criticality: how fast the value decays if the idea waits.",
    )
    risk_reduction = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=WSJF_CHOICES,
        help_text="WSJF risk reduction or opportunity enablement: what else it makes possible.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            *estimate_constraints("benefit", "idea"),
            models.CheckConstraint(
                condition=Q(probability_of_success__gte=0, probability_of_success__lte=1),
                name="idea_probability_unit_interval",
            ),
            models.CheckConstraint(
                condition=Q(horizon_years__gte=1, horizon_years__lte=30),
                name="idea_horizon_range",
            ),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0, discount_rate__lte=1),
                name="idea_discount_rate_unit_interval",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="idea_confidence_unit_interval",
            ),
            models.CheckConstraint(
                condition=Q(reach__isnull=True) | Q(reach__lte=MAX_REACH),
                name="idea_reach_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        clean_estimate(self, "benefit")


class Need(models.Model):
    """A data signal an idea requires, pointing at exactly one catalogue asset."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="needs")
    name = models.CharField(max_length=200, help_text="The data signal the idea needs.")
    description = models.TextField(blank=True)
    feature = models.ForeignKey(
        Feature, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    curated_dataset = models.ForeignKey(
        CuratedDataset, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    raw_source = models.ForeignKey(
        RawSource, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    acquisition_option = models.ForeignKey(
        AcquisitionOption, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    engineering_low = models.FloatField(default=0, validators=NON_NEGATIVE)
    engineering_likely = models.FloatField(default=0, validators=NON_NEGATIVE)
    engineering_high = models.FloatField(default=0, validators=NON_NEGATIVE)
    engineering_days_role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when the engineering estimate is in person-days of this role.",
    )
    weight = models.FloatField(default=1.0, help_text="Share of the idea's benefit.")
    essential = models.BooleanField(
        default=True, help_text="Without it the idea yields no benefit at all."
    )

    ASSET_FIELDS = ("feature", "curated_dataset", "raw_source", "acquisition_option")

    class Meta:
        ordering = ["idea_id", "id"]
        constraints = [
            *estimate_constraints("engineering", "need"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="need_weight_positive"),
            models.CheckConstraint(
                condition=(
                    Q(
                        feature__isnull=False,
                        curated_dataset__isnull=True,
                        raw_source__isnull=True,
                        acquisition_option__isnull=True,
                    )
                    | Q(
                        feature__isnull=True,
                        curated_dataset__isnull=False,
                        raw_source__isnull=True,
                        acquisition_option__isnull=True,
                    )
                    | Q(
                        feature__isnull=True,
                        curated_dataset__isnull=True,
                        raw_source__isnull=False,
                        acquisition_option__isnull=True,
                    )
                    | Q(
                        feature__isnull=True,
                        curated_dataset__isnull=True,
                        raw_source__isnull=True,
                        acquisition_option__isnull=False,
                    )
                ),
                name="need_exactly_one_asset",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def asset_type(self) -> str | None:
        for field in self.ASSET_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return field
        return None

    @property
    def asset_id(self) -> int | None:
        field = self.asset_type
        return getattr(self, f"{field}_id") if field else None

    @property
    def asset(self) -> Asset | None:
        field = self.asset_type
        return getattr(self, field) if field else None

    def set_asset(self, asset_type: str, asset_id: int) -> None:
        if asset_type not in self.ASSET_FIELDS:
            raise ValidationError({"asset_type": f"Unknown asset type {asset_type!r}."})
        for field in self.ASSET_FIELDS:
            setattr(self, f"{field}_id", asset_id if field == asset_type else None)

    def clean(self) -> None:
        super().clean()
        clean_estimate(self, "engineering")
        # A missing weight is the field's own error (it is required).
        problem = weight_problem(self.weight) if self.weight is not None else None
        if problem is not None:
            raise ValidationError({"weight": problem})


class StakeholderAssignment(models.Model):
    """A person assigned to a role for one tier of one idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="stakeholders")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, validators=TIER_RANGE)
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stakeholder_assignments"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["idea_id", "tier", "role__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "tier", "role", "person"], name="stakeholder_unique"
            ),
            models.CheckConstraint(
                condition=Q(tier__gte=1, tier__lte=4), name="stakeholder_tier_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} as {self.role} on tier {self.tier} of {self.idea}"


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class AnalysisRun(models.Model):
    """A stored background computation with its progress and result."""

    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.PENDING)
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
    # A worker claims a run by conditional update and keeps its lease alive while it works;
    # a run whose lease expired (the worker died) can be claimed again, by one worker only.
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class SimulationRun(AnalysisRun):
    """A Monte Carlo run for one idea; the seed is stored so it can be reproduced."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="simulations")
    draws = models.PositiveIntegerField(default=10_000)
    seed = models.BigIntegerField()

    def __str__(self) -> str:
        return f"Simulation of {self.idea_id} ({self.status})"


class PortfolioRun(AnalysisRun):
    """A portfolio selection run over every idea that is not rejected."""

    def __str__(self) -> str:
        return f"Portfolio run {self.pk} ({self.status})"


class ConnectorRun(AnalysisRun):
    """A large import from dbt, Feast or OpenLineage, applied by a worker with its progress.

    `params` holds the parsed records (plain JSON), so the worker never re-reads the upload."""

    connector = models.CharField(max_length=20, choices=SourceSystem.choices)
    dry_run = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.connector} import {self.pk} ({self.status})"


from valuechain.models.activity import *  # noqa: E402, F403  (comments, notifications, re-pricings)
from valuechain.models.history import record_changes  # noqa: E402
from valuechain.models.scenarios import RoadmapRun, Scenario  # noqa: E402, F401

record_changes(Idea, Need, StakeholderAssignment, *ASSET_MODELS.values())
