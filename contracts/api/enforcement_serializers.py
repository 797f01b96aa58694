"""Enforcement API representations: runs, dead letters, valid records, breaches, alerts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from contracts.models import (
    Alert,
    DeadLetter,
    DeadLetterAction,
    SlaBreach,
    ValidationRun,
    ValidRecord,
)


class ValidationRunSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.version", read_only=True)

    class Meta:
        model = ValidationRun
        fields = [
            "id", "contract", "version", "source", "status", "filename", "stream",
            "consumer_name", "received_count", "valid_count", "dead_letter_count", "processed",
            "consumer_rejections",
            "attempts", "error", "received_at", "started_at", "finished_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeadLetterSerializer(serializers.ModelSerializer):
    payload = serializers.JSONField(read_only=True, help_text="The record (as fixed, if it was).")
    version = serializers.CharField(
        source="version.version", read_only=True, allow_null=True,
        help_text="The producer's latest version when the record was judged.",
    )  # fmt: skip
    rejected_by = serializers.JSONField(
        read_only=True, help_text="Names of the consumers whose pinned version rejects it."
    )
    accepted_by = serializers.JSONField(
        read_only=True, help_text="Names of the consumers whose pinned version accepts it."
    )
    rejections = serializers.JSONField(
        read_only=True, help_text="[{version, latest, consumers, errors}]: why each rejects it."
    )
    replayed_version = serializers.CharField(
        source="replayed_version.version", read_only=True, allow_null=True
    )

    class Meta:
        model = DeadLetter
        fields = [
            "id", "run", "record_index", "stream", "message_id", "payload", "errors",
            "received_at", "version", "rejected_by", "accepted_by", "rejections", "status",
            "replayed_version", "discard_reason", "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeadLetterActionSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    version = serializers.CharField(source="version.version", read_only=True, allow_null=True)

    class Meta:
        model = DeadLetterAction
        fields = ["id", "action", "user", "version", "before", "after", "outcome", "created_at"]
        read_only_fields = fields


class PayloadSerializer(serializers.Serializer):
    payload = serializers.JSONField(help_text="The fixed record.")


class DiscardSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the record is set aside.")


class VersionChoiceSerializer(serializers.Serializer):
    version = serializers.RegexField(
        r"^\d{1,7}\.\d{1,7}\.\d{1,7}$", required=False, allow_blank=True,
        help_text="A published version, x.y.z; the latest when absent.",
    )  # fmt: skip


class ReplaySerializer(VersionChoiceSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False, max_length=10_000, help_text="The dead letters to replay.",
    )  # fmt: skip
    all = serializers.BooleanField(required=False, help_text="Replay every open dead letter.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_ids, every = "ids" in attrs, bool(attrs.get("all"))
        if has_ids == every:
            raise serializers.ValidationError({"ids": ['Send either "ids": [...] or "all": true.']})
        if has_ids and not attrs["ids"]:
            raise serializers.ValidationError({"ids": ["Name at least one dead letter."]})
        return attrs


class ValidRecordSerializer(serializers.ModelSerializer):
    payload = serializers.JSONField(read_only=True, help_text="The record as received.")

    class Meta:
        model = ValidRecord
        fields = ["id", "run", "record_index", "stream", "message_id", "payload", "received_at"]
        read_only_fields = fields


class SlaBreachSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.version", read_only=True)

    class Meta:
        model = SlaBreach
        fields = [
            "id", "contract", "version", "run", "kind", "field", "observed", "limit", "unit",
            "window_start", "window_end", "records", "detail", "alerted", "detected_at",
            "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    contract = serializers.IntegerField(source="breach.contract_id", read_only=True)
    contract_name = serializers.CharField(source="breach.contract.name", read_only=True)
    kind = serializers.CharField(source="breach.kind", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "breach", "contract", "contract_name", "kind", "role", "recipient_name",
            "message", "created_at", "read_at",
        ]  # fmt: skip
        read_only_fields = fields


class MarkAlertsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=1000,
        help_text="The alerts to mark read; all of the user's when absent.",
    )
