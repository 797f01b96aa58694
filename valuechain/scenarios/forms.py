"""Forms of the scenario pages: a new scenario in a few clicks, and a roadmap run."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings

from valuechain import models as m
from valuechain.analysis import selectors as analysis
from valuechain.engine import roadmap as rm
from valuechain.estimates import MAX_MONEY
from valuechain.platform.changes import MAX_ID
from valuechain.platform.fields import BoundedModelMultipleChoiceField
from valuechain.scenarios import overrides, services

BUDGET_PRESETS = [
    ("", "No budget change"),
    ("-50", "Budget -50 % of the live plan"),
    ("-30", "Budget -30 % of the live plan"),
    ("-10", "Budget -10 % of the live plan"),
    ("10", "Budget +10 % of the live plan"),
]


class BoundedIdeaField(forms.ModelChoiceField):
    """One idea by id; a value no database column can hold is an invalid choice, refused
    before the database is asked."""

    def to_python(self, value: Any) -> Any:
        text = str(value).strip() if value is not None else ""
        if text and not (text.isdecimal() and len(text) <= 19 and 0 < int(text) <= MAX_ID):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    budget_change = forms.ChoiceField(
        choices=BUDGET_PRESETS,
        required=False,
        label="Budget change",
        help_text="Sets the budget from what the live plan invests once.",
    )
    budget = forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_MONEY,
        help_text="Or a budget in money; empty for none.",
    )
    discount_rate = forms.FloatField(required=False, min_value=0, max_value=1)
    horizon_years = forms.IntegerField(required=False, min_value=1, max_value=30)
    force_include = BoundedModelMultipleChoiceField(
        queryset=m.Idea.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    force_exclude = BoundedModelMultipleChoiceField(
        queryset=m.Idea.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    benefit_idea = BoundedIdeaField(
        queryset=m.Idea.objects.none(), required=False, label="Idea whose benefit changes"
    )
    benefit_multiply = forms.FloatField(
        required=False, min_value=0, max_value=overrides.MAX_FACTOR, label="Benefit multiplier",
        help_text="0.5 halves the idea's yearly benefit in this scenario.",
    )  # fmt: skip
    more_overrides = forms.CharField(
        required=False,
        max_length=20_000,
        label="More overrides (JSON)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='A list like [{"target": "asset", "asset_type": "raw_source", "id": 3, '
        '"field": "build", "multiply": 1.5}]; targets idea, asset, role.',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = analysis.candidate_ideas().order_by("title", "id").only("id", "title")
        for name in ("force_include", "force_exclude", "benefit_idea"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = candidates
        self.fields["discount_rate"].initial = settings.VALUECHAIN["DEFAULT_DISCOUNT_RATE"]
        self.fields["horizon_years"].initial = settings.VALUECHAIN["DEFAULT_HORIZON_YEARS"]

    def clean_more_overrides(self) -> list[Any]:
        text = self.cleaned_data.get("more_overrides") or ""
        if not text.strip():
            return []
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise forms.ValidationError(f"Not a list of overrides: {exc}") from exc
        if not isinstance(value, list):
            raise forms.ValidationError("A list of overrides.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("benefit_idea")) != (data.get("benefit_multiply") is not None):
            self.add_error(
                "benefit_multiply", "Choose an idea and its benefit multiplier together."
            )
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        found = list(data.get("more_overrides") or [])
        if data.get("benefit_idea"):
            found.insert(0, {"target": "idea", "id": data["benefit_idea"].pk, "field": "benefit",
                             "multiply": data["benefit_multiply"]})  # fmt: skip
        change = data.get("budget_change")
        return {
            "name": data["name"],
            "description": data.get("description") or "",
            "budget": data.get("budget"),
            "budget_change": float(change) if change else None,
            "discount_rate": data.get("discount_rate"),
            "horizon_years": data.get("horizon_years"),
            "force_include": [i.pk for i in data.get("force_include") or []],
            "force_exclude": [i.pk for i in data.get("force_exclude") or []],
            "overrides": found,
        }


def next_quarter(today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    return rm.quarter_label(f"{today.year}Q{(today.month - 1) // 3 + 1}", 1)


class RoadmapForm(forms.Form):
    """Quarters, the first one, and person-days per quarter for each role (the same every
    quarter here; the API sets each role and quarter apart)."""

    quarters = forms.IntegerField(min_value=1, max_value=rm.MAX_QUARTERS, initial=8)
    start = forms.CharField(max_length=7, help_text="The first quarter, like 2027Q1.")

    def __init__(self, *args: Any, roles: Sequence[tuple[int, str, float]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = next_quarter()
        self.roles = list(roles)
        for role, name, _ in self.roles:
            self.fields[f"role_{role}"] = forms.FloatField(
                required=False,
                min_value=0,
                max_value=services.plan.MAX_CAPACITY_DAYS,
                initial=services.plan.DEFAULT_CAPACITY_DAYS,
                label=f"{name}: person-days per quarter",
            )

    def clean_start(self) -> str:
        try:
            return "{}Q{}".format(*rm.parse_quarter(self.cleaned_data["start"]))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def capacity(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "role": role,
                "quarter": rm.quarter_label(data["start"], q),
                "person_days": _or_default(data.get(f"role_{role}")),
            }
            for role, _, _ in self.roles
            for q in range(data["quarters"])
        ]


def _or_default(days: float | None) -> float:
    return services.plan.DEFAULT_CAPACITY_DAYS if days is None else days
