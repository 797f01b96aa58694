"""Data contracts: the agreement between the producer of a catalogue asset and its consumers.

A DataContract governs one catalogue asset; its ContractVersions carry the JSON Schema,
semantics, SLA and missing-value thresholds, and are immutable once published. Consumers pin
a major version. Rules (compatibility, semantic versioning) live in contracts.compatibility
and contracts.registry.services; these models only hold what was agreed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from contracts.compatibility import Mode
from valuechain.models import AssetType

MAX_MAJOR = 1_000_000


if TYPE_CHECKING:  # typed as JSON for callers; a text column underneath
    _JsonText = models.Field[Any, Any]
else:
    _JsonText = models.TextField


class OrderedJSONField(_JsonText):
    """JSON stored as text. PostgreSQL's jsonb sorts object keys, and the order of a schema's
    properties is part of the contract (ODCS lists them; pages show them in that order)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"Not JSON: {exc.msg}.") from None
        return value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj: Any) -> str:
        return str(self.get_prep_value(self.value_from_object(obj)))


class CompatibilityMode(models.TextChoices):
    BACKWARD = Mode.BACKWARD.value, "Backward"
    BACKWARD_TRANSITIVE = Mode.BACKWARD_TRANSITIVE.value, "Backward, transitive"
    FORWARD = Mode.FORWARD.value, "Forward"
    FORWARD_TRANSITIVE = Mode.FORWARD_TRANSITIVE.value, "Forward, transitive"
    FULL = Mode.FULL.value, "Full"
    FULL_TRANSITIVE = Mode.FULL_TRANSITIVE.value, "Full, transitive"
    NONE = Mode.NONE.value, "None"


