"""Build a generated company in the database: roles, people, a four-tier catalogue with its
lineage, ideas with eight needs each, stakeholders, some deployment plans, and data contracts
on part of the raw and curated data (valuechain.company.governance).

Shaped like bench/bench_roi.py's synthetic catalogue (most assets are features, then curated
data, raw sources and a few acquisition options; needs point mostly at features). Every row is
written with bulk_create in one transaction, so thousands of ideas take seconds. The people
are the demo's roster (created with the demo password when missing), so anyone can log in.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction

from contracts.models import DataContract
from deployments.models import DeploymentPlan, DeploymentType
from valuechain import models as m
from valuechain.company import governance, names
from valuechain.demo import AE, DE, DEMO_PASSWORD, DS, MLE, SWE, USERS
from valuechain.engine.scales import IMPACT_SCALE, WSJF_SCALE

NEEDS_PER_IDEA = 8
MAX_IDEAS = 100_000
MAX_ASSETS = 200_000
# Fewer and some tier would be empty or an idea could not have eight different needs.
MIN_ASSETS = 10
MAX_SEED = 2**32 - 1
# Share of the catalogue per tier, as in bench/bench_roi.py; features take the rest.
TIER_SHARE = {"acquisition_option": 0.025, "raw_source": 0.065, "curated_dataset": 0.15}
NEED_KIND_SHARE = {
    "feature": 0.85,
    "curated_dataset": 0.10,
    "raw_source": 0.04,
    "acquisition_option": 0.01,
}
ROLE_RATES = {DS: 900.0, MLE: 950.0, AE: 800.0, DE: 850.0, SWE: 850.0}
S = m.Idea.Status
STATUS_SHARE = {
    S.DRAFT: 0.2,
    S.PROPOSED: 0.35,
    S.APPROVED: 0.15,
    S.IN_PROGRESS: 0.15,
    S.SHIPPED: 0.1,
    S.REJECTED: 0.05,
}
# Who answers for each tier, and as what (the demo's people).
STAFFING = {
    1: ((DS, "ana"), (MLE, "ben")),
    2: ((AE, "chen"), (DE, "dara")),
    3: ((DE, "dara"),),
    4: ((SWE, "eli"), (DE, "dara")),
}
PLAN_SHARE = 0.3
Assets = dict[str, list[Any]]


class CompanyExists(Exception):
    """The database already holds a catalogue or ideas, and replacing them was not asked."""


def tier_counts(assets: int) -> dict[str, int]:
    """How many assets of each kind make `assets` in all: at least one of each."""
    counts = {kind: max(1, round(assets * share)) for kind, share in TIER_SHARE.items()}
    return {"feature": assets - sum(counts.values()), **counts}


def existing_company() -> dict[str, int]:
    """Ideas and catalogue assets already there, by plural name, leaving out kinds with none."""
    counts = {"ideas": m.Idea.objects.count()}
    for kind, model in m.ASSET_MODELS.items():
        counts[f"{kind.replace('_', ' ')}s"] = model._default_manager.count()
    return {name: count for name, count in counts.items() if count}


def delete_company() -> None:
    """Ideas (their needs, stakeholders, plans and simulations go with them), portfolio runs,
    the contracts that govern an asset (they would point at new assets otherwise), and the
    catalogue, downstream first. Users, roles, tier profiles and deployment types stay."""
    m.Idea.objects.all().delete()
    m.PortfolioRun.objects.all().delete()
    DataContract.objects.exclude(asset_type="").delete()
    for model in (m.Feature, m.CuratedDataset, m.RawSource, m.AcquisitionOption):
        model._default_manager.all().delete()


@transaction.atomic
def build_company(*, ideas: int, assets: int, seed: int, replace: bool = False) -> dict[str, int]:
    """Write a company of `ideas` ideas over `assets` catalogue assets; returns row counts.
    The same seed gives the same company (names, figures, lineage, needs)."""
    found = existing_company()
    if found and not replace:
        summary = ", ".join(f"{count:,} {name}" for name, count in found.items())
        raise CompanyExists(
            f"The database already holds a company ({summary}). Run with --replace to delete "
            "its catalogue and ideas first."
        )
    if replace:
        delete_company()
    rng = random.Random(seed)
    people = _people()
    roles = _roles()
    catalogue = _catalogue(rng, tier_counts(assets), people, roles)
    idea_rows = _ideas(rng, ideas, people)
    needs = _needs(rng, idea_rows, catalogue, roles)
    assignments = _assignments(rng, idea_rows, people, roles)
    plans = _plans(rng, idea_rows)
    contracts = governance.build_contracts(rng, catalogue, people)
    return {
        "users": len(people),
        "features": len(catalogue["feature"]),
        "curated datasets": len(catalogue["curated_dataset"]),
        "raw sources": len(catalogue["raw_source"]),
        "acquisition options": len(catalogue["acquisition_option"]),
        "ideas": len(idea_rows),
        "needs": needs,
        "stakeholder assignments": assignments,
        "deployment plans": plans,
        "data contracts": contracts,
    }


def refresh_statistics() -> None:
    """The query planner's statistics of the tables just filled. Without them it plans for the
    tables as they were (empty) until autovacuum's next round, and reads an idea's needs by
    scanning whole catalogue tables instead of looking up their few assets."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _people() -> dict[str, User]:
    found = {user.username: user for user in User.objects.filter(username__in=USERS)}
    missing = [name for name in USERS if name not in found]
    if missing:
        password = make_password(DEMO_PASSWORD)  # hashed once: it is slow on purpose
        created = User.objects.bulk_create(
            User(
                username=name,
                first_name=USERS[name][0],
                last_name=USERS[name][1],
                email=f"{name}@hafen-market.example",
                is_staff=USERS[name][3],
                is_superuser=USERS[name][3],
                password=password,
            )
            for name in missing
        )
        groups = {group.name: group for group in Group.objects.all()}
        joins = [(user, groups.get(USERS[user.username][2] or "")) for user in created]
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=group.pk)
            for user, group in joins
            if group is not None
        )
        found.update({user.username: user for user in created})
    return found


