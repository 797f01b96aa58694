"""How an idea's model is deployed, and what each way of deploying costs.

A DeploymentType is an editable profile of one of the four ways (batch, stream,
request-response, edge); a DeploymentPlan records an idea's serving requirements and
the way chosen. Costs are three-point estimates stored like the catalogue's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from deployments import recommend
from valuechain.models import NON_NEGATIVE, Idea, Role, clean_estimate, estimate_constraints

POSITIVE = [MinValueValidator(0.0, message="Must be 0 or more.")]
API_CONTRACT_MAX_CHARS = 20_000
# Bounds of the figures a plan or a type profile gives (beyond them a value is a typo, and
# they keep every figure computed from them finite); money is bounded by MAX_MONEY.
MAX_LATENCY_MS = 1e9  # about 11 days
MAX_REQUESTS_PER_DAY = 1e12
MAX_MODEL_SIZE_MB = 1e9
BOUNDS = {
    "latency_ms": MAX_LATENCY_MS,
    "typical_latency_ms": MAX_LATENCY_MS,
    "requests_per_day": MAX_REQUESTS_PER_DAY,
    "model_size_budget_mb": MAX_MODEL_SIZE_MB,
}


def bound_problems(instance: models.Model, names: tuple[str, ...]) -> dict[str, str]:
    """Field -> message for each figure above its bound in BOUNDS."""
    problems = {}
    for name in names:
        value = getattr(instance, name)
        if value is not None and not value <= BOUNDS[name]:
            problems[name] = f"Must be at most {BOUNDS[name]:.0e}."
    return problems


class Kind(models.TextChoices):
    BATCH = recommend.BATCH, "Batch"
    STREAM = recommend.STREAM, "Stream"
    REQUEST_RESPONSE = recommend.REQUEST_RESPONSE, "Request-response"
    EDGE = recommend.EDGE, "Edge"


class Freshness(models.TextChoices):
    SECONDS = "seconds", "Seconds"
    MINUTES = "minutes", "Minutes"
    HOURS = "hours", "Hours"
    DAYS = "days", "Days"


class DataLocation(models.TextChoices):
    SERVER = "server", "On servers"
    DEVICE = "device", "On the user's device"


class Connectivity(models.TextChoices):
    ALWAYS = "always", "Always connected"
    INTERMITTENT = "intermittent", "Intermittent"
    NONE = "none", "None"


class ApiProtocol(models.TextChoices):
    REST = "rest", "REST"
    GRPC = "grpc", "gRPC"


class EdgePlatform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS"
    WEB = "web", "Web browser"
    DESKTOP = "desktop", "Desktop"
    EMBEDDED = "embedded", "Embedded / IoT"


# Estimates each DeploymentType carries, besides setup and run: (prefix, label, when used).
EXTRA_ESTIMATES = (
    (
        "online_feature_setup",
        "Online materialisation, one-off per offline-only feature",
        "request-response and stream",
    ),
    (
        "online_feature_run",
        "Online materialisation, yearly per offline-only feature",
        "request-response and stream",
    ),
    ("compression", "Model compression, one-off", "edge"),
    ("device_runtime", "On-device runtime, yearly", "edge"),
    (
        "realtime_storage_setup",
        "Real-time storage for batch predictions, one-off",
        "batch plans that load predictions into real-time storage",
    ),
    (
        "realtime_storage_run",
        "Real-time storage for batch predictions, yearly",
        "batch plans that load predictions into real-time storage",
    ),
)
ESTIMATE_PREFIXES = ("setup", "run", *(prefix for prefix, _, _ in EXTRA_ESTIMATES))


def _money(help_text: str) -> models.FloatField:
    return models.FloatField(default=0, validators=NON_NEGATIVE, help_text=help_text)


class DeploymentType(models.Model):
    """One of the four ways to deploy a model, with its facts and typical costs (editable)."""

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField()
    typical_latency = models.CharField(max_length=200, help_text="In words, e.g. 10-200 ms.")
    typical_latency_ms = models.FloatField(
        validators=POSITIVE, help_text="A representative figure, for comparisons."
    )
    requirements = models.TextField(help_text="What this way of deploying needs in place.")
    needs_online_features = models.BooleanField(
        default=False,
        help_text="Serves features online: each offline-only feature must be materialised.",
    )
    setup_low = _money("One-off cost to set the deployment up.")
    setup_likely = _money("")
    setup_high = _money("")
    setup_days_role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when the setup estimate is in person-days of this role.",
    )
    run_low = _money("Yearly cost to run it.")
    run_likely = _money("")
    run_high = _money("")
    run_days_role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when the yearly run estimate is in person-days of this role.",
    )
    online_feature_setup_low = _money("One-off, per offline-only feature served online.")
    online_feature_setup_likely = _money("")
    online_feature_setup_high = _money("")
    online_feature_run_low = _money("Yearly, per offline-only feature served online.")
    online_feature_run_likely = _money("")
    online_feature_run_high = _money("")
    compression_low = _money("One-off model compression (edge).")
    compression_likely = _money("")
    compression_high = _money("")
    device_runtime_low = _money("Yearly on-device runtime upkeep (edge).")
    device_runtime_likely = _money("")
    device_runtime_high = _money("")
    realtime_storage_setup_low = _money(
        "One-off, to load batch predictions into real-time storage."
    )
    realtime_storage_setup_likely = _money("")
    realtime_storage_setup_high = _money("")
    realtime_storage_run_low = _money("Yearly real-time storage for batch predictions.")
    realtime_storage_run_likely = _money("")
    realtime_storage_run_high = _money("")

    class Meta:
        ordering = ["id"]
        constraints = [
            *(
                constraint
                for prefix in ESTIMATE_PREFIXES
                for constraint in estimate_constraints(prefix, "deploymenttype")
            ),
            models.CheckConstraint(
                condition=Q(typical_latency_ms__gt=0), name="deploymenttype_latency_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        for prefix in ESTIMATE_PREFIXES:
            clean_estimate(self, prefix)
        if self.typical_latency_ms is not None and self.typical_latency_ms <= 0:
            raise ValidationError({"typical_latency_ms": "Must be greater than 0."})
        problems = bound_problems(self, ("typical_latency_ms",))
        if problems:
            raise ValidationError(problems)


# Type-specific plan fields, keyed by the kind they belong to.
TYPE_SPECIFIC_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.BATCH: ("batch_schedule", "loads_realtime_storage"),
    Kind.STREAM: ("input_contract", "output_stream"),
    Kind.REQUEST_RESPONSE: ("api_protocol", "api_contract"),
    Kind.EDGE: ("edge_platform", "model_size_budget_mb"),
}
REQUIREMENT_FIELDS = (
    "latency_ms",
    "requests_per_day",
    "freshness",
    "data_location",
    "privacy_sensitive",
    "connectivity",
    "inputs_enumerable",
    "continuous_events",
)
PLAN_ESTIMATES = ("setup", "run")


def _optional_estimate_constraint(prefix: str) -> models.CheckConstraint:
    low, likely, high = f"{prefix}_low", f"{prefix}_likely", f"{prefix}_high"
    unset = Q(**{f"{low}__isnull": True, f"{likely}__isnull": True, f"{high}__isnull": True})
    ordered = (
        Q(**{f"{low}__gte": 0})
        & Q(**{f"{low}__lte": models.F(likely)})
        & Q(**{f"{likely}__lte": models.F(high)})
    )
    return models.CheckConstraint(
        condition=unset | ordered, name=f"deploymentplan_{prefix}_unset_or_ordered"
    )


class DeploymentPlan(models.Model):
    """How one idea's model will be deployed, and the serving requirements behind it."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="deployment_plan")
    deployment_type = models.ForeignKey(
        DeploymentType, on_delete=models.PROTECT, related_name="plans"
    )
    # Requirements, as the recommendation reads them.
    latency_ms = models.FloatField(
        validators=POSITIVE, help_text="Latency target: the slowest acceptable answer."
    )
    requests_per_day = models.FloatField(validators=POSITIVE, help_text="Throughput.")
    freshness = models.CharField(max_length=10, choices=Freshness.choices)
    data_location = models.CharField(max_length=10, choices=DataLocation.choices)
    privacy_sensitive = models.BooleanField(default=False)
    connectivity = models.CharField(max_length=15, choices=Connectivity.choices)
    inputs_enumerable = models.BooleanField(
        default=False, help_text="Every input a prediction may be asked for is known ahead."
    )
    continuous_events = models.BooleanField(
        default=False, help_text="The inputs arrive as a continuous flow of events."
    )
    # Batch
    batch_schedule = models.CharField(
        max_length=100, blank=True, help_text="When the job runs, e.g. a cron expression."
    )
    loads_realtime_storage = models.BooleanField(
        default=False, help_text="Predictions are loaded into real-time storage and served."
    )
    # Stream
    input_contract = models.CharField(
        max_length=200, blank=True, help_text="The data contract of the input stream."
    )
    output_stream = models.CharField(
        max_length=200, blank=True, help_text="The stream inference results are published to."
    )
    # Request-response
    api_protocol = models.CharField(max_length=10, choices=ApiProtocol.choices, blank=True)
    api_contract = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(API_CONTRACT_MAX_CHARS)],
        help_text="The request/response contract (OpenAPI or protobuf), or where it lives.",
    )
    # Edge
    edge_platform = models.CharField(max_length=20, choices=EdgePlatform.choices, blank=True)
    model_size_budget_mb = models.FloatField(
        null=True, blank=True, validators=POSITIVE, help_text="Largest model the device takes."
    )
    # Costs: empty means the type's typical estimate.
    setup_low = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    setup_likely = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    setup_high = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    setup_days_role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    run_low = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    run_likely = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    run_high = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    run_days_role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(5_000)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["idea_id"]
        constraints = [
            *(_optional_estimate_constraint(prefix) for prefix in PLAN_ESTIMATES),
            models.CheckConstraint(
                condition=Q(latency_ms__gt=0), name="deploymentplan_latency_positive"
            ),
            models.CheckConstraint(
                condition=Q(requests_per_day__gte=0), name="deploymentplan_throughput_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(model_size_budget_mb__isnull=True) | Q(model_size_budget_mb__gt=0),
                name="deploymentplan_model_size_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_type} for {self.idea}"

    def has_estimate(self, prefix: str) -> bool:
        return any(
            getattr(self, f"{prefix}_{part}") is not None for part in ("low", "likely", "high")
        )

    def clean(self) -> None:
        super().clean()
        errors = bound_problems(self, ("latency_ms", "requests_per_day", "model_size_budget_mb"))
        if self.latency_ms is not None and self.latency_ms <= 0:
            errors["latency_ms"] = "The latency target must be greater than 0."
        if self.model_size_budget_mb is not None and self.model_size_budget_mb <= 0:
            errors["model_size_budget_mb"] = "The model size budget must be greater than 0."
        for prefix in PLAN_ESTIMATES:
            parts = [getattr(self, f"{prefix}_{part}") for part in ("low", "likely", "high")]
            if any(p is None for p in parts) and any(p is not None for p in parts):
                errors[f"{prefix}_low"] = "Give low, likely and high, or none of them."
        if errors:
            raise ValidationError(errors)
        for prefix in PLAN_ESTIMATES:
            clean_estimate(self, prefix)

    def requirements(self) -> recommend.Requirements:
        return recommend.Requirements(
            latency_ms=float(self.latency_ms),
            requests_per_day=float(self.requests_per_day),
            freshness=self.freshness,
            data_location=self.data_location,
            connectivity=self.connectivity,
            privacy_sensitive=self.privacy_sensitive,
            inputs_enumerable=self.inputs_enumerable,
            continuous_events=self.continuous_events,
        )
