"""Query-string filters for the contract list; a malformed value is a 400 naming it."""

import django_filters

from contracts.models import DataContract
from valuechain.api.filters import IdFilter


class DataContractFilter(django_filters.FilterSet):
    asset_id = IdFilter(help_text="Id of the governed asset (with asset_type).")
    ideas = IdFilter(field_name="ideas", help_text="Contracts linked directly to this idea.")

    class Meta:
        model = DataContract
        fields = ["status", "asset_type", "asset_id", "compatibility_mode", "ideas"]
