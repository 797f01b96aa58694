"""Request parsing that cannot be turned into a 500 or an unbounded read."""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

from valuechain.platform.jsonsafe import JsonInputError, check_document, refuse_constant


class BoundedJSONParser(JSONParser):
    """JSON bodies bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, as Django bounds form bodies
    (DRF reads the raw stream and would otherwise take any size); a body nested too deeply
    for the decoder, a number beyond a float's range (``1e999``), NaN or Infinity, and text
    with an unpaired surrogate escape (``"\\udcff"``, which nothing can store or encode) are a
    400 naming the problem (and the field, when the body is an object), not a 500 or an
    infinity saved as if it were a number."""

    too_deep = "JSON parse error - nested too deeply."

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestDataTooBig("Request body exceeded DATA_UPLOAD_MAX_MEMORY_SIZE.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(body, encoding)
            document = json.loads(text, parse_constant=refuse_constant)
            check_document(document)
        except JsonInputError as exc:
            if exc.field is not None:
                raise ValidationError({exc.field: [f"{exc.message} at {exc.path}."]}) from exc
            raise ParseError(f"JSON parse error - {str(exc)[:300]}.") from exc
        except RecursionError as exc:
            raise ParseError(self.too_deep) from exc
        except (ValueError, LookupError) as exc:  # JsonInputError, JSONDecodeError, bad bytes
            raise ParseError(f"JSON parse error - {str(exc)[:300]}") from exc
        return document