def _roles() -> dict[str, m.Role]:
    roles = {role.name: role for role in m.Role.objects.filter(name__in=ROLE_RATES)}
    for name, rate in ROLE_RATES.items():
        if name not in roles:
            roles[name] = m.Role.objects.create(name=name, day_rate=rate)
    return roles


def _estimate(
    rng: random.Random, prefix: str, likely: float, role: m.Role | None = None
) -> dict[str, Any]:
    """A three-point estimate around `likely`: money, or person-days of `role`."""
    likely = round(likely) if role else round(likely, -2)
    low = round(likely * rng.uniform(0.6, 1.0), 1 if role else -2)
    high = round(likely * rng.uniform(1.0, 2.0), 1 if role else -2)
    return {
        f"{prefix}_low": min(low, likely),
        f"{prefix}_likely": likely,
        f"{prefix}_high": max(high, likely),
        f"{prefix}_days_role": role,
    }


def _build_run(
    rng: random.Random,
    build: tuple[float, float],
    run: tuple[float, float],
    role: m.Role,
    days_share: float,
) -> dict[str, Any]:
    """Build and run estimates; a `days_share` of builds are in person-days of `role`."""
    if rng.random() < days_share:
        cost = _estimate(rng, "build", rng.uniform(*build) / role.day_rate, role)
    else:
        cost = _estimate(rng, "build", rng.uniform(*build))
    return {**cost, **_estimate(rng, "run", rng.uniform(*run))}


def _feasibility(rng: random.Random, low: float, high: float) -> float | None:
    """Mostly the tier's default; sometimes a judged figure."""
    return round(rng.uniform(low, high), 2) if rng.random() < 0.3 else None


def _readiness(rng: random.Random) -> dict[str, bool | None]:
    questions = ("is_current", "arrives_regularly", "quality_ensurable", "sla_establishable")
    return {q: rng.choices((True, False, None), (0.7, 0.15, 0.15))[0] for q in questions}


