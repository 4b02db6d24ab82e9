"""``xborder markets``: the table of all markets and one market in detail, on a fixed date."""

from __future__ import annotations

import io
import re

import pytest

from xborder.cli import main
from xborder.markets import markets_with_facts


def run(*args: str) -> str:
    out = io.StringIO()
    assert main(["markets", *args], out=out) == 0
    return out.getvalue()


def rows(text: str) -> dict[str, list[str]]:
    """Table rows by country code, cells split on runs of two or more spaces."""
    found = {}
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) == 9 and len(cells[0]) == 2:
            found[cells[0]] = cells
    return found


def test_table_lists_every_market_in_the_facts_on_the_date() -> None:
    text = run("--on", "2026-10-30")
    assert "on 2026-10-30" in text
    header = "country  currency  languages"
    assert header in text and "collection scheme" in text and "as of" in text
    table = rows(text)
    assert set(table) == set(markets_with_facts())
    assert table["DE"] == [
        "DE",
        "EUR",
        "de",
        "19.0 %",
        "yes",
        "EUR 0",
        "EUR 0",
        "IOSS (Import One-Stop Shop)",
        "2026-11-28",
    ]
    assert table["CA"][2] == "en, fr"
    assert table["US"][3:7] == ["unknown", "no", "USD 0", "USD 0"]
    assert table["CH"][5] == "unknown"  # duty de minimis not confirmed: unknown, never 0
    assert table["JP"][5] == "JPY 10,000"


def test_table_follows_the_date() -> None:
    before = rows(run("--on", "2026-06-30"))
    after = rows(run("--on", "2026-07-01"))
    assert before["FR"][5] == "EUR 150" and after["FR"][5] == "EUR 0"
    assert rows(run("--on", "2025-08-28"))["US"][5] == "USD 800"
    assert rows(run("--on", "2024-08-31"))["FI"][3] == "24 %"


def test_table_defaults_to_today(frozen_today: object) -> None:
    assert "on 2026-10-30" in run()


def test_detail_shows_every_fact_period_source_and_unverified_note() -> None:
    text = run("DE", "--on", "2026-10-30")
    assert text.startswith("DE  Germany: the market on 2026-10-30")
    for label in (
        "[vat_rate]: 19.0 %",
        "[prices_include_tax]: yes",
        "[duty_de_minimis]: EUR 0",
        "[flat_duty_per_tariff_line]: EUR 3",
        "[tax_de_minimis]: EUR 0",
        "[collection]: IOSS (Import One-Stop Shop)",
    ):
        assert label in text
    assert "(start not recorded) → 2026-06-30: EUR 150" in text
    assert "* 2026-07-01 → 2028-06-30: EUR 3" in text
    assert "2028-07-01 → (open): EUR 0" in text
    assert "source: https://eur-lex.europa.eu/eli/reg/2026/382/oj/eng" in text
    assert "notes: EUR 150 customs-duty relief" in text
    assert "UNVERIFIED: vat_standard_rate taken from 2026 secondary rate lists" in text
    assert "unverified (not confirmed by the research" in text
    assert "- BattDG in-force date" in text
    assert "locale       de_DE" in text and "measurement  metric" in text


def test_detail_shows_origin_exceptions_and_unknowns() -> None:
    text = run("US", "--on", "2025-06-01")
    assert "[duty_de_minimis]: USD 800" in text
    assert "for goods of origin CN" in text and "for goods of origin HK" in text
    assert "* 2025-05-02 → 2025-08-28: USD 0" in text
    assert "[vat_rate]: unknown" in text
    assert "measurement  US" in text


def test_detail_with_language() -> None:
    assert "locale       fr_CA" in run("CA", "--language", "fr", "--on", "2026-10-30")


def test_detail_for_a_country_without_facts() -> None:
    text = run("KE", "--on", "2026-10-30")
    assert "KES" in text and "no sourced facts for KE" in text and "unknown" in text
    assert " 0" not in text.replace("2026-10-30", "")


@pytest.mark.parametrize("code", ["XX", "EU", "de"])
def test_unknown_code_exits_1_with_the_error_on_stderr(
    code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    assert main(["markets", code, "--on", "2026-10-30"], out=out) == 1
    err = capsys.readouterr().err
    assert f"unknown market {code!r}" in err and err.startswith("xborder: error:")
    assert out.getvalue() == ""


def test_unknown_language_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["markets", "US", "--language", "de"], out=io.StringIO()) == 1
    assert "no locale for language 'de' in country 'US'" in capsys.readouterr().err


def test_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["markets", "--on", "30/10/2026"])
    assert info.value.code == 2
    assert "not a YYYY-MM-DD date" in capsys.readouterr().err
