"""The pure side of catalogue import: reading documents, parsing rows, checking lineage."""

from __future__ import annotations

import json

import pytest

from valuechain.catalogue.bulk.checks import check_rows, plan
from valuechain.catalogue.bulk.document import (
    COLUMNS,
    KIND_ONLY,
    MAX_BYTES,
    MAX_ROWS,
    AssetRow,
    CatalogueSnapshot,
    EstimateRow,
    ImportFileError,
    RowError,
    join_names,
    read_document,
    split_names,
    to_csv,
    to_json,
)
from valuechain.catalogue.bulk.parsing import parse_record, parse_records


def rows_of(text: str, fmt: str = "csv") -> tuple[list[AssetRow], list[RowError]]:
    records, errors = read_document(text.encode(), fmt)
    rows, row_errors = parse_records(records)
    return rows, errors + row_errors


def problems(errors: list[RowError]) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in errors}


def test_csv_rows_are_numbered_as_in_a_spreadsheet_and_parsed_into_typed_fields():
    rows, errors = rows_of(
        "kind,name,available,feasibility,build_low,build_likely,build_high,build_days_role,"
        "upstream,is_current\n"
        "raw_source,POS log,yes,,1,2,3,Data engineer,Vendor,\n"
        "feature,Sales,false,0.8,10,20,30,,A;B\\;C,\n"
    )
    assert errors == []
    raw, feature = rows
    assert raw.row == 2 and feature.row == 3
    assert raw.values == {"available": True, "feasibility": None, "is_current": None}
    assert raw.build == EstimateRow(1, 2, 3, "Data engineer")
    assert raw.upstream == ("Vendor",)
    assert feature.values["feasibility"] == 0.8
    assert feature.upstream == ("A", "B;C")


def test_names_with_separators_survive_joining_and_splitting():
    names = ["plain", "semi;colon", "back\\slash", "both\\;"]
    assert split_names(join_names(names)) == names


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("kind=tier5", "kind"),
        ("name=", "name"),
        ("build_low=abc", "build_low"),
        ("build_low=-1", "build_low"),
        ("build_low=nan", "build_low"),
        ("build_low=1e400", "build_low"),
        ("build_likely=", "build_likely"),
        ("feasibility=1.5", "feasibility"),
        ("available=maybe", "available"),
        ("is_current=perhaps", "is_current"),
        ("provider=Acme", "provider"),
        ("online=true", "online"),
    ],
)
def test_every_kind_of_bad_cell_is_reported_with_its_row_and_column(cell, column):
    base = {
        "kind": "raw_source",
        "name": "x",
        "build_low": "1",
        "build_likely": "2",
        "build_high": "3",
    }
    key, value = cell.split("=")
    record = {**base, key: value}
    row, errors = parse_record(7, record)
    assert row is None
    assert (7, column) in problems(errors)
    assert all(error.problem for error in errors)


def test_an_estimate_out_of_order_is_refused_on_likely():
    _, errors = parse_record(
        2, {"kind": "feature", "name": "f", "run_low": "5", "run_likely": "4", "run_high": "6"}
    )
    assert problems(errors) == {(2, "run_likely")}
    assert "low <= likely <= high" in errors[0].problem


def test_an_acquisition_option_is_never_available_and_has_no_upstream():
    _, errors = parse_record(
        3, {"kind": "acquisition_option", "name": "v", "available": "true", "upstream": "x"}
    )
    assert problems(errors) == {(3, "available"), (3, "upstream")}


def test_a_raw_source_comes_from_one_acquisition_option_at_most():
    _, errors = parse_record(4, {"kind": "raw_source", "name": "r", "upstream": "a;b"})
    assert problems(errors) == {(4, "upstream")}


def test_unknown_columns_are_reported_in_the_header_and_in_json_records():
    _, errors = rows_of("kind,name,colour\nfeature,f,red\n")
    assert problems(errors) == {(1, "colour")}
    _, errors = rows_of(json.dumps([{"kind": "feature", "name": "f", "colour": "red"}]), "json")
    assert problems(errors) == {(1, "colour")}


