"""Enforcement API: validate a batch against a contract, and read runs, dead letters, SLA
breaches and the current user's alerts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.enforcement_serializers import (
    AlertSerializer,
    DeadLetterSerializer,
    MarkAlertsReadSerializer,
    SlaBreachSerializer,
    ValidationRunSerializer,
    ValidRecordSerializer,
)
from contracts.api.parsers import SafeJSONParser
from contracts.enforcement import selectors, services
from contracts.enforcement.records import BATCH_FORMATS, BatchFormatError, batch_format, read_batch
from contracts.models import DataContract, DeadLetter, SlaBreach, ValidationRun
from contracts.permissions import may_validate
from contracts.registry.selectors import all_contracts

MAX_LISTED_DEAD_LETTERS = 100  # in an inline result; the rest are paged


def _contract(pk: Any) -> DataContract:
    return get_object_or_404(all_contracts(), pk=pk)


def _read_upload(request: Request, schema: Any) -> list[Any]:
    upload = request.FILES["file"]
    form: Any = request.data
    if upload.size is not None and upload.size > services.MAX_BATCH_BYTES:
        raise _TooLarge(
            {"file": [f"The file is {upload.size} bytes; the limit is {services.MAX_BATCH_BYTES}."]}
        )
    chosen = str(form.get("format") or "").lower()
    fmt = chosen or batch_format(upload.name or "", upload.content_type or "")
    if fmt not in BATCH_FORMATS:
        raise serializers.ValidationError(
            {
                "format" if chosen else "file": [
                    "Name the file .json, .ndjson, .jsonl or .csv, or give format "
                    f"({', '.join(BATCH_FORMATS)})."
                ]
            }
        )
    raw = upload.read(services.MAX_BATCH_BYTES + 1)
    if len(raw) > services.MAX_BATCH_BYTES:
        raise _TooLarge({"file": [f"The file is over {services.MAX_BATCH_BYTES} bytes."]})
    try:
        return read_batch(raw, fmt, schema, services.MAX_BATCH_RECORDS)
    except BatchFormatError as exc:
        raise serializers.ValidationError({"file": [str(exc)]}) from None


class _TooLarge(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.body = body


def _inline_result(run: ValidationRun) -> dict[str, Any]:
    letters = selectors.run_dead_letters(run)
    return {
        "valid": run.valid_count,
        "dead_lettered": run.dead_letter_count,
        "dead_letters": [
            {"index": d.record_index, "errors": d.errors} for d in letters[:MAX_LISTED_DEAD_LETTERS]
        ],
        "breaches": SlaBreachSerializer(selectors.run_breaches(run), many=True).data,
    }


class ValidateBatchView(APIView):
    """POST a batch of records to hold against the contract's latest published version: a
    JSON array as the body, or a file (JSON array, NDJSON or CSV) as the multipart field
    `file`. Small batches are validated at once (201, with the result); larger ones by a
    worker (202: poll the run)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": {"type": "array", "items": {"type": "object"}},
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "format": {"type": "string", "enum": list(BATCH_FORMATS)},
                },
            },
        },
        responses={201: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        contract = _contract(pk)
        if not may_validate(request.user, contract):
            raise PermissionDenied("Only the producer, data leads and consumers send batches.")
        try:
            version = selectors.enforced_version(contract)
        except selectors.NoPublishedVersionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        source, filename = ValidationRun.Source.API, ""
        try:
            if "file" in request.FILES:
                records = _read_upload(request, version.json_schema)
                source, filename = ValidationRun.Source.UPLOAD, request.FILES["file"].name or ""
            else:
                records = self._records_from_body(request.data)
        except _TooLarge as exc:
            return Response(exc.body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            run, inline = services.validate_batch_now_or_later(
                contract=contract,
                records=records,
                source=source,
                filename=filename,
                user=request.user,  # type: ignore[arg-type]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        except selectors.NoPublishedVersionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if not inline:
            return Response(
                {"run": run.pk, **ValidationRunSerializer(run).data},
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(
            {"run": run.pk, **ValidationRunSerializer(run).data, "result": _inline_result(run)},
            status=status.HTTP_201_CREATED,
        )

    @staticmethod
    def _records_from_body(data: Any) -> list[Any]:
        if isinstance(data, dict) and set(data) == {"records"}:
            data = data["records"]
        if not isinstance(data, list):
            raise serializers.ValidationError(
                {
                    "records": [
                        "Send a JSON array of records, or a file as the multipart field 'file'."
                    ]
                }
            )
        if not data:
            raise serializers.ValidationError({"records": ["Send at least one record."]})
        if len(data) > services.MAX_BATCH_RECORDS:
            raise serializers.ValidationError(
                {"records": [f"A batch holds at most {services.MAX_BATCH_RECORDS} records."]}
            )
        return data


class _ContractList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []

    def contract(self) -> DataContract:
        return _contract(self.kwargs["pk"])


def _id_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise serializers.ValidationError({name: [f"{name} is a whole number id."]})
    return int(raw)


class RunListView(_ContractList):
    """The contract's validation runs, newest first."""

    serializer_class = ValidationRunSerializer

    def get_queryset(self) -> Any:
        return selectors.runs(self.contract())


class RunDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ValidationRunSerializer

    def get_object(self) -> ValidationRun:
        return get_object_or_404(
            selectors.runs(_contract(self.kwargs["pk"])), pk=self.kwargs["run_id"]
        )


@extend_schema(
    parameters=[
        OpenApiParameter("run", int, description="Only this run's."),
        OpenApiParameter("status", str, enum=DeadLetter.Status.values),
        OpenApiParameter("version", str, description="Judged by this version (x.y.z)."),
        OpenApiParameter("consumer", str, description="Rejected by this consumer (its name)."),
    ]
)
class DeadLetterListView(_ContractList):
    """Records that broke the contract for the producer's latest version or a consumer's
    pinned one, with their errors, who rejects them (`rejected_by`) and their recovery
    `status`, newest first (for the producer, data leads and the contract's consumers)."""

    serializer_class = DeadLetterSerializer

    def get_queryset(self) -> Any:
        contract = self.contract()
        if not may_validate(self.request.user, contract):
            # dead letters hold the records themselves: for those who send or read them
            raise PermissionDenied("Only the producer, data leads and consumers see records.")
        params = self.request.query_params
        wanted = params.get("status") or ""
        if wanted and wanted not in DeadLetter.Status.values:
            raise serializers.ValidationError(
                {"status": [f"One of {', '.join(DeadLetter.Status.values)}."]}
            )
        return selectors.dead_letters(
            contract,
            run_id=_id_param(self.request, "run"),
            status=wanted,
            version=(params.get("version") or "")[:50],
            consumer=(params.get("consumer") or "")[:200],
        )


@extend_schema(parameters=[OpenApiParameter("run", int, description="Only this run's.")])
class ValidRecordListView(_ContractList):
    """Records that kept the contract, newest first: the bounded store consumers read on
    from (the newest records of each contract are kept)."""

    serializer_class = ValidRecordSerializer

    def get_queryset(self) -> Any:
        contract = self.contract()
        if not may_validate(self.request.user, contract):
            raise PermissionDenied("Only the producer, data leads and consumers see records.")
        return selectors.valid_records(contract, run_id=_id_param(self.request, "run"))


@extend_schema(
    parameters=[OpenApiParameter("kind", str, enum=SlaBreach.Kind.values)],
)
class SlaBreachListView(_ContractList):
    """SLA breaches of the contract, newest first."""

    serializer_class = SlaBreachSerializer

    def get_queryset(self) -> Any:
        contract = self.contract()
        kind = self.request.query_params.get("kind")
        if kind and kind not in SlaBreach.Kind.values:
            raise serializers.ValidationError(
                {"kind": [f"One of {', '.join(SlaBreach.Kind.values)}."]}
            )
        return selectors.breaches(contract, kind=kind or "", run_id=_id_param(self.request, "run"))


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")])
class AlertListView(generics.ListAPIView):
    """The current user's alerts: SLA breaches of contracts they produce or consume."""

    permission_classes = [IsAuthenticated]
    serializer_class = AlertSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        unread = self.request.query_params.get("unread") in ("1", "true", "yes")
        return selectors.alerts_for(self.request.user, unread=unread)  # type: ignore[arg-type]


class MarkAlertsReadView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(request=MarkAlertsReadSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        body = MarkAlertsReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.mark_alerts_read(
            user=request.user,  # type: ignore[arg-type]
            alert_ids=body.validated_data.get("ids"),
        )
        return Response({"marked_read": count})
