"""Renderers of the ODCS export: YAML (the standard's own form, under each media type clients
use for it) and JSON."""

from __future__ import annotations

import json
from typing import Any

import yaml
from rest_framework.renderers import BaseRenderer


class OdcsYamlRenderer(BaseRenderer):
    """YAML text as is; any other data (an error body) dumped as YAML."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        if data is None:
            return b""
        if type(data) is str:
            text = data
        else:
            # error bodies hold str subclasses (ErrorDetail) that safe_dump refuses
            plain = json.loads(json.dumps(data, ensure_ascii=False))
            text = yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)
        return text.encode("utf-8")


class OdcsXYamlRenderer(OdcsYamlRenderer):
    media_type = "application/x-yaml"
    format = "x-yaml"


class OdcsTextYamlRenderer(OdcsYamlRenderer):
    media_type = "text/yaml"
    format = "text-yaml"
