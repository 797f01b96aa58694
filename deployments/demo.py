"""Deployment plans for the demo company's ideas: batch for back-office scoring,
request-response where a page waits for the answer, stream where events flow, and an edge
plan that cannot work. One idea (customer churn) is left unplanned on purpose: its page says
its deployment is not in its figures."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from deployments.models import DeploymentType
from deployments.services import save_deployment_plan
from valuechain.models import Idea

# idea title -> (deployment type, plan values)
DEMO_PLANS: dict[str, tuple[str, dict[str, Any]]] = {
    "Homepage personalisation": (
        "batch",
        {
            "latency_ms": 80,
            "requests_per_day": 400_000,
            "freshness": "hours",
            "data_location": "server",
            "connectivity": "always",
            "inputs_enumerable": True,
            "batch_schedule": "0 * * * *",
            "loads_realtime_storage": True,
        },
    ),
    "Cart abandonment nudges": (
        "batch",
        {
            "latency_ms": 3_600_000,
            "requests_per_day": 20_000,
            "freshness": "hours",
            "data_location": "server",
            "connectivity": "always",
            "inputs_enumerable": True,
            "batch_schedule": "15 * * * *",
        },
    ),
    "Search ranking with query understanding": (
        "request_response",
        {
            "latency_ms": 120,
            "requests_per_day": 2_000_000,
            "freshness": "seconds",
            "data_location": "server",
            "connectivity": "always",
            "api_protocol": "grpc",
            "api_contract": "service Ranking { rpc Rank(Query) returns (RankedProducts); }",
        },
    ),
    "Payment fraud scoring": (
        "stream",
        {
            "latency_ms": 300,
            "requests_per_day": 150_000,
            "freshness": "seconds",
            "data_location": "server",
            "connectivity": "always",
            "privacy_sensitive": True,
            "continuous_events": True,
            "input_contract": "orders.placed v2",
            "output_stream": "orders.fraud-scores",
        },
    ),
    "Return risk at checkout": (
        "edge",
        {
            "latency_ms": 50,
            "requests_per_day": 60_000,
            "freshness": "minutes",
            "data_location": "server",
            "connectivity": "none",
            "edge_platform": "android",
            "model_size_budget_mb": 20,
            "notes": "Drafted as an app feature; the data it needs only lives on our servers.",
        },
    ),
    "Delivery promise accuracy": (
        "request_response",
        {
            "latency_ms": 150,
            "requests_per_day": 900_000,
            "freshness": "minutes",
            "data_location": "server",
            "connectivity": "always",
            "api_protocol": "rest",
            "api_contract": "GET /delivery-promise?sku=&postcode= -> {earliest, latest}",
        },
    ),
    "Dynamic pricing against competitors": (
        "batch",
        {
            "latency_ms": 86_400_000,
            "requests_per_day": 40_000,
            "freshness": "days",
            "data_location": "server",
            "connectivity": "always",
            "inputs_enumerable": True,
            "batch_schedule": "30 4 * * *",
        },
    ),
    "Garden season demand forecast": (
        "batch",
        {
            "latency_ms": 86_400_000,
            "requests_per_day": 12_000,
            "freshness": "days",
            "data_location": "server",
            "connectivity": "always",
            "inputs_enumerable": True,
            "batch_schedule": "0 5 * * 1",
        },
    ),
    "Marketing budget allocation": (
        "batch",
        {
            "latency_ms": 86_400_000,
            "requests_per_day": 50,
            "freshness": "days",
            "data_location": "server",
            "connectivity": "always",
            "inputs_enumerable": True,
            "batch_schedule": "0 6 * * 1",
        },
    ),
    "Support ticket triage": (
        "stream",
        {
            "latency_ms": 2_000,
            "requests_per_day": 3_000,
            "freshness": "seconds",
            "data_location": "server",
            "connectivity": "always",
            "privacy_sensitive": True,
            "continuous_events": True,
            "input_contract": "Zendesk tickets v1",
            "output_stream": "support.ticket-routes",
        },
    ),
    "Seller stock-out alerts": (
        "batch",
        {
            "latency_ms": 86_400_000,
            "requests_per_day": 5_000,
            "freshness": "days",
            "data_location": "server",
            "connectivity": "always",
            "inputs_enumerable": True,
            "batch_schedule": "0 7 * * *",
        },
    ),
}


@transaction.atomic
def load_demo_plans() -> int:
    """Create or replace the demo plans of the demo ideas that exist; returns how many."""
    types = {t.kind: t for t in DeploymentType.objects.all()}
    ideas = {idea.title: idea for idea in Idea.objects.filter(title__in=DEMO_PLANS)}
    for title, (kind, values) in DEMO_PLANS.items():
        if title in ideas:
            save_deployment_plan(idea=ideas[title], deployment_type=types[kind], values=values)
    return len(ideas)
