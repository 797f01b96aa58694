"""Ideas given as columns, read from Idea objects or built from plain rows as the mapper reads
them from the database, give the very documents and reports of the Idea objects."""

from __future__ import annotations

import json
import math
import random

import pytest

from tests.engine.test_batch import random_catalogue, random_ideas
from valuechain.engine import batch, documents
from valuechain.engine.chain import AssetKind, Deployment, Estimate, Idea, UnknownAsset
from valuechain.engine.columns import IdeaColumns
from valuechain.engine.finance import NonFiniteResult


def _rows(ideas: list[Idea], rng: random.Random) -> IdeaColumns:
    """The columns from plain values: estimates as (low, likely, high), kinds as strings,
    no deployment as None, the needs of all ideas interleaved (as one query returns them)."""
    idea_rows = [
        (
            idea.id,
            idea.probability,
            idea.horizon_years,
            idea.discount_rate,
            (idea.benefit.low, idea.benefit.likely, idea.benefit.high),
            None if idea.deployment == Deployment() else idea.deployment,
        )
        for idea in ideas
    ]
    need_rows = [
        (
            idea.id,
            (str(need.asset[0].value), need.asset[1]),
            need.weight,
            need.essential,
            (need.engineering.low, need.engineering.likely, need.engineering.high),
        )
        for idea in ideas
        for need in idea.needs
    ]
    # Interleave the ideas' needs, each idea's in its order.
    queues = [[row for row in need_rows if row[0] == idea.id] for idea in ideas]
    mixed = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        mixed.append(queue.pop(0))
    return IdeaColumns.from_rows(idea_rows, mixed)


def _same(fast: list[dict], slow: list[dict]) -> None:
    assert fast == slow
    assert json.dumps(fast) == json.dumps(slow)


@pytest.mark.parametrize("seed", range(24))
def test_columns_from_objects_and_from_rows_give_the_documents_of_the_objects(seed):
    rng = random.Random(seed)
    cat = random_catalogue(rng, size=rng.randint(3, 15))
    compiled = batch.compile_catalogue(cat)
    ideas = random_ideas(rng, cat, 80)
    expected = [
        documents.report_to_document(r) for r in batch.compiled_roi_reports(ideas, compiled)
    ]
    _same(batch.compiled_report_documents(IdeaColumns.of(ideas), compiled), expected)
    from_rows = _rows(ideas, rng)
    _same(batch.compiled_report_documents(from_rows, compiled), expected)
    _same(batch.report_documents(from_rows, cat), expected)
    assert batch.roi_reports(from_rows, cat) == batch.roi_reports(ideas, cat)


def test_ideas_without_needs_and_no_ideas():
    rng = random.Random(3)
    cat = random_catalogue(rng)
    ideas = [
        Idea(id=7, benefit=Estimate.exact(5_000), probability=0.5),
        Idea(id=8, benefit=Estimate(1.0, 2.0, 4.0), probability=1.0, horizon_years=30),
    ]
    columns = _rows(ideas, rng)
    assert len(columns) == 2 and columns.needs_per_idea.tolist() == [0, 0]
    docs = batch.report_documents(columns, cat)
    assert [doc["idea_id"] for doc in docs] == [7, 8]
    assert all(doc["charged_assets"] == [] and doc["tier"] == 1 for doc in docs)
    _same(docs, batch.report_documents(ideas, cat))
    assert batch.report_documents(IdeaColumns.from_rows([], []), cat) == []


def test_the_columns_are_read_only_and_hold_the_asset_keys():
    rng = random.Random(5)
    cat = random_catalogue(rng)
    ideas = random_ideas(rng, cat, 20)
    columns = IdeaColumns.of(ideas)
    assert columns.need_assets == [need.asset for idea in ideas for need in idea.needs]
    assert columns.ids == tuple(idea.id for idea in ideas)
    with pytest.raises(ValueError):
        columns.probability[0] = 0.5


def test_needs_of_ideas_not_given_are_left_out():
    rng = random.Random(1)
    cat = random_catalogue(rng)
    key = next(iter(cat))
    row = (1, 0.5, 3, 0.1, (10.0, 20.0, 30.0), None)
    need = (2, key, 1.0, True, (1.0, 2.0, 3.0))
    columns = IdeaColumns.from_rows([row], [need])
    assert columns.needs_per_idea.tolist() == [0]


def test_an_unknown_asset_is_reported():
    rng = random.Random(2)
    cat = random_catalogue(rng)
    row = (1, 0.5, 3, 0.1, (10.0, 20.0, 30.0), None)
    known = (1, next(iter(cat)), 1.0, False, (1.0, 2.0, 3.0))
    unknown = (1, (AssetKind.RAW_SOURCE, 999), 1.0, True, (1.0, 2.0, 3.0))
    with pytest.raises(UnknownAsset) as raised:
        batch.report_documents(IdeaColumns.from_rows([row], [known, unknown]), cat)
    assert raised.value.args[0] == (AssetKind.RAW_SOURCE, 999)
    with pytest.raises(UnknownAsset):
        batch.report_documents(IdeaColumns.from_rows([row], [unknown]), {})


def test_a_non_finite_figure_is_refused():
    rng = random.Random(4)
    cat = random_catalogue(rng)
    huge = (1e308, 1e308, 1e308)
    rows = [(1, 1.0, 30, 0.0, huge, None), (2, 0.5, 3, 0.1, (1.0, 2.0, 3.0), None)]
    columns = IdeaColumns.from_rows(rows, [])
    assert math.isinf(columns.benefit[0])
    with pytest.raises(NonFiniteResult):
        batch.report_documents(columns, cat)
    with pytest.raises(NonFiniteResult):
        batch.roi_reports(columns, cat)


@pytest.mark.parametrize(
    "row",
    [
        (1, 1.5, 3, 0.1, (1.0, 2.0, 3.0), None),
        (1, 0.5, 0, 0.1, (1.0, 2.0, 3.0), None),
        (1, 0.5, 3, 2.0, (1.0, 2.0, 3.0), None),
    ],
)
def test_rows_an_idea_would_refuse_are_refused(row):
    with pytest.raises(ValueError):
        IdeaColumns.from_rows([row], [])


@pytest.mark.parametrize("spread", [1, 10**9])
def test_needs_find_their_assets_whether_ids_are_dense_or_sparse(spread):
    keys = [(kind, i * spread) for kind in AssetKind for i in range(1, 6)]
    row = (1, 0.5, 3, 0.1, (1.0, 2.0, 3.0), None)
    wanted = [keys[7], keys[0], keys[19], keys[7]]
    needs = [(1, key, 1.0, False, (1.0, 2.0, 3.0)) for key in wanted]
    columns = IdeaColumns.from_rows([row], needs)
    assert columns.asset_positions(keys).tolist() == [7, 0, 19, 7]
    missing = (1, (AssetKind.FEATURE, 6 * spread), 1.0, False, (1.0, 2.0, 3.0))
    with pytest.raises(UnknownAsset):
        IdeaColumns.from_rows([row], [*needs, missing]).asset_positions(keys)
