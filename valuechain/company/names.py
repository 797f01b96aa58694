"""Believable, unique names for a generated company's assets and ideas.

Names are domain words combined (`customer_churn_score_30d`, `orders_daily_curated`,
`pos_transactions_raw`, `weather_vendor_feed`); past the combinations a version suffix keeps
them unique. Pure: the same random generator state gives the same names.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

ENTITIES = (
    "customer", "order", "product", "basket", "session", "seller", "store", "courier",
    "supplier", "campaign", "return", "payment", "search", "review", "warehouse", "category",
    "coupon", "delivery", "visitor", "cart",
)  # fmt: skip
MEASURES = (
    "churn_score", "spend", "order_count", "avg_basket_value", "return_rate",
    "days_since_last", "visit_count", "conversion_rate", "click_rate", "discount_share",
    "late_delivery_rate", "refund_amount", "margin", "price_change", "stock_level",
    "rating_avg", "complaint_count", "cancel_rate", "page_views", "dwell_time",
)  # fmt: skip
WINDOWS = ("1d", "7d", "30d", "90d", "365d", "lifetime")
SLICES = ("", "_mobile", "_weekend", "_by_region", "_by_channel")

DATASETS = (
    "orders", "order_lines", "customer_profiles", "products", "sessions", "payments",
    "shipments", "returns", "reviews", "campaigns", "inventory", "prices", "suppliers",
    "stores", "sellers", "searches", "coupons", "support_tickets", "invoices", "clicks",
)  # fmt: skip
FACETS = ("", "_daily", "_history", "_snapshot", "_enriched", "_deduplicated", "_monthly")

SYSTEMS = (
    "pos", "crm", "erp", "web", "app", "wms", "oms", "cms", "billing", "support", "ads",
    "email",
)  # fmt: skip
RECORDS = (
    "transactions", "events", "orders", "customers", "tickets", "stock_moves", "clicks",
    "payments", "shipments", "returns", "logs", "invoices",
)  # fmt: skip

VENDOR_TOPICS = (
    "crm", "weather", "competitor_price", "credit_score", "footfall", "geodata",
    "demographics", "address_validation", "carrier_tracking", "social_sentiment", "fx_rates",
    "product_reviews", "market_share", "holiday_calendar", "fraud_signals",
)  # fmt: skip
VENDOR_FORMS = ("_vendor_feed", "_api", "_licence")
PROVIDERS = (
    "MeteoGrid", "PriceRadar", "ParcelPoint", "CreditLens", "GeoAtlas", "FootfallIQ",
    "TrendPulse", "AddressCheck", "MarketScope", "FraudShield",
)  # fmt: skip

GOALS = (
    "Churn early warning", "Next-best offer", "Dynamic pricing", "Delivery delay prediction",
    "Fraud scoring", "Demand forecast", "Basket recommendations", "Search ranking",
    "Return risk scoring", "Stock-out alerts", "Lifetime value model", "Coupon targeting",
    "Seller quality score", "Review moderation", "Ad spend allocation",
    "Support ticket routing", "Warehouse slotting", "Price elasticity model",
    "Assortment gaps", "Cross-sell nudges",
)  # fmt: skip
SEGMENTS = (
    "new customers", "returning customers", "garden furniture", "marketplace sellers",
    "the app", "the web shop", "B2B buyers", "loyalty members", "outdoor lighting",
    "tools and hardware", "seasonal plants", "kitchenware", "bulky items", "gift cards",
    "first orders",
)  # fmt: skip
REGIONS = (
    "",
    " in DACH",
    " in Benelux",
    " in the Nordics",
    " in France",
    " in Iberia",
    " in Italy",
)


def unique_names(
    rng: random.Random, parts: Sequence[Sequence[str]], count: int, joiner: str = "_"
) -> list[str]:
    """`count` distinct names, each one word from every part joined (empty words skipped),
    in a shuffled order; once the combinations run out, again with `_v2`, `_v3`..."""
    combos = [joiner.join(word for word in combo if word) for combo in itertools.product(*parts)]
    rng.shuffle(combos)
    names: list[str] = []
    for version in itertools.count(1):
        suffix = "" if version == 1 else (f"_v{version}" if joiner == "_" else f" ({version})")
        names.extend(name + suffix for name in combos[: count - len(names)])
        if len(names) == count:
            return names
    raise AssertionError("unreachable")


def feature_names(rng: random.Random, count: int) -> list[str]:
    slices = [(s[1:] if s else "") for s in SLICES]
    return unique_names(rng, [ENTITIES, MEASURES, slices, WINDOWS], count)


def curated_names(rng: random.Random, count: int) -> list[str]:
    facets = [(f[1:] if f else "") for f in FACETS]
    return unique_names(rng, [DATASETS, facets, ["curated"]], count)


def raw_names(rng: random.Random, count: int) -> list[str]:
    return unique_names(rng, [SYSTEMS, RECORDS, ["raw"]], count)


def acquisition_names(rng: random.Random, count: int) -> list[str]:
    forms = [form[1:] for form in VENDOR_FORMS]
    return unique_names(rng, [VENDOR_TOPICS, forms], count)


def idea_titles(rng: random.Random, count: int) -> list[str]:
    combos = [f"{goal} for {segment}" for goal in GOALS for segment in SEGMENTS]
    return unique_names(rng, [combos, REGIONS], count, joiner="")
