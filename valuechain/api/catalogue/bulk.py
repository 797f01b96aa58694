"""Bulk import and export of the catalogue over the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from valuechain.api.renderers import FiniteJSONRenderer
from valuechain.catalogue.bulk import database as bulk
from valuechain.catalogue.bulk.document import (
    FORMATS,
    MAX_BYTES,
    MAX_UPLOAD,
    TOO_LARGE,
    ImportFileError,
    detect_format,
    to_csv,
    to_json,
)
from valuechain.platform.roles import is_data_lead

TRUE_FLAGS = frozenset({"1", "true", "yes", "on"})


class RawDocumentParser(BaseParser):
    """A CSV, JSON or YAML document as the request body, read as bytes (bounded)."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        if stream is None:
            return b""
        return stream.read(MAX_BYTES + 1)


class JSONDocumentParser(RawDocumentParser):
    media_type = "application/json"


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in TRUE_FLAGS


class CatalogueImportView(APIView):
    """Upsert catalogue assets by (kind, name) from a CSV, JSON or YAML document."""

    parser_classes = [MultiPartParser, JSONDocumentParser, RawDocumentParser]
    renderer_classes = [FiniteJSONRenderer]
    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `format` names the document's format here, not a renderer.
        return super().perform_content_negotiation(request, force=True)

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        if not is_data_lead(request.user):
            raise PermissionDenied("Only data leads import the catalogue.")

    @extend_schema(
        summary="Import the catalogue (all rows or none)",
        description=(
            "Send the document as a multipart `file` (CSV, JSON or YAML), or as the request "
            "body. `dry_run=true` reports what each row would do and writes nothing. Rows are "
            "upserted by (kind, name); lineage is given by upstream names. A problem in any "
            "row is a 400 listing every problem by row, column and message."
        ),
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Report only."),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=list(FORMATS),
                description="The document's format; guessed from the file name otherwise.",
            ),
        ],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "dry_run": {"type": "boolean"},
                    "format": {"type": "string", "enum": list(FORMATS)},
                },
                "required": ["file"],
            },
            "application/json": OpenApiTypes.OBJECT,
        },
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="What each row did"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Every problem, by row"),
            413: OpenApiResponse(OpenApiTypes.OBJECT, description="The file is too large"),
        },
    )
    def post(self, request: Request) -> Response:
        params = request.query_params
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_UPLOAD:
            return self._too_large()  # refused before anything is read or stored
        body = request.data
        if isinstance(body, bytes):
            data, filename = body, ""
            chosen = params.get("format", "")
            dry_run = _flag(params.get("dry_run", ""))
        else:
            form: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
            upload = request.FILES.get("file")
            if upload is None:
                return Response(
                    {"file": ["Send the catalogue as a file field named 'file'."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if upload.size is not None and upload.size > MAX_BYTES:
                return self._too_large()
            data, filename = upload.read(MAX_BYTES + 1), upload.name or ""
            chosen = form.get("format") or params.get("format", "")
            dry_run = _flag(form.get("dry_run") or params.get("dry_run", ""))
        if len(data) > MAX_BYTES:
            return self._too_large()
        if chosen and chosen not in FORMATS:
            return Response(
                {"format": [f"Use one of {', '.join(FORMATS)}."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        fmt = chosen or detect_format(filename, request.content_type, data)
        if not filename and not chosen and request.content_type.startswith("application/json"):
            fmt = "json"
        try:
            report = bulk.import_catalogue(data=data, fmt=fmt, dry_run=dry_run)
        except ImportFileError as exc:
            if exc.too_large:
                return self._too_large()
            return Response({"file": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)

    def _too_large(self) -> Response:
        return Response(
            {"detail": TOO_LARGE},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )


class CatalogueExportView(APIView):
    """The whole catalogue as a file that imports back to the same catalogue."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [FiniteJSONRenderer, CSVRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `format` names the file format here, checked below, not a DRF renderer.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Export the catalogue as CSV or JSON",
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "json"], default="json"),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("format", "json")
        if fmt not in ("csv", "json"):
            return Response({"format": ["Use csv or json."]}, status=status.HTTP_400_BAD_REQUEST)
        return export_response(fmt)


def export_response(fmt: str) -> HttpResponse:
    records = bulk.export_records()
    if fmt == "csv":
        response = HttpResponse(to_csv(records), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_json(records), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="catalogue.{fmt}"'
    return response
