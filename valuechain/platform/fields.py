"""Form fields every room shares."""

from __future__ import annotations

from typing import Any

from django import forms

from valuechain.platform.changes import MAX_ID


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rows chosen by id; a value that is not an id a database column can hold (such as
    99999999999999999999999, which SQLite cannot even compare) is refused as an invalid
    choice of its field before the database is asked."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            text = str(pk).strip()
            if not (text.isdecimal() and len(text) <= 19 and 0 < int(text) <= MAX_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text[:40]},
                )
        return super().clean(value)


class MoneyField(forms.FloatField):
    """An amount of money: a whole amount shows in its input as 400000, never 400000.0."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return int(value)
        return super().prepare_value(value)


class WholeNumberInput(forms.NumberInput):
    """A number input that shows a whole amount as 400000, never 400000.0."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return super().format_value(value)


def show_whole_numbers(form: forms.BaseForm) -> None:
    """Every decimal field of the form shows whole amounts (money, days) without ".0"."""
    for field in form.fields.values():
        if isinstance(field, forms.FloatField) and type(field.widget) is forms.NumberInput:
            widget = WholeNumberInput(attrs=field.widget.attrs)
            widget.is_required = field.widget.is_required
            field.widget = widget
