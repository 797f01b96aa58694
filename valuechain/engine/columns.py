"""Ideas as columns: what the batch engine reads of many ideas, as arrays, with no chain.Idea
or chain.Need objects.

Reading the objects is a large share of the batch engine's cost; a caller that holds plain
values (the mapper reading the database) builds the columns straight from them
(IdeaColumns.from_rows), and chain.Idea objects are read once the same way (IdeaColumns.of).
Both give the same floats: each estimate enters as its PERT numerator low + 4 x likely + high,
the same float operations as chain.Estimate.mean before its division by 6.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, TypeAlias

import numpy as np

from valuechain.engine.chain import (
    WEIGHT_NOT_POSITIVE,
    AssetKey,
    AssetKind,
    Deployment,
    Estimate,
    Idea,
    UnknownAsset,
)

# A three-point estimate as an Estimate or as its (low, likely, high).
EstimateLike: TypeAlias = Estimate | tuple[float, float, float]
# (id, probability, horizon_years, discount_rate, benefit, deployment or None for none)
IdeaRow: TypeAlias = tuple[int, float, int, float, EstimateLike, Deployment | None]
# (idea id, asset key (its kind an AssetKind or its value), weight, essential, engineering)
NeedRow: TypeAlias = tuple[int, tuple[AssetKind | str, int], float, bool, EstimateLike]

_KINDS = tuple(AssetKind)
# Keyed by the members and by their string values, so rows may name a kind either way.
_KIND_CODE: dict[Any, int] = {kind: code for code, kind in enumerate(_KINDS)}
_KIND_CODE.update({kind.value: code for code, kind in enumerate(_KINDS)})
# An asset's code: its kind's code above its id's 40 bits (ids are database keys).
_ID_BITS = 40
# Below this many ids (or 8 per asset), assets are found through a dense table.
_DENSE_IDS = 1 << 16

IDEA_FIELDS: tuple[str, ...] = ("probability", "horizon", "rate", "online", "benefit")
IDEA_FIELDS += ("setup", "run", "f_setup", "f_run")
_NEED_FIELDS = ("kind", "asset_id", "weight", "essential", "pert")
_NO_DEPLOYMENT = Deployment()


@dataclass(frozen=True, eq=False)
class IdeaColumns:
    """Ideas in order, each field an array over them; their needs flattened in idea order
    then need order. Estimates are PERT numerators (low + 4 x likely + high). Read only."""

    ids: tuple[int, ...]
    probability: np.ndarray
    horizon: np.ndarray  # years, as floats
    rate: np.ndarray
    online: np.ndarray  # 1.0 when the deployment serves online
    benefit: np.ndarray
    setup: np.ndarray  # the deployment's
    run: np.ndarray
    f_setup: np.ndarray  # the deployment's online feature setup, per feature
    f_run: np.ndarray
    need_kind: np.ndarray  # the position of its asset's kind in AssetKind
    need_asset_id: np.ndarray
    need_weight: np.ndarray
    need_essential: np.ndarray  # bool
    need_engineering: np.ndarray  # PERT numerator
    needs_per_idea: np.ndarray

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        _check(self)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def need_assets(self) -> list[AssetKey]:
        """Each need's asset key, in the flattened order."""
        kinds = map(_KINDS.__getitem__, self.need_kind.tolist())
        return list(zip(kinds, self.need_asset_id.tolist(), strict=True))

    def asset_positions(self, keys: Sequence[AssetKey]) -> np.ndarray:
        """Each need's asset's position in keys (a compiled catalogue's); UnknownAsset for
        the first need whose asset keys do not hold."""
        kind = np.fromiter((_KIND_CODE[kind] for kind, _ in keys), np.int64, len(keys))
        ids = np.fromiter((pk for _, pk in keys), np.int64, len(keys))
        top = int(ids.max(initial=0))
        if top <= _DENSE_IDS + 8 * len(keys):
            # Database ids are dense: one table over (kind, id), looked up in one go.
            table = np.full((len(_KINDS), top + 2), -1, dtype=np.int64)
            table[kind, ids] = np.arange(len(keys))
            wanted = np.minimum(self.need_asset_id, top + 1)
            positions: np.ndarray = table[self.need_kind, np.maximum(wanted, 0)]
            held = (positions >= 0) & (self.need_asset_id >= 0)
        else:
            known = kind << _ID_BITS | ids
            codes = self.need_kind << _ID_BITS | self.need_asset_id
            order = np.argsort(known, kind="stable")
            found = np.minimum(np.searchsorted(known[order], codes), max(len(keys) - 1, 0))
            held = known[order][found] == codes if len(keys) else np.zeros(len(codes), bool)
            positions = order[found]
        if not held.all():
            raise UnknownAsset(self.need_assets[int(np.argmin(held))])
        return positions

    @classmethod
    def of(cls, ideas: Sequence[Idea]) -> IdeaColumns:
        """The columns of these ideas (what the batch engine reads of them, and no more)."""
        per_idea = [idea.needs for idea in ideas]
        counts = np.fromiter(map(len, per_idea), np.int64, len(ideas))
        needs = _table(_need_rows(chain.from_iterable(per_idea)), _NEED_FIELDS, counts.sum())
        plan = _table(_idea_rows(ideas), IDEA_FIELDS, len(ideas))
        return cls._of_tables([idea.id for idea in ideas], plan, needs, counts)

    @classmethod
    def from_rows(cls, ideas: Iterable[IdeaRow], needs: Iterable[NeedRow]) -> IdeaColumns:
        """The columns of plain values, as a mapper reads them from a database:

        - ideas: (id, probability, horizon_years, discount_rate, benefit, deployment), the
          deployment a chain.Deployment or None for no deployment plan;
        - needs: (idea id, asset key, weight, essential, engineering), any order of ideas
          (each idea's needs keep the order given); needs of ideas not given are left out.

        An estimate is a chain.Estimate or its (low, likely, high) in money (days priced);
        an asset key's kind an AssetKind or its value. Figures are those chain.Idea and
        chain.Need would hold: the same floats give the same reports, bit for bit."""
        idea_rows = list(ideas)
        ids = [row[0] for row in idea_rows]
        position = {pk: i for i, pk in enumerate(ids)}
        kept = [(position[row[0]], *_need_values(row)) for row in needs if row[0] in position]
        owner = np.fromiter((row[0] for row in kept), np.int64, len(kept))
        order = np.argsort(owner, kind="stable")
        table = _table((kept[i][1:] for i in order.tolist()), _NEED_FIELDS, len(kept))
        counts = np.bincount(owner, minlength=len(ids)).astype(np.int64)
        plan = _table(map(_plan_values, idea_rows), IDEA_FIELDS, len(ids))
        return cls._of_tables(ids, plan, table, counts)

    @classmethod
    def _of_tables(
        cls,
        ids: list[int],
        plan: dict[str, np.ndarray],
        needs: dict[str, np.ndarray],
        counts: np.ndarray,
    ) -> IdeaColumns:
        return cls(
            ids=tuple(ids),
            **{name: plan[name] for name in IDEA_FIELDS},
            need_kind=needs["kind"].astype(np.int64),
            need_asset_id=needs["asset_id"].astype(np.int64),
            need_weight=needs["weight"],
            need_essential=needs["essential"] > 0,
            need_engineering=needs["pert"],
            needs_per_idea=counts,
        )


