from __future__ import annotations

import json
from typing import Any

from django import forms

from contracts import compatibility as compat
from contracts import odcs
from contracts.models import CompatibilityMode, ContractVersion
from contracts.registry.selectors import versions_to_compare
from contracts.schema_safety import MAX_DEPTH
from valuechain.catalogue.selectors import find_asset
from valuechain.models import Asset, AssetType

MAX_SCHEMA_CHARS = 1_000_000


# Shown by the checker's "Fill in an example": adding a required field breaks BACKWARD.
EXAMPLE_OLD = {
    "type": "object",
    "properties": {"order_id": {"type": "string"}, "amount": {"type": "number"}},
    "required": ["order_id"],
}
EXAMPLE_NEW = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "amount": {"type": "number"},
        "currency": {"type": "string", "enum": ["EUR", "USD"]},
    },
    "required": ["order_id", "currency"],
}


class VersionChoiceField(forms.ModelChoiceField):
    """A contract version by its contract's name and number; a value that is not an id a
    database column can hold is an invalid choice before the database is asked."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.contract.name} · v{obj.version}"

    def to_python(self, value: Any) -> Any:
        text = str(value).strip() if value is not None else ""
        if text and not (text.isdecimal() and len(text) <= 18):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class CompatibilityForm(forms.Form):
    """Two schemas to compare: each picked from a published contract version or pasted."""

    old_version = VersionChoiceField(
        queryset=ContractVersion.objects.none(), required=False, label="Old version"
    )
    old_schema = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        max_length=MAX_SCHEMA_CHARS,
        required=False,
        label="or paste the old schema (JSON)",
    )
    new_version = VersionChoiceField(
        queryset=ContractVersion.objects.none(), required=False, label="New version"
    )
    new_schema = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        max_length=MAX_SCHEMA_CHARS,
        required=False,
        label="or paste the new schema (JSON)",
    )
    mode = forms.ChoiceField(choices=CompatibilityMode.choices, initial="BACKWARD")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("old_version", "new_version"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = versions_to_compare()

    def _schema(self, name: str) -> Any:
        text = self.cleaned_data[name]
        if not text.strip():
            return None
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for side in ("old", "new"):
            version = data.get(f"{side}_version")
            if version is not None:
                data[f"{side}_schema"] = version.json_schema
            elif data.get(f"{side}_schema") is None and f"{side}_schema" not in self.errors:
                self.add_error(
                    f"{side}_schema", f"Pick the {side} version or paste the {side} schema."
                )
        return data


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
