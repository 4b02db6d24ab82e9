from __future__ import annotations

import io
from pathlib import Path

import pytest

from xborder.cli import DEMO_MARKETS, main


def run(*args: str) -> str:
    out = io.StringIO()
    assert main(list(args), out=out) == 0
    return out.getvalue()


def test_demo_prints_every_market_with_rate_date_and_source() -> None:
    text = run("demo", "--limit", "2")
    for code in DEMO_MARKETS:
        assert f"\n{code} " in text
    for currency in ("EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK", "PLN", "MXN"):
        assert currency in text
    assert "2026-10-30" in text  # the bundled snapshot's date: the demo prices on it
    assert "ECB" in text
    assert "more listings priced" in text
    assert "skipped" not in text


def test_demo_all_shows_every_listing() -> None:
    text = run("demo", "--all")
    assert "more listings priced" not in text
    assert "MUG-" in text


def test_demo_with_other_catalog(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "sku,title,price.amount,price.currency,quantity\nA-1,Mug,10.00,USD,1\nA-2,Mug,ten,USD,1\n"
    )
    text = run("demo", "--catalog", str(path))
    assert "A-1" in text
    assert "priced 10 offers (1 listing ×" in text
    assert "skipped:" in text and "row 3" in text


def test_demo_missing_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--catalog", str(tmp_path / "none.csv")], out=io.StringIO()) == 1
    assert "cannot open" in capsys.readouterr().err


def test_usage_error() -> None:
    with pytest.raises(SystemExit):
        main([])


def test_demo_shows_localized_content_with_provenance() -> None:
    text = run("demo", "--limit", "1")
    section = text[text.index("Localized for buyers in") :]
    assert "DE (de_DE, metric)" in section
    assert "JP (ja_JP, metric)" in section
    assert "Ridgeline Steinzeugtasse 350 ml" in section  # the seller's German title
    assert "Farbe: Blau, Weiß" in section  # glossary
    assert "カラー: ブルー, ホワイト" in section
    assert "seller" in section
    assert "glossary" in section
    assert "17,8 × 15,2 × 15,2 cm" in section  # 7 × 6 × 6 in, in the market's system
    assert "41,99 €" in section


def test_demo_publishes_the_ready_listings_to_the_fake_ebay() -> None:
    text = run("demo", "--limit", "2")
    section = text[text.index("Publishing the ready listings") : text.index("amazon (DE")]
    assert "ebay (DE, GB): 56 offers sent, 16 held back by the compliance check" in section
    assert "results: 56 ok, 0 failed, 0 pending (52 not shown)" in section
    # The shown listings, each with the ids eBay gave it, and the calls it took.
    assert section.count(" ok  ") == 4 and "offerId=" in section and "listingId=" in section
    assert "bulk_publish_offer ×3" in section
    # Held back: what the readiness matrix above calls blocked in DE and GB.
    assert "CST-01 (DE)" in section and "NTB-01 (DE)" in section
    assert "NTB-01 (GB)" not in section


def test_demo_publishes_to_the_fake_meta_catalog_with_overrides() -> None:
    text = run("demo", "--limit", "2")
    section = text[text.index("facebook (GB, DE, FR):") :]
    assert "facebook (GB, DE, FR): 82 offers sent, 26 held back" in section
    assert "results: 82 ok, 0 failed, 0 pending" in section
    assert "items_batch ×1, localized_items_batch ×1" in section
    # GB is the base item; DE and FR are COUNTRY and LANGUAGE overrides of it.
    line = next(x for x in section.splitlines() if x.startswith("catalog now holds"))
    for kind in ("COUNTRY|DE", "COUNTRY|FR", "LANGUAGE|de_XX", "LANGUAGE|fr_XX"):
        assert kind in line


def test_demo_publishes_to_the_fake_amazon_in_de_gb_and_jp() -> None:
    text = run("demo", "--limit", "2")
    section = text[text.index("amazon (DE, GB, JP):") : text.index("facebook (GB")]
    assert "amazon (DE, GB, JP): 90 offers sent, 18 held back" in section
    assert "results: 90 ok, 0 failed, 0 pending" in section
    for market in ("DE", "GB", "JP"):
        assert f"MUG-01-BLU  {market}" in section
    assert "put_listings_item ×90" in section


def test_demo_tours_a_sync_job_whose_second_run_writes_nothing() -> None:
    text = run("demo", "--limit", "2")
    section = text[text.index("Syncing the sample catalog with xborder.jobs") :]
    assert "Run 2 sent nothing" in section
    second = section[section.index("2 nothing changed") : section.index("3 2 prices")]
    lines = second.strip().splitlines()
    assert len(lines) == 4  # three marketplaces and the total
    for line in lines:
        assert line.split()[-3:] == ["0", "0", "0"] or line.split()[-4:] == ["0"] * 4, line