def _check(columns: IdeaColumns) -> None:
    """What chain.Idea refuses, refused here too (the estimates come priced and ordered)."""
    if len(columns.needs_per_idea) != len(columns.ids):
        raise ValueError("one count of needs per idea")
    if not ((columns.probability >= 0) & (columns.probability <= 1)).all():
        raise ValueError("probability of success must lie in [0, 1]")
    if not ((columns.horizon >= 1) & (columns.horizon <= 30)).all():
        raise ValueError("horizon must be 1 to 30 years")
    if not ((columns.rate >= 0) & (columns.rate <= 1)).all():
        raise ValueError("discount rate must lie in [0, 1]")
    if not (columns.need_weight > 0).all():
        raise ValueError(WEIGHT_NOT_POSITIVE)
    if (columns.need_asset_id >> _ID_BITS).any():
        raise ValueError(f"asset ids must lie below 2^{_ID_BITS}")


def _table(rows: Iterator[tuple[Any, ...]], names: tuple[str, ...], count: int) -> dict[str, Any]:
    """Columns by name of rows of numbers (floats hold the ints here exactly: below 2^53)."""
    flat = np.fromiter(chain.from_iterable(rows), np.float64, int(count) * len(names))
    table = flat.reshape(int(count), len(names))
    return {name: table[:, column] for column, name in enumerate(names)}


def _pert(e: EstimateLike) -> float:
    # Estimate.mean's numerator; the division by 6 runs on the array, the same operations.
    if isinstance(e, Estimate):
        return e.low + 4 * e.likely + e.high
    low, likely, high = e
    return low + 4 * likely + high


def _need_rows(needs: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    code = _KIND_CODE
    for need in needs:
        kind, pk = need.asset
        e = need.engineering
        yield code[kind], pk, need.weight, need.essential, e.low + 4 * e.likely + e.high


def _need_values(row: NeedRow) -> tuple[Any, ...]:
    _, (kind, pk), weight, essential, engineering = row
    return _KIND_CODE[kind], pk, weight, essential, _pert(engineering)


def _plan_values(row: IdeaRow) -> tuple[Any, ...]:
    _, probability, horizon, rate, benefit, deployment = row
    d = deployment or _NO_DEPLOYMENT
    return (
        probability,
        horizon,
        rate,
        d.online_serving,
        _pert(benefit),
        *map(_pert, (d.setup, d.run, d.online_feature_setup, d.online_feature_run)),
    )


def _idea_rows(ideas: Iterable[Idea]) -> Iterator[tuple[Any, ...]]:
    for idea in ideas:
        d, b = idea.deployment, idea.benefit
        s, r, fs, fr = d.setup, d.run, d.online_feature_setup, d.online_feature_run
        yield (
            idea.probability,
            idea.horizon_years,
            idea.discount_rate,
            d.online_serving,
            b.low + 4 * b.likely + b.high,
            s.low + 4 * s.likely + s.high,
            r.low + 4 * r.likely + r.high,
            fs.low + 4 * fs.likely + fs.high,
            fr.low + 4 * fr.likely + fr.high,
        )
