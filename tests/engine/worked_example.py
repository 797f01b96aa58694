"""A small catalogue whose numbers are worked by hand in the engine tests.

    F1 feature, available, online  <- C1 curated, available      <- R1 raw, arrives already
    F2 feature, to build           <- C1
    F3 feature, to build           <- C2 curated, to build       <- R1, R2 raw, not arriving yet
                                                                    R2 <- A1 acquisition option

Money is exact (low = likely = high) unless a test says otherwise, so the PERT mean is the value.
"""

from __future__ import annotations

from valuechain.engine.chain import (
    Asset,
    AssetKey,
    AssetKind,
    Estimate,
    Idea,
    Need,
)

FEATURE, CURATED, RAW, ACQ = (
    AssetKind.FEATURE,
    AssetKind.CURATED_DATASET,
    AssetKind.RAW_SOURCE,
    AssetKind.ACQUISITION_OPTION,
)
F1: AssetKey = (FEATURE, 1)
F2: AssetKey = (FEATURE, 2)
F3: AssetKey = (FEATURE, 3)
C1: AssetKey = (CURATED, 1)
C2: AssetKey = (CURATED, 2)
R1: AssetKey = (RAW, 1)
R2: AssetKey = (RAW, 2)
A1: AssetKey = (ACQ, 1)

# The annuity factor at 10 % over 3 years: 1/1.1 + 1/1.21 + 1/1.331.
AF_10_3 = 1 / 1.1 + 1 / 1.21 + 1 / 1.331  # 2.486852...


def money(value: float) -> Estimate:
    return Estimate.exact(value)


def asset(
    key: AssetKey,
    *,
    available: bool,
    build: float = 0.0,
    run: float = 0.0,
    feasibility: float = 1.0,
    upstream: tuple[AssetKey, ...] = (),
    online: bool = False,
) -> Asset:
    return Asset(
        kind=key[0],
        id=key[1],
        available=available,
        build=money(build),
        run=money(run),
        feasibility=feasibility,
        upstream=upstream,
        online=online,
        name=f"{key[0]} {key[1]}",
    )


def catalogue() -> dict[AssetKey, Asset]:
    assets = [
        # Available assets carry costs on purpose: they must never be charged.
        asset(
            F1,
            available=True,
            build=99_000,
            run=9_900,
            feasibility=0.1,
            upstream=(C1,),
            online=True,
        ),
        asset(F2, available=False, build=6_000, run=600, feasibility=0.95, upstream=(C1,)),
        asset(F3, available=False, build=8_000, run=1_000, feasibility=0.95, upstream=(C2,)),
        asset(C1, available=True, build=50_000, run=9_000, feasibility=0.7, upstream=(R1,)),
        asset(C2, available=False, build=24_000, run=6_000, feasibility=0.9, upstream=(R1, R2)),
        # Raw data arrives already, but curating it still costs: always charged.
        asset(R1, available=True, build=12_000, run=3_000, feasibility=0.8),
        asset(R2, available=False, build=6_000, run=1_200, feasibility=0.9, upstream=(A1,)),
        asset(A1, available=False, build=30_000, run=6_000, feasibility=0.5),
    ]
    return {a.key: a for a in assets}


def walk_idea(**overrides: object) -> Idea:
    """Three needs reaching tiers 1, 2 and 4; benefit PERT mean 100,000 a year.

    n1 basket size    -> F1, engineering PERT (3,000, 6,000, 15,000) = 7,000, weight 2, essential
    n2 return rate    -> F2, engineering 5,000, weight 1, not essential
    n3 supplier lead  -> F3, engineering 4,000, weight 1, not essential
    """
    fields: dict[str, object] = {
        "id": 7,
        "benefit": Estimate(60_000, 90_000, 180_000),  # (60 + 360 + 180) / 6 = 100k
        "probability": 0.8,
        "horizon_years": 3,
        "discount_rate": 0.10,
        "needs": (
            Need("basket size", F1, Estimate(3_000, 6_000, 15_000), weight=2, essential=True),
            Need("return rate", F2, money(5_000), weight=1, essential=False),
            Need("supplier lead time", F3, money(4_000), weight=1, essential=False),
        ),
    }
    fields.update(overrides)
    return Idea(**fields)  # type: ignore[arg-type]
