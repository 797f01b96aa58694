"""Registry API: contracts, versions with the compatibility gate, consumers, ODCS import and
export, and the stateless compatibility check."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from contracts import compatibility as compat
from contracts import odcs, permissions
from contracts.api.filters import DataContractFilter
from contracts.api.parsers import (
    SafeJSONParser,
    TextYamlBodyParser,
    XYamlBodyParser,
    YamlBodyParser,
)
from contracts.api.registry_serializers import (
    CompatibilityRequestSerializer,
    CompatibilityResponseSerializer,
    ConsumerSerializer,
    ContractVersionSerializer,
    DataContractSerializer,
    PinConsumerSerializer,
    PublishVersionSerializer,
)
from contracts.api.renderers import OdcsTextYamlRenderer, OdcsXYamlRenderer, OdcsYamlRenderer
from contracts.models import DataContract
from contracts.registry import selectors, services


class ContractAccess(BasePermission):
    """Authenticated users read (and run compatibility checks); writes are checked per
    contract in the views: data leads, staff and the contract's owner."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)


def _refused(exc: permissions.RefusedWrite) -> Response:
    """The API's answer to a refused write (see permissions.refusal); 403 goes through DRF."""
    refused = permissions.refusal(exc)
    if refused.status == status.HTTP_403_FORBIDDEN:
        raise PermissionDenied(refused.problem)
    return Response(refused.body, status=refused.status)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "idea",
                int,
                description="Only the idea's contracts: those of the assets in its closure "
                "and those linked to it directly.",
            )
        ]
    )
)
class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Data contracts: each governs one catalogue asset, with immutable versions."""

    permission_classes = [ContractAccess]
    parser_classes = [SafeJSONParser]
    serializer_class = DataContractSerializer
    lookup_value_regex = r"\d+"
    filterset_class = DataContractFilter
    search_fields = ["name", "purpose", "producer_team", "odcs_id"]
    ordering_fields = ["id", "name", "updated_at"]

    def get_queryset(self) -> QuerySet[DataContract]:
        queryset = selectors.contracts()
        if self.action == "list" and "idea" in self.request.query_params:
            # an idea's contracts: those of the assets its needs reach, plus direct links
            raw = self.request.query_params["idea"]
            idea = selectors.find_idea(int(raw)) if raw.isdigit() and len(raw) < 19 else None
            if idea is None:
                raise serializers.ValidationError({"idea": [f"No idea with id {raw!r}."]})
            return selectors.idea_contracts(idea)
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        names = selectors.asset_names(c.asset_key for c in rows if c.asset_key)
        serializer = self.get_serializer(
            rows, many=True, context={**self.get_serializer_context(), "asset_names": names}
        )
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def _writable(self, contract: DataContract | None = None) -> None:
        if not permissions.can_write(self.request.user, contract):
            raise PermissionDenied("Only data leads and the contract's owner may change it.")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._writable()  # refuse before looking at the input
        return super().create(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._writable(self.get_object())
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.create_contract(**data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        contract = serializer.instance
        assert isinstance(contract, DataContract)
        try:
            serializer.instance = services.update_contract(
                contract=contract, changes=dict(serializer.validated_data)
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None

    # --- versions

    @extend_schema(request=PublishVersionSerializer, responses=ContractVersionSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="versions")
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """GET the version history; POST publishes a version (409 on a breaking change
        without a major bump, with the changes and the consumers it would affect)."""
        contract = self.get_object()
        if request.method in SAFE_METHODS:
            rows = selectors.versions(contract)
            return Response(ContractVersionSerializer(rows, many=True).data)
        self._writable(contract)
        body = PublishVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["document_changes"] = data.pop("odcs_document", None)
        version = data.pop("version", None)
        if version is None:
            terms = {k: data[k] for k in ("semantics", "sla", "missing_thresholds") if k in data}
            version = selectors.plan_version(contract, data["json_schema"], terms=terms).suggested
        try:
            row = services.publish_version(
                contract=contract,
                version=version,
                user=request.user,  # type: ignore[arg-type]
                **data,
            )
        except permissions.REFUSALS as exc:
            return _refused(exc)
        return Response(ContractVersionSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ContractVersionSerializer)
    @action(
        detail=True, methods=["get"], url_path=r"versions/(?P<version>\d+\.\d+\.\d+[0-9A-Za-z.+-]*)"
    )
    def version_detail(
        self, request: Request, pk: str | None = None, version: str = ""
    ) -> Response:
        contract = self.get_object()
        row = selectors.version_named(contract, version)
        if row is None:
            raise Http404("No such version of this contract.")
        return Response(ContractVersionSerializer(row).data)

    @extend_schema(request=PublishVersionSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="versions/check")
    def check_version(self, request: Request, pk: str | None = None) -> Response:
        """The impact report: changes against the published versions, the suggested version,
        and the consumers pinned to the affected major. Writes nothing."""
        contract = self.get_object()
        body = PublishVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            data = body.validated_data
            terms = {k: data[k] for k in ("semantics", "sla", "missing_thresholds") if k in data}
            plan = selectors.plan_version(
                contract, data["json_schema"], data.get("version"), terms=terms
            )
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(plan.as_dict())

    # --- consumers

    @extend_schema(request=PinConsumerSerializer, responses=ConsumerSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="consumers")
    def consumers(self, request: Request, pk: str | None = None) -> Response:
        """GET the consumers; POST pins one (by name) to a major version."""
        contract = self.get_object()
        if request.method in SAFE_METHODS:
            return Response(ConsumerSerializer(selectors.consumers_of(contract), many=True).data)
        self._writable(contract)
        body = PinConsumerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            consumer = services.pin_consumer(contract=contract, user=None, **body.validated_data)
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(ConsumerSerializer(consumer).data, status=status.HTTP_201_CREATED)

    # --- ODCS

    @extend_schema(
        parameters=[OpenApiParameter("version", str, description="Default: the latest.")],
        responses={
            (200, "application/yaml"): OpenApiTypes.STR,
            (200, "application/x-yaml"): OpenApiTypes.STR,
            (200, "text/yaml"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="export",
        renderer_classes=[
            OdcsYamlRenderer,
            OdcsXYamlRenderer,
            OdcsTextYamlRenderer,
            JSONRenderer,
        ],
    )
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The contract as an ODCS v3 document: YAML (application/yaml, application/x-yaml,
        text/yaml or any type) or JSON (application/json), as the Accept header asks."""
        contract = self.get_object()
        wanted = request.query_params.get("version")
        row = selectors.published_version(contract, wanted)
        if row is None:
            raise Http404(
                "This contract has no such published version."
                if wanted
                else "This contract has no published version to export."
            )
        media_type = request.accepted_renderer.media_type
        if media_type == JSONRenderer.media_type:
            document = services.export_odcs_document(contract, row)
            text = json.dumps(document, ensure_ascii=False, indent=2)
            extension = "json"
        else:
            text = services.export_odcs(contract, row)
            extension = "yaml"
        response = HttpResponse(text, content_type=f"{media_type}; charset=utf-8")
        filename = f"contract-{contract.pk}-{row.version}.odcs.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "asset_type": {"type": "string"},
                    "asset_id": {"type": "integer"},
                },
            },
            "application/yaml": OpenApiTypes.STR,
        },
        responses=OpenApiTypes.OBJECT,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, YamlBodyParser, XYamlBodyParser, TextYamlBodyParser],
    )
    def import_odcs(self, request: Request) -> Response:
        """Import an ODCS YAML document: a multipart `file`, or the YAML as the body
        (application/yaml). A known ODCS id adds a version to that contract."""
        raw, errors = _uploaded_yaml(request)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        asset_type, asset_id, errors = _asset_params(request)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            # data leads import any document; owners of a contract a new version of it
            permissions.check_odcs_import(request.user, raw)
            report = services.import_odcs(
                raw=raw,
                user=request.user,  # type: ignore[arg-type]
                asset_type=asset_type,
                asset_id=asset_id,
            )
        except permissions.REFUSALS as exc:
            return _refused(exc)
        return Response(report.as_dict(), status=status.HTTP_201_CREATED)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(
        detail=False,
        methods=["post"],
        url_path="import/check",
        parser_classes=[MultiPartParser, YamlBodyParser, XYamlBodyParser, TextYamlBodyParser],
    )
    def check_odcs(self, request: Request) -> Response:
        """What importing this ODCS document would do, with the engine's explanations and
        writing nothing: `ok` is false on a breaking change without a new major version (the
        producer's CI gate, `valuechain contracts check`)."""
        raw, errors = _uploaded_yaml(request)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            return Response(selectors.odcs_check(raw))
        except permissions.REFUSALS as exc:
            return _refused(exc)

    # --- stateless check

    @extend_schema(
        request=CompatibilityRequestSerializer, responses=CompatibilityResponseSerializer
    )
    @action(
        detail=False, methods=["post"], url_path="compatibility", parser_classes=[SafeJSONParser]
    )
    def compatibility(self, request: Request) -> Response:
        """Compare two JSON Schemas under a mode: typed changes with JSON pointers."""
        body = CompatibilityRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mode = body.validated_data["mode"]
        try:
            result = compat.check_compatibility(
                body.validated_data["new_schema"], [body.validated_data["old_schema"]], mode
            )
        except compat.SchemaTooComplexError as exc:
            return Response({"new_schema": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                **result.as_dict(),
                "suggested_bump": compat.bump_level(result.changes, mode)
                if result.compatible
                else "major",
            }
        )


