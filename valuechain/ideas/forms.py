"""Forms of the idea pages: an idea with its needs, and stakeholder assignments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from valuechain import models as m
from valuechain.catalogue import selectors as catalogue
from valuechain.engine.chain import weight_problem
from valuechain.ideas import selectors
from valuechain.ideas.services import SCORE_FIELDS
from valuechain.platform.fields import show_whole_numbers
from valuechain.platform.roles import active_users

MAX_NEEDS = 50


def _number(step: str = "any", **attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": step, **attrs})


class IdeaForm(forms.ModelForm):
    """Model validators and Idea.clean do the checking: estimate order, probability and
    discount rate in [0, 1], horizon 1..30."""

    class Meta:
        model = m.Idea
        fields = [
            "title",
            "description",
            "status",
            "benefit_low",
            "benefit_likely",
            "benefit_high",
            "probability_of_success",
            "horizon_years",
            "discount_rate",
            *SCORE_FIELDS,
        ]
        labels = {
            "benefit_low": "Yearly benefit: low",
            "benefit_likely": "likely",
            "benefit_high": "high",
            "probability_of_success": "Probability of success",
            "horizon_years": "Horizon (years)",
            "discount_rate": "Discount rate",
            "reach": "Reach (per quarter)",
            "business_value": "User-business value",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "benefit_low": _number(min="0"),
            "benefit_likely": _number(min="0"),
            "benefit_high": _number(min="0"),
            "probability_of_success": _number(min="0", max="1"),
            "horizon_years": _number("1", min="1", max="30"),
            "discount_rate": _number(min="0", max="1"),
            "reach": _number("1", min="0"),
            "confidence": _number(min="0", max="1"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_whole_numbers(self)
        for name in SCORE_FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.TypedChoiceField):
                scale = m.IMPACT_CHOICES if name == "impact" else m.WSJF_CHOICES
                field.choices = [("", "not scored"), *scale]


class NeedForm(forms.ModelForm):
    """A need with its asset picked from the catalogue (asset type and id, set by the picker)."""

    asset_type = forms.ChoiceField(
        choices=m.AssetType.choices,
        widget=forms.HiddenInput,
        error_messages={"required": "Pick the data this need uses from the catalogue."},
    )
    asset_id = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Pick the data this need uses from the catalogue."},
    )

    class Meta:
        model = m.Need
        fields = [
            "name",
            "engineering_low",
            "engineering_likely",
            "engineering_high",
            "engineering_days_role",
            "weight",
            "essential",
        ]
        labels = {
            "name": "Data signal",
            "engineering_days_role": "Engineering unit",
            "engineering_low": "Engineering: low",
            "engineering_likely": "likely",
            "engineering_high": "high",
        }
        widgets = {
            "engineering_low": _number(min="0"),
            "engineering_likely": _number(min="0"),
            "engineering_high": _number(min="0"),
            "weight": _number(min="0"),
        }

    def __init__(
        self, *args: Any, role_choices: list[tuple[Any, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        show_whole_numbers(self)
        role_field = self.fields["engineering_days_role"]
        assert isinstance(role_field, forms.ModelChoiceField)
        role_field.empty_label = "money"
        role_field.help_text = "Money, or person-days of a role at its day rate."
        if role_choices is not None:
            # Shared by every need form of the page: one query, not one per form.
            role_field.choices = [("", "money"), *role_choices]
        self.picked: m.Asset | None = None
        if self.instance.pk and self.instance.asset_type:
            self.initial.setdefault("asset_type", self.instance.asset_type)
            self.initial.setdefault("asset_id", self.instance.asset_id)
            self.picked = self.instance.asset

    def clean_weight(self) -> float:
        # Checked here too so the message sits on the field even when the estimate is wrong.
        weight: float = self.cleaned_data["weight"]
        problem = weight_problem(weight) if weight is not None else None
        if problem is not None:
            raise forms.ValidationError(problem)
        return weight

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        asset_type, asset_id = cleaned.get("asset_type"), cleaned.get("asset_id")
        if asset_type and asset_id:
            asset = catalogue.find_asset(asset_type, asset_id)
            if asset is None:
                self.add_error("asset_id", "That asset is not in the catalogue.")
            else:
                self.picked = asset
                self.instance.set_asset(asset_type, asset_id)
        return cleaned

    def picked_label(self) -> str:
        """The picked asset's name, also after a failed POST re-renders the form."""
        if self.picked is not None:
            return f"{self.picked.name} (tier {self.picked.tier})"
        return ""


class BaseNeedFormSet(BaseInlineFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The picked assets are named on the page: fetch them with the needs.
        kwargs.setdefault("queryset", selectors.needs_with_assets())
        super().__init__(*args, **kwargs)


NeedFormSet = inlineformset_factory(
    m.Idea,
    m.Need,
    form=NeedForm,
    formset=BaseNeedFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_NEEDS,
    validate_max=True,
    absolute_max=MAX_NEEDS,
)


class PersonChoiceField(forms.ModelChoiceField):
    """People by full name, as the stakeholder table shows them (the username beside it tells
    two people of one name apart)."""

    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class StakeholderAssignmentForm(forms.ModelForm):
    tier = forms.TypedChoiceField(coerce=int, choices=())
    person = PersonChoiceField(queryset=active_users().none())

    class Meta:
        model = m.StakeholderAssignment
        fields = ["tier", "role", "person", "note"]

    def __init__(self, *args: Any, idea: m.Idea, reached_tiers: list[int], **kwargs: Any):
        kwargs.setdefault("instance", m.StakeholderAssignment(idea=idea))
        super().__init__(*args, **kwargs)
        self.idea = idea
        labels = dict(m.Tier.choices)
        tier_field = self.fields["tier"]
        assert isinstance(tier_field, forms.TypedChoiceField)
        tier_field.choices = [(t, f"{t} · {labels[t]}") for t in reached_tiers]
        person_field = self.fields["person"]
        assert isinstance(person_field, forms.ModelChoiceField)
        person_field.queryset = active_users().order_by("first_name", "last_name", "username")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tier, role, person = cleaned.get("tier"), cleaned.get("role"), cleaned.get("person")
        if tier and role and person and selectors.assignment_taken(self.idea, tier, role, person):
            name = person.get_full_name() or person.get_username()
            raise forms.ValidationError(f"{name} is already assigned as {role} on tier {tier}.")
        return cleaned
