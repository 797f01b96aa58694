"""The data value chain: assets, their lineage, closures, charges and tiers.

Tiers run downstream to upstream: 1 engineered features, 2 curated data, 3 raw data,
4 data acquisition. Every step upstream costs more, and what lies downstream of it is paid too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import itemgetter
from typing import Any, ClassVar, TypeVar, cast


class AssetKind(StrEnum):
    FEATURE = "feature"
    CURATED_DATASET = "curated_dataset"
    RAW_SOURCE = "raw_source"
    ACQUISITION_OPTION = "acquisition_option"

    @property
    def tier(self) -> int:
        return _TIER_OF_KIND[self]


_TIER_OF_KIND = {
    AssetKind.FEATURE: 1,
    AssetKind.CURATED_DATASET: 2,
    AssetKind.RAW_SOURCE: 3,
    AssetKind.ACQUISITION_OPTION: 4,
}

AssetKey = tuple[AssetKind, int]
T = TypeVar("T")
# Downstream to upstream: features, curated data, raw data, acquisition.
TIERS = (1, 2, 3, 4)
# Money beyond this is a typo, and it keeps every sum the engine makes finite.
MAX_MONEY = 1e15


def order_problem(low: float, likely: float, high: float) -> str | None:
    """What breaks 0 <= low <= likely <= high, or None: what every estimate the engine holds
    keeps (sums and priced person-days may exceed MAX_MONEY; inputs may not)."""
    if min(low, likely, high) < 0:
        return "An estimate cannot be negative."
    if not low <= likely <= high:
        return "An estimate must satisfy low <= likely <= high."
    return None


def estimate_problem(low: float, likely: float, high: float) -> str | None:
    """What is wrong with a three-point estimate given as input, or None. The one statement
    of the rule 0 <= low <= likely <= high, each finite and at most MAX_MONEY: models, forms,
    serializers and imports all ask here."""
    if not all(math.isfinite(part) for part in (low, likely, high)):
        return "An estimate must be a finite number."
    if max(low, likely, high) > MAX_MONEY:
        return f"An estimate cannot be more than {MAX_MONEY:.0e}."
    return order_problem(low, likely, high)


NEVER_AVAILABLE = "An acquisition option is never available."
WEIGHT_NOT_POSITIVE = "A weight must be greater than 0."


def availability_problem(kind: str, available: bool | None) -> str | None:
    """An acquisition option brings in data the company lacks: it is never available."""
    if kind == AssetKind.ACQUISITION_OPTION and available:
        return NEVER_AVAILABLE
    return None


def feasibility_of(own: float | None, tier: int, tier_defaults: Mapping[int, float]) -> float:
    """The chance an asset's build succeeds: its own, else its tier's default, else 1."""
    if own is not None:
        return own
    return tier_defaults.get(tier, 1.0)


def weight_problem(weight: float | None) -> str | None:
    """A need's weight is its share of the idea's benefit: a number greater than 0."""
    if weight is None or not weight > 0:
        return WEIGHT_NOT_POSITIVE
    return None


@dataclass(frozen=True, slots=True)
class Estimate:
    """A three-point estimate in money; its expected value is the PERT mean."""

    low: float
    likely: float
    high: float

    ZERO: ClassVar[Estimate]

    def __post_init__(self) -> None:
        problem = order_problem(self.low, self.likely, self.high)
        if problem is not None:
            raise ValueError(f"{problem} Got {self.low}, {self.likely}, {self.high}.")

    @property
    def mean(self) -> float:
        return (self.low + 4 * self.likely + self.high) / 6

    @classmethod
    def exact(cls, value: float) -> Estimate:
        return cls(value, value, value)

    def scaled(self, factor: float) -> Estimate:
        return Estimate(self.low * factor, self.likely * factor, self.high * factor)


Estimate.ZERO = Estimate(0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Asset:
    """A catalogue asset with its estimates, feasibility (already defaulted) and inputs."""

    kind: AssetKind
    id: int
    available: bool
    build: Estimate = Estimate.ZERO
    run: Estimate = Estimate.ZERO
    feasibility: float = 1.0
    upstream: tuple[AssetKey, ...] = ()
    name: str = ""
    online: bool = False  # features only: served by the online feature store

    @property
    def key(self) -> AssetKey:
        return (self.kind, self.id)

    @property
    def tier(self) -> int:
        return self.kind.tier

    @property
    def charged(self) -> bool:
        """Not ready for use, so its build, run cost and feasibility count.

        Raw data is always curated before use and acquisition always costs, so both are
        charged whether or not they already exist.
        """
        if self.kind in (AssetKind.RAW_SOURCE, AssetKind.ACQUISITION_OPTION):
            return True
        return not self.available


Catalogue = Mapping[AssetKey, Asset]


@dataclass(frozen=True, slots=True)
class Need:
    name: str
    asset: AssetKey
    engineering: Estimate = Estimate.ZERO
    weight: float = 1.0
    essential: bool = True


@dataclass(frozen=True, slots=True)
class Deployment:
    """What deploying the model adds. Online serving charges each offline-only feature."""

    setup: Estimate = Estimate.ZERO
    run: Estimate = Estimate.ZERO
    online_serving: bool = False
    online_feature_setup: Estimate = Estimate.ZERO
    online_feature_run: Estimate = Estimate.ZERO


@dataclass(frozen=True, slots=True)
class Idea:
    id: int
    benefit: Estimate
    probability: float
    horizon_years: int = 3
    discount_rate: float = 0.10
    needs: tuple[Need, ...] = ()
    deployment: Deployment = field(default_factory=Deployment)
    title: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.probability <= 1:
            raise ValueError("probability of success must lie in [0, 1]")
        if not 1 <= self.horizon_years <= 30:
            raise ValueError("horizon must be 1 to 30 years")
        if not 0 <= self.discount_rate <= 1:
            raise ValueError("discount rate must lie in [0, 1]")
        for need in self.needs:
            problem = weight_problem(need.weight)
            if problem is not None:
                raise ValueError(f"need {need.name!r}: {problem}")


class UnknownAsset(KeyError):
    """A need or a lineage link points at an asset the catalogue does not hold."""


def walks_upstream(asset: Asset) -> bool:
    """A closure goes on through an asset's inputs only while the asset is not available:
    what exists already needs nothing from upstream."""
    return not asset.available


def closure(catalogue: Catalogue, key: AssetKey) -> frozenset[AssetKey]:
    """The asset plus, when it is not available, the closure of each of its inputs."""
    seen: set[AssetKey] = set()
    stack = [key]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        asset = catalogue.get(current)
        if asset is None:
            raise UnknownAsset(current)
        seen.add(current)
        if walks_upstream(asset):
            stack.extend(asset.upstream)
    return frozenset(seen)


class ClosureCache:
    """Closures memoised per asset, for computing many ideas over one catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._closures: dict[AssetKey, frozenset[AssetKey]] = {}

    def __call__(self, key: AssetKey) -> frozenset[AssetKey]:
        found = self._closures.get(key)
        if found is None:
            found = self._closures[key] = closure(self.catalogue, key)
        return found


