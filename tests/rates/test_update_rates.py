"""scripts/update_rates.py: regenerates the shipped data deterministically."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from xborder.rates import RateSnapshot

from ._helpers import FIXTURES

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "update_rates.py"
DATA = Path(__file__).resolve().parents[2] / "src" / "xborder" / "rates" / "data"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_rates", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hist_zip(tmp_path: Path) -> Path:
    path = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("eurofxref-hist.csv", (FIXTURES / "eurofxref-hist.csv").read_text())
    return path


def test_from_an_ecb_zip(script: ModuleType, hist_zip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert script.main(["--file", str(hist_zip), "--since", "2018-01-01", "--out", str(out)]) == 0
    csv_text = (out / "eurofxref.csv").read_text()
    assert csv_text.splitlines() == [
        "Date,USD,JPY,BGN,GBP,RUB,ISK",
        "2026-01-02,1.1721,183.94,N/A,0.8719,N/A,147.4",
        "2025-12-31,1.175,184.09,1.9558,0.8726,N/A,147.2",
        "2018-02-01,1.2459,136.62,1.9558,0.8752,70.122,125.01",
        "2018-01-31,1.2457,135.6,1.9558,0.8791,70.0723,N/A",
    ]
    meta = json.loads((out / "eurofxref.json").read_text())
    assert meta["as_of"] == "2026-01-02"
    assert meta["first"] == "2018-01-31"
    assert meta["generated_at"] == "2026-01-02"
    assert meta["rows"] == 4
    assert meta["currencies"] == ["USD", "JPY", "BGN", "GBP", "RUB", "ISK"]
    assert meta["sha256"] == hashlib.sha256(csv_text.encode()).hexdigest()
    assert RateSnapshot.from_csv(csv_text, source="out").as_of.isoformat() == "2026-01-02"


def test_output_is_deterministic_and_check_works(
    script: ModuleType, hist_zip: Path, tmp_path: Path
) -> None:
    args = ["--file", str(hist_zip), "--out", str(tmp_path / "a"), "--generated-at", "2026-01-05"]
    assert script.main(args) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert script.main(args) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()} == first
    assert json.loads(first["eurofxref.json"])["generated_at"] == "2026-01-05"
    assert script.main([*args, "--check"]) == 0
    (tmp_path / "a" / "eurofxref.csv").write_text("changed")
    assert script.main([*args, "--check"]) == 1


def test_default_since_keeps_three_full_years(
    script: ModuleType, hist_zip: Path, tmp_path: Path
) -> None:
    assert script.main(["--file", str(hist_zip), "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "eurofxref.json").read_text())["first"] == "2025-12-31"


def test_from_an_ecb_xml(script: ModuleType, tmp_path: Path) -> None:
    source = FIXTURES / "eurofxref-daily.xml"
    assert script.main(["--file", str(source), "--out", str(tmp_path)]) == 0
    text = (tmp_path / "eurofxref.csv").read_text()
    assert text.splitlines()[1].startswith("2026-10-30,1.1172,175.68,24.353,7.4735,0.83380,")


def test_shipped_data_is_the_ecb_file(script: ModuleType) -> None:
    """Regenerating from the currency_converter copy of eurofxref-hist.zip changes nothing."""
    pytest.importorskip("currency_converter")
    assert script.main(["--check"]) == 0
    assert (DATA / "eurofxref.csv").stat().st_size < 300_000
