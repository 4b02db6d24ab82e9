"""The sync tour of `xborder demo`: offline, three fake marketplaces, three nights."""

from __future__ import annotations

import io

import xborder as xb
from xborder.jobs._demo import tour

from ._support import ROOT


def test_the_tour_runs_end_to_end() -> None:
    out = io.StringIO()
    rates = xb.rates.bundled()
    reports = tour(
        out,
        xb.read_csv(ROOT / "examples" / "catalog.csv"),
        rates=rates,
        policy=xb.PricingPolicy(fx_buffer_percent=2, endings={"EUR": ".99", "GBP": ".99"}),
        seller=xb.read_seller(ROOT / "examples" / "seller.json"),
        on=rates.as_of,
    )
    first, second, third = reports
    assert all(r.ok for r in reports), [r.summary() for r in reports]
    assert set(first.targets) == {"ebay", "amazon", "facebook"}
    assert first.planned("create") > 100 and first.planned("blocked") > 0
    assert second.calls == 0 and second.pending_writes == 0
    assert third.planned("create") == 0 and third.planned("update") == 0
    assert third.planned("price_quantity") > 0
    text = out.getvalue()
    assert "2 nothing changed" in text and "held back by the compliance check" in text
