from __future__ import annotations

import json
from typing import Any

from django import forms

from contracts import compatibility as compat
from contracts import odcs
from contracts.models import CompatibilityMode
from contracts.schema_safety import MAX_DEPTH
from valuechain.catalogue.selectors import find_asset
from valuechain.models import Asset, AssetType

MAX_SCHEMA_CHARS = 1_000_000


class CompatibilityForm(forms.Form):
    old_schema = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        max_length=MAX_SCHEMA_CHARS,
        label="Old schema (JSON)",
    )
    new_schema = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        max_length=MAX_SCHEMA_CHARS,
        label="New schema (JSON)",
    )
    mode = forms.ChoiceField(choices=CompatibilityMode.choices, initial="BACKWARD")

    def _schema(self, name: str) -> Any:
        text = self.cleaned_data[name]
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            ) from None
        except RecursionError:
            raise forms.ValidationError(
                f"The JSON nests too deeply: a schema nests at most {MAX_DEPTH} levels."
            ) from None
        try:
            compat.validate_schema(value)
        except compat.InvalidSchemaError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value

    def clean_old_schema(self) -> Any:
        return self._schema("old_schema")

    def clean_new_schema(self) -> Any:
        return self._schema("new_schema")


class OdcsImportForm(forms.Form):
    file = forms.FileField(label="ODCS YAML file", help_text="At most 1 MiB.")
    # Both are filled by the catalogue picker on the page (searched by name, as for needs).
    asset_type = forms.ChoiceField(
        choices=[("", "(none yet)"), *AssetType.choices],
        required=False,
        label="Governs asset of kind",
        widget=forms.HiddenInput,
    )
    asset_id = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > odcs.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size} bytes; the limit is {odcs.MAX_DOCUMENT_BYTES} bytes."
            )
        return bytes(upload.read(odcs.MAX_DOCUMENT_BYTES + 1))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("asset_type")) != (data.get("asset_id") is not None):
            raise forms.ValidationError("Give both the asset kind and its id, or neither.")
        if data.get("asset_type") and data.get("asset_id") is not None:
            self.picked = find_asset(data["asset_type"], data["asset_id"])
            if self.picked is None:
                self.add_error("asset_id", "That asset is not in the catalogue.")
        return data

    picked: Asset | None = None

    def picked_label(self) -> str:
        """The governed asset's name, also after a refused import re-renders the form."""
        if self.picked is not None:
            return f"{self.picked.name} (tier {self.picked.tier})"
        return ""
