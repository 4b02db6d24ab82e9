"""check_many(): the reports check() gives, one rule over a run of listings at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from xborder.catalog import read_catalog, read_seller
from xborder.compliance import Context, Report, check, check_many
from xborder.compliance import _engine as engine
from xborder.errors import ConfigurationError, UnknownMarketError
from xborder.findings import Finding
from xborder.listing import Listing

ON = date(2026, 10, 30)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def catalog() -> list[Listing]:
    return list(read_catalog(EXAMPLES / "catalog.csv"))


def variants(n: int) -> list[Listing]:
    """n listings from the sample catalog, each with its own SKU and title."""
    base = catalog()
    return [
        base[i % len(base)].model_copy(
            update={"sku": f"V-{i}", "title": f"{base[i % len(base)].title} No. {i}"}
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("country", ["DE", "FR", "GB", "JP", "AU", "US", "NO"])
@pytest.mark.parametrize("channel", [None, "ebay", "amazon", "facebook"])
def test_same_reports_as_check_one_by_one(country: str, channel: str | None) -> None:
    listings = catalog()
    many = check_many(listings, country, channel=channel, on=ON)
    assert many == [check(listing, country, channel=channel, on=ON) for listing in listings]


def test_same_reports_with_seller_and_suppression() -> None:
    listings = catalog()
    seller = read_seller(EXAMPLES / "seller.json")
    options: dict[str, Any] = {
        "channel": "ebay",
        "on": ON,
        "seller": seller,
        "suppress": ("gpsr.*", "customs.weight_missing"),
    }
    many = check_many(listings, "DE", **options)
    assert many == [check(listing, "DE", **options) for listing in listings]
    assert any(report.suppressed for report in many)
    assert not any(f.code == "engine.strictest_regime" for r in many for f in r.findings)


def test_runs_longer_than_one_keep_order_and_every_listing() -> None:
    listings = variants(engine._RUN * 2 + 3)
    many = check_many(iter(listings), "DE", channel="ebay", on=ON)
    assert [r.sku for r in many] == [listing.sku for listing in listings]
    assert many == [check(listing, "DE", channel="ebay", on=ON) for listing in listings]


def test_no_listings_no_reports() -> None:
    assert check_many([], "DE", on=ON) == []


class Picky:
    """A plugin rule that fails on one listing, yields junk on another, and is fine else."""

    name = "picky"

    def check(self, context: Context) -> Iterator[Finding]:
        sku = context.listing.sku
        yield Finding("picky.seen", "info", f"saw {sku}")
        if sku.endswith("-1"):
            raise RuntimeError("boom")
        if sku.endswith("-2"):
            yield "junk"  # type: ignore[misc]


def test_a_failing_rule_fails_only_the_listing_it_failed_on() -> None:
    listings = variants(4)
    many = check_many(listings, "DE", on=ON, rules=[Picky()])
    assert many == [check(listing, "DE", on=ON, rules=[Picky()]) for listing in listings]
    failed = [r.sku for r in many if "engine.rule_failed" in r.codes()]
    assert failed == ["V-1", "V-2"]
    assert all("picky.seen" in r.codes() for r in many)


def test_bad_arguments_raise_before_any_listing_is_read() -> None:
    def never() -> Iterator[Listing]:
        raise AssertionError("read")
        yield  # pragma: no cover

    with pytest.raises(UnknownMarketError):
        check_many(never(), "XX", on=ON)
    with pytest.raises(ConfigurationError, match="channel"):
        check_many(never(), "DE", on=ON, channel="nowhere")
    with pytest.raises(ConfigurationError, match="suppress"):
        check_many(never(), "DE", on=ON, suppress=["not a code"])


def test_reports_are_reports() -> None:
    (report,) = check_many(catalog()[:1], "GB", on=ON)
    assert isinstance(report, Report) and report.market == "GB" and report.on == ON
