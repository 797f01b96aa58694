"""The admin's pickers, bounded: a refused form shows again instead of failing on its value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import BadRequest
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse

from valuechain.platform.changes import MAX_ID


def is_id(value: object) -> bool:
    """A positive integer a database id column can hold, written in plain digits."""
    text = str(value).strip()
    return text.isdecimal() and len(text) <= 19 and 0 < int(text) <= MAX_ID


class BoundedAutocompleteSelect(AutocompleteSelect):
    """Shows again only the chosen rows whose id a column can hold: Django's widget looks the
    posted value up as is, and '0x10', '1e309' or 99999999999999999999999 fail that query."""

    def optgroups(self, name: str, value: Sequence[str], attrs: Any = None) -> Any:
        return super().optgroups(name, [item for item in value if is_id(item)], attrs)


def _autocomplete(
    model_admin: admin.options.BaseModelAdmin[Any],
    db_field: ForeignKey[Any, Any],
    request: HttpRequest,
    kwargs: dict[str, Any],
) -> None:
    if "widget" not in kwargs and db_field.name in model_admin.get_autocomplete_fields(request):
        kwargs["widget"] = BoundedAutocompleteSelect(
            db_field, model_admin.admin_site, using=kwargs.get("using")
        )


class ModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The admin of a model (every one here has integer ids), with bounded autocomplete
    pickers, and list edits and actions that refuse an id no column can hold (400, naming
    the field) instead of failing on it."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:  # type: ignore[type-arg]
        _autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            pk = self.model._meta.pk
            assert pk is not None
            ids: list[tuple[str, str]] = []
            if self.list_editable and "_save" in request.POST:
                ids += [(k, str(v)) for k, v in request.POST.items() if k.endswith(f"-{pk.name}")]
            ids += [(ACTION_CHECKBOX_NAME, v) for v in request.POST.getlist(ACTION_CHECKBOX_NAME)]
            for key, value in ids:
                if value and not is_id(value):
                    raise BadRequest(f"{key}: {value[:40]!r} is not an id.")
        return super().changelist_view(request, extra_context)


class TabularInline(admin.TabularInline):  # type: ignore[type-arg]
    """A tabular inline with bounded autocomplete pickers."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:  # type: ignore[type-arg]
        _autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
