"""Deployment rows -> the engine's Deployment: what deploying adds to C0 and R."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from deployments.models import DeploymentPlan, DeploymentType, Kind
from valuechain.engine import chain
from valuechain.estimates import DayRates, estimate_of


def _sum(*estimates: chain.Estimate) -> chain.Estimate:
    # Component-wise: the PERT mean of a sum is the sum of the means.
    return chain.Estimate(
        sum(e.low for e in estimates),
        sum(e.likely for e in estimates),
        sum(e.high for e in estimates),
    )


def _rates_of(rows: Iterable[models.Model]) -> dict[int, float]:
    """Day rates of the roles the rows' person-day estimates use (through their FKs)."""
    rates: dict[int, float] = {}
    for row in rows:
        for prefix in ("setup", "run"):
            if getattr(row, f"{prefix}_days_role_id", None) is not None:
                role = getattr(row, f"{prefix}_days_role")
                rates[role.pk] = float(role.day_rate)
    return rates


def type_deployment(
    deployment_type: DeploymentType,
    *,
    plan: DeploymentPlan | None = None,
    realtime_storage: bool = False,
    rates: DayRates | None = None,
) -> chain.Deployment:
    """The engine Deployment for a type; a plan's own setup/run estimates win over the type's.

    Edge adds model compression (one-off) and the on-device runtime (yearly); batch adds
    real-time storage when predictions are served from it; request-response and stream
    serve features online, at the type's cost per offline-only feature.
    """
    if rates is None:
        rates = _rates_of([deployment_type] if plan is None else [deployment_type, plan])

    def pick(prefix: str) -> chain.Estimate:
        if plan is not None and plan.has_estimate(prefix):
            return estimate_of(plan, prefix, rates)
        return estimate_of(deployment_type, prefix, rates)

    setup, run = pick("setup"), pick("run")
    if deployment_type.kind == Kind.EDGE:
        setup = _sum(setup, estimate_of(deployment_type, "compression", rates))
        run = _sum(run, estimate_of(deployment_type, "device_runtime", rates))
    if deployment_type.kind == Kind.BATCH and realtime_storage:
        setup = _sum(setup, estimate_of(deployment_type, "realtime_storage_setup", rates))
        run = _sum(run, estimate_of(deployment_type, "realtime_storage_run", rates))
    online = deployment_type.needs_online_features
    return chain.Deployment(
        setup=setup,
        run=run,
        online_serving=online,
        online_feature_setup=(
            estimate_of(deployment_type, "online_feature_setup", rates)
            if online
            else chain.Estimate.ZERO
        ),
        online_feature_run=(
            estimate_of(deployment_type, "online_feature_run", rates)
            if online
            else chain.Estimate.ZERO
        ),
    )


def to_engine_deployment(plan: DeploymentPlan, rates: DayRates | None = None) -> chain.Deployment:
    """A plan with its type (select `deployment_plan__deployment_type`) -> engine Deployment."""
    return type_deployment(
        plan.deployment_type,
        plan=plan,
        realtime_storage=plan.loads_realtime_storage,
        rates=rates,
    )