def _catalogue(
    rng: random.Random, counts: dict[str, int], people: dict[str, User], roles: dict[str, m.Role]
) -> Assets:
    options = m.AcquisitionOption.objects.bulk_create(
        m.AcquisitionOption(
            name=name,
            description=f"External data: {name.replace('_', ' ')}, bought or integrated.",
            owner=people["lead"],
            available=False,
            provider=rng.choice(names.PROVIDERS),
            feasibility=_feasibility(rng, 0.4, 0.8),
            **_build_run(rng, (20e3, 150e3), (5e3, 40e3), roles[SWE], 0.3),
        )
        for name in names.acquisition_names(rng, counts["acquisition_option"])
    )
    raws = []
    for name in names.raw_names(rng, counts["raw_source"]):
        available = rng.random() < 0.8
        acquired = rng.random() < (0.1 if available else 0.7)
        raws.append(
            m.RawSource(
                name=name,
                description=f"{name.replace('_', ' ').capitalize()}, as it lands from the source.",
                owner=people["dara"],
                available=available,
                system=name.split("_", 1)[0].upper(),
                acquisition_option=rng.choice(options) if acquired else None,
                feasibility=_feasibility(rng, 0.65, 0.9),
                **_readiness(rng),
                **_build_run(rng, (8e3, 40e3), (2e3, 12e3), roles[DE], 0.5),
            )
        )
    raws = m.RawSource.objects.bulk_create(raws)
    curated = m.CuratedDataset.objects.bulk_create(
        m.CuratedDataset(
            name=name,
            description=f"{name.replace('_', ' ').capitalize()}: quality-assured, with SLAs.",
            owner=people["chen"],
            available=rng.random() < 0.85,
            feasibility=_feasibility(rng, 0.8, 0.97),
            **_build_run(rng, (5e3, 30e3), (1e3, 8e3), roles[AE], 0.5),
        )
        for name in names.curated_names(rng, counts["curated_dataset"])
    )
    _link(m.CuratedDataset.raw_sources.through, "curateddataset", "rawsource", curated, raws, rng)
    features = m.Feature.objects.bulk_create(
        m.Feature(
            name=name,
            description=f"{name.replace('_', ' ').capitalize()}, in the feature store.",
            owner=people[rng.choice(("ana", "ben"))],
            available=rng.random() < 0.9,
            feature_group=name.split("_", 1)[0],
            online=rng.random() < 0.4,
            feasibility=_feasibility(rng, 0.9, 1.0),
            **_build_run(rng, (1e3, 10e3), (200, 2e3), roles[rng.choice((DS, MLE))], 0.6),
        )
        for name in names.feature_names(rng, counts["feature"])
    )
    _link(m.Feature.curated_datasets.through, "feature", "curateddataset", features, curated, rng)
    return {
        "feature": features,
        "curated_dataset": curated,
        "raw_source": raws,
        "acquisition_option": options,
    }


def _link(
    through: Any,
    downstream: str,
    upstream: str,
    rows: Sequence[Any],
    sources: Sequence[Any],
    rng: random.Random,
) -> None:
    """Each row reads 1-3 distinct sources of the tier above."""
    through.objects.bulk_create(
        through(**{f"{downstream}_id": row.pk, f"{upstream}_id": source.pk})
        for row in rows
        for source in rng.sample(list(sources), min(len(sources), rng.randint(1, 3)))
    )


def _ideas(rng: random.Random, count: int, people: dict[str, User]) -> list[m.Idea]:
    statuses, shares = list(STATUS_SHARE), list(STATUS_SHARE.values())
    rows = []
    for title in names.idea_titles(rng, count):
        benefit = _estimate(rng, "benefit", rng.uniform(50e3, 900e3))
        del benefit["benefit_days_role"]
        scored = rng.random() < 0.6
        rows.append(
            m.Idea(
                title=title,
                description=f"{title}: proposed by the product team, sized from the catalogue.",
                owner=people[rng.choice(("pm", "pm2"))],
                status=rng.choices(statuses, shares)[0],
                probability_of_success=round(rng.uniform(0.4, 0.95), 2),
                horizon_years=rng.randint(2, 6),
                discount_rate=round(rng.uniform(0.06, 0.15), 3),
                **benefit,
                **(_scores(rng) if scored else {}),
            )
        )
    return m.Idea.objects.bulk_create(rows)


