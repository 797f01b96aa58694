"""API for the connectors: dbt and Feast imports, OpenLineage run events, import runs.

An import answers `{"created", "updated", "retired", "unchanged", "changes": [...]}` (plus what
it did to contracts and needs); `?dry_run=true` only says what would change. Imports of more
than a few hundred assets answer 202 with a run to poll at /api/connectors/runs/{id}/.
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from valuechain import models as m
from valuechain.api.renderers import FiniteJSONRenderer
from valuechain.api.viewsets import checked_id
from valuechain.connectors import dbt, feast, openlineage, runs, selectors
from valuechain.connectors.records import ConnectorError, Import
from valuechain.platform.roles import is_data_lead
from valuechain.platform.tokens import ExpiringTokenAuthentication

MAX_BYTES = 64 * 1024 * 1024  # a dbt manifest of a large project is tens of MB
MAX_EVENT_BYTES = 2 * 1024 * 1024
TOO_LARGE = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MiB."
TRUE_FLAGS = frozenset({"1", "true", "yes", "on"})


class BodyBytesParser(BaseParser):
    """The request body as bytes, bounded (one past the limit tells it is too large)."""

    media_type = "*/*"
    limit = MAX_BYTES

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return b"" if stream is None else stream.read(self.limit + 1)


class EventBytesParser(BodyBytesParser):
    limit = MAX_EVENT_BYTES


class BearerTokenAuthentication(ExpiringTokenAuthentication):
    """The project's API tokens sent as `Authorization: Bearer <key>`, as the OpenLineage
    HTTP transport sends its api_key."""

    keyword = "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The schema names the Bearer form apart from `Token <key>`."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token, as the OpenLineage HTTP transport sends its api_key.",
        }


class ConnectorRunSerializer(serializers.ModelSerializer):
    connector = serializers.CharField(read_only=True, help_text="dbt, feast or openlineage.")
    result = serializers.SerializerMethodField()

    class Meta:
        model = m.ConnectorRun
        fields = [
            "id",
            "connector",
            "dry_run",
            "status",
            "progress",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "result",
        ]
        read_only_fields = fields

    def get_result(self, run: m.ConnectorRun) -> dict[str, Any] | None:
        return run.result if run.status == m.RunStatus.SUCCEEDED else None


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in TRUE_FLAGS


def _json(data: bytes, field: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise ConnectorError(field, "Not valid JSON.") from None


def _error(field: str, message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({field: [message]}, status=code)


class ImportView(APIView):
    """Shared by the connectors' imports: data leads only, a file or a body, a dry run."""

    parser_classes = [MultiPartParser, BodyBytesParser]
    renderer_classes = [FiniteJSONRenderer]
    permission_classes = [IsAuthenticated]
    system: str
    field: str

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not is_data_lead(request.user):
            raise PermissionDenied("Only data leads import metadata into the catalogue.")

    def parse(self, request: Request) -> Import:
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BYTES + 64 * 1024:
            return Response({"detail": TOO_LARGE}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            data = self.parse(request)
            outcome = runs.start_import(
                system=self.system,
                data=data,
                dry_run=_flag(request.query_params.get("dry_run", "")),
                user=request.user,
            )
        except FileTooLarge:
            return Response({"detail": TOO_LARGE}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        except ConnectorError as exc:
            return _error(exc.field, exc.message)
        except DjangoValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(outcome, m.ConnectorRun):
            outcome.refresh_from_db()  # inline (eager) execution may already have finished it
            return Response(ConnectorRunSerializer(outcome).data, status=status.HTTP_202_ACCEPTED)
        return Response(outcome)

    def file(self, request: Request, name: str, *, required: bool = True) -> bytes | None:
        """A multipart file field, or the whole body when it was sent as one."""
        if isinstance(request.data, bytes):
            body = request.data
            if len(body) > MAX_BYTES:
                raise FileTooLarge()
            if not body and required:
                raise ConnectorError(name, f"Send the file as a multipart field named '{name}'.")
            return body if name == self.field else None
        upload = request.FILES.get(name)
        if upload is None:
            if required:
                raise ConnectorError(name, f"Send the file as a multipart field named '{name}'.")
            return None
        if upload.size is not None and upload.size > MAX_BYTES:
            raise FileTooLarge()
        content = upload.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            raise FileTooLarge()
        return content


class FileTooLarge(Exception):
    pass


IMPORT_RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="What changed (or would)"),
    202: OpenApiResponse(ConnectorRunSerializer, description="Queued: poll the run"),
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="The file's problem, by field"),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Data leads only"),
    413: OpenApiResponse(OpenApiTypes.OBJECT, description="The file is too large"),
}
DRY_RUN = OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Only say what would change.")


