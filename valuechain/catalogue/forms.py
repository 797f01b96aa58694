"""Forms of the catalogue pages: one per asset kind, tier profiles, bulk import, and the
need picker's search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from valuechain import models as m
from valuechain.catalogue import selectors
from valuechain.catalogue.bulk.document import FORMATS, MAX_BYTES, READINESS, TOO_LARGE
from valuechain.catalogue.services import AssetChanges
from valuechain.estimates import MAX_MONEY, EstimateInput
from valuechain.estimates import PARTS as ESTIMATE_PARTS
from valuechain.platform.fields import BoundedModelMultipleChoiceField, show_whole_numbers
from valuechain.platform.roles import active_users


def _number(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "any", **attrs})


def _estimate_fields() -> list[str]:
    return [
        *(f"build_{part}" for part in ESTIMATE_PARTS),
        "build_days_role",
        *(f"run_{part}" for part in ESTIMATE_PARTS),
        "run_days_role",
    ]


COMMON_FIELDS = ["name", "description", "owner", "available", "feasibility", *_estimate_fields()]


class AssetForm(forms.ModelForm):
    """Model validators and Asset.clean check the values (estimate order, feasibility in
    [0, 1]); the view writes through catalogue.services.create_asset / update_asset."""

    LINEAGE_FIELD: str | None = None
    KIND_FIELDS: list[str] = []

    class Meta:
        model: type[m.Asset]
        fields: list[str]
        labels = {
            "build_low": "Build: low",
            "build_likely": "likely",
            "build_high": "high",
            "build_days_role": "Build unit",
            "run_low": "Run per year: low",
            "run_likely": "likely",
            "run_high": "high",
            "run_days_role": "Run unit",
            "available": "Available (it already exists)",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "feasibility": _number(min="0", max="1"),
            **{
                f"{prefix}_{part}": _number(min="0")
                for prefix in ("build", "run")
                for part in ESTIMATE_PARTS
            },
        }

    def __init__(self, *args: Any, default_feasibility: float | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        show_whole_numbers(self)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = active_users()
        owner.empty_label = "nobody"
        # Both unit pickers share one list of roles: one query, not two.
        role_choices = [("", "money"), *selectors.role_choices()]
        for prefix in ("build", "run"):
            field = self.fields[f"{prefix}_days_role"]
            assert isinstance(field, forms.ModelChoiceField)
            field.choices = role_choices
            field.help_text = "Money, or person-days of a role at its day rate."
            for part in ESTIMATE_PARTS:
                number = self.fields[f"{prefix}_{part}"]
                assert isinstance(number, forms.FloatField)
                number.validators.append(MaxValueValidator(MAX_MONEY))
        feasibility = self.fields["feasibility"]
        if default_feasibility is not None:
            feasibility.help_text = (
                f"Chance the build succeeds, 0 to 1. Empty: the tier's default "
                f"({default_feasibility:g})."
            )
        if self.LINEAGE_FIELD:
            lineage = self.fields[self.LINEAGE_FIELD]
            assert isinstance(lineage, forms.ModelChoiceField)
            lineage.queryset = lineage.queryset.order_by("name")  # type: ignore[union-attr]

    def clean_name(self) -> str:
        # Import and export match assets by (kind, name): keep names unique per kind.
        name: str = self.cleaned_data["name"].strip()
        if name and selectors.name_taken(self.instance, name):
            kind = type(self.instance).ASSET_TYPE.label.lower()
            raise forms.ValidationError(f"Another {kind} is already named “{name}”.")
        return name

    def changes(self) -> AssetChanges:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            name: data[name]
            for name in (
                "name",
                "description",
                "owner",
                "available",
                "feasibility",
                *self.KIND_FIELDS,
            )
            if name in self.fields
        }
        for prefix in ("build", "run"):
            role = data.get(f"{prefix}_days_role")
            changes[prefix] = EstimateInput(
                low=data[f"{prefix}_low"],
                likely=data[f"{prefix}_likely"],
                high=data[f"{prefix}_high"],
                days_role_id=role.pk if role is not None else None,
            )
        if self.LINEAGE_FIELD:
            value = data.get(self.LINEAGE_FIELD)
            if self.LINEAGE_FIELD == "acquisition_option":
                changes["acquisition_option"] = value.pk if value is not None else None
            else:
                changes[self.LINEAGE_FIELD] = [row.pk for row in value or []]
        return changes  # type: ignore[return-value]


class FeatureForm(AssetForm):
    LINEAGE_FIELD = "curated_datasets"
    KIND_FIELDS = ["feature_group", "online"]

    class Meta(AssetForm.Meta):
        model = m.Feature
        fields = [*COMMON_FIELDS, "feature_group", "online", "curated_datasets"]
        labels = {**AssetForm.Meta.labels, "curated_datasets": "Comes from (curated datasets)"}
        widgets = {**AssetForm.Meta.widgets, "curated_datasets": forms.CheckboxSelectMultiple()}
        field_classes = {"curated_datasets": BoundedModelMultipleChoiceField}


class CuratedDatasetForm(AssetForm):
    LINEAGE_FIELD = "raw_sources"
    UPSTREAM_CURATED = "upstream_curated_datasets"

    class Meta(AssetForm.Meta):
        model = m.CuratedDataset
        fields = [*COMMON_FIELDS, "raw_sources", "upstream_curated_datasets"]
        labels = {
            **AssetForm.Meta.labels,
            "raw_sources": "Curated from (raw sources)",
            "upstream_curated_datasets": "Built from (curated datasets)",
        }
        widgets = {
            **AssetForm.Meta.widgets,
            "raw_sources": forms.CheckboxSelectMultiple(),
            "upstream_curated_datasets": forms.CheckboxSelectMultiple(),
        }
        field_classes = {
            "raw_sources": BoundedModelMultipleChoiceField,
            "upstream_curated_datasets": BoundedModelMultipleChoiceField,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        upstream = self.fields[self.UPSTREAM_CURATED]
        assert isinstance(upstream, forms.ModelChoiceField)
        # a dataset is never built from itself; a longer loop is refused by the service
        upstream.queryset = selectors.curated_inputs_for(self.instance.pk)

    def changes(self) -> AssetChanges:
        changes = super().changes()
        chosen = self.cleaned_data.get(self.UPSTREAM_CURATED) or []
        changes["upstream_curated_datasets"] = [row.pk for row in chosen]
        return changes


class RawSourceForm(AssetForm):
    LINEAGE_FIELD = "acquisition_option"
    KIND_FIELDS = ["system", *READINESS]

    class Meta(AssetForm.Meta):
        model = m.RawSource
        fields = [*COMMON_FIELDS, "system", "acquisition_option", *READINESS]
        labels = {
            **AssetForm.Meta.labels,
            "available": "Available (it already arrives)",
            "acquisition_option": "Acquired through",
            "is_current": "Is it current?",
            "arrives_regularly": "Does it arrive at regular intervals?",
            "quality_ensurable": "Can its quality be ensured?",
            "sla_establishable": "Can SLAs be established?",
        }
        widgets = {
            **AssetForm.Meta.widgets,
            **{name: forms.NullBooleanSelect() for name in READINESS},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        option = self.fields["acquisition_option"]
        assert isinstance(option, forms.ModelChoiceField)
        option.empty_label = "none: it exists or needs no acquisition"
        self.fields["build_low"].label = "Curation cost: low"


class AcquisitionOptionForm(AssetForm):
    class Meta(AssetForm.Meta):
        model = m.AcquisitionOption
        fields = [name for name in COMMON_FIELDS if name != "available"] + ["provider"]
        labels = {**AssetForm.Meta.labels, "build_low": "Cost to acquire: low"}

    KIND_FIELDS = ["provider"]


ASSET_FORMS: dict[str, type[AssetForm]] = {
    m.AssetType.FEATURE: FeatureForm,
    m.AssetType.CURATED_DATASET: CuratedDatasetForm,
    m.AssetType.RAW_SOURCE: RawSourceForm,
    m.AssetType.ACQUISITION_OPTION: AcquisitionOptionForm,
}


class TierProfileForm(forms.ModelForm):
    class Meta:
        model = m.TierProfile
        fields = ["label", "investment_band", "default_roles", "default_feasibility"]
        widgets = {
            "default_roles": forms.CheckboxSelectMultiple(),
            "default_feasibility": _number(min="0", max="1"),
        }
        field_classes = {"default_roles": BoundedModelMultipleChoiceField}
        help_texts = {
            "default_feasibility": "Used for every asset of the tier whose feasibility is empty.",
        }


class CatalogueImportForm(forms.Form):
    FORMAT_CHOICES = [("", "from the file name"), *((f, f.upper()) for f in FORMATS)]

    file = forms.FileField(help_text="CSV, JSON or YAML, at most 1 MiB and 5,000 rows.")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)
    dry_run = forms.BooleanField(
        required=False,
        initial=True,
        label="Dry run: only report what would change",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        return upload


TIER_CHOICES = [(tier.value, f"{tier.value} · {tier.label}") for tier in m.Tier]


class AssetSearchForm(forms.Form):
    """The need picker: a tier and a search within it."""

    tier = forms.TypedChoiceField(choices=TIER_CHOICES, coerce=int, initial=1)
    q = forms.CharField(max_length=100, required=False, strip=True)


class CatalogueFilterForm(forms.Form):
    """The catalogue page's search, tier and filters. A value it does not know is ignored,
    as the dashboard ignores an unknown status: the page then shows that filter unset."""

    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "name or description", "maxlength": 100}
        ),
    )
    tier = forms.TypedChoiceField(
        choices=TIER_CHOICES, coerce=int, required=False, empty_value=None
    )
    availability = forms.ChoiceField(
        label="Availability",
        required=False,
        choices=[("", "Any"), ("available", "Available"), ("to_build", "To build")],
    )
    owner = forms.ChoiceField(
        label="Owner", required=False, choices=[("", "Anyone"), ("mine", "Mine")]
    )
    use = forms.ChoiceField(
        label="Used by ideas",
        required=False,
        choices=[("", "Used or not"), ("used", "Used by ideas"), ("unused", "Unused")],
    )
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[("name", "Name, A to Z"), ("-name", "Name, Z to A")],
    )

    DEFAULTS: dict[str, Any] = {
        "q": "",
        "tier": None,
        "availability": "",
        "owner": "",
        "use": "",
        "sort": "name",
    }

    def choices(self) -> dict[str, Any]:
        """What was asked for, each unknown value replaced by its default."""
        self.is_valid()
        cleaned = {name: value for name, value in self.cleaned_data.items() if value}
        return {**self.DEFAULTS, **cleaned}
