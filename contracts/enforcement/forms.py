"""The batch upload form of the contract page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from contracts.enforcement import records, services


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