class DbtImportView(ImportView):
    system = str(m.SourceSystem.DBT)
    field = "manifest"

    def parse(self, request: Request) -> Import:
        manifest = _json(self.file(request, "manifest") or b"", "manifest")
        catalog = self.file(request, "catalog", required=False)
        # a JSON body is the manifest, or {"manifest": ..., "catalog": ...}
        wrapped = isinstance(manifest, dict) and "nodes" not in manifest and "manifest" in manifest
        if isinstance(request.data, bytes) and wrapped:
            return dbt.parse_manifest(manifest["manifest"], manifest.get("catalog"))
        return dbt.parse_manifest(manifest, None if catalog is None else _json(catalog, "catalog"))

    @extend_schema(
        summary="Import a dbt project (manifest.json, optionally catalog.json)",
        description=(
            "Sources become raw sources, models curated datasets, depends_on lineage (model -> "
            "model too), exposures needs of ideas, enforced contracts data contracts. Send "
            "multipart `manifest` (and `catalog`), or the manifest as the JSON body. "
            "Re-importing updates in place and retires what disappeared; estimates, "
            "feasibility and owners set in ValueChain are kept."
        ),
        parameters=[DRY_RUN],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "manifest": {"type": "string", "format": "binary"},
                    "catalog": {"type": "string", "format": "binary"},
                },
                "required": ["manifest"],
            },
            "application/json": OpenApiTypes.OBJECT,
        },
        responses=IMPORT_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class FeastImportView(ImportView):
    system = str(m.SourceSystem.FEAST)
    field = "registry"

    def parse(self, request: Request) -> Import:
        return feast.parse_registry(self.file(request, "registry") or b"")

    @extend_schema(
        summary="Import a Feast feature repository's registry",
        description=(
            "The registry as `feast apply` writes it (registry.db) or as `feast registry-dump` "
            "prints it, as multipart `registry`. Features become features (online flag "
            "included), their batch sources curated datasets."
        ),
        parameters=[DRY_RUN],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"registry": {"type": "string", "format": "binary"}},
                "required": ["registry"],
            }
        },
        responses=IMPORT_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class OpenLineageView(ImportView):
    """Where an OpenLineage HTTP transport posts its run events (its url: /api/openlineage)."""

    system = str(m.SourceSystem.OPENLINEAGE)
    field = "event"
    parser_classes = [EventBytesParser]
    authentication_classes = [
        BearerTokenAuthentication,
        ExpiringTokenAuthentication,
        SessionAuthentication,
    ]

    def parse(self, request: Request) -> Import:
        body = request.data if isinstance(request.data, bytes) else b""
        if len(body) > MAX_EVENT_BYTES:
            raise FileTooLarge()
        if request.META.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip":
            body = _gunzip(body)
        return openlineage.parse_run_event(_json(body, "event"))

    @extend_schema(
        summary="Receive one OpenLineage run event",
        description=(
            "Point an OpenLineage HTTP transport here (url: the site's /api/openlineage, "
            "api_key: an API token, sent as `Authorization: Bearer <token>`). Input and output "
            "datasets become assets and lineage by namespace and name."
        ),
        parameters=[DRY_RUN],
        request={"application/json": OpenApiTypes.OBJECT},
        responses=IMPORT_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


def _gunzip(body: bytes) -> bytes:
    """The transport's gzip compression, undone without letting a small body unpack to a
    huge one."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, MAX_EVENT_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile):
        raise ConnectorError("event", "The body is not valid gzip.") from None
    if len(data) > MAX_EVENT_BYTES:
        raise FileTooLarge()
    return data


class ConnectorRunDetail(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [FiniteJSONRenderer]

    @extend_schema(
        summary="An import run: status, progress and, when done, its answer",
        responses={200: ConnectorRunSerializer},
    )
    def get(self, request: Request, pk: str) -> Response:
        run = selectors.find_run(checked_id(pk))
        if run is None:
            return Response({"detail": "No such import run."}, status=status.HTTP_404_NOT_FOUND)
        return Response(ConnectorRunSerializer(run).data)
