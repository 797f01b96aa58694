"""Factories for deployment plans; the four deployment types are seeded by a migration."""

from __future__ import annotations

import factory

from deployments.models import DeploymentPlan, DeploymentType
from tests.factories import IdeaFactory

ZERO_EXTRAS = (
    "online_feature_setup",
    "online_feature_run",
    "compression",
    "device_runtime",
    "realtime_storage_setup",
    "realtime_storage_run",
)


def deployment_type(kind: str, **exact_costs: float) -> DeploymentType:
    """The seeded profile of `kind` with exact costs (low = likely = high), others zero.

    e.g. deployment_type("edge", setup=40_000, compression=15_000).
    """
    profile = DeploymentType.objects.get(kind=kind)
    for prefix in ("setup", "run", *ZERO_EXTRAS):
        value = float(exact_costs.pop(prefix, 0.0))
        for part in ("low", "likely", "high"):
            setattr(profile, f"{prefix}_{part}", value)
    if exact_costs:
        raise TypeError(f"unknown costs: {sorted(exact_costs)}")
    profile.save()
    return profile


class DeploymentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeploymentPlan

    idea = factory.SubFactory(IdeaFactory)
    deployment_type = factory.LazyFunction(lambda: DeploymentType.objects.get(kind="batch"))
    latency_ms = 200.0
    requests_per_day = 100_000.0
    freshness = "hours"
    data_location = "server"
    connectivity = "always"
    privacy_sensitive = False
    inputs_enumerable = False
    continuous_events = False
