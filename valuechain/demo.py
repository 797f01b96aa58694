"""Demo data: Hafen Market, an online marketplace for home and garden goods.

Idempotent: every row is found by its natural key (username, asset name, idea title, need name
within its idea, the assignment's idea/tier/role/person) and updated in place, inside one
transaction. Demo passwords are reset on every run; they are for local demos only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction

from contracts.demo import DEMO_CONTRACTS, load_demo_contracts
from contracts.demo_activity import MORE_CONTRACTS, load_demo_activity
from deployments.demo import load_demo_plans
from valuechain import models as m
from valuechain.analysis import services as analysis
from valuechain.ideas import selectors as ideas
from valuechain.platform.roles import DATA_LEADS, EXECUTIVES, PRODUCT_MANAGERS

DEMO_PASSWORD = "valuechain-demo"

DS, MLE, AE, DE, SWE = (
    "Data scientist",
    "ML engineer",
    "Analytics engineer",
    "Data engineer",
    "Software engineer",
)

# username: (first name, last name, group, staff/superuser)
USERS: dict[str, tuple[str, str, str | None, bool]] = {
    "admin": ("Ada", "Admin", None, True),
    "pm": ("Paula", "Martens", PRODUCT_MANAGERS, False),
    "pm2": ("Piet", "Mulder", PRODUCT_MANAGERS, False),
    "lead": ("Lena", "Eckhardt", DATA_LEADS, False),
    "exec": ("Elif", "Xu", EXECUTIVES, False),
    # the people data leads assign to ideas
    "ana": ("Ana", "Souza", None, False),  # data scientist
    "ben": ("Ben", "Okafor", None, False),  # ML engineer
    "chen": ("Chen", "Wei", None, False),  # analytics engineer
    "dara": ("Dara", "Byrne", None, False),  # data engineer
    "eli": ("Eli", "Novak", None, False),  # software engineer
    # the consumer teams' people (contracts.demo.CONSUMER_TEAMS): told of breaches by email
    "fraud": ("Farah", "Idowu", None, False),  # payment fraud scoring
    "finance": ("Frank", "Lindqvist", None, False),  # monthly close
    "forecast": ("Greta", "Holm", None, False),  # demand forecasting
    "growth": ("Gus", "Rahman", None, False),  # personalisation, churn, search
    "support": ("Sol", "Park", None, False),  # support tooling
}

Money = tuple[float, float, float]


@dataclass(frozen=True)
class Cost:
    """A three-point estimate, in money or (with `role`) in person-days of that role."""

    low: float
    likely: float
    high: float
    role: str | None = None

    def fields(self, prefix: str, roles: dict[str, m.Role]) -> dict[str, Any]:
        return {
            f"{prefix}_low": self.low,
            f"{prefix}_likely": self.likely,
            f"{prefix}_high": self.high,
            f"{prefix}_days_role": roles[self.role] if self.role else None,
        }


def eur(low: float, likely: float, high: float) -> Cost:
    return Cost(low, likely, high)


def days(role: str, low: float, likely: float, high: float) -> Cost:
    return Cost(low, likely, high, role)


NOTHING = eur(0, 0, 0)


@dataclass(frozen=True)
class AssetSpec:
    name: str
    description: str
    owner: str
    available: bool
    build: Cost = NOTHING
    run: Cost = NOTHING
    feasibility: float | None = None  # None: the tier's default
    upstream: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def acquisition(
    name: str,
    provider: str,
    description: str,
    build: Cost,
    run: Cost,
    feasibility: float | None = None,
) -> AssetSpec:
    return AssetSpec(
        name, description, "lead", False, build, run, feasibility, extra={"provider": provider}
    )


def raw(
    name: str,
    system: str,
    description: str,
    *,
    available: bool,
    build: Cost,
    run: Cost,
    readiness: tuple[bool | None, bool | None, bool | None, bool | None],
    acquired_by: str | None = None,
    feasibility: float | None = None,
    owner: str = "dara",
) -> AssetSpec:
    current, regular, quality, sla = readiness
    return AssetSpec(
        name,
        description,
        owner,
        available,
        build,
        run,
        feasibility,
        upstream=(acquired_by,) if acquired_by else (),
        extra={
            "system": system,
            "is_current": current,
            "arrives_regularly": regular,
            "quality_ensurable": quality,
            "sla_establishable": sla,
        },
    )


def curated(
    name: str,
    description: str,
    upstream: tuple[str, ...],
    *,
    available: bool = True,
    build: Cost = NOTHING,
    run: Cost = NOTHING,
    feasibility: float | None = None,
    owner: str = "chen",
) -> AssetSpec:
    return AssetSpec(name, description, owner, available, build, run, feasibility, upstream)


def feature(
    name: str,
    group: str,
    description: str,
    upstream: tuple[str, ...],
    *,
    available: bool = True,
    online: bool = False,
    build: Cost = NOTHING,
    run: Cost = NOTHING,
    feasibility: float | None = None,
    owner: str = "ben",
) -> AssetSpec:
    return AssetSpec(
        name,
        description,
        owner,
        available,
        build,
        run,
        feasibility,
        upstream,
        extra={"feature_group": group, "online": online},
    )


ACQUISITION_OPTIONS = [
    acquisition(
        "ParcelPoint carrier tracking API",
        "ParcelPoint",
        "Scan events from our three parcel carriers through one aggregator API.",
        eur(45_000, 60_000, 95_000),
        eur(15_000, 18_000, 24_000),
        0.7,
    ),
    acquisition(
        "MeteoGrid regional weather feed",
        "MeteoGrid",
        "Daily history and 14-day forecasts per postcode area, licensed per year.",
        eur(12_000, 18_000, 30_000),
        eur(9_000, 12_000, 15_000),
        0.85,
    ),
    acquisition(
        "PriceRadar competitor price licence",
        "PriceRadar",
        "Scraped shelf prices of four competitors, matched to our catalogue by EAN.",
        eur(40_000, 65_000, 120_000),
        eur(28_000, 36_000, 48_000),
        0.5,
    ),
    acquisition(
        "Seller ERP inventory connectors",
        "in-house",
        "Connectors to the ERPs of our top 200 sellers for live stock levels.",
        days(SWE, 80, 120, 200),
        eur(20_000, 25_000, 35_000),
        0.45,
    ),
    acquisition(
        "CrediScore buyer risk scores",
        "CrediScore",
        "Credit bureau risk bands for invoice and instalment buyers, per lookup.",
        eur(20_000, 30_000, 50_000),
        eur(30_000, 40_000, 55_000),
    ),
]

RAW_SOURCES = [
    raw(
        "Snowplow web and app events",
        "Snowplow",
        "Page views, searches and cart events.",
        available=True,
        build=days(DE, 8, 12, 20),
        run=eur(4_000, 5_000, 7_000),
        readiness=(True, True, True, True),
    ),
    raw(
        "Order management system tables",
        "OMS (PostgreSQL)",
        "Orders, order lines and status changes replicated hourly.",
        available=True,
        build=days(DE, 4, 6, 10),
        run=eur(2_000, 3_000, 4_000),
        readiness=(True, True, True, True),
        feasibility=0.95,
    ),
    raw(
        "Adyen settlement files",
        "Adyen",
        "Daily settlement and chargeback reports.",
        available=True,
        build=days(DE, 5, 8, 12),
        run=eur(1_500, 2_000, 3_000),
        readiness=(True, True, True, True),
        feasibility=0.9,
    ),
    raw(
        "Zendesk ticket export",
        "Zendesk",
        "Tickets with free text, tags and satisfaction ratings; nightly export.",
        available=True,
        build=days(DE, 10, 15, 30),
        run=eur(3_000, 4_000, 6_000),
        readiness=(True, True, None, False),
    ),
    raw(
        "Product information management (PIM)",
        "Akeneo",
        "Product master data, categories and attributes from sellers.",
        available=True,
        build=days(DE, 4, 5, 8),
        run=eur(1_000, 1_500, 2_000),
        readiness=(True, True, True, True),
        feasibility=0.9,
    ),
    raw(
        "Warehouse scan events",
        "WMS",
        "Goods-in, pick, pack and ship scans from our two fulfilment centres.",
        available=True,
        build=days(DE, 10, 14, 25),
        run=eur(3_000, 4_000, 5_000),
        readiness=(True, True, True, None),
    ),
    raw(
        "Ad platform spend exports",
        "Google Ads / Meta",
        "Campaign spend and clicks, pulled by hand once a week.",
        available=True,
        build=days(DE, 15, 20, 35),
        run=eur(4_000, 6_000, 9_000),
        readiness=(False, False, True, None),
        feasibility=0.65,
    ),
    raw(
        "Carrier delivery events",
        "ParcelPoint",
        "Delivery scans per parcel: not arriving yet, needs the carrier API.",
        available=False,
        build=days(DE, 10, 15, 25),
        run=eur(3_000, 4_000, 6_000),
        readiness=(None, None, None, None),
        acquired_by="ParcelPoint carrier tracking API",
    ),
    raw(
        "Weather history and forecasts",
        "MeteoGrid",
        "Per postcode area, once the licence is signed.",
        available=False,
        build=days(DE, 5, 8, 12),
        run=eur(1_000, 2_000, 3_000),
        readiness=(None, True, None, True),
        acquired_by="MeteoGrid regional weather feed",
    ),
    raw(
        "Competitor shelf prices",
        "PriceRadar",
        "Daily competitor prices matched by EAN.",
        available=False,
        build=days(DE, 12, 20, 35),
        run=eur(4_000, 6_000, 9_000),
        readiness=(None, True, False, None),
        acquired_by="PriceRadar competitor price licence",
    ),
    raw(
        "Seller stock levels",
        "Seller ERPs",
        "Stock per seller and SKU, every 15 minutes.",
        available=False,
        build=days(DE, 15, 25, 45),
        run=eur(6_000, 8_000, 12_000),
        readiness=(None, None, False, False),
        acquired_by="Seller ERP inventory connectors",
    ),
    raw(
        "Buyer credit bureau responses",
        "CrediScore",
        "Risk band per buyer lookup.",
        available=False,
        build=days(DE, 5, 8, 12),
        run=eur(1_000, 1_500, 2_500),
        readiness=(None, True, True, True),
        acquired_by="CrediScore buyer risk scores",
    ),
]

CURATED_DATASETS = [
    curated(
        "orders",
        "One row per order line with prices, discounts and status history.",
        ("Order management system tables", "Adyen settlement files"),
    ),
    curated(
        "sessions",
        "Sessionised web and app events with attribution to campaigns.",
        ("Snowplow web and app events",),
    ),
    curated(
        "customers_360",
        "Customer profile joining orders, sessions and consents.",
        ("Order management system tables", "Snowplow web and app events"),
    ),
    curated(
        "products",
        "Cleaned product master with category tree and margins.",
        ("Product information management (PIM)",),
    ),
    curated(
        "returns",
        "Returns with reasons, refunds and the ticket they came from.",
        ("Order management system tables", "Zendesk ticket export"),
    ),
    curated(
        "payments", "Payments, refunds and chargebacks per order.", ("Adyen settlement files",)
    ),
    curated(
        "inventory_snapshots",
        "Daily stock on hand per SKU and fulfilment centre.",
        ("Warehouse scan events",),
        owner="dara",
    ),
    curated(
        "support_interactions",
        "Tickets with cleaned text, topics and outcomes.",
        ("Zendesk ticket export",),
        available=False,
        build=days(AE, 15, 20, 35),
        run=eur(3_000, 4_000, 6_000),
        feasibility=0.8,
    ),
    curated(
        "marketing_attribution",
        "Spend, clicks and conversions per channel and day.",
        ("Ad platform spend exports", "Snowplow web and app events"),
        available=False,
        build=days(AE, 20, 30, 50),
        run=eur(5_000, 6_000, 9_000),
        feasibility=0.75,
    ),
    curated(
        "deliveries",
        "Parcel journeys with promised and actual delivery dates.",
        ("Carrier delivery events", "Order management system tables"),
        available=False,
        build=days(AE, 12, 18, 30),
        run=eur(3_000, 4_000, 6_000),
    ),
    curated(
        "weather_daily_by_region",
        "Weather per day and postcode area.",
        ("Weather history and forecasts",),
        available=False,
        build=days(AE, 4, 6, 10),
        run=eur(1_000, 1_500, 2_000),
        feasibility=0.95,
    ),
    curated(
        "competitor_prices_daily",
        "Our price against the cheapest competitor per SKU.",
        ("Competitor shelf prices",),
        available=False,
        build=days(AE, 15, 25, 40),
        run=eur(4_000, 5_000, 8_000),
        feasibility=0.7,
    ),
    curated(
        "seller_stock_daily",
        "Seller stock per SKU, deduplicated and reconciled.",
        ("Seller stock levels",),
        available=False,
        build=days(AE, 15, 20, 35),
        run=eur(4_000, 5_000, 7_000),
    ),
    curated(
        "credit_risk_profiles",
        "Buyer risk band with lookup history.",
        ("Buyer credit bureau responses",),
        available=False,
        build=days(AE, 6, 8, 14),
        run=eur(1_000, 2_000, 3_000),
    ),
]

FEATURES = [
    # orders
    feature(
        "customer_order_count_90d",
        "customer",
        "Orders in the last 90 days.",
        ("orders",),
        online=True,
    ),
    feature(
        "customer_avg_basket_value_90d",
        "customer",
        "Average basket value, 90 days.",
        ("orders",),
        online=True,
    ),
    feature(
        "days_since_last_order", "customer", "Recency of the last order.", ("orders",), online=True
    ),
    feature(
        "product_sales_velocity_7d", "product", "Units sold per day, last 7 days.", ("orders",)
    ),
    feature(
        "product_sales_velocity_28d", "product", "Units sold per day, last 28 days.", ("orders",)
    ),
    feature(
        "category_revenue_trend_28d",
        "category",
        "Revenue trend per category.",
        ("orders", "products"),
    ),
    # sessions
    feature(
        "session_page_views",
        "session",
        "Page views in the current session.",
        ("sessions",),
        online=True,
    ),
    feature(
        "product_view_count_24h",
        "product",
        "Product detail views, last 24 hours.",
        ("sessions",),
        online=True,
    ),
    feature(
        "add_to_cart_rate_7d",
        "product",
        "Add-to-cart per product view, 7 days.",
        ("sessions",),
        online=True,
    ),
    feature(
        "session_device_type",
        "session",
        "Device of the current session.",
        ("sessions",),
        online=True,
    ),
    feature(
        "search_query_embedding",
        "session",
        "Embedding of the session's search terms.",
        ("sessions",),
        available=False,
        online=False,
        build=days(DS, 15, 25, 45),
        run=eur(3_000, 4_000, 6_000),
        owner="ana",
    ),
    # customers
    feature(
        "customer_tenure_days",
        "customer",
        "Days since the first order.",
        ("customers_360",),
        online=True,
    ),
    feature(
        "customer_lifetime_value",
        "customer",
        "Predicted 2-year margin per customer.",
        ("customers_360",),
    ),
    feature("customer_segment", "customer", "Marketing segment.", ("customers_360",), online=True),
    feature(
        "customer_region",
        "customer",
        "Postcode area of the delivery address.",
        ("customers_360",),
        online=True,
    ),
    # products
    feature("product_price", "product", "Current selling price.", ("products",), online=True),
    feature("product_margin", "product", "Contribution margin after fees.", ("products",)),
    feature(
        "product_category_embedding",
        "product",
        "Embedding of the category path.",
        ("products",),
        available=False,
        build=days(DS, 6, 10, 18),
        run=eur(500, 1_000, 1_500),
        owner="ana",
    ),
    feature(
        "product_image_quality_score",
        "product",
        "Sharpness and background score.",
        ("products",),
        available=False,
        build=days(DS, 20, 30, 60),
        run=eur(4_000, 6_000, 9_000),
        feasibility=0.7,
        owner="ana",
    ),
    # returns
    feature(
        "customer_return_rate_180d", "customer", "Share of items returned, 180 days.", ("returns",)
    ),
    feature(
        "product_return_rate_90d", "product", "Share of units returned, 90 days.", ("returns",)
    ),
    feature(
        "return_reason_distribution",
        "product",
        "Share of each return reason.",
        ("returns",),
        available=False,
        build=days(DS, 5, 8, 14),
        run=eur(500, 800, 1_200),
    ),
    # payments
    feature(
        "payment_method_risk",
        "payment",
        "Historic fraud rate of the payment method.",
        ("payments",),
        online=True,
    ),
    feature("chargeback_count_365d", "customer", "Chargebacks in the last year.", ("payments",)),
    feature(
        "card_country_mismatch",
        "payment",
        "Card country differs from the address.",
        ("payments", "customers_360"),
        available=False,
        build=days(MLE, 4, 6, 10),
        run=eur(500, 800, 1_000),
    ),
    # inventory
    feature(
        "stock_on_hand",
        "product",
        "Units in stock across fulfilment centres.",
        ("inventory_snapshots",),
    ),
    feature(
        "days_of_cover",
        "product",
        "Stock on hand over forecast daily demand.",
        ("inventory_snapshots", "orders"),
        available=False,
        build=days(DS, 5, 8, 12),
        run=eur(500, 800, 1_200),
    ),
    # support
    feature(
        "ticket_count_90d",
        "customer",
        "Support tickets in the last 90 days.",
        ("support_interactions",),
        available=False,
        build=days(MLE, 3, 5, 8),
        run=eur(300, 500, 800),
    ),
    feature(
        "ticket_sentiment_score",
        "customer",
        "Sentiment of the latest ticket.",
        ("support_interactions",),
        available=False,
        build=days(DS, 15, 20, 35),
        run=eur(2_000, 3_000, 5_000),
        feasibility=0.75,
        owner="ana",
    ),
    # marketing
    feature(
        "acquisition_channel",
        "customer",
        "Channel of the first visit.",
        ("marketing_attribution",),
        available=False,
        build=days(MLE, 3, 4, 6),
        run=eur(300, 500, 800),
    ),
    feature(
        "cost_per_acquisition_by_channel",
        "channel",
        "Spend per new customer.",
        ("marketing_attribution",),
        available=False,
        build=days(DS, 6, 8, 14),
        run=eur(500, 800, 1_200),
    ),
    # deliveries
    feature(
        "carrier_on_time_rate",
        "carrier",
        "On-time share per carrier and region.",
        ("deliveries",),
        available=False,
        build=days(MLE, 5, 8, 12),
        run=eur(800, 1_000, 1_500),
    ),
    feature(
        "expected_delivery_delay",
        "order",
        "Predicted delay against the promise.",
        ("deliveries", "weather_daily_by_region"),
        available=False,
        build=days(DS, 15, 25, 40),
        run=eur(2_000, 3_000, 4_000),
        feasibility=0.8,
    ),
    # weather
    feature(
        "regional_temperature_forecast_7d",
        "region",
        "Forecast temperature, 7 days.",
        ("weather_daily_by_region",),
        available=False,
        build=days(MLE, 3, 4, 6),
        run=eur(300, 500, 800),
    ),
    # competitors
    feature(
        "price_gap_to_competitors",
        "product",
        "Our price over the cheapest rival.",
        ("competitor_prices_daily",),
        available=False,
        build=days(MLE, 5, 8, 12),
        run=eur(1_000, 1_500, 2_000),
    ),
    # seller stock
    feature(
        "seller_stock_availability",
        "product",
        "Seller stock over expected demand.",
        ("seller_stock_daily",),
        available=False,
        build=days(MLE, 5, 8, 14),
        run=eur(1_000, 1_500, 2_500),
    ),
    # credit
    feature(
        "buyer_credit_score_band",
        "customer",
        "Risk band of invoice buyers.",
        ("credit_risk_profiles",),
        available=False,
        build=days(MLE, 3, 4, 6),
        run=eur(300, 500, 800),
    ),
]


@dataclass(frozen=True)
class NeedSpec:
    name: str
    asset_type: str
    asset: str
    engineering: Cost
    weight: float = 1.0
    essential: bool = True


@dataclass(frozen=True)
class IdeaSpec:
    title: str
    owner: str
    status: str
    description: str
    benefit: Money
    probability: float
    needs: tuple[NeedSpec, ...]
    horizon_years: int = 3
    discount_rate: float = 0.10


def f(
    asset: str, signal: str, engineering: Cost, weight: float = 1.0, essential: bool = True
) -> NeedSpec:
    return NeedSpec(signal, "feature", asset, engineering, weight, essential)


def c(
    asset: str, signal: str, engineering: Cost, weight: float = 1.0, essential: bool = True
) -> NeedSpec:
    return NeedSpec(signal, "curated_dataset", asset, engineering, weight, essential)


def r(
    asset: str, signal: str, engineering: Cost, weight: float = 1.0, essential: bool = True
) -> NeedSpec:
    return NeedSpec(signal, "raw_source", asset, engineering, weight, essential)


S = m.Idea.Status

IDEAS = [
    IdeaSpec(
        "Homepage personalisation",
        "pm",
        S.SHIPPED,
        "Reorder homepage tiles by what each returning customer is likely to buy.",
        (80_000, 120_000, 200_000),
        0.75,
        (
            f("customer_segment", "Customer segment", days(DS, 2, 3, 5), 1),
            f("customer_avg_basket_value_90d", "Basket value", days(DS, 1, 2, 4), 1),
            f("product_view_count_24h", "Trending products", days(DS, 2, 3, 6), 2),
            f("session_device_type", "Device", days(DS, 1, 1, 2), 0.5, essential=False),
        ),
    ),
    IdeaSpec(
        "Cart abandonment nudges",
        "pm",
        S.APPROVED,
        "Time a reminder e-mail by how likely the cart is to be completed without one.",
        (40_000, 60_000, 90_000),
        0.7,
        (
            f("session_page_views", "Session depth", days(DS, 2, 3, 5)),
            f("add_to_cart_rate_7d", "Product add-to-cart rate", days(DS, 1, 2, 3)),
            f("days_since_last_order", "Recency", days(DS, 1, 2, 3), 0.5, essential=False),
        ),
    ),
    IdeaSpec(
        "Search ranking with query understanding",
        "pm",
        S.IN_PROGRESS,
        "Rank search results by intent, using embeddings of what customers type.",
        (150_000, 220_000, 380_000),
        0.6,
        (
            f("search_query_embedding", "Query meaning", days(MLE, 10, 15, 25), 3),
            f("product_category_embedding", "Category meaning", days(MLE, 3, 5, 8), 2),
            f("add_to_cart_rate_7d", "Conversion signal", days(DS, 1, 2, 3), 1),
            f(
                "product_image_quality_score",
                "Image quality",
                days(DS, 2, 3, 5),
                0.5,
                essential=False,
            ),
        ),
    ),
    IdeaSpec(
        "Return risk at checkout",
        "pm",
        S.PROPOSED,
        "Warn buyers about sizing or fit before they order items that often come back.",
        (70_000, 100_000, 160_000),
        0.6,
        (
            f("product_return_rate_90d", "Product return rate", days(DS, 2, 3, 5), 2),
            f("customer_return_rate_180d", "Customer return habit", days(DS, 1, 2, 4), 1),
            f(
                "return_reason_distribution",
                "Why items come back",
                days(DS, 2, 4, 6),
                1,
                essential=False,
            ),
            f(
                "ticket_sentiment_score",
                "Complaints about fit",
                days(DS, 5, 8, 14),
                0.5,
                essential=False,
            ),
        ),
    ),
    IdeaSpec(
        "Payment fraud scoring",
        "pm2",
        S.APPROVED,
        "Score orders before capture; hold the riskiest for manual review.",
        (150_000, 200_000, 300_000),
        0.7,
        (
            f("payment_method_risk", "Payment method risk", days(DS, 2, 3, 5), 2),
            f("chargeback_count_365d", "Chargeback history", days(DS, 1, 2, 3), 2),
            f(
                "card_country_mismatch",
                "Card/address mismatch",
                days(MLE, 2, 3, 5),
                1,
                essential=False,
            ),
            f(
                "buyer_credit_score_band",
                "Credit risk band",
                days(MLE, 3, 5, 8),
                0.5,
                essential=False,
            ),
        ),
    ),
    IdeaSpec(
        "Delivery promise accuracy",
        "pm2",
        S.PROPOSED,
        "Show a delivery date we keep: predict carrier delays per region and weather.",
        (250_000, 380_000, 600_000),
        0.65,
        (
            f("expected_delivery_delay", "Expected delay", days(MLE, 10, 15, 25), 3),
            f("carrier_on_time_rate", "Carrier reliability", days(MLE, 2, 3, 5), 1),
            f("customer_region", "Delivery region", days(DS, 1, 1, 2), 1),
        ),
        horizon_years=5,
    ),
    IdeaSpec(
        "Dynamic pricing against competitors",
        "pm2",
        S.DRAFT,
        "Adjust prices daily where we are much dearer than the cheapest competitor.",
        (90_000, 140_000, 260_000),
        0.5,
        (
            f("price_gap_to_competitors", "Price gap", days(DS, 10, 15, 30), 3),
            f("product_sales_velocity_7d", "Demand", days(DS, 2, 3, 5), 1),
            f("product_margin", "Margin", days(DS, 1, 2, 3), 1),
        ),
    ),
    IdeaSpec(
        "Garden season demand forecast",
        "pm",
        S.APPROVED,
        "Forecast demand per SKU for the spring season to order stock in time.",
        (90_000, 130_000, 200_000),
        0.7,
        (
            f("product_sales_velocity_28d", "Recent demand", days(DS, 3, 5, 8), 2),
            f("stock_on_hand", "Stock", days(DS, 1, 2, 3), 1),
            f("days_of_cover", "Days of cover", days(DS, 2, 3, 5), 1, essential=False),
            f(
                "category_revenue_trend_28d",
                "Category trend",
                days(DS, 1, 2, 3),
                1,
                essential=False,
            ),
            f(
                "regional_temperature_forecast_7d",
                "Weather",
                days(DS, 3, 5, 8),
                0.5,
                essential=False,
            ),
        ),
    ),
    IdeaSpec(
        "Marketing budget allocation",
        "pm2",
        S.PROPOSED,
        "Shift spend between channels by marginal return (a marketing mix model).",
        (120_000, 180_000, 300_000),
        0.55,
        (
            f("cost_per_acquisition_by_channel", "Cost per new customer", days(DS, 5, 8, 14), 2),
            f("acquisition_channel", "First-touch channel", days(DS, 1, 2, 3), 1),
            r("Ad platform spend exports", "Daily spend per campaign", days(DE, 5, 8, 15), 2),
        ),
    ),
    IdeaSpec(
        "Support ticket triage",
        "pm",
        S.DRAFT,
        "Route tickets to the right team and answer the simplest ones automatically.",
        (30_000, 45_000, 70_000),
        0.6,
        (
            r("Zendesk ticket export", "Ticket text", days(MLE, 10, 15, 25), 2),
            f("ticket_count_90d", "Repeat contacts", days(DS, 1, 2, 3), 1),
            f("customer_segment", "Customer value", days(DS, 1, 1, 2), 0.5, essential=False),
        ),
    ),
    IdeaSpec(
        "Seller stock-out alerts",
        "pm2",
        S.REJECTED,
        "Tell sellers a week ahead when their stock will not cover demand.",
        (30_000, 50_000, 80_000),
        0.6,
        (
            f("seller_stock_availability", "Seller stock cover", days(MLE, 5, 8, 14), 2),
            f("product_sales_velocity_7d", "Demand", days(DS, 1, 2, 3), 1),
        ),
    ),
    IdeaSpec(
        "Customer churn early warning",
        "pm",
        S.PROPOSED,
        "Flag valuable customers drifting away so CRM can win them back.",
        (60_000, 90_000, 150_000),
        0.65,
        (
            f("days_since_last_order", "Recency", days(DS, 1, 2, 3), 2),
            f("customer_order_count_90d", "Frequency", days(DS, 1, 2, 3), 2),
            f("customer_lifetime_value", "Value", days(DS, 1, 2, 4), 1),
            c("support_interactions", "Unhappy contacts", days(DS, 8, 12, 20), 1, essential=False),
        ),
    ),
]

# (idea title, tier, role, username); gaps are left on purpose (see stakeholder gaps).
# What each product manager judged for RICE (reach a quarter, impact, confidence) and WSJF
# (user-business value, time criticality, risk reduction or opportunity enablement, on 1..20).
# The two drafts are not fully scored yet: their product managers have not got round to it.
SCORES: dict[str, dict[str, float | int]] = {
    "Homepage personalisation": {
        "reach": 400_000,
        "impact": 1.0,
        "confidence": 0.8,
        "business_value": 8,
        "time_criticality": 3,
        "risk_reduction": 2,
    },
    "Cart abandonment nudges": {
        "reach": 60_000,
        "impact": 1.0,
        "confidence": 0.8,
        "business_value": 5,
        "time_criticality": 3,
        "risk_reduction": 1,
    },
    "Search ranking with query understanding": {
        "reach": 500_000,
        "impact": 2.0,
        "confidence": 0.5,
        "business_value": 13,
        "time_criticality": 5,
        "risk_reduction": 8,
    },
    "Return risk at checkout": {
        "reach": 90_000,
        "impact": 0.5,
        "confidence": 0.5,
        "business_value": 5,
        "time_criticality": 2,
        "risk_reduction": 3,
    },
    # fraud losses grow every quarter it waits, and the scores feed the payments team's rules
    "Payment fraud scoring": {
        "reach": 250_000,
        "impact": 2.0,
        "confidence": 0.8,
        "business_value": 13,
        "time_criticality": 13,
        "risk_reduction": 8,
    },
    "Delivery promise accuracy": {
        "reach": 300_000,
        "impact": 1.0,
        "confidence": 0.5,
        "business_value": 8,
        "time_criticality": 5,
        "risk_reduction": 5,
    },
    # a draft: RICE judged, WSJF not yet
    "Dynamic pricing against competitors": {"reach": 200_000, "impact": 2.0, "confidence": 0.5},
    # the garden season will not wait
    "Garden season demand forecast": {
        "reach": 20_000,
        "impact": 1.0,
        "confidence": 0.8,
        "business_value": 5,
        "time_criticality": 13,
        "risk_reduction": 2,
    },
    "Marketing budget allocation": {
        "reach": 150_000,
        "impact": 0.5,
        "confidence": 0.5,
        "business_value": 8,
        "time_criticality": 3,
        "risk_reduction": 2,
    },
    "Seller stock-out alerts": {
        "reach": 2_000,
        "impact": 2.0,
        "confidence": 0.8,
        "business_value": 3,
        "time_criticality": 2,
        "risk_reduction": 5,
    },
    "Customer churn early warning": {
        "reach": 120_000,
        "impact": 1.0,
        "confidence": 0.5,
        "business_value": 8,
        "time_criticality": 5,
        "risk_reduction": 3,
    },
    # "Support ticket triage" is a draft nobody has scored yet
}
SCORE_FIELDS = (
    "reach",
    "impact",
    "confidence",
    "business_value",
    "time_criticality",
    "risk_reduction",
)

ASSIGNMENTS = [
    ("Homepage personalisation", 1, DS, "ana"),
    ("Homepage personalisation", 1, MLE, "ben"),
    ("Cart abandonment nudges", 1, DS, "ana"),
    ("Search ranking with query understanding", 1, DS, "ana"),
    ("Search ranking with query understanding", 1, MLE, "ben"),
    ("Search ranking with query understanding", 2, AE, "chen"),
    ("Return risk at checkout", 1, DS, "ana"),
    ("Return risk at checkout", 2, DE, "dara"),
    ("Payment fraud scoring", 1, DS, "ana"),
    ("Payment fraud scoring", 1, MLE, "ben"),
    ("Payment fraud scoring", 2, AE, "chen"),
    ("Payment fraud scoring", 2, DE, "dara"),
    ("Payment fraud scoring", 3, DE, "dara"),
    ("Delivery promise accuracy", 1, MLE, "ben"),
    ("Delivery promise accuracy", 3, DE, "dara"),
    ("Delivery promise accuracy", 4, SWE, "eli"),
    ("Garden season demand forecast", 1, DS, "ana"),
    ("Garden season demand forecast", 1, MLE, "ben"),
    ("Marketing budget allocation", 2, AE, "chen"),
    ("Customer churn early warning", 1, DS, "ana"),
    ("Customer churn early warning", 3, DE, "lead"),
]


def _users() -> dict[str, User]:
    users = {}
    for username, (first, last, group, admin) in USERS.items():
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@hafen-market.example",
                "is_staff": admin,
                "is_superuser": admin,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if group:
            user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users


def _asset(
    model: type[m.Asset],
    spec: AssetSpec,
    users: dict[str, User],
    roles: dict[str, m.Role],
    **links: Any,
) -> m.Asset:
    row, _ = model._default_manager.update_or_create(
        name=spec.name,
        defaults={
            "description": spec.description,
            "owner": users[spec.owner],
            "available": spec.available,
            "feasibility": spec.feasibility,
            **spec.build.fields("build", roles),
            **spec.run.fields("run", roles),
            **spec.extra,
            **links,
        },
    )
    return row


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or update the demo company; returns how many rows of each kind it holds."""
    users = _users()
    roles = {role.name: role for role in m.Role.objects.all()}
    options = {
        spec.name: _asset(m.AcquisitionOption, spec, users, roles) for spec in ACQUISITION_OPTIONS
    }
    raws = {
        spec.name: _asset(
            m.RawSource,
            spec,
            users,
            roles,
            acquisition_option=options[spec.upstream[0]] if spec.upstream else None,
        )
        for spec in RAW_SOURCES
    }
    curated_rows = {}
    for spec in CURATED_DATASETS:
        row = _asset(m.CuratedDataset, spec, users, roles)
        row.raw_sources.set([raws[name] for name in spec.upstream])  # type: ignore[attr-defined]
        curated_rows[spec.name] = row
    features = {}
    for spec in FEATURES:
        row = _asset(m.Feature, spec, users, roles)
        row.curated_datasets.set(  # type: ignore[attr-defined]
            [curated_rows[name] for name in spec.upstream]
        )
        features[spec.name] = row
    assets: dict[str, dict[str, m.Asset]] = {
        "feature": features,
        "curated_dataset": curated_rows,
        "raw_source": raws,
        "acquisition_option": options,
    }

    ideas = {}
    for idea_spec in IDEAS:
        low, likely, high = idea_spec.benefit
        idea, _ = m.Idea.objects.update_or_create(
            title=idea_spec.title,
            defaults={
                "owner": users[idea_spec.owner],
                "status": idea_spec.status,
                "description": idea_spec.description,
                "benefit_low": low,
                "benefit_likely": likely,
                "benefit_high": high,
                "probability_of_success": idea_spec.probability,
                "horizon_years": idea_spec.horizon_years,
                "discount_rate": idea_spec.discount_rate,
                # blank where the product manager has not scored it yet
                **{name: SCORES.get(idea_spec.title, {}).get(name) for name in SCORE_FIELDS},
            },
        )
        ideas[idea.title] = idea
        for need_spec in idea_spec.needs:
            target = assets[need_spec.asset_type][need_spec.asset]
            pointer: dict[str, m.Asset | None] = dict.fromkeys(m.Need.ASSET_FIELDS)
            pointer[need_spec.asset_type] = target
            m.Need.objects.update_or_create(
                idea=idea,
                name=need_spec.name,
                defaults={
                    **pointer,
                    **need_spec.engineering.fields("engineering", roles),
                    "weight": need_spec.weight,
                    "essential": need_spec.essential,
                },
            )

    for title, tier, role, username in ASSIGNMENTS:
        m.StakeholderAssignment.objects.get_or_create(
            idea=ideas[title], tier=tier, role=roles[role], person=users[username]
        )

    plans = load_demo_plans()  # the deployments app seeds its own part
    contracts = load_demo_contracts(DEMO_CONTRACTS + MORE_CONTRACTS)  # the contracts app
    activity = load_demo_activity()  # seeds its own part, with recent validation runs
    runs = _demo_runs(users)
    return {
        "users": len(users),
        "features": len(features),
        "curated datasets": len(curated_rows),
        "raw sources": len(raws),
        "acquisition options": len(options),
        "ideas": len(ideas),
        "needs": sum(len(spec.needs) for spec in IDEAS),
        "stakeholder assignments": len(ASSIGNMENTS),
        "deployment plans": plans,
        **contracts,
        **activity,
        **runs,
    }


DEMO_BUDGET = 400_000.0
DEMO_SEED = 2026


def _demo_runs(users: dict[str, User]) -> dict[str, int]:
    """One portfolio run and one simulation of the most valuable idea, unless runs exist.
    They are queued after commit (computed inline without a broker)."""
    if not m.PortfolioRun.objects.exists():
        analysis.start_portfolio_run(budget=DEMO_BUDGET, seed=DEMO_SEED, user=users["exec"])
    if not m.SimulationRun.objects.exists():
        reports = ideas.roi_reports(list(ideas.ideas()))
        top = max(reports.values(), key=lambda report: (report.npv, -report.idea_id))
        analysis.start_simulation(
            idea=m.Idea.objects.get(pk=top.idea_id),
            draws=10_000,
            seed=DEMO_SEED,
            user=users["pm"],
        )
    return {
        "portfolio runs": m.PortfolioRun.objects.count(),
        "simulations": m.SimulationRun.objects.count(),
    }
