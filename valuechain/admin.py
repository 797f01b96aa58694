"""Admin for the catalogue, ideas, stakeholders and tier profiles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from valuechain import models as m
from valuechain.ideas import selectors
from valuechain.platform.admin_fields import ModelAdmin, TabularInline

ESTIMATE_HELP = "Low <= likely <= high; in money, or in person-days when a role is set."


@admin.register(m.Role)
class RoleAdmin(ModelAdmin):
    list_display = ("name", "day_rate")
    search_fields = ("name", "description")
    ordering = ("name",)


@admin.register(m.TierProfile)
class TierProfileAdmin(ModelAdmin):
    list_display = (
        "tier",
        "label",
        "asset_label",
        "investment_band",
        "default_feasibility",
        "roles",
    )
    list_editable = ("label", "investment_band", "default_feasibility")
    list_display_links = ("tier",)
    filter_horizontal = ("default_roles",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[m.TierProfile]:
        return super().get_queryset(request).prefetch_related("default_roles")

    @admin.display(description="Default roles")
    def roles(self, profile: m.TierProfile) -> str:
        return ", ".join(role.name for role in profile.default_roles.all())


ASSET_FIELDSETS: tuple[Any, ...] = (
    (None, {"fields": ("name", "description", "owner", "available", "feasibility")}),
    (
        "One-off build",
        {
            "fields": (("build_low", "build_likely", "build_high"), "build_days_role"),
            "description": ESTIMATE_HELP,
        },
    ),
    (
        "Yearly run cost",
        {
            "fields": (("run_low", "run_likely", "run_high"), "run_days_role"),
            "description": ESTIMATE_HELP,
        },
    ),
)


@admin.register(m.AcquisitionOption)
class AcquisitionOptionAdmin(ModelAdmin):
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    list_display = ("name", "provider", "owner", "build_likely", "run_likely", "feasibility")
    list_filter = ("provider", "owner")
    search_fields = ("name", "description", "provider")
    fieldsets = (
        (None, {"fields": ("name", "provider", "description", "owner", "feasibility")}),
        *ASSET_FIELDSETS[1:],
    )


@admin.register(m.RawSource)
class RawSourceAdmin(ModelAdmin):
    list_display = (
        "name",
        "system",
        "owner",
        "available",
        "acquisition_option",
        "is_current",
        "arrives_regularly",
        "quality_ensurable",
        "sla_establishable",
        "build_likely",
        "run_likely",
    )
    list_filter = (
        "available",
        "is_current",
        "arrives_regularly",
        "quality_ensurable",
        "sla_establishable",
        "system",
    )
    search_fields = ("name", "description", "system")
    list_select_related = ("owner", "acquisition_option")
    autocomplete_fields = ("owner", "acquisition_option")
    fieldsets = (
        *ASSET_FIELDSETS[:1],
        ("Source", {"fields": ("system", "acquisition_option")}),
        (
            "Readiness",
            {
                "fields": (
                    "is_current",
                    "arrives_regularly",
                    "quality_ensurable",
                    "sla_establishable",
                )
            },
        ),
        *ASSET_FIELDSETS[1:],
    )


@admin.register(m.CuratedDataset)
class CuratedDatasetAdmin(ModelAdmin):
    list_display = ("name", "owner", "available", "build_likely", "run_likely", "feasibility")
    search_fields = ("name", "description")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    filter_horizontal = ("raw_sources",)
    list_filter = ("available", "owner", "raw_sources")
    fieldsets = (
        *ASSET_FIELDSETS[:1],
        ("Lineage", {"fields": ("raw_sources",)}),
        *ASSET_FIELDSETS[1:],
    )


@admin.register(m.Feature)
class FeatureAdmin(ModelAdmin):
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    list_display = (
        "name",
        "feature_group",
        "owner",
        "available",
        "online",
        "build_likely",
        "run_likely",
        "feasibility",
    )
    list_filter = ("available", "online", "feature_group", "owner")
    search_fields = ("name", "description", "feature_group")
    filter_horizontal = ("curated_datasets",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "feature_group",
                    "description",
                    "owner",
                    "available",
                    "online",
                    "feasibility",
                )
            },
        ),
        ("Lineage", {"fields": ("curated_datasets",)}),
        *ASSET_FIELDSETS[1:],
    )


class NeedForm(forms.ModelForm):
    class Meta:
        model = m.Need
        fields = (
            "idea",
            "name",
            "description",
            *m.Need.ASSET_FIELDS,
            "engineering_low",
            "engineering_likely",
            "engineering_high",
            "engineering_days_role",
            "weight",
            "essential",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pointed = [name for name in m.Need.ASSET_FIELDS if data.get(name)]
        if len(pointed) != 1:
            raise forms.ValidationError(
                "Point the need at exactly one asset: a feature, a curated dataset, a raw "
                "source or an acquisition option."
            )
        return data


class NeedInline(TabularInline):
    model = m.Need
    form = NeedForm
    extra = 0
    fields = (
        "name",
        "feature",
        "curated_dataset",
        "raw_source",
        "acquisition_option",
        "engineering_low",
        "engineering_likely",
        "engineering_high",
        "engineering_days_role",
        "weight",
        "essential",
    )
    autocomplete_fields = ("feature", "curated_dataset", "raw_source", "acquisition_option")


class StakeholderAssignmentInline(TabularInline):
    model = m.StakeholderAssignment
    extra = 0
    fields = ("tier", "role", "person", "note")
    autocomplete_fields = ("person",)


@admin.register(m.Idea)
class IdeaAdmin(ModelAdmin):
    list_display = (
        "title",
        "owner",
        "status",
        "benefit_likely",
        "probability_of_success",
        "horizon_years",
        "discount_rate",
        "updated_at",
    )
    list_filter = ("status", "owner", "horizon_years")
    search_fields = ("title", "description", "needs__name")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    date_hierarchy = "created_at"
    inlines = (NeedInline, StakeholderAssignmentInline)
    readonly_fields = ("roi_summary",)
    fieldsets = (
        (None, {"fields": ("title", "description", "owner", "status")}),
        (
            "Yearly benefit",
            {
                "fields": (("benefit_low", "benefit_likely", "benefit_high"),),
                "description": "Low <= likely <= high, in money.",
            },
        ),
        (
            "Economics",
            {"fields": ("probability_of_success", "horizon_years", "discount_rate", "roi_summary")},
        ),
        (
            "Scores (blank: not scored yet)",
            {
                "fields": (
                    ("reach", "impact", "confidence"),
                    ("business_value", "time_criticality", "risk_reduction"),
                ),
                "description": "The product manager's judgement for RICE, ICE and WSJF; "
                "effort and job size come from the value chain.",
            },
        ),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[m.Idea], search_term: str
    ) -> tuple[QuerySet[m.Idea], bool]:
        results, _ = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False

    @admin.display(description="ROI report")
    def roi_summary(self, idea: m.Idea) -> str:
        if idea.pk is None:
            return "Saved ideas show their ROI here."
        try:
            report = selectors.roi_report(selectors.ideas().get(pk=idea.pk))
        except Exception as exc:  # the form must render even when the catalogue is broken
            return f"Cannot compute: {exc}"
        roi = "n/a" if report.roi is None else f"{report.roi:.2f}"
        negative = report.negative_from_tier or "never"
        return (
            f"tier {report.tier}; one-off {report.one_off_investment:,.0f}; "
            f"yearly run {report.annual_run_cost:,.0f}; p {report.probability_of_success:.2f}; "
            f"NPV {report.npv:,.0f}; ROI {roi}; negative from tier {negative}; "
            f"best stop at tier {report.best_stop_tier}"
        )


@admin.register(m.Need)
class NeedAdmin(ModelAdmin):
    form = NeedForm
    list_display = (
        "name",
        "idea",
        "asset_type",
        "asset",
        "engineering_likely",
        "weight",
        "essential",
    )
    list_filter = ("essential", "idea__status", "idea")
    search_fields = ("name", "description", "idea__title")
    list_select_related = ("idea", "feature", "curated_dataset", "raw_source", "acquisition_option")
    autocomplete_fields = ("idea", "feature", "curated_dataset", "raw_source", "acquisition_option")


@admin.register(m.StakeholderAssignment)
class StakeholderAssignmentAdmin(ModelAdmin):
    list_display = ("idea", "tier", "role", "person", "note")
    list_filter = ("tier", "role", "idea__status")
    search_fields = (
        "idea__title",
        "person__username",
        "person__first_name",
        "person__last_name",
        "role__name",
    )
    list_select_related = ("idea", "role", "person")
    autocomplete_fields = ("idea", "person")


RUN_FIELDS = (
    "status",
    "progress",
    "params",
    "result",
    "error",
    "created_by",
    "started_at",
    "finished_at",
)


@admin.register(m.SimulationRun)
class SimulationRunAdmin(ModelAdmin):
    list_display = ("pk", "idea", "status", "progress", "draws", "seed", "created_at")
    list_filter = ("status",)
    search_fields = ("idea__title",)
    readonly_fields = RUN_FIELDS
    list_select_related = ("idea",)


@admin.register(m.PortfolioRun)
class PortfolioRunAdmin(ModelAdmin):
    list_display = ("pk", "status", "progress", "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = RUN_FIELDS
    list_select_related = ("created_by",)
