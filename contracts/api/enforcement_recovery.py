"""Recovery API: fix, revalidate, replay and discard dead letters.

Reading a dead letter is for those who see records (the producer, data leads and the
contract's consumers); changing one is for the producer side (the owner and data leads).
Every change is audited (GET .../actions/) and idempotent.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.enforcement_serializers import (
    DeadLetterActionSerializer,
    DeadLetterSerializer,
    DiscardSerializer,
    PayloadSerializer,
    ReplaySerializer,
    VersionChoiceSerializer,
)
from contracts.api.parsers import SafeJSONParser
from contracts.enforcement import recovery, selectors, services
from contracts.models import ContractVersion, DataContract, DeadLetter
from contracts.permissions import can_write, may_validate
from contracts.registry.selectors import all_contracts

READ_REFUSED = "Only the producer, data leads and consumers see records."
WRITE_REFUSED = "Only the contract's owner and data leads recover dead letters."


def _contract(request: Request, pk: Any, *, write: bool) -> DataContract:
    contract = get_object_or_404(all_contracts(), pk=pk)
    if not may_validate(request.user, contract):
        raise PermissionDenied(READ_REFUSED)
    if write and not can_write(request.user, contract):
        raise PermissionDenied(WRITE_REFUSED)
    return contract


def _letter(contract: DataContract, dl_id: Any) -> DeadLetter:
    try:
        return selectors.dead_letter(contract, int(dl_id))
    except DeadLetter.DoesNotExist:
        raise Http404("No such dead letter.") from None


def _version(contract: DataContract, number: str | None) -> ContractVersion:
    try:
        return selectors.published_version(contract, number)
    except LookupError as exc:
        raise serializers.ValidationError({"version": [str(exc)]}) from None
    except selectors.NoPublishedVersionError as exc:
        raise serializers.ValidationError({"version": [str(exc)]}) from None


def _conflict(exc: Exception) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)


class DeadLetterDetailView(APIView):
    """GET one dead letter; PATCH {"payload": {...}} fixes its record (open ones only)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(responses=DeadLetterSerializer)
    def get(self, request: Request, pk: int, dl_id: int) -> Response:
        letter = _letter(_contract(request, pk, write=False), dl_id)
        return Response(DeadLetterSerializer(letter).data)

    @extend_schema(request=PayloadSerializer, responses=DeadLetterSerializer)
    def patch(self, request: Request, pk: int, dl_id: int) -> Response:
        contract = _contract(request, pk, write=True)
        letter = _letter(contract, dl_id)
        body = PayloadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            letter = recovery.edit_payload(
                dead_letter=letter,
                payload=body.validated_data["payload"],
                user=request.user,  # type: ignore[arg-type]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        except recovery.DeadLetterStateError as exc:
            return _conflict(exc)
        return Response(DeadLetterSerializer(selectors.dead_letter(contract, letter.pk)).data)


class DiscardView(APIView):
    """POST {"reason": "..."}: set an open dead letter aside for good."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(request=DiscardSerializer, responses=DeadLetterSerializer)
    def post(self, request: Request, pk: int, dl_id: int) -> Response:
        contract = _contract(request, pk, write=True)
        letter = _letter(contract, dl_id)
        body = DiscardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            recovery.discard(
                dead_letter=letter,
                reason=body.validated_data["reason"],
                user=request.user,  # type: ignore[arg-type]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        except recovery.DeadLetterStateError as exc:
            return _conflict(exc)
        return Response(DeadLetterSerializer(selectors.dead_letter(contract, letter.pk)).data)


class RevalidateView(APIView):
    """POST {"version": "x.y.z"} (default the latest): the record's errors under that version,
    kept on the dead letter; nothing is replayed."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(request=VersionChoiceSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, pk: int, dl_id: int) -> Response:
        contract = _contract(request, pk, write=True)
        letter = _letter(contract, dl_id)
        body = VersionChoiceSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        version = _version(contract, body.validated_data.get("version"))
        try:
            errors = recovery.revalidate(dead_letter=letter, version=version, user=request.user)  # type: ignore[arg-type]
        except recovery.DeadLetterStateError as exc:
            return _conflict(exc)
        return Response({"version": version.version, "valid": not errors, "errors": errors})


class ReplayView(APIView):
    """POST {"ids": [...]} or {"all": true}, optional "version": "x.y.z" (default the latest):
    revalidate the open dead letters against the version and replay those it accepts to the
    validated path. Answers {"replayed", "still_invalid", "already_replayed"}; replaying the
    same dead letters again replays nothing. Many letters are replayed by a worker (202, with
    "queued": how many)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=ReplaySerializer, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request, pk: int) -> Response:
        contract = _contract(request, pk, write=True)
        body = ReplaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = _version(contract, body.validated_data.get("version"))
        ids = body.validated_data.get("ids")
        try:
            result, queued = services.replay_now_or_later(
                contract=contract,
                ids=ids,
                version=version,
                user=request.user,  # type: ignore[arg-type]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        if queued:
            return Response({**result.as_dict(), "queued": queued}, status=status.HTTP_202_ACCEPTED)
        return Response(result.as_dict())


class DeadLetterActionListView(generics.ListAPIView):
    """The audit of a dead letter: every recovery step, who took it, before and after."""

    permission_classes = [IsAuthenticated]
    serializer_class = DeadLetterActionSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        contract = _contract(self.request, self.kwargs["pk"], write=False)
        return selectors.dead_letter_actions(_letter(contract, self.kwargs["dl_id"]))
