"""The batch upload form of the contract page, and the forms of dead-letter recovery."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from contracts.enforcement import records, recovery, services
from contracts.models import DeadLetter


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label="Records to validate",
        help_text="A JSON array, NDJSON (one record a line) or CSV with a header row; "
        f"at most {services.MAX_BATCH_RECORDS:,} records.",
    )
    format = forms.ChoiceField(
        choices=[("", "from the file name"), *((f, f.upper()) for f in records.BATCH_FORMATS)],
        required=False,
    )

    def __init__(self, *args: Any, schema: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = schema

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > services.MAX_BATCH_BYTES:
            raise ValidationError(
                {"file": f"The file is {upload.size} bytes; the limit is "
                         f"{services.MAX_BATCH_BYTES}."}
            )  # fmt: skip
        fmt = data.get("format") or records.batch_format(
            upload.name or "", upload.content_type or ""
        )
        if fmt is None:
            raise ValidationError(
                {"format": "Name the file .json, .ndjson, .jsonl or .csv, or choose a format."}
            )
        try:
            data["records"] = records.read_batch(
                upload.read(services.MAX_BATCH_BYTES + 1), fmt, self.schema,
                services.MAX_BATCH_RECORDS,
            )  # fmt: skip
        except records.BatchFormatError as exc:
            raise ValidationError({"file": str(exc)}) from None
        return data


class PayloadForm(forms.Form):
    """A dead letter's record, fixed by hand: JSON, finite numbers, at most a megabyte."""

    payload = forms.CharField(
        label="Record (JSON)",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"}),
        max_length=recovery.MAX_PAYLOAD_BYTES,
    )

    def clean_payload(self) -> Any:
        text = self.cleaned_data["payload"]
        try:
            return json.loads(text, parse_constant=_refuse, parse_float=records.finite_float)
        except (ValueError, RecursionError) as exc:
            raise ValidationError(f"Not JSON: {exc}"[:300]) from None


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class VersionForm(forms.Form):
    """A published version of the contract (the latest first)."""

    version = forms.ChoiceField(label="Version")

    def __init__(self, *args: Any, versions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["version"]
        field.choices = [(v, v) for v in reversed(versions)]


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label="Why discard it",
        max_length=recovery.MAX_REASON_CHARS,
        widget=forms.TextInput(attrs={"size": 60}),
    )


class DeadLetterFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "any status"), *DeadLetter.Status.choices], required=False
    )
    version = forms.CharField(required=False, max_length=50, label="Judged by version")
    consumer = forms.CharField(required=False, max_length=200, label="Rejected by consumer")