def _scores(rng: random.Random) -> dict[str, Any]:
    return {
        "reach": rng.choice((500, 2_000, 10_000, 50_000, 250_000)),
        "impact": rng.choice(IMPACT_SCALE)[0],
        "confidence": rng.choice((0.5, 0.8, 1.0)),
        "business_value": rng.choice(WSJF_SCALE),
        "time_criticality": rng.choice(WSJF_SCALE),
        "risk_reduction": rng.choice(WSJF_SCALE),
    }


def _needs(
    rng: random.Random, ideas: list[m.Idea], catalogue: Assets, roles: dict[str, m.Role]
) -> int:
    kinds, shares = list(NEED_KIND_SHARE), list(NEED_KIND_SHARE.values())
    rows = []
    for idea in ideas:
        chosen: set[tuple[str, int]] = set()
        for _ in range(NEEDS_PER_IDEA):
            # a few tries for an asset the idea does not need yet; a tiny catalogue may repeat
            for _try in range(10):
                kind = rng.choices(kinds, shares)[0]
                asset = rng.choice(catalogue[kind])
                if (kind, asset.pk) not in chosen:
                    break
            chosen.add((kind, asset.pk))
            role = roles[rng.choice((DS, MLE))] if rng.random() < 0.5 else None
            likely = rng.uniform(2e3, 15e3)
            rows.append(
                m.Need(
                    idea_id=idea.pk,
                    name=asset.name.replace("_", " "),
                    **{f"{kind}_id": asset.pk},
                    **_estimate(rng, "engineering", likely / 900 if role else likely, role),
                    weight=round(rng.uniform(0.5, 3), 1),
                    essential=rng.random() < 0.3,
                )
            )
    m.Need.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _assignments(
    rng: random.Random, ideas: list[m.Idea], people: dict[str, User], roles: dict[str, m.Role]
) -> int:
    """Most ideas have someone on a few tiers; gaps are left, as in real portfolios."""
    rows = [
        m.StakeholderAssignment(
            idea_id=idea.pk, tier=tier, role=roles[role], person=people[username]
        )
        for idea in ideas
        for tier, staff in STAFFING.items()
        if rng.random() < 0.6
        for role, username in staff
        if rng.random() < 0.7
    ]
    m.StakeholderAssignment.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _plans(rng: random.Random, ideas: list[m.Idea]) -> int:
    types = {t.kind: t for t in DeploymentType.objects.all()}
    rows = [
        DeploymentPlan(idea_id=idea.pk, deployment_type=types[kind], **values)
        for idea in ideas
        if rng.random() < PLAN_SHARE
        for kind, values in [_plan_values(rng)]
        if kind in types
    ]
    DeploymentPlan.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _plan_values(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A plan of one of the four kinds with requirements that suit it."""
    kind = rng.choices(("batch", "request_response", "stream", "edge"), (0.45, 0.3, 0.2, 0.05))[0]
    common = {
        "requests_per_day": rng.choice((5_000, 20_000, 150_000, 400_000, 2_000_000)),
        "data_location": "server",
        "connectivity": "always",
    }
    if kind == "batch":
        return kind, {
            **common,
            "latency_ms": 3_600_000,
            "freshness": rng.choice(("hours", "days")),
            "inputs_enumerable": True,
            "batch_schedule": f"{rng.randint(0, 59)} * * * *",
            "loads_realtime_storage": rng.random() < 0.4,
        }
    if kind == "request_response":
        return kind, {
            **common,
            "latency_ms": rng.choice((50, 80, 120, 200)),
            "freshness": "seconds",
            "api_protocol": rng.choice(("rest", "grpc")),
        }
    if kind == "stream":
        return kind, {
            **common,
            "latency_ms": rng.choice((300, 1_000)),
            "freshness": "seconds",
            "continuous_events": True,
            "input_contract": "orders.placed v2",
            "output_stream": "orders.scores",
        }
    return kind, {
        **common,
        "latency_ms": 50,
        "freshness": "minutes",
        "connectivity": "intermittent",
        "edge_platform": rng.choice(("android", "ios")),
        "model_size_budget_mb": 20,
    }
