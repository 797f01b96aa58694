"""JSON out that never fails on a stored value."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import JSONRenderer

from valuechain.platform.jsonsafe import finite


class FiniteJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, writing a non-finite float (an infinity or NaN held by an old row
    or produced by an overflowing sum) as null instead of failing the whole response with
    "Out of range float values are not JSON compliant"."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return super().render(finite(data), accepted_media_type, renderer_context)