def _uploaded_yaml(request: Request) -> tuple[bytes, dict[str, Any] | None]:
    upload = request.FILES.get("file") if hasattr(request, "FILES") else None
    if upload is not None:
        if upload.size is not None and upload.size > odcs.MAX_DOCUMENT_BYTES:
            return b"", {
                "file": [
                    f"The file is {upload.size} bytes; the limit is "
                    f"{odcs.MAX_DOCUMENT_BYTES} bytes."
                ]
            }
        return upload.read(odcs.MAX_DOCUMENT_BYTES + 1), None
    raw = request.data.get("raw") if isinstance(request.data, dict) else None
    if isinstance(raw, bytes) and raw:
        return raw, None
    return b"", {
        "file": ["Send the ODCS YAML as the multipart field 'file' or as an application/yaml body."]
    }


def _asset_params(request: Request) -> tuple[str, int | None, dict[str, Any] | None]:
    source: Any = (
        request.data if "asset_type" in getattr(request, "data", {}) else request.query_params
    )
    asset_type = str(source.get("asset_type") or "")
    raw_id = source.get("asset_id")
    if not asset_type and not raw_id:
        return "", None, None
    if not raw_id or not str(raw_id).isdigit() or not 0 < int(raw_id) < 2**31:
        return "", None, {"asset_id": ["Give the id of the asset this contract governs."]}
    return asset_type, int(raw_id), None
