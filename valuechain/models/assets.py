"""The four kinds of catalogue asset and what they share: estimates, owner, lineage, and where
each row comes from (typed in, or kept in sync with dbt, OpenLineage, Feast or ODCS)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from valuechain.engine.chain import MAX_MONEY, availability_problem, estimate_problem
from valuechain.engine.scales import IMPACT_SCALE, WSJF_SCALE

NON_NEGATIVE = [MinValueValidator(0.0)]
UNIT_INTERVAL = [MinValueValidator(0.0), MaxValueValidator(1.0)]
TIER_RANGE = [MinValueValidator(1), MaxValueValidator(4)]
ESTIMATE_PARTS = ("low", "likely", "high")
WSJF_CHOICES = [(value, str(value)) for value in WSJF_SCALE]
IMPACT_CHOICES = [(value, f"{value:g} · {label}") for value, label in IMPACT_SCALE]


class Tier(models.IntegerChoices):
    FEATURES = 1, "Engineered features"
    CURATED = 2, "Curated data"
    RAW = 3, "Raw data"
    ACQUISITION = 4, "Data acquisition"


class AssetType(models.TextChoices):
    """Catalogue asset kinds, named as in the public API; the value maps to engine.AssetKind."""

    FEATURE = "feature", "Feature"
    CURATED_DATASET = "curated_dataset", "Curated dataset"
    RAW_SOURCE = "raw_source", "Raw source"
    ACQUISITION_OPTION = "acquisition_option", "Acquisition option"


class SourceSystem(models.TextChoices):
    """Where an asset comes from: typed in, or kept in sync with a system that already has it."""

    MANUAL = "manual", "Manual"
    DBT = "dbt", "dbt"
    OPENLINEAGE = "openlineage", "OpenLineage"
    FEAST = "feast", "Feast"
    ODCS = "odcs", "ODCS contract"


def estimate_constraints(prefix: str, model: str) -> list[models.CheckConstraint]:
    """Three-point estimates are ordered and never negative, whatever wrote them."""
    low, likely, high = f"{prefix}_low", f"{prefix}_likely", f"{prefix}_high"
    return [
        models.CheckConstraint(
            condition=Q(**{f"{low}__gte": 0})
            & Q(**{f"{low}__lte": models.F(likely)})
            & Q(**{f"{likely}__lte": models.F(high)}),
            name=f"{model}_{prefix}_ordered",
        )
    ]


def clean_estimate(instance: models.Model, prefix: str) -> None:
    low, likely, high = (getattr(instance, f"{prefix}_{part}") for part in ESTIMATE_PARTS)
    if None in (low, likely, high):
        return
    problem = estimate_problem(low, likely, high)
    if problem is not None:
        # Shown on the part out of range, else on low when it is negative, else on likely.
        parts = dict(zip(ESTIMATE_PARTS, (low, likely, high), strict=True))
        wrong = [part for part, value in parts.items() if not 0 <= value <= MAX_MONEY]
        where = wrong[0] if wrong else "likely"
        raise ValidationError({f"{prefix}_{where}": problem})


class BuildRunEstimates(models.Model):
    """A one-off build estimate and a yearly run cost, in money or person-days of a role."""

    build_low = models.FloatField(default=0, validators=NON_NEGATIVE)
    build_likely = models.FloatField(default=0, validators=NON_NEGATIVE)
    build_high = models.FloatField(default=0, validators=NON_NEGATIVE)
    build_days_role = models.ForeignKey(
        "valuechain.Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when the build estimate is in person-days of this role.",
    )
    run_low = models.FloatField(default=0, validators=NON_NEGATIVE)
    run_likely = models.FloatField(default=0, validators=NON_NEGATIVE)
    run_high = models.FloatField(default=0, validators=NON_NEGATIVE)
    run_days_role = models.ForeignKey(
        "valuechain.Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when the yearly run cost is in person-days of this role.",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        clean_estimate(self, "build")
        clean_estimate(self, "run")


class Asset(BuildRunEstimates):
    """What every catalogue asset shares. Subclasses set TIER and ASSET_TYPE."""

    TIER: Tier
    ASSET_TYPE: AssetType

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    available = models.BooleanField(default=False, help_text="It already exists.")
    feasibility = models.FloatField(
        null=True,
        blank=True,
        validators=UNIT_INTERVAL,
        help_text="Chance the build succeeds; empty means the tier's default.",
    )
    # Sync with an upstream system: the same (source_system, external_id) is the same asset on
    # every import; what disappeared upstream is retired, never deleted (needs may point at it).
    source_system = models.CharField(
        max_length=20, choices=SourceSystem.choices, default=SourceSystem.MANUAL
    )
    external_id = models.CharField(
        max_length=500, blank=True, help_text="Its id in the source system (dbt unique_id ...)."
    )
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when it disappeared from its source system."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> int:
        return int(self.TIER)

    @property
    def asset_type(self) -> str:
        return str(self.ASSET_TYPE)

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


def asset_constraints(model: str) -> list[models.BaseConstraint]:
    return [
        *estimate_constraints("build", model),
        *estimate_constraints("run", model),
        models.CheckConstraint(
            condition=Q(feasibility__isnull=True) | Q(feasibility__gte=0, feasibility__lte=1),
            name=f"{model}_feasibility_unit_interval",
        ),
        models.UniqueConstraint(
            fields=["source_system", "external_id"],
            condition=~Q(external_id=""),
            name=f"{model}_external_id_unique",
        ),
    ]


class AcquisitionOption(Asset):
    """Tier 4: getting data from an external system. Never available: it must be acquired."""

    TIER = Tier.ACQUISITION
    ASSET_TYPE = AssetType.ACQUISITION_OPTION

    provider = models.CharField(max_length=200, blank=True)

    class Meta(Asset.Meta):
        constraints = [
            *asset_constraints("acquisitionoption"),
            models.CheckConstraint(
                condition=Q(available=False), name="acquisitionoption_never_available"
            ),
        ]

    def clean(self) -> None:
        super().clean()
        problem = availability_problem(self.ASSET_TYPE, self.available)
        if problem is not None:
            raise ValidationError({"available": problem})


class RawSource(Asset):
    """Tier 3: raw data. Its build estimate is the cost of curating it for use."""

    TIER = Tier.RAW
    ASSET_TYPE = AssetType.RAW_SOURCE

    system = models.CharField(max_length=200, blank=True)
    acquisition_option = models.ForeignKey(
        AcquisitionOption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raw_sources",
    )
    # The readiness questions; None means nobody has checked yet.
    is_current = models.BooleanField(null=True, blank=True)
    arrives_regularly = models.BooleanField(null=True, blank=True)
    quality_ensurable = models.BooleanField(null=True, blank=True)
    sla_establishable = models.BooleanField(null=True, blank=True)

    class Meta(Asset.Meta):
        constraints = asset_constraints("rawsource")


class CuratedDataset(Asset):
    """Tier 2: golden data, quality assured with SLAs met."""

    TIER = Tier.CURATED
    ASSET_TYPE = AssetType.CURATED_DATASET

    raw_sources = models.ManyToManyField(RawSource, blank=True, related_name="curated_datasets")
    # dbt model -> model: a curated dataset built from other curated datasets (never a cycle).
    upstream_curated_datasets = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="downstream_curated_datasets"
    )

    class Meta(Asset.Meta):
        constraints = asset_constraints("curateddataset")


class Feature(Asset):
    """Tier 1: an engineered feature in the feature store."""

    TIER = Tier.FEATURES
    ASSET_TYPE = AssetType.FEATURE

    feature_group = models.CharField(max_length=200, blank=True)
    online = models.BooleanField(
        default=False, help_text="Served by the online feature store, not only offline."
    )
    curated_datasets = models.ManyToManyField(CuratedDataset, blank=True, related_name="features")

    class Meta(Asset.Meta):
        constraints = asset_constraints("feature")


ASSET_MODELS: dict[str, type[Asset]] = {
    AssetType.FEATURE: Feature,
    AssetType.CURATED_DATASET: CuratedDataset,
    AssetType.RAW_SOURCE: RawSource,
    AssetType.ACQUISITION_OPTION: AcquisitionOption,
}
