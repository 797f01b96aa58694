"""The connectors page's form: which source, its file, and whether to only preview."""

from __future__ import annotations

from typing import Any

from django import forms

from valuechain import models as m

MAX_PAGE_BYTES = 64 * 1024 * 1024
CONNECTORS = [
    (str(m.SourceSystem.DBT), "dbt: manifest.json"),
    (str(m.SourceSystem.FEAST), "Feast: registry.db or `feast registry-dump` JSON"),
]


class ConnectorImportForm(forms.Form):
    connector = forms.ChoiceField(choices=CONNECTORS)
    file = forms.FileField(help_text="The dbt manifest, or the Feast registry; at most 64 MiB.")
    catalog = forms.FileField(required=False, help_text="dbt only: catalog.json, for column types.")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run: only show what would change"
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_PAGE_BYTES:
            raise forms.ValidationError("The file is larger than 64 MiB.")
        return upload
