"""Field types every API area shares: finite numbers, bounded ids, three-point estimates, and
a model serializer that refuses unknown fields."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from valuechain import models as m
from valuechain.engine.chain import estimate_problem
from valuechain.estimates import MAX_MONEY, EstimateInput
from valuechain.estimates import PARTS as ESTIMATE_PARTS
from valuechain.platform.changes import MAX_ID

MAX_LINEAGE_IDS = 1000


class RejectUnknownFieldsMixin:
    """A field the serializer does not know is an error, not something silently dropped."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class FiniteFloatField(serializers.FloatField):
    """A float that is finite: no booleans, NaN, infinities or overflowing integers."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 64:
            self.fail("max_string_length")
        try:
            value = float(data)
        except (TypeError, ValueError, OverflowError):
            self.fail("invalid")
        if not math.isfinite(value):
            self.fail("invalid")
        return value


def money_field(**kwargs: Any) -> FiniteFloatField:
    return FiniteFloatField(min_value=0, max_value=MAX_MONEY, **kwargs)


class WholeNumberField(serializers.IntegerField):
    """An integer that is not a boolean and not a float with a fractional part."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class IdField(WholeNumberField):
    """A database id: a whole number between 1 and the largest integer a column holds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class SafePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Checks the id is a plausible integer before asking the database for it."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < number <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class LineageIdsField(serializers.ListField):
    """Upstream inputs as a list of ids; read from a (prefetched) many-to-many manager."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", IdField())
        kwargs.setdefault("max_length", MAX_LINEAGE_IDS)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, data: Any) -> list[int]:
        return sorted(row.pk for row in data.all())


class EstimateSchema(serializers.Serializer):
    """Documentation only: the shape of every three-point estimate."""

    low = serializers.FloatField(min_value=0)
    likely = serializers.FloatField(min_value=0)
    high = serializers.FloatField(min_value=0)
    days_of_role = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Role id: the values are person-days of this role instead of money.",
    )


@extend_schema_field(EstimateSchema)
class EstimateField(serializers.Field):
    """`{"low", "likely", "high"}` in money, or person-days with `"days_of_role": <role id>`.

    Stored in the model's `<prefix>_low/_likely/_high/_days_role` columns.
    """

    PARTS = ESTIMATE_PARTS
    KEYS = frozenset((*PARTS, "days_of_role"))
    default_error_messages = {
        "not_an_object": 'Expected an object with "low", "likely" and "high".',
        "unknown_keys": "Unknown keys: {keys}.",
        "missing": "low, likely and high are all required.",
        "number": "{part} must be a number between 0 and {limit:.0e}.",
        "role": "days_of_role must be a role id or null.",
    }

    def __init__(self, prefix: str, *, in_days: bool = True, **kwargs: Any) -> None:
        self.prefix = prefix
        self.keys = self.KEYS if in_days else frozenset(self.PARTS)
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        estimate: dict[str, Any] = {
            part: getattr(value, f"{self.prefix}_{part}") for part in self.PARTS
        }
        role_id = getattr(value, f"{self.prefix}_days_role_id", None)
        if role_id is not None:
            estimate["days_of_role"] = role_id
        return estimate

    def to_internal_value(self, data: Any) -> dict[str, EstimateInput]:
        if not isinstance(data, Mapping):
            self.fail("not_an_object")
        unknown = sorted(str(key) for key in data if key not in self.keys)
        if unknown:
            self.fail("unknown_keys", keys=", ".join(unknown))
        if any(part not in data for part in self.PARTS):
            self.fail("missing")
        values = []
        for part in self.PARTS:
            try:
                values.append(money_field().run_validation(data[part]))
            except serializers.ValidationError:
                self.fail("number", part=part, limit=MAX_MONEY)
        role = data.get("days_of_role")
        if role is not None:
            try:
                role = IdField().run_validation(role)
            except serializers.ValidationError:
                self.fail("role")
        problem = estimate_problem(values[0], values[1], values[2])
        if problem is not None:
            raise serializers.ValidationError(problem)
        return {self.prefix: EstimateInput(values[0], values[1], values[2], days_role_id=role)}


class UserIdField(SafePrimaryKeyRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.all())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class ApiModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    serializer_related_field = SafePrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        m.models.FloatField: FiniteFloatField,
    }
