"""The deployment plan form of the idea's plan page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from deployments import recommend
from deployments.models import (
    BOUNDS,
    MAX_LATENCY_MS,
    MAX_REQUESTS_PER_DAY,
    PLAN_ESTIMATES,
    REQUIREMENT_FIELDS,
    TYPE_SPECIFIC_FIELDS,
    Connectivity,
    DataLocation,
    DeploymentPlan,
    Freshness,
)
from deployments.services import PLAN_INPUT_FIELDS, foreign_fields
from valuechain.estimates import MAX_MONEY
from valuechain.platform.fields import show_whole_numbers

ESTIMATE_FIELDS = tuple(
    f"{prefix}_{part}"
    for prefix in PLAN_ESTIMATES
    for part in ("low", "likely", "high", "days_role")
)


class DeploymentPlanForm(forms.ModelForm):
    class Meta:
        model = DeploymentPlan
        fields = [
            "deployment_type",
            *REQUIREMENT_FIELDS,
            *(field for fields in TYPE_SPECIFIC_FIELDS.values() for field in fields),
            *ESTIMATE_FIELDS,
            "notes",
        ]
        labels = {
            "latency_ms": "Latency target (ms)",
            "requests_per_day": "Requests per day",
            "freshness": "Freshness needed within",
            "data_location": "Where the data lives",
            "privacy_sensitive": "Privacy-sensitive data",
            "inputs_enumerable": "Inputs can be enumerated ahead",
            "continuous_events": "Inputs arrive as continuous events",
            "loads_realtime_storage": "Load predictions into real-time storage",
            "model_size_budget_mb": "Model size budget (MB)",
            "api_protocol": "API protocol",
            "api_contract": "API contract",
            "setup_days_role": "Setup in person-days of",
            "run_days_role": "Yearly run in person-days of",
        }
        widgets = {"api_contract": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_whole_numbers(self)
        self.fields["notes"].widget.attrs["rows"] = 2
        for name in ("latency_ms", "requests_per_day"):
            value = self.initial.get(name)
            if isinstance(value, float) and value.is_integer():
                self.initial[name] = int(value)  # 200000, not 200000.0
        for name in ESTIMATE_FIELDS:
            self.fields[name].required = False
            if not name.endswith("_days_role"):
                self.fields[name].validators.append(MaxValueValidator(MAX_MONEY))
        for name, bound in BOUNDS.items():
            if name in self.fields:
                self.fields[name].validators.append(MaxValueValidator(bound))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        deployment_type = cleaned.get("deployment_type")
        if deployment_type is not None:
            # The form shows every type's details; only the chosen type's are kept.
            blank = DeploymentPlan()
            for name in foreign_fields(deployment_type.kind):
                cleaned[name] = getattr(blank, name)
        return cleaned

    def plan_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in PLAN_INPUT_FIELDS}

    def requirement_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in REQUIREMENT_FIELDS]

    def type_sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [
            (kind, recommend.TYPE_LABELS[kind], [self[name] for name in fields])
            for kind, fields in TYPE_SPECIFIC_FIELDS.items()
        ]

    def estimate_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (
                "One-off setup" if prefix == "setup" else "Yearly run",
                [self[f"{prefix}_{part}"] for part in ("low", "likely", "high", "days_role")],
            )
            for prefix in PLAN_ESTIMATES
        ]


class RequirementsForm(forms.Form):
    """The requirement half of the plan form, for the live recommendation beside it."""

    latency_ms = forms.FloatField(
        min_value=0, max_value=MAX_LATENCY_MS, label="Latency target (ms)"
    )
    requests_per_day = forms.FloatField(
        min_value=0, max_value=MAX_REQUESTS_PER_DAY, label="Requests per day"
    )
    freshness = forms.ChoiceField(choices=Freshness.choices, label="Freshness needed within")
    data_location = forms.ChoiceField(choices=DataLocation.choices, label="Where the data lives")
    connectivity = forms.ChoiceField(choices=Connectivity.choices)
    privacy_sensitive = forms.BooleanField(required=False, label="Privacy-sensitive data")
    inputs_enumerable = forms.BooleanField(required=False, label="Inputs can be enumerated ahead")
    continuous_events = forms.BooleanField(
        required=False, label="Inputs arrive as continuous events"
    )

    def requirements(self) -> recommend.Requirements | None:
        if not self.is_valid():
            return None
        try:
            return recommend.requirements_from_mapping(self.cleaned_data)
        except recommend.InvalidRequirement as error:
            self.add_error(error.field, error.message)
            return None
