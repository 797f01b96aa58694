"""Every API error is JSON with a 4xx status; database refusals become 400 or 409."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from valuechain.engine.finance import NonFiniteResult

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is larger than the allowed size."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, RecursionError) and "JSON" in str(exc):
        # Views that parse JSON with DRF's own parser (the token view) meet deep nesting here.
        return Response(
            {"detail": "JSON parse error - nested too deeply."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": "Too many fields sent."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {"detail": "Still in use: remove what refers to it first."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, NonFiniteResult):
        # A stored estimate too large for the arithmetic: say which idea and figure.
        logger.warning("non-finite figure refused: %s", exc)
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, OverflowError | DataError):
        # A number too large for the database column: the input, not the server, is wrong.
        logger.warning("out-of-range value refused: %s", exc)
        return Response(
            {"detail": "A value in the request is out of range."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        logger.info("integrity error turned into 409: %s", exc)
        return Response(
            {"detail": "That conflicts with existing data."}, status=status.HTTP_409_CONFLICT
        )
    return drf_exception_handler(exc, context)
