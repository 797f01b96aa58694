"""Enforcement API representations: runs, dead letters, valid records, breaches, alerts."""

from __future__ import annotations

from rest_framework import serializers

from contracts.models import Alert, DeadLetter, SlaBreach, ValidationRun, ValidRecord


class ValidationRunSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.version", read_only=True)

    class Meta:
        model = ValidationRun
        fields = [
            "id", "contract", "version", "source", "status", "filename", "stream",
            "consumer_name", "received_count", "valid_count", "dead_letter_count", "processed",
            "attempts", "error", "received_at", "started_at", "finished_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeadLetterSerializer(serializers.ModelSerializer):
    payload = serializers.JSONField(read_only=True, help_text="The record as received.")

    class Meta:
        model = DeadLetter
        fields = [
            "id", "run", "record_index", "stream", "message_id", "payload", "errors",
            "received_at",
        ]  # fmt: skip
        read_only_fields = fields


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
