"""Report documents (what the stored figures hold) built straight from the vectorised arrays
are the documents of the engine's report objects: equal, the same floats bit for bit, the
same JSON text, and read back into the same reports."""

from __future__ import annotations

import json
import random

import pytest

from tests.engine.test_batch import assert_same_report, random_catalogue, random_ideas
from tests.engine.worked_example import F1, catalogue, walk_idea
from valuechain.engine import batch, documents, finance
from valuechain.engine.chain import Estimate, Idea, Need, UnknownAsset
from valuechain.figures import codec


def _object_path(ideas: list[Idea], compiled: batch.CompiledCatalogue) -> list[dict]:
    return [documents.report_to_document(r) for r in batch.compiled_roi_reports(ideas, compiled)]


def _assert_same_documents(fast: list[dict], slow: list[dict]) -> None:
    assert fast == slow
    # == takes 1 for 1.0 and is blind to key order: the stored JSON text is not.
    assert json.dumps(fast, allow_nan=False) == json.dumps(slow)


@pytest.mark.parametrize("seed", range(16))
def test_documents_from_the_arrays_are_the_documents_of_the_reports(seed):
    rng = random.Random(seed)
    cat = random_catalogue(rng, size=rng.randint(3, 15))
    compiled = batch.compile_catalogue(cat)
    ideas = random_ideas(rng, cat, 120)
    fast = batch.compiled_report_documents(ideas, compiled)
    _assert_same_documents(fast, _object_path(ideas, compiled))
    _assert_same_documents(batch.report_documents(ideas, cat), fast)


def test_documents_cover_every_kind_of_report_and_read_back_into_the_same_reports():
    rng = random.Random(0)
    cat = random_catalogue(rng)
    ideas = random_ideas(rng, cat, 300)
    ideas.append(Idea(id=1000, benefit=Estimate.exact(5_000), probability=0.5, needs=()))
    fast = batch.report_documents(ideas, cat)
    reports = batch.roi_reports(ideas, cat)
    _assert_same_documents(fast, [documents.report_to_document(r) for r in reports])
    # Guard on the instances: every shape of value a document can hold is in them.
    assert any(doc["roi"] is None for doc in fast)
    assert any(doc["payback_years"] is None for doc in fast)
    assert any(doc["best_stop_tier"] is None for doc in fast)  # do not build
    assert any(doc["negative_from_tier"] is not None for doc in fast)
    assert any(step[6] is None for doc in fast for step in doc["ladder"])
    assert any(not doc["charged_assets"] for doc in fast)
    assert {len(doc["ladder"]) for doc in fast} == {1, 2, 3, 4}
    without_needs = fast[-1]
    assert without_needs["tier"] == 1 and without_needs["charged_assets"] == []
    assert without_needs["roi"] is None and without_needs["payback_years"] == 0.0
    for document, report in zip(fast, reports, strict=True):
        stored = json.loads(json.dumps(document))
        assert documents.report_from_document(stored) == report


def test_the_worked_example_as_documents():
    cat = catalogue()
    ideas = [
        walk_idea(id=1),
        walk_idea(id=2, needs=walk_idea().needs[:1]),
        walk_idea(id=3, needs=()),
    ]
    fast = batch.report_documents(ideas, cat)
    _assert_same_documents(fast, _object_path(ideas, batch.compile_catalogue(cat)))
    # ... and, to the usual tolerance, the scalar engine's figures.
    for document, report in zip(fast, finance.roi_reports(ideas, cat), strict=True):
        assert_same_report(documents.report_from_document(document), report)
    first = fast[0]
    assert first["best_stop_tier"] == 2
    assert [step[0] for step in first["ladder"]] == [1, 2, 3, 4]
    assert all(type(step[0]) is int for step in first["ladder"])
    assert ["feature", 3] in first["charged_assets"]
    assert list(first) == list(documents.DOCUMENT_KEYS)


def test_a_figure_too_large_is_refused_as_the_report_objects_refuse_it():
    huge = Estimate.exact(1e308)  # its PERT mean overflows
    ideas = [walk_idea(id=1), Idea(id=7, benefit=huge, probability=0.5, needs=walk_idea().needs)]
    refused = []
    for compute in (batch.roi_reports, batch.report_documents):
        with pytest.raises(finance.NonFiniteResult) as caught:
            compute(ideas, catalogue())
        refused.append((caught.value.idea_id, caught.value.figure))
    assert refused[0] == refused[1] == (7, "expected_annual_benefit")


def test_no_ideas_no_documents_and_an_unknown_asset_is_reported():
    assert batch.report_documents([], catalogue()) == []
    # Nothing charged anywhere: an empty catalogue and an idea without needs.
    alone = [walk_idea(needs=())]
    _assert_same_documents(
        batch.report_documents(alone, {}), _object_path(alone, batch.compile_catalogue({}))
    )
    with pytest.raises(UnknownAsset):
        batch.report_documents([walk_idea(needs=(Need("x", (F1[0], 404)),))], catalogue())


def test_the_stored_figures_codec_is_the_engines():
    report = finance.roi_report(walk_idea(), catalogue())
    assert codec.report_to_json(report) == documents.report_to_document(report)
    assert codec.report_from_json(codec.report_to_json(report)) == report
    with pytest.raises(codec.UnreadableReport):
        documents.report_from_document({"ladder": "?"})
    assert codec.UnreadableReport is documents.UnreadableReport