class DataContract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        DEPRECATED = "deprecated", "Deprecated"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=200)
    asset_type = models.CharField(
        max_length=20,
        choices=AssetType.choices,
        blank=True,
        default="",
        help_text="Kind of the catalogue asset this contract governs.",
    )
    asset_id = models.PositiveIntegerField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contracts",
        help_text="The producer who answers for the contract.",
    )
    producer_team = models.CharField(max_length=200, blank=True)
    purpose = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    compatibility_mode = models.CharField(
        max_length=24, choices=CompatibilityMode.choices, default=CompatibilityMode.BACKWARD
    )
    odcs_id = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="The id of the contract in ODCS documents.",
    )
    ideas = models.ManyToManyField(
        "valuechain.Idea",
        blank=True,
        related_name="contracts",
        help_text="Ideas linked directly, beyond those reaching the asset.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["asset_type", "asset_id"], name="contract_asset_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["odcs_id"], condition=~Q(odcs_id=""), name="contract_odcs_id_unique"
            ),
            models.CheckConstraint(
                condition=(Q(asset_type="") & Q(asset_id__isnull=True))
                | (~Q(asset_type="") & Q(asset_id__isnull=False)),
                name="contract_asset_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def asset_key(self) -> tuple[str, int] | None:
        return (self.asset_type, self.asset_id) if self.asset_type and self.asset_id else None


class ContractVersion(models.Model):
    """One version of a contract. Published versions never change: a change is a new version."""

    contract = models.ForeignKey(DataContract, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=50)
    major = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_MAJOR)])
    minor = models.PositiveIntegerField()
    patch = models.PositiveIntegerField()
    json_schema = OrderedJSONField(help_text="Draft 2020-12 JSON Schema of one record.")
    semantics = OrderedJSONField(
        default=dict,
        blank=True,
        help_text='{"entity": what a record represents, "fields": {pointer: meaning}}',
    )
    sla = OrderedJSONField(
        default=dict,
        blank=True,
        help_text="production_use, max_lateness, freshness, retention and the ODCS list.",
    )
    missing_thresholds = models.JSONField(
        default=list,
        blank=True,
        help_text="[{field, metric, max_ratio, max_count, window}]: most missing per window.",
    )
    compatibility_mode = models.CharField(max_length=24, choices=CompatibilityMode.choices)
    change_notes = models.TextField(blank=True)
    changes = models.JSONField(
        default=list, blank=True, help_text="The diff from the previous version, as published."
    )
    odcs_document = OrderedJSONField(
        default=dict, blank=True, help_text="Unmapped parts of the imported ODCS, verbatim."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract_id", "major", "minor", "patch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="contractversion_unique"),
            models.UniqueConstraint(
                fields=["contract", "major", "minor", "patch"],
                name="contractversion_semver_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_published():
            raise ValidationError("A published contract version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_published():
            raise ValidationError("A published contract version cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def _stored_published(self) -> bool:
        return (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, published_at__isnull=False).exists()
        )


class Consumer(models.Model):
    """Someone who reads the governed data, pinned to one major version of the contract."""

    contract = models.ForeignKey(DataContract, on_delete=models.CASCADE, related_name="consumers")
    name = models.CharField(max_length=200, help_text="Team, system or model that reads it.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pinned_major = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_MAJOR)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="consumer_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.pinned_major})"


# --- enforcement: validation runs, dead letters, valid records, SLA breaches, alerts ------------


class ValidationRun(models.Model):
    """One pass of records through a published version: an uploaded batch, a batch sent to the
    API, or one consumer's session on the contract's stream."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        STREAM = "stream", "Stream"
        API = "api", "API"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    contract = models.ForeignKey(
        DataContract, on_delete=models.CASCADE, related_name="validation_runs"
    )
    version = models.ForeignKey(
        ContractVersion, on_delete=models.CASCADE, related_name="validation_runs"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    filename = models.CharField(max_length=255, blank=True)
    stream = models.CharField(max_length=200, blank=True)
    consumer_name = models.CharField(max_length=200, blank=True)
    consumer_rejections = models.JSONField(
        default=dict,
        blank=True,
        help_text="{consumer: {version, rejected}}: records each consumer's version rejected.",
    )
    records = OrderedJSONField(
        null=True, blank=True, help_text="The batch awaiting validation; cleared once done."
    )
    received_at = models.DateTimeField(help_text="When the batch arrived.")
    received_count = models.PositiveIntegerField(default=0)
    valid_count = models.PositiveIntegerField(default=0)
    dead_letter_count = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(
        default=0, help_text="Records of the batch validated and stored so far."
    )
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contract", "-created_at"], name="validationrun_recent")]

    def __str__(self) -> str:
        return f"run {self.pk} of contract {self.contract_id} ({self.source})"


class StoredRecord(models.Model):
    """A record a run has judged. It is stored once: by its index within its run, or by its
    stream message id within the contract, so a redelivered batch or message adds nothing."""

    contract = models.ForeignKey(DataContract, on_delete=models.CASCADE, related_name="+")
    record_index = models.PositiveIntegerField(null=True, blank=True)
    stream = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-id"]


def stored_record_constraints(prefix: str) -> list[models.BaseConstraint]:
    """Each record once per run index, and once per stream message of the contract."""
    return [
        models.UniqueConstraint(
            fields=["run", "record_index"],
            condition=Q(record_index__isnull=False),
            name=f"{prefix}_unique_index",
        ),
        models.UniqueConstraint(
            fields=["contract", "stream", "message_id"],
            condition=~Q(message_id=""),
            name=f"{prefix}_unique_message",
        ),
    ]


class DeadLetter(StoredRecord):
    """A record that broke the contract for the producer's latest version or for the version a
    consumer is pinned to, kept with its errors, who rejects it, and where recovery left it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REPLAYED = "replayed", "Replayed"
        DISCARDED = "discarded", "Discarded"

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="dead_letters")
    version = models.ForeignKey(
        ContractVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The producer's latest version when the record was judged.",
    )  # fmt: skip
    payload = OrderedJSONField(null=True, help_text="The record as received (or as fixed).")
    errors = models.JSONField(default=list, help_text="[{pointer, schema_pointer, message}]")
    rejected_by = models.JSONField(
        default=list, blank=True, help_text="Names of the consumers whose version rejects it."
    )
    accepted_by = models.JSONField(
        default=list, blank=True, help_text="Names of the consumers whose version accepts it."
    )
    rejections = models.JSONField(
        default=list,
        blank=True,
        help_text="[{version, latest, consumers, errors}]: why each version that rejects it "
        "does (latest: it is the producer's latest version).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    replayed_version = models.ForeignKey(
        ContractVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_at = models.DateTimeField(
        null=True, blank=True, help_text="When a replayed record reached the valid streams."
    )
    discard_reason = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta(StoredRecord.Meta):
        constraints = stored_record_constraints("deadletter")
        indexes = [
            models.Index(fields=["contract", "-id"], name="deadletter_recent"),
            models.Index(fields=["contract", "status", "-id"], name="deadletter_status"),
        ]

    def __str__(self) -> str:
        return f"dead letter {self.pk} of run {self.run_id}"


class ValidRecord(StoredRecord):
    """A record that kept the contract, for consumers to read on. Bounded: the newest
    records of each contract are kept (see contracts.enforcement.batches)."""

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="valid_records")
    payload = OrderedJSONField()

    class Meta(StoredRecord.Meta):
        constraints = stored_record_constraints("validrecord")
        indexes = [models.Index(fields=["contract", "-id"], name="validrecord_recent")]

    def __str__(self) -> str:
        return f"valid record {self.pk} of run {self.run_id}"


