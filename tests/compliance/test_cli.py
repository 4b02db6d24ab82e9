"""`xborder check` and the demo's readiness matrix over the sample catalog."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from xborder import read_catalog, read_seller
from xborder.cli import DEMO_CHECKED, main
from xborder.compliance._cli import readiness

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "examples" / "catalog.csv"
SELLER = ROOT / "examples" / "seller.json"
ON = date(2026, 10, 30)

# The deliberate gaps of the sample catalog (docs/catalog.md, "The sample catalog").
GAPS = {"CST-01", "TEA-01", "LTH-TOT-01", "VAP-01", "NTB-01", "ART-02"}
# Restricted by nature.
RESTRICTED = {"KNF-01", "CBD-01", "VAP-01", "SED-01", "PHN-01"}
COSMETICS = {"COS-LIP-01", "COS-BRD-01", "COS-HND-01"}


@pytest.fixture(scope="module")
def matrix() -> dict[tuple[str, str], tuple[str, ...]]:
    """(sku, market) -> the error codes of that cell, for the demo's markets."""
    result = readiness(read_catalog(CATALOG), DEMO_CHECKED, seller=read_seller(SELLER), on=ON)
    cells = {}
    for sku, reports in result.reports:
        for market, report in zip(result.markets, reports, strict=True):
            cells[sku, market] = tuple(f.code for f in report.errors)
    return cells


def test_what_the_facts_say_for_the_restricted_products(
    matrix: dict[tuple[str, str], tuple[str, ...]],
) -> None:
    # The vape: prohibited in AU, restricted in GB and JP (facts: restricted_goods.json).
    assert "restricted.prohibited" in matrix["VAP-01", "AU"]
    assert "restricted.restricted" in matrix["VAP-01", "GB"]
    assert "restricted.restricted" in matrix["VAP-01", "JP"]
    # Seeds restricted in AU; CBD restricted in the EU; the knife only where listed (NO).
    assert "restricted.restricted" in matrix["SED-01", "AU"]
    assert "restricted.restricted" in matrix["CBD-01", "DE"]
    assert "restricted.restricted" in matrix["KNF-01", "NO"]
    for market in ("DE", "GB", "JP", "AU", "CA", "US"):
        assert not [c for c in matrix["KNF-01", market] if c.startswith("restricted.")]


def test_gpsr_gaps_only_in_eu_markets(matrix: dict[tuple[str, str], tuple[str, ...]]) -> None:
    assert "gpsr.responsible_person_missing" in matrix["TEA-01", "DE"]
    assert "gpsr.responsible_person_missing" in matrix["LTH-TOT-01", "DE"]
    assert "gpsr.manufacturer_missing" in matrix["VAP-01", "DE"]
    for (_, market), codes in matrix.items():
        if market != "DE":
            assert not [c for c in codes if c.startswith("gpsr.")], market


def test_ordinary_products_raise_no_error_anywhere(
    matrix: dict[tuple[str, str], tuple[str, ...]],
) -> None:
    ordinary = {sku for sku, _ in matrix} - GAPS - RESTRICTED - COSMETICS
    assert len(ordinary) >= 20
    for sku in ordinary:
        for market in DEMO_CHECKED:
            assert matrix[sku, market] == (), (sku, market, matrix[sku, market])


def test_at_least_60_percent_ready_for_de_gb_jp(
    matrix: dict[tuple[str, str], tuple[str, ...]],
) -> None:
    skus = {sku for sku, _ in matrix}
    for market in ("DE", "GB", "JP"):
        ready = sum(1 for sku in skus if not matrix[sku, market])
        assert ready / len(skus) >= 0.6, (market, ready)


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def test_check_command_exit_status_and_matrix() -> None:
    status, text = run(
        "check",
        str(CATALOG),
        "--to",
        "DE,GB,JP,AU,CA,US",
        "--seller",
        str(SELLER),
        "--on",
        "2026-10-30",
    )
    assert status == 1  # the sample catalog has blocked listings
    assert "VAP-01" in text and "blocked" in text
    assert "top reason per cell that is not ready" in text


def test_check_command_clean_catalog_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    rows = CATALOG.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([rows[0], *[r for r in rows if r.startswith("MUG-01-BLU,")]]) + "\n")
    status, text = run(
        "check", str(path), "--to", "GB,JP", "--seller", str(SELLER), "--on", "2026-10-30"
    )
    assert status == 0, text


def test_check_command_json() -> None:
    status, text = run("check", str(CATALOG), "--to", "AU", "--on", "2026-10-30", "--json")
    data = json.loads(text)
    assert status == 1
    assert data["markets"] == ["AU"]
    vape = next(item for item in data["listings"] if item["sku"] == "VAP-01")
    assert vape["markets"]["AU"]["status"] == "blocked"


def test_check_command_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = run("check", str(tmp_path / "missing.csv"), "--on", "2026-10-30")
    assert status == 2
    assert "cannot open" in capsys.readouterr().err
    status, _ = run("check", str(CATALOG), "--to", "XX", "--on", "2026-10-30")
    assert status == 2


def test_demo_prints_the_readiness_matrix() -> None:
    status, text = run("demo", "--limit", "1")
    assert status == 0
    section = text[text.index("Readiness of the sample catalog") :]
    assert "VAP-01" in section and "blocked" in section
    assert "restricted.prohibited" in section