def tier_of(keys: Iterable[AssetKey]) -> int:
    """The highest tier among the assets; 1 when there are none."""
    # map over C callables: the engine asks this for every need and every ladder step
    return max(map(_TIER_OF_KIND.__getitem__, map(itemgetter(0), keys)), default=1)


def need_tier(catalogue: Catalogue, need: Need) -> int:
    return tier_of(closure(catalogue, need.asset))


def idea_closure(idea: Idea, catalogue: Catalogue) -> frozenset[AssetKey]:
    """Every asset an idea's needs reach: the union of their closures."""
    keys: set[AssetKey] = set()
    for need in idea.needs:
        keys |= closure(catalogue, need.asset)
    return frozenset(keys)


def idea_tier(idea: Idea, catalogue: Catalogue) -> int:
    return max((need_tier(catalogue, need) for need in idea.needs), default=1)


def charged(catalogue: Catalogue, keys: Iterable[AssetKey]) -> frozenset[AssetKey]:
    return frozenset(key for key in keys if catalogue[key].charged)


@dataclass(frozen=True, slots=True)
class ClosureCost:
    """What choosing one asset for a need brings: the tier its closure really reaches and the
    PERT means of the build and yearly run of every charged asset in it."""

    tier: int
    one_off: float
    yearly: float
    charged: tuple[AssetKey, ...]  # downstream first, then by id


def closure_cost(
    catalogue: Catalogue, key: AssetKey, closures: ClosureCache | None = None
) -> ClosureCost:
    reach = closures(key) if closures is not None else closure(catalogue, key)
    paid = sorted(charged(catalogue, reach), key=lambda k: (k[0].tier, k[1]))
    return ClosureCost(
        tier=tier_of(reach),
        # exactly rounded, as finance.investment sums them: the picker and the report agree
        one_off=math.fsum(catalogue[k].build.mean for k in paid),
        yearly=math.fsum(catalogue[k].run.mean for k in paid),
        charged=tuple(paid),
    )


def serves_offline_only(asset: Asset) -> bool:
    """A feature the online store does not serve yet: online serving must materialise it."""
    return asset.kind == AssetKind.FEATURE and not asset.online


def needs_new_feature(need: Need) -> bool:
    """A need upstream of the feature store means one new feature: it exists nowhere yet."""
    return need.asset[0] != AssetKind.FEATURE


def offline_feature_count(
    catalogue: Catalogue, needs: Iterable[Need], keys: Iterable[AssetKey]
) -> int:
    """Features that online serving would have to materialise: the offline-only features in
    the closure plus one new feature for each need that points upstream of the feature store."""
    offline = sum(1 for key in keys if serves_offline_only(catalogue[key]))
    return offline + sum(1 for need in needs if needs_new_feature(need))


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor of a frozen slotted dataclass for building very many: the
    frozen __init__ stores each field through object.__setattr__, most of the cost of a
    small object. A twin class with the same slots stores them plainly, then turns the object
    into a `cls` (same layout). Nothing is checked: for a class without __post_init__."""
    if cls.__dict__.get("__post_init__") is not None:
        raise TypeError(f"{cls.__name__} checks its fields: build it through __init__")
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if tuple(names) != cls.__dict__.get("__slots__"):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass")
    source = "def __init__(self, {0}):\n    {1} = {0}\n    self.__class__ = cls\n".format(
        ", ".join(names), ", ".join(f"self.{name}" for name in names)
    )
    namespace: dict[str, Any] = {"cls": cls}
    exec(source, namespace)  # as dataclasses writes __init__: one store per field, no loop
    twin = type(f"_Fast{cls.__name__}", (), {"__slots__": names, "__init__": namespace["__init__"]})
    return cast(Callable[..., T], twin)
