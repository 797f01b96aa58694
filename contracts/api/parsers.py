"""Request parsers the contract API shares: JSON that refuses hostile nesting, raw YAML bodies."""

from __future__ import annotations

from typing import Any

from rest_framework.parsers import BaseParser

from contracts.odcs import MAX_DOCUMENT_BYTES
from valuechain.api.parsers import BoundedJSONParser


class SafeJSONParser(BoundedJSONParser):
    """The API's shared JSON parser: a bounded body; deep nesting, numbers beyond a float
    (``1e999``), NaN and unpaired surrogate escapes are a 400 naming the problem."""

    too_deep = "JSON parse error - the document nests too deeply."


class YamlBodyParser(BaseParser):
    """The raw YAML body, read up to one byte past the ODCS size limit."""

    media_type = "application/yaml"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return {"raw": stream.read(MAX_DOCUMENT_BYTES + 1) if stream else b""}


class XYamlBodyParser(YamlBodyParser):
    media_type = "application/x-yaml"


class TextYamlBodyParser(YamlBodyParser):
    media_type = "text/yaml"
