"""Registry API representations. Input is checked field by field; writes go through services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts import compatibility as compat
from contracts.models import Consumer, ContractVersion, DataContract
from contracts.registry import selectors
from contracts.sla import UNITS
from valuechain.api.fields import (
    ApiModelSerializer,
    FiniteFloatField,
    RejectUnknownFieldsMixin,
    SafePrimaryKeyRelatedField,
    UserIdField,
)

MAX_THRESHOLDS = 1000
MAX_TEXT = 10_000
# parts of an ODCS document a version takes from elsewhere: the contract, the version, the schema
_ODCS_MAPPED_KEYS = ("id", "version", "kind", "schema")


@extend_schema_field({"type": "object", "additionalProperties": True})
class JsonObjectField(serializers.JSONField):
    """A JSON object, in responses as an object (not its text) and typed so in the OpenAPI."""


class ConsumerSerializer(ApiModelSerializer):
    class Meta:
        model = Consumer
        fields = ["id", "name", "pinned_major", "user", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"user": {"required": False, "allow_null": True}}


class DataContractSerializer(ApiModelSerializer):
    owner = UserIdField(allow_null=True)
    owner_username = serializers.SerializerMethodField()
    asset_name = serializers.SerializerMethodField()
    ideas = SafePrimaryKeyRelatedField(many=True, queryset=selectors.ideas(), required=False)
    consumers = ConsumerSerializer(many=True, read_only=True)
    latest_version = serializers.SerializerMethodField()
    published_versions = serializers.SerializerMethodField()

    class Meta:
        model = DataContract
        fields = [
            "id",
            "name",
            "asset_type",
            "asset_id",
            "asset_name",
            "owner",
            "owner_username",
            "producer_team",
            "purpose",
            "status",
            "compatibility_mode",
            "odcs_id",
            "ideas",
            "consumers",
            "latest_version",
            "published_versions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "odcs_id", "created_at", "updated_at"]
        extra_kwargs = {"asset_id": {"min_value": 1, "max_value": 2**31 - 1}}

    def get_owner_username(self, obj: DataContract) -> str | None:
        return obj.owner.get_username() if obj.owner else None

    def get_asset_name(self, obj: DataContract) -> str | None:
        if not obj.asset_key:
            return None
        names = self.context.get("asset_names")
        if names is None:
            names = selectors.asset_names([obj.asset_key])
        return names.get(obj.asset_key)

    def get_latest_version(self, obj: DataContract) -> str | None:
        latest = selectors.latest_version(obj)
        return latest.version if latest else None

    def get_published_versions(self, obj: DataContract) -> list[str]:
        published = getattr(obj, "published_versions", None)
        if published is None:
            published = selectors.published_versions(obj)
        return [v.version for v in published]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        asset_type = attrs.get("asset_type", getattr(self.instance, "asset_type", ""))
        asset_id = attrs.get("asset_id", getattr(self.instance, "asset_id", None))
        if bool(asset_type) != (asset_id is not None):
            raise serializers.ValidationError(
                {
                    "asset_id" if asset_type else "asset_type": [
                        "Give both asset_type and asset_id, or neither."
                    ]
                }
            )
        return attrs


class DurationSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    value = FiniteFloatField(min_value=0, max_value=1e9)
    unit = serializers.ChoiceField(choices=UNITS)


class SlaSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    production_use = serializers.BooleanField(required=False, default=False)
    max_lateness = DurationSerializer(required=False, allow_null=True)
    freshness = DurationSerializer(required=False, allow_null=True)
    retention = DurationSerializer(required=False, allow_null=True)
    properties = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=1000,
        help_text="ODCS slaProperties kept verbatim.",
    )


class ThresholdSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    field = serializers.CharField(
        max_length=1000,
        allow_blank=True,
        trim_whitespace=False,
        help_text="JSON pointer of the property in the schema, e.g. /properties/email.",
    )
    metric = serializers.ChoiceField(
        choices=["missingValues", "nullValues"], default="missingValues"
    )
    max_ratio = FiniteFloatField(min_value=0, max_value=1, required=False, allow_null=True)
    max_count = serializers.IntegerField(
        min_value=0, max_value=2**53, required=False, allow_null=True
    )
    window = serializers.CharField(
        max_length=200, required=False, allow_null=True, allow_blank=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("max_ratio") is None and attrs.get("max_count") is None:
            raise serializers.ValidationError({"max_ratio": ["Give max_ratio or max_count."]})
        attrs.setdefault("max_ratio", None)
        attrs.setdefault("max_count", None)
        attrs.setdefault("window", None)
        return attrs


class SemanticsSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    entity = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(max_length=MAX_TEXT, allow_blank=True), required=False
    )


class PublishVersionSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    version = serializers.CharField(
        max_length=50,
        required=False,
        help_text="Semantic version; empty means the suggested next version.",
    )
    json_schema = serializers.JSONField()
    semantics = SemanticsSerializer(required=False)
    sla = SlaSerializer(required=False)
    missing_thresholds = ThresholdSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=MAX_THRESHOLDS
    )
    change_notes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    odcs_document = JsonObjectField(
        required=False,
        help_text="Changes to the rest of the ODCS document (servers, team, roles, support, "
        "price, tags, customProperties, apiVersion, status...), key by key over the latest "
        "version's; null removes a key. Unsent keys are kept as they were.",
    )

    def validate_odcs_document(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give an object of ODCS top-level keys.")
        taken = [k for k in _ODCS_MAPPED_KEYS if k in value]
        if taken:
            raise serializers.ValidationError(
                f"{', '.join(taken)} cannot be set here: the id is the contract's, the version "
                "and schema are this request's, kind is always DataContract."
            )
        return value

    def validate_version(self, value: str) -> str:
        try:
            compat.parse_version(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value.strip()

    def validate_json_schema(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise serializers.ValidationError("The contract schema must be a JSON object.")
        try:
            compat.validate_schema(value)
        except compat.InvalidSchemaError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        schema = attrs["json_schema"]
        problems = {}
        for i, threshold in enumerate(attrs.get("missing_thresholds") or []):
            try:
                compat.resolve_pointer(schema, threshold["field"])
            except KeyError:
                problems[str(i)] = {"field": [f"{threshold['field']!r} is not in the schema."]}
        if problems:
            raise serializers.ValidationError({"missing_thresholds": problems})
        return attrs


class CompatibilityRequestSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    old_schema = serializers.JSONField()
    new_schema = serializers.JSONField()
    mode = serializers.CharField(max_length=40, required=False, default="BACKWARD")

    def validate_old_schema(self, value: Any) -> Any:
        return _check_schema(value)

    def validate_new_schema(self, value: Any) -> Any:
        return _check_schema(value)

    def validate_mode(self, value: str) -> compat.Mode:
        try:
            return compat.parse_mode(value)
        except compat.UnknownModeError as exc:
            raise serializers.ValidationError(str(exc)) from None


def _check_schema(value: Any) -> Any:
    try:
        compat.validate_schema(value)
    except compat.InvalidSchemaError as exc:
        raise serializers.ValidationError(str(exc)) from None
    return value


class ChangeSerializer(serializers.Serializer):
    type = serializers.CharField()
    path = serializers.CharField()
    breaking = serializers.BooleanField()
    message = serializers.CharField()


class CompatibilityResponseSerializer(serializers.Serializer):
    mode = serializers.CharField()
    compatible = serializers.BooleanField()
    changes = ChangeSerializer(many=True)
    suggested_bump = serializers.ChoiceField(choices=["major", "minor", "patch"])


class ContractVersionSerializer(serializers.ModelSerializer):
    published = serializers.BooleanField(source="is_published", read_only=True)
    json_schema = JsonObjectField(read_only=True, help_text="Draft 2020-12 JSON Schema.")
    semantics = JsonObjectField(
        read_only=True, help_text="What a record represents and what each field means."
    )
    sla = JsonObjectField(
        read_only=True, help_text="production_use, max_lateness, freshness, retention."
    )
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = ContractVersion
        fields = [
            "id",
            "version",
            "json_schema",
            "semantics",
            "sla",
            "missing_thresholds",
            "compatibility_mode",
            "change_notes",
            "changes",
            "published",
            "published_at",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_created_by(self, obj: ContractVersion) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class PinConsumerSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    pinned_major = serializers.IntegerField(min_value=0, max_value=1_000_000)
