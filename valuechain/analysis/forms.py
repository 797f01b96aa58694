"""Forms of the analysis pages: a Monte Carlo run of an idea, a portfolio run."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from valuechain import models as m
from valuechain.analysis import selectors, services
from valuechain.estimates import MAX_MONEY
from valuechain.platform.fields import BoundedModelMultipleChoiceField, MoneyField


class SimulationForm(forms.Form):
    draws = forms.IntegerField(
        min_value=services.MIN_DRAWS, max_value=services.MAX_DRAWS, initial=10_000
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=services.MAX_SEED,
        required=False,
        help_text="Leave empty for a new random seed; the seed is stored with the run.",
    )


class BoundedIdeaChoiceField(BoundedModelMultipleChoiceField):
    """Ideas chosen by id; a value that is not an id a database column can hold (such as
    99999999999999999999999) is refused as an invalid choice before the database is asked."""


class PortfolioRunForm(forms.Form):
    budget = MoneyField(
        required=False,
        min_value=0,
        max_value=MAX_MONEY,
        help_text="On one-off investment; empty for no budget.",
    )
    must_include = BoundedIdeaChoiceField(
        queryset=m.Idea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    must_exclude = BoundedIdeaChoiceField(
        queryset=m.Idea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    discount_rate = forms.FloatField(required=False, min_value=0, max_value=1)
    horizon_years = forms.IntegerField(required=False, min_value=1, max_value=30)
    stop_tiers = forms.BooleanField(
        required=False,
        initial=True,
        label="Ideas may stop at a tier",
        help_text="Fund each idea only up to the tier where it is worth most (for example "
        "skip an acquisition that costs more than it earns). Unticked: whole ideas only.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = selectors.candidate_ideas().order_by("title", "id").only("id", "title")
        for name in ("must_include", "must_exclude"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = candidates
        defaults = settings.VALUECHAIN
        self.fields["discount_rate"].initial = defaults["DEFAULT_DISCOUNT_RATE"]
        self.fields["horizon_years"].initial = defaults["DEFAULT_HORIZON_YEARS"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("must_include") or []) & set(data.get("must_exclude") or [])
        if both:
            names = ", ".join(sorted(idea.title for idea in both))
            self.add_error("must_exclude", f"Also in must include: {names}.")
        return data
