"""Request parsers the contract API shares: JSON that refuses hostile nesting, raw YAML bodies."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, JSONParser

from contracts.odcs import MAX_DOCUMENT_BYTES


class SafeJSONParser(JSONParser):
    """JSON that nests beyond what the decoder's stack allows is a 400, not a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document nests too deeply.") from None


class YamlBodyParser(BaseParser):
    """The raw YAML body, read up to one byte past the ODCS size limit."""

    media_type = "application/yaml"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return {"raw": stream.read(MAX_DOCUMENT_BYTES + 1) if stream else b""}


class XYamlBodyParser(YamlBodyParser):
    media_type = "application/x-yaml"


class TextYamlBodyParser(YamlBodyParser):
    media_type = "text/yaml"
