"""The catalogue compiled for the vectorised engine (batch): computed once per catalogue
version and reused by every batch computation over it; picklable and read only, so a cache
can hold it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, NoReturn

import numpy as np
from scipy import sparse

from valuechain.engine.chain import (
    AssetKey,
    AssetKind,
    Catalogue,
    serves_offline_only,
    walks_upstream,
)


class FrozenIndex(dict[AssetKey, int]):
    """A dict that refuses writes once built: lookups stay a plain dict's."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a compiled catalogue is read only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict[AssetKey, int]]]:
        return (FrozenIndex, (dict(self),))


@dataclass(frozen=True, eq=False)
class CompiledCatalogue:
    """The catalogue as per-asset vectors plus its closure matrix, computed once and read
    only (arrays are frozen; it pickles, so a cache can hold it keyed by catalogue version).

    Keys are in sorted order, so an idea's charged assets come out sorted as finance gives
    them. Keys no asset holds but a lineage link names follow them (`missing`), so a closure
    that reaches one can be reported like chain.closure does.
    """

    keys: tuple[AssetKey, ...]
    index: Mapping[AssetKey, int]
    closure: sparse.csr_matrix  # K[a, b] = 1 when b is in closure(a); int64, sorted
    charged_closure: sparse.csr_matrix  # K with only the charged columns kept
    closure_tier: np.ndarray  # highest tier in each asset's closure
    feature: np.ndarray  # bool: the key names a feature
    charged: np.ndarray  # bool
    build: np.ndarray  # PERT mean when charged, else 0
    run: np.ndarray
    log_feasibility: np.ndarray  # log of a charged asset's feasibility, 0 otherwise
    zero_feasibility: np.ndarray  # 1 for a charged asset with feasibility 0
    offline_feature: np.ndarray  # 1 for a feature not served online
    missing: np.ndarray  # bool: a key no asset holds

    def __post_init__(self) -> None:
        for value in vars(self).values():
            parts = (value.data, value.indices, value.indptr) if sparse.issparse(value) else [value]
            for part in parts:
                if isinstance(part, np.ndarray):
                    part.flags.writeable = False

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # Through the constructor, so an unpickled copy is frozen too.
        return (CompiledCatalogue, tuple(getattr(self, f.name) for f in fields(self)))

    @property
    def size(self) -> int:
        return len(self.keys)


def compile_catalogue(catalogue: Catalogue) -> CompiledCatalogue:
    """The arrays every batch computation over this catalogue reads."""
    keys = sorted(catalogue)
    index = {key: i for i, key in enumerate(keys)}
    present = len(keys)
    assets = [catalogue[key] for key in keys]
    rows: list[int] = []
    cols: list[int] = []
    for i, asset in enumerate(assets):
        if not walks_upstream(asset):
            continue
        for up in asset.upstream:
            j = index.get(up)
            if j is None:
                j = index[up] = len(keys)
                keys.append(up)
            rows.append(i)
            cols.append(j)
    n = len(keys)
    edges = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(n, n), dtype=np.int64
    )
    closure = _transitive_closure(edges, n)
    tier = np.array([key[0].tier for key in keys], dtype=np.int64)
    closure_tier = (
        np.maximum.reduceat(tier[closure.indices], closure.indptr[:-1]) if n else tier.copy()
    )

    def vector(values: Iterable[float], dtype: Any = np.float64) -> np.ndarray:
        out = np.zeros(n, dtype=dtype)
        out[:present] = np.fromiter(values, dtype, present)
        return out

    charged = vector((asset.charged for asset in assets), bool)
    feasibility = vector(asset.feasibility for asset in assets)
    positive = charged & (feasibility > 0)
    log_feasibility = np.zeros(n)
    log_feasibility[positive] = np.log(feasibility[positive])
    kept = charged[closure.indices].astype(np.int64)
    charged_closure = sparse.csr_matrix(
        (closure.data * kept, closure.indices.copy(), closure.indptr.copy()), shape=(n, n)
    )
    charged_closure.eliminate_zeros()
    return CompiledCatalogue(
        keys=tuple(keys),
        index=FrozenIndex(index),
        closure=closure,
        charged_closure=charged_closure,
        closure_tier=closure_tier,
        feature=tier == AssetKind.FEATURE.tier,
        charged=charged,
        build=np.where(charged, vector(asset.build.mean for asset in assets), 0.0),
        run=np.where(charged, vector(asset.run.mean for asset in assets), 0.0),
        log_feasibility=log_feasibility,
        zero_feasibility=(charged & (feasibility <= 0)).astype(np.float64),
        offline_feature=vector(map(serves_offline_only, assets)),
        missing=np.arange(n) >= present,
    )


def _transitive_closure(edges: sparse.csr_matrix, n: int) -> sparse.csr_matrix:
    """Reflexive transitive closure: add one lineage step at a time until nothing is new."""
    reach = sparse.identity(n, format="csr", dtype=np.int64)
    while True:
        grown = (reach + reach @ edges).tocsr()
        grown.data[:] = 1
        if grown.nnz == reach.nnz:
            grown.sort_indices()
            return grown
        reach = grown
