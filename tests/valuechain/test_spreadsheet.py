"""The shared CSV writer: formulas kept as text, undone exactly on the way back in."""

from __future__ import annotations

import csv
import io

import pytest

from valuechain.spreadsheet import neutralise, restore, write_csv

TEXTS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\tlead tab",
    "\rlead return",
    "'=quoted formula",
    "''=twice",
    "'plain",
    "'",
    "",
    "plain",
    "a=b",
]


@pytest.mark.parametrize("text", TEXTS)
def test_restore_undoes_neutralise_exactly(text: str) -> None:
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'=x"])
def test_a_formula_start_is_written_behind_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_text_that_cannot_run_is_written_as_it_is() -> None:
    assert neutralise("'plain") == "'plain" and restore("'plain") == "'plain"
    assert neutralise("Plain name") == "Plain name"


def test_numbers_are_never_neutralised_and_non_finite_ones_are_empty() -> None:
    text = write_csv(["n", "x"], [[-5.0, float("inf")], [-3, None]])
    assert text == "n,x\n-5,\n-3,\n"


def test_a_cell_with_a_carriage_return_is_quoted_so_the_row_reads_back_whole() -> None:
    text = write_csv(["name", "other"], [["\rReturned", "x"], ["a\rb", "y"]])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["name", "other"], ["'\rReturned", "x"], ["a\rb", "y"]]