class DeadLetterAction(models.Model):
    """One recovery step on a dead letter: who did what, when, and the record before and after.
    Written with the change it records, in the same transaction; never changed afterwards."""

    class Action(models.TextChoices):
        EDIT = "edit", "Edited the payload"
        REVALIDATE = "revalidate", "Revalidated"
        REPLAY = "replay", "Replayed"
        DISCARD = "discard", "Discarded"

    dead_letter = models.ForeignKey(DeadLetter, on_delete=models.CASCADE, related_name="actions")
    contract = models.ForeignKey(DataContract, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    version = models.ForeignKey(
        ContractVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    before = models.JSONField(default=dict, help_text="{payload, status, errors} before.")
    after = models.JSONField(default=dict, help_text="{payload, status, errors} after.")
    outcome = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dead_letter", "-created_at"], name="deadletteraction_dl")]

    def __str__(self) -> str:
        return f"{self.action} of dead letter {self.dead_letter_id}"


class SlaBreach(models.Model):
    """A broken SLA promise, detected once per contract, kind, field and window."""

    class Kind(models.TextChoices):
        MISSING_RATIO = "missing_ratio", "Missing values"
        LATENESS = "lateness", "Lateness"
        FRESHNESS = "freshness", "Freshness"
        DEAD_LETTER_RATE = "dead_letter_rate", "Dead-letter rate"

    contract = models.ForeignKey(DataContract, on_delete=models.CASCADE, related_name="breaches")
    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(
        ValidationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="breaches"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    field = models.CharField(max_length=1000, blank=True, help_text="JSON pointer in the schema.")
    observed = models.FloatField()
    limit = models.FloatField()
    unit = models.CharField(max_length=10, help_text="ratio, records or seconds")
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0, help_text="Records measured.")
    detail = models.TextField()
    key = models.CharField(max_length=1200, help_text="What makes a breach the same one again.")
    alerted = models.JSONField(default=list, help_text="[{role, name, user}] who was told.")
    detected_at = models.DateTimeField()
    # Scheduled checks keep a breach open while the data stays out of its promise, and close
    # it when the data recovers; a breach found in one batch is an event and stays as it is.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "key"], name="slabreach_unique_key")
        ]
        indexes = [models.Index(fields=["contract", "-detected_at"], name="slabreach_recent")]

    def __str__(self) -> str:
        return f"{self.kind} breach of contract {self.contract_id}"


class Alert(models.Model):
    """A notice of an SLA breach to the producer (the contract's owner) or a consumer."""

    class Role(models.TextChoices):
        PRODUCER = "producer", "Producer"
        CONSUMER = "consumer", "Consumer"

    breach = models.ForeignKey(SlaBreach, on_delete=models.CASCADE, related_name="alerts")
    role = models.CharField(max_length=10, choices=Role.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="contract_alerts",
    )  # fmt: skip
    consumer = models.ForeignKey(
        Consumer, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    recipient_name = models.CharField(max_length=200)
    message = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "role", "recipient_name"], name="alert_unique_recipient"
            )
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="alert_inbox")]

    def __str__(self) -> str:
        return f"alert to {self.recipient_name} ({self.role})"


class MissingWindow(models.Model):
    """Missing values of one field in one window of a contract's stream, counted as records
    arrive (each record once) and judged once, when the window has closed."""

    contract = models.ForeignKey(DataContract, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="+")
    stream = models.CharField(max_length=200)
    field = models.CharField(max_length=1000, help_text="JSON pointer in the schema.")
    metric = models.CharField(max_length=20)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    records = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    judged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["window_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "stream", "field", "metric", "window_start"],
                name="missingwindow_unique",
            )
        ]
        indexes = [
            models.Index(fields=["contract", "stream", "window_end"], name="missingwindow_open")
        ]

    def __str__(self) -> str:
        return f"{self.field} from {self.window_start:%Y-%m-%d %H:%M}"


from contracts.notifications.models import *  # noqa: E402, F403  (consumer teams, subscriptions, webhooks)
