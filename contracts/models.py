"""Data contracts: the agreement between the producer of a catalogue asset and its consumers.

A DataContract governs one catalogue asset; its ContractVersions carry the JSON Schema,
semantics, SLA and missing-value thresholds, and are immutable once published. Consumers pin
a major version. Rules (compatibility, semantic versioning) live in contracts.compatibility
and contracts.services; these models only hold what was agreed.
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
