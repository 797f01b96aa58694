"""Data contracts of the demo company (Hafen Market, valuechain.demo).

Contracts for a subset of the demo assets, so that idea pages show both healthy and risky
contract health: active contracts with a history (a compatible minor change, a breaking change
published as a new major), consumers pinned to majors, one contract still in draft and one
deprecated. Idempotent: a contract is found by its ODCS id, a version by its number within
the contract, a consumer by its name within the contract. Everything is written through
contracts.registry.services, so the demo follows the same rules (compatibility, version order)
as users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from contracts.models import DataContract
from contracts.notifications import services as notifications
from contracts.registry import services
from valuechain import models as vm

Schema = dict[str, Any]
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def record(title: str, properties: dict[str, Any], required: list[str]) -> Schema:
    return {
        "$schema": DRAFT_2020_12,
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        # closed: adding an optional property is then a compatible change under BACKWARD
        "additionalProperties": False,
    }


def with_property(
    schema: Schema,
    name: str,
    spec: dict[str, Any],
    *,
    required: bool = False,
    drop: tuple[str, ...] = (),
) -> Schema:
    """A copy of the schema with one property added (or replaced), others dropped."""
    properties = {k: v for k, v in schema["properties"].items() if k not in drop}
    properties[name] = spec
    needed = [k for k in schema["required"] if k not in drop]
    if required and name not in needed:
        needed.append(name)
    return {**schema, "properties": properties, "required": needed}


def duration(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def missing(
    field_name: str, max_ratio: float, window: str = "1d", metric: str = "missingValues"
) -> dict[str, Any]:
    return {
        "field": f"/properties/{field_name}",
        "metric": metric,
        "max_ratio": max_ratio,
        "max_count": None,
        "window": window,
    }


TEXT = {"type": "string"}
MONEY = {"type": "number", "minimum": 0}
WHEN = {"type": "string", "format": "date-time"}


@dataclass(frozen=True)
class VersionSpec:
    version: str
    json_schema: Schema
    notes: str
    sla: dict[str, Any]
    missing_thresholds: list[dict[str, Any]] = field(default_factory=list)
    semantics: dict[str, Any] = field(default_factory=dict)
    published: bool = True


@dataclass(frozen=True)
class ContractSpec:
    odcs_id: str
    name: str
    asset_type: str
    asset: str  # the asset's name in valuechain.demo
    owner: str
    producer_team: str
    purpose: str
    status: str
    versions: tuple[VersionSpec, ...]
    consumers: tuple[tuple[str, int], ...] = ()  # (name, pinned major)
    ideas: tuple[str, ...] = ()  # idea titles linked directly
    compatibility_mode: str = "BACKWARD"


# --- orders: a compatible minor change, then a breaking change as 2.0.0 ---------------------

ORDERS_V1 = record(
    "Order line",
    {
        "order_id": {"type": "integer", "minimum": 1},
        "line_number": {"type": "integer", "minimum": 1},
        "customer_id": TEXT,
        "sku": {"type": "string", "maxLength": 40},
        "quantity": {"type": "integer", "minimum": 1},
        "unit_price": MONEY,
        "discount": {"type": ["number", "null"], "minimum": 0},
        "currency": {"type": "string", "enum": ["EUR"]},
        "status": {
            "type": "string",
            "enum": ["placed", "paid", "shipped", "delivered", "returned", "cancelled"],
        },
        "ordered_at": WHEN,
    },
    [
        "order_id",
        "line_number",
        "customer_id",
        "sku",
        "quantity",
        "unit_price",
        "currency",
        "status",
        "ordered_at",
    ],
)
ORDERS_V1_1 = with_property(
    ORDERS_V1, "sales_channel", {"type": "string", "enum": ["web", "app", "marketplace"]}
)
# Order ids become the customer-facing text ids ("HM-2025-000123"): old readers break.
ORDERS_V2 = with_property(
    ORDERS_V1_1, "order_id", {"type": "string", "pattern": "^HM-[0-9]{4}-[0-9]{6}$"}, required=True
)
ORDERS_SEMANTICS = {
    "entity": "one line of a customer order",
    "fields": {
        "/properties/unit_price": "gross price per unit in EUR, VAT included",
        "/properties/discount": "voucher discount on the line in EUR; null when none",
        "/properties/ordered_at": "when the customer placed the order (UTC)",
    },
}
ORDERS_SLA = {
    "production_use": True,
    "max_lateness": duration(2, "h"),
    "freshness": duration(1, "d"),
    "retention": duration(7, "y"),
}

# --- payments: one compatible minor change --------------------------------------------------

PAYMENTS_V1 = record(
    "Payment event",
    {
        "payment_id": TEXT,
        "order_id": {"type": "integer", "minimum": 1},
        "method": {"type": "string", "enum": ["card", "paypal", "invoice", "instalments"]},
        "amount": MONEY,
        "kind": {"type": "string", "enum": ["capture", "refund", "chargeback"]},
        "card_country": {"type": ["string", "null"], "maxLength": 2},
        "settled_at": WHEN,
    },
    ["payment_id", "order_id", "method", "amount", "kind", "settled_at"],
)
PAYMENTS_V1_1 = with_property(
    PAYMENTS_V1,
    "three_ds_result",
    {"type": ["string", "null"], "enum": ["authenticated", "attempted", "failed", None]},
)
PAYMENTS_SEMANTICS = {
    "entity": "one money movement on an order at Adyen",
    "fields": {"/properties/amount": "amount moved in EUR, always positive; kind says which way"},
}
PAYMENTS_SLA = {
    "production_use": True,
    "max_lateness": duration(1, "d"),
    "freshness": duration(2, "d"),
    "retention": duration(10, "y"),
}

# --- web and app events: minor, then a breaking 2.0.0 ---------------------------------------

EVENTS_V1 = record(
    "Snowplow event",
    {
        "event_id": TEXT,
        "event_type": {
            "type": "string",
            "enum": ["page_view", "search", "add_to_cart", "checkout"],
        },
        "session_id": TEXT,
        "user_id": {"type": ["string", "null"]},
        "page_url": TEXT,
        "collector_at": WHEN,
    },
    ["event_id", "event_type", "session_id", "page_url", "collector_at"],
)
EVENTS_V1_1 = with_property(EVENTS_V1, "search_terms", {"type": ["string", "null"]})
# Consent handling: the device id replaces the user id and must be present on every event.
EVENTS_V2 = with_property(EVENTS_V1_1, "device_id", TEXT, required=True, drop=("user_id",))
EVENTS_SLA = {
    "production_use": True,
    "max_lateness": duration(15, "m"),
    "freshness": duration(1, "h"),
    "retention": duration(13, "mo"),
}

# --- sessions and customers: active, healthy ------------------------------------------------

SESSIONS_V1 = record(
    "Session",
    {
        "session_id": TEXT,
        "customer_id": {"type": ["string", "null"]},
        "started_at": WHEN,
        "page_views": {"type": "integer", "minimum": 0},
        "device_type": {"type": "string", "enum": ["desktop", "mobile", "tablet"]},
        "campaign": {"type": ["string", "null"]},
    },
    ["session_id", "started_at", "page_views", "device_type"],
)
SESSIONS_V1_1 = with_property(SESSIONS_V1, "added_to_cart", {"type": "boolean"})
SESSIONS_SLA = {
    "production_use": True,
    "max_lateness": duration(1, "h"),
    "freshness": duration(3, "h"),
}

CUSTOMERS_V1 = record(
    "Customer profile",
    {
        "customer_id": TEXT,
        "first_order_at": WHEN,
        "orders_total": {"type": "integer", "minimum": 0},
        "segment": {"type": "string", "enum": ["new", "regular", "loyal", "lapsed"]},
        "postcode_area": {"type": ["string", "null"], "maxLength": 3},
        "marketing_consent": {"type": "boolean"},
    },
    ["customer_id", "orders_total", "segment", "marketing_consent"],
)

# --- support: the curated dataset is still a draft; the raw export's contract is deprecated --

SUPPORT_V0 = record(
    "Support interaction",
    {
        "ticket_id": {"type": "integer"},
        "customer_id": {"type": ["string", "null"]},
        "topic": {"type": "string"},
        "sentiment": {"type": "number", "minimum": -1, "maximum": 1},
        "resolved": {"type": "boolean"},
        "opened_at": WHEN,
    },
    ["ticket_id", "topic", "opened_at"],
)
TICKETS_V1 = record(
    "Zendesk ticket",
    {
        "id": {"type": "integer"},
        "requester_email": {"type": ["string", "null"]},
        "subject": TEXT,
        "description": TEXT,
        "tags": {"type": "array", "items": TEXT},
        "satisfaction": {"type": ["string", "null"], "enum": ["good", "bad", None]},
        "created_at": WHEN,
    },
    ["id", "subject", "description", "created_at"],
)
TICKETS_V1_1 = with_property(
    TICKETS_V1, "channel", {"type": "string", "enum": ["email", "chat", "phone", "web"]}
)
TICKETS_SLA = {
    "production_use": False,
    "max_lateness": duration(1, "d"),
    "freshness": duration(2, "d"),
}


DEMO_CONTRACTS = (
    ContractSpec(
        odcs_id="hafen-orders",
        name="Orders",
        asset_type="curated_dataset",
        asset="orders",
        owner="chen",
        producer_team="Analytics engineering",
        purpose="Order lines for finance, fraud and demand models.",
        status=DataContract.Status.ACTIVE,
        versions=(
            VersionSpec(
                "1.0.0",
                ORDERS_V1,
                "First published contract.",
                ORDERS_SLA,
                [missing("customer_id", 0.0), missing("discount", 0.9, metric="nullValues")],
                ORDERS_SEMANTICS,
            ),
            VersionSpec(
                "1.1.0",
                ORDERS_V1_1,
                "Adds the optional sales channel.",
                ORDERS_SLA,
                [missing("customer_id", 0.0), missing("sales_channel", 0.05)],
                ORDERS_SEMANTICS,
            ),
            VersionSpec(
                "2.0.0",
                ORDERS_V2,
                "Order ids become the text ids customers see (HM-YYYY-NNNNNN).",
                ORDERS_SLA,
                [missing("customer_id", 0.0), missing("sales_channel", 0.02)],
                ORDERS_SEMANTICS,
            ),
        ),
        consumers=(
            ("Payment fraud scoring model", 2),
            ("Garden season demand forecast", 2),
            ("Finance monthly close", 1),
        ),
        ideas=("Payment fraud scoring",),
    ),
    ContractSpec(
        odcs_id="hafen-payments",
        name="Payments",
        asset_type="curated_dataset",
        asset="payments",
        owner="chen",
        producer_team="Analytics engineering",
        purpose="Captures, refunds and chargebacks per order.",
        status=DataContract.Status.ACTIVE,
        versions=(
            VersionSpec(
                "1.0.0",
                PAYMENTS_V1,
                "First published contract.",
                PAYMENTS_SLA,
                [missing("card_country", 0.4, metric="nullValues")],
                PAYMENTS_SEMANTICS,
            ),
            VersionSpec(
                "1.1.0",
                PAYMENTS_V1_1,
                "Adds the 3-D Secure outcome.",
                PAYMENTS_SLA,
                [
                    missing("card_country", 0.4, metric="nullValues"),
                    missing("three_ds_result", 0.5, metric="nullValues"),
                ],
                PAYMENTS_SEMANTICS,
            ),
        ),
        consumers=(("Payment fraud scoring model", 1), ("Finance monthly close", 1)),
        ideas=("Payment fraud scoring",),
    ),
    ContractSpec(
        odcs_id="hafen-web-events",
        name="Web and app events",
        asset_type="raw_source",
        asset="Snowplow web and app events",
        owner="dara",
        producer_team="Data platform",
        purpose="Raw behavioural events from the shop and the app.",
        status=DataContract.Status.ACTIVE,
        versions=(
            VersionSpec(
                "1.0.0",
                EVENTS_V1,
                "First published contract.",
                EVENTS_SLA,
                [missing("session_id", 0.001, window="1h")],
            ),
            VersionSpec(
                "1.1.0",
                EVENTS_V1_1,
                "Adds the search terms of search events.",
                EVENTS_SLA,
                [missing("session_id", 0.001, window="1h")],
            ),
            VersionSpec(
                "2.0.0",
                EVENTS_V2,
                "Consent rules: a pseudonymous device id replaces the user id.",
                EVENTS_SLA,
                [missing("device_id", 0.0, window="1h")],
            ),
        ),
        consumers=(("sessions pipeline", 2), ("Search relevance team", 1)),
    ),
    ContractSpec(
        odcs_id="hafen-sessions",
        name="Sessions",
        asset_type="curated_dataset",
        asset="sessions",
        owner="chen",
        producer_team="Analytics engineering",
        purpose="Sessionised events for personalisation and attribution.",
        status=DataContract.Status.ACTIVE,
        versions=(
            VersionSpec(
                "1.0.0",
                SESSIONS_V1,
                "First published contract.",
                SESSIONS_SLA,
                [missing("device_type", 0.01)],
            ),
            VersionSpec(
                "1.1.0",
                SESSIONS_V1_1,
                "Adds whether the session added to the cart.",
                SESSIONS_SLA,
                [missing("device_type", 0.01)],
            ),
        ),
        consumers=(("Homepage personalisation model", 1), ("Cart abandonment nudges", 1)),
    ),
    ContractSpec(
        odcs_id="hafen-customers-360",
        name="Customer 360",
        asset_type="curated_dataset",
        asset="customers_360",
        owner="chen",
        producer_team="Analytics engineering",
        purpose="One profile per customer, consent included.",
        status=DataContract.Status.ACTIVE,
        versions=(
            VersionSpec(
                "1.0.0",
                CUSTOMERS_V1,
                "First published contract.",
                {"production_use": True, "freshness": duration(1, "d")},
                [missing("postcode_area", 0.1, metric="nullValues")],
            ),
        ),
        consumers=(("Customer churn early warning", 1),),
    ),
    ContractSpec(
        odcs_id="hafen-support-interactions",
        name="Support interactions",
        asset_type="curated_dataset",
        asset="support_interactions",
        owner="chen",
        producer_team="Analytics engineering",
        purpose="Proposed: cleaned tickets with topics and sentiment. Not agreed yet.",
        status=DataContract.Status.DRAFT,
        versions=(
            VersionSpec(
                "0.1.0",
                SUPPORT_V0,
                "Proposal for review.",
                {"production_use": False, "freshness": duration(1, "d")},
                published=False,
            ),
        ),
    ),
    ContractSpec(
        odcs_id="hafen-zendesk-tickets",
        name="Zendesk tickets",
        asset_type="raw_source",
        asset="Zendesk ticket export",
        owner="dara",
        producer_team="Data platform",
        purpose="Deprecated: the nightly export is being replaced by the support "
        "interactions dataset; no new consumers.",
        status=DataContract.Status.DEPRECATED,
        versions=(
            VersionSpec(
                "1.0.0",
                TICKETS_V1,
                "First published contract.",
                TICKETS_SLA,
                [missing("requester_email", 0.2, metric="nullValues")],
            ),
            VersionSpec(
                "1.1.0",
                TICKETS_V1_1,
                "Adds the contact channel.",
                TICKETS_SLA,
                [missing("requester_email", 0.2, metric="nullValues")],
            ),
        ),
        consumers=(("Support ticket triage", 1),),
    ),
)


# Who is in each consumer's team (usernames; the first answers for it): they hear of the
# contract's breaches in the app and by email. The demo's people are created by valuechain.demo.
CONSUMER_TEAMS: dict[str, tuple[str, ...]] = {
    "Payment fraud scoring model": ("fraud", "ana", "ben"),
    "Finance monthly close": ("finance",),
    "Garden season demand forecast": ("forecast", "ana"),
    "Homepage personalisation model": ("growth", "ben"),
    "Cart abandonment nudges": ("growth",),
    "Customer churn early warning": ("growth", "ana"),
    "Search relevance team": ("growth", "eli"),
    "sessions pipeline": ("dara",),
    "Support ticket triage": ("support", "chen"),
}


def _asset_id(spec: ContractSpec) -> int:
    model = vm.ASSET_MODELS[spec.asset_type]
    return int(model._default_manager.get(name=spec.asset).pk)


@transaction.atomic
def load_demo_contracts(specs: tuple[ContractSpec, ...] = DEMO_CONTRACTS) -> dict[str, int]:
    """Create or update the demo contracts; existing versions are kept as published."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in={spec.owner for spec in specs})
    }
    ideas = {
        idea.title: idea
        for idea in vm.Idea.objects.filter(
            title__in={title for spec in specs for title in spec.ideas}
        )
    }
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in={u for team in CONSUMER_TEAMS.values() for u in team}
        )
    }
    versions = 0
    for spec in specs:
        values: dict[str, Any] = {
            "name": spec.name,
            "asset_type": spec.asset_type,
            "asset_id": _asset_id(spec),
            "owner": users.get(spec.owner),
            "producer_team": spec.producer_team,
            "purpose": spec.purpose,
            "status": spec.status,
            "compatibility_mode": spec.compatibility_mode,
            "ideas": [ideas[title] for title in spec.ideas if title in ideas],
        }
        contract = DataContract.objects.filter(odcs_id=spec.odcs_id).first()
        if contract is None:
            contract = services.create_contract(odcs_id=spec.odcs_id, **values)
        else:
            services.update_contract(contract=contract, changes=values)
        existing = set(contract.versions.values_list("version", flat=True))
        for version in spec.versions:
            if version.version not in existing:
                services.publish_version(
                    contract=contract,
                    version=version.version,
                    json_schema=version.json_schema,
                    semantics=version.semantics,
                    sla=version.sla,
                    missing_thresholds=version.missing_thresholds,
                    change_notes=version.notes,
                    user=users.get(spec.owner),
                    publish=version.published,
                )
            versions += 1
        for name, major in spec.consumers:
            consumer = services.pin_consumer(contract=contract, name=name, pinned_major=major)
            team = [people[u] for u in CONSUMER_TEAMS.get(name, ()) if u in people]
            notifications.set_consumer_team(consumer=consumer, users=team)
    return {
        "data contracts": len(specs),
        "contract versions": versions,
        "contract consumers": sum(len(spec.consumers) for spec in specs),
    }
