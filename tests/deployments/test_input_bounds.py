"""The bounds hold wherever a row is checked (admin, services), not only in the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from deployments.models import DeploymentType
from tests.deployments.factories import DeploymentPlanFactory
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requests_per_day", 1e300),
        ("latency_ms", 1e300),
        ("setup_likely", 1e308),
        ("run_high", 2e15),
    ],
)
def test_a_plan_beyond_the_bounds_is_refused_on_its_field(field: str, value: float) -> None:
    plan = DeploymentPlanFactory.build(
        idea=DeploymentPlanFactory().idea,
        setup_low=1.0,
        setup_likely=1.0,
        setup_high=1.0,
        run_low=1.0,
        run_likely=1.0,
        run_high=1.0,
    )
    setattr(plan, field, value)
    with pytest.raises(ValidationError) as error:
        plan.clean()
    assert field in error.value.message_dict


def test_a_deployment_type_cost_beyond_max_money_is_refused() -> None:
    profile = DeploymentType.objects.get(kind="edge")
    profile.setup_high = 1e308
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "setup_high" in error.value.message_dict


def test_a_day_rate_beyond_max_money_is_refused() -> None:
    role = RoleFactory.build(name="Quant", day_rate=1e300)
    with pytest.raises(ValidationError) as error:
        role.full_clean()
    assert "day_rate" in error.value.message_dict