def test_a_row_with_the_wrong_number_of_cells_is_reported():
    _, errors = rows_of("kind,name\nfeature,f,extra\n")
    assert problems(errors) == {(2, "")}


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"\xff\xfe\x00k", "csv", "UTF-8"),
        (b"", "csv", "empty"),
        (b"[1, 2", "json", "JSON"),
        (b'{"rows": []}', "json", "Unknown top-level"),
        (b'"a string"', "json", "list of assets"),
        (b"a: [1, 2\n", "yaml", "YAML"),
        (b"!!python/object/apply:os.system ['echo hi']", "yaml", "YAML"),
        (b"[" * 100_000 + b"]" * 100_000, "json", "JSON"),
        (b"kind,name\n", "xml", "Unknown format"),
    ],
)
def test_an_unreadable_document_is_refused_as_a_whole(data, fmt, message):
    with pytest.raises(ImportFileError, match=message):
        read_document(data, fmt)


def test_the_file_size_and_row_count_are_bounded():
    with pytest.raises(ImportFileError) as too_big:
        read_document(b"x" * (MAX_BYTES + 1), "csv")
    assert too_big.value.too_large
    lines = "kind,name\n" + "".join(f"feature,f{i}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ImportFileError, match="more than 5000 rows") as too_many:
        read_document(lines.encode(), "csv")
    assert not too_many.value.too_large
    records = json.dumps([{"kind": "feature", "name": f"f{i}"} for i in range(MAX_ROWS + 1)])
    with pytest.raises(ImportFileError, match="5001 rows"):
        read_document(records.encode(), "json")
    exactly = "kind,name\n" + "".join(f"feature,f{i}\n" for i in range(MAX_ROWS))
    records_read, _ = read_document(exactly.encode(), "csv")
    assert len(records_read) == MAX_ROWS


def snapshot(*keys: tuple[str, str], roles=(), users=()) -> CatalogueSnapshot:
    return CatalogueSnapshot(
        assets={key: [AssetRow(0, *key)] for key in keys},
        roles=frozenset(roles),
        usernames=frozenset(users),
    )


def test_lineage_may_point_at_rows_of_the_file_or_at_the_catalogue():
    rows, _ = rows_of(
        "kind,name,upstream\n"
        "curated_dataset,New table,Existing raw\n"
        "feature,New feature,New table;Old table\n"
    )
    known = snapshot(("raw_source", "Existing raw"), ("curated_dataset", "Old table"))
    assert check_rows(rows, known) == []


def test_lineage_to_a_missing_or_wrong_kind_upstream_names_the_row():
    rows, _ = rows_of(
        "kind,name,upstream\nfeature,f1,Nowhere\nfeature,f2,POS log\nraw_source,r1,f1\n"
    )
    errors = check_rows(rows, snapshot(("raw_source", "POS log")))
    by_row = {error.row: error for error in errors}
    assert problems(errors) == {(2, "upstream"), (3, "upstream"), (4, "upstream")}
    assert "No curated dataset named 'Nowhere'" in by_row[2].problem
    assert "'POS log' is a raw source" in by_row[3].problem
    assert "'f1' is a feature" in by_row[4].problem


def test_duplicates_unknown_owners_and_roles_are_reported():
    rows, _ = rows_of(
        "kind,name,owner,build_low,build_likely,build_high,build_days_role\n"
        "feature,f,alice,1,1,1,Data engineer\n"
        "feature,f,nobody,1,1,1,Astronaut\n"
    )
    errors = check_rows(rows, snapshot(roles=["Data engineer"], users=["alice"]))
    assert problems(errors) == {(3, "name")}
    rows, _ = rows_of(
        "kind,name,owner,build_low,build_likely,build_high,build_days_role\n"
        "feature,g,nobody,1,1,1,Astronaut\n"
    )
    errors = check_rows(rows, snapshot(roles=["Data engineer"], users=["alice"]))
    assert problems(errors) == {(2, "owner"), (2, "build_days_role")}


def test_an_ambiguous_name_in_the_catalogue_cannot_be_upserted():
    rows, _ = rows_of("kind,name\nfeature,twin\n")
    twins = CatalogueSnapshot(assets={("feature", "twin"): [AssetRow(0, "feature", "twin")] * 2})
    errors = check_rows(rows, twins)
    assert problems(errors) == {(2, "name")}


def test_the_plan_tells_new_changed_and_unchanged_rows_apart():
    current = AssetRow(0, "feature", "same", {"available": True}, upstream=("t",))
    known = CatalogueSnapshot(
        assets={
            ("feature", "same"): [current],
            ("feature", "changed"): [AssetRow(0, "feature", "changed", {"available": True})],
        }
    )
    rows, _ = rows_of(
        "kind,name,available,upstream\n"
        "feature,same,true,t\n"
        "feature,changed,false,\n"
        "feature,new,true,\n"
    )
    assert [p.action for p in plan(rows, known)] == ["unchanged", "update", "create"]


def test_csv_export_of_records_reads_back_to_the_same_rows():
    empty = {column: None for column in COLUMNS if column not in KIND_ONLY}
    records = [
        {
            **empty,
            "kind": "raw_source",
            "name": "r;1",
            "available": True,
            "feasibility": 0.25,
            "build_low": 1.5,
            "build_likely": 2.0,
            "build_high": 3.0,
            "upstream": ["v"],
            "is_current": None,
            "arrives_regularly": True,
            "quality_ensurable": False,
            "sla_establishable": None,
            "system": "erp",
        }
    ]
    from_csv, errors = rows_of(to_csv(records))
    from_json, json_errors = rows_of(to_json(records), "json")
    assert errors == json_errors == []
    assert from_csv[0].values == from_json[0].values
    assert from_csv[0].build == from_json[0].build == EstimateRow(1.5, 2.0, 3.0)
    assert from_csv[0].name == "r;1" and from_csv[0].upstream == ("v",)


@pytest.mark.parametrize(
    ("record", "column"),
    [
        (["feature", "f"], ""),
        ("feature,f", ""),
        ({"name": "f"}, "kind"),
        ({"kind": "feature", "name": 42}, "name"),
        ({"kind": "feature", "name": "f", "owner": 7}, "owner"),
        ({"kind": "feature", "name": "f", "upstream": [1, 2]}, "upstream"),
        ({"kind": "feature", "name": "f", "upstream": {"a": 1}}, "upstream"),
        ({"kind": "feature", "name": "f", "upstream": ["x"] * 1001}, "upstream"),
        (
            {"kind": "feature", "name": "f", "build_low": True, "build_likely": 1, "build_high": 1},
            "build_low",
        ),
        ({"kind": "feature", "name": "f", "build_days_role": "Data engineer"}, "build_likely"),
        ({"kind": "feature", "name": "x" * 201}, "name"),
    ],
)
def test_bad_json_and_yaml_records_are_reported_on_their_row(record, column):
    rows, errors = rows_of(json.dumps([{"kind": "feature", "name": "ok"}, record]), "json")
    assert [row.name for row in rows] == ["ok"]
    assert (2, column) in problems(errors)


def test_yaml_anchors_and_aliases_are_refused_before_anything_expands():
    document = "base: &b [x, x]\nassets:\n  - {kind: feature, name: f, upstream: [*b, *b]}\n"
    with pytest.raises(ImportFileError, match=r"anchors and aliases.*line 1, column 7"):
        read_document(document.encode(), "yaml")
    document = "- &b [x, x]\n- {kind: feature, name: f, upstream: [*b, *b]}\n"
    with pytest.raises(ImportFileError, match="anchors and aliases"):
        read_document(document.encode(), "yaml")


def test_json_numbers_beyond_a_float_and_unpaired_surrogates_are_refused_by_place():
    with pytest.raises(ImportFileError, match=r"out of range.*\[0\]\.build_low"):
        read_document(b'[{"kind": "feature", "name": "f", "build_low": 1e999}]', "json")
    with pytest.raises(ImportFileError, match=r"surrogate.*\[0\]\.name"):
        read_document(b'[{"kind": "feature", "name": "\\udcff"}]', "json")
