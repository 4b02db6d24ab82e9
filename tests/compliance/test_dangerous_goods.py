"""dangerous_goods: lithium batteries, aerosols, flammables, undeclared batteries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from xborder.compliance import Report, check
from xborder.compliance.rules.dangerous_goods import RULE, mentions_battery
from xborder.findings import Finding
from xborder.listing import DangerousGoods, Listing, Seller
from xborder.money import Money

ON = date(2026, 10, 30)
SELLER = Seller(country="US", regimes=("US",))


def make_listing(**changes: Any) -> Listing:
    values: dict[str, Any] = {
        "sku": "LAMP-01",
        "title": "Desk lamp, walnut",
        "price": Money("60.00", "USD"),
        "quantity": 5,
        "category": "electronics",
    }
    values.update(changes)
    return Listing(**values)


def goods(**kwargs: Any) -> DangerousGoods:
    return DangerousGoods(**kwargs)


def run(listing: Listing, market: str = "GB") -> Report:
    return check(listing, market, on=ON, seller=SELLER, rules=[RULE])


def test_nothing_dangerous() -> None:
    assert run(make_listing()).findings == ()


@pytest.mark.parametrize(
    ("battery", "code", "words", "since"),
    [
        ("contained", "dangerous_goods.battery_contained", ("UN3481", "967", "4 cells"), None),
        (
            "packed_with",
            "dangerous_goods.battery_packed_with",
            ("UN3481", "966/969", "USPS"),
            date(2012, 11, 15),
        ),
        (
            "standalone",
            "dangerous_goods.battery_standalone",
            ("UN3480", "965/968", "passenger aircraft"),
            date(2016, 4, 1),
        ),
    ],
)
def test_lithium_batteries(battery: str, code: str, words: tuple[str, ...], since: Any) -> None:
    (finding,) = run(make_listing(dangerous_goods=goods(battery=battery))).findings
    assert (finding.code, finding.severity, finding.field) == (
        code,
        "warning",
        "dangerous_goods.battery",
    )
    assert all(word in finding.message for word in words)
    assert finding.effective_from == since
    assert finding.source and finding.source.startswith("https://")


def test_battery_findings_follow_the_day() -> None:
    def on(battery: str, day: date) -> tuple[Finding, ...]:
        listing = make_listing(dangerous_goods=goods(battery=battery))
        return check(listing, "GB", on=day, seller=SELLER, rules=[RULE]).findings

    assert on("packed_with", date(2012, 11, 14)) == ()
    assert [f.code for f in on("packed_with", date(2012, 11, 15))] == [
        "dangerous_goods.battery_packed_with"
    ]
    assert on("standalone", date(2012, 11, 14)) == ()
    (before_ban,) = on("standalone", date(2015, 1, 1))
    assert before_ban.code == "dangerous_goods.battery_standalone"
    assert before_ban.effective_from == date(2012, 11, 15)
    assert "passenger aircraft" not in before_ban.message
    (banned,) = on("standalone", date(2016, 4, 1))
    assert "passenger aircraft since 2016-04-01" in banned.message
    assert banned.effective_from == date(2016, 4, 1)


def test_the_postal_limits_are_said_of_post_only() -> None:
    (finding,) = run(make_listing(dangerous_goods=goods(battery="contained"))).findings
    assert "International post accepts them only within limits: at most 4 cells" in finding.message
    assert "Post and air carriers" not in finding.message


@pytest.mark.parametrize(
    ("category", "title"),
    [("tobacco.vapes", "E-cigarette pod kit 1500mAh"), ("toys", "RC car, rechargeable lithium"),
     ("watches", "Smart watch, 300 mAh")],
)  # fmt: skip
def test_battery_products_outside_electronics_are_read(category: str, title: str) -> None:
    found = run(make_listing(category=category, title=title)).findings
    assert [f.code for f in found] == ["dangerous_goods.battery_undeclared"]


@pytest.mark.parametrize(
    ("category", "title"),
    [("toys", "Remote control car, requires 4 AA batteries (not included)"),
     ("toys", "Wooden train set, no batteries needed"),
     ("watches", "Quartz wristwatch, battery SR626SW, 3 ATM")],
)  # fmt: skip
def test_only_lithium_counts_for_toys_and_watches(category: str, title: str) -> None:
    assert run(make_listing(category=category, title=title)).findings == ()


def test_aerosol_and_flammable() -> None:
    report = run(make_listing(dangerous_goods=goods(aerosol=True, flammable=True)))
    assert report.codes() == ("dangerous_goods.aerosol", "dangerous_goods.flammable")
    assert all(f.severity == "warning" and f.source for f in report.findings)
    assert "UN1950" in report.findings[0].message
    assert "deutschepost" in (report.findings[1].source or "")


def test_everything_at_once() -> None:
    dg = goods(battery="standalone", aerosol=True, flammable=True)
    assert len(run(make_listing(dangerous_goods=dg)).findings) == 3


@pytest.mark.parametrize(
    ("category", "title", "attributes"),
    [
        ("electronics.batteries", "Slim power bank, USB-C", {}),
        ("electronics.batteries", "18650 cells, 4-pack", {}),
        ("electronics.phone_accessories", "MagSafe charging case", {"capacity": "5000mAh"}),
        ("electronics.phone_accessories", "Case with built-in Akku", {}),
        ("electronics", "Bike light, rechargeable", {}),
        ("electronics", "Bike light", {"battery": "included"}),
    ],
)
def test_undeclared_battery(category: str, title: str, attributes: dict[str, str]) -> None:
    listing = make_listing(category=category, title=title, attributes=attributes)
    (finding,) = run(listing).findings
    assert (finding.code, finding.severity) == ("dangerous_goods.battery_undeclared", "warning")
    assert "contained, packed_with or standalone" in finding.message
    declared = listing.model_copy(update={"dangerous_goods": goods(battery="contained")})
    assert run(declared).codes() == ("dangerous_goods.battery_contained",)


@pytest.mark.parametrize(
    ("category", "title"),
    [
        ("electronics.phone_accessories", "Leather phone case"),
        ("home.decor", "Battery-powered fairy lights"),  # not a battery category
        (None, "Lithium grease"),
        ("electronics", "Crank-powered radio"),
    ],
)
def test_no_undeclared_battery(category: str | None, title: str) -> None:
    assert run(make_listing(category=category, title=title)).findings == ()


def test_undeclared_battery_in_the_description() -> None:
    listing = make_listing(
        category="electronics.phone_accessories",
        title="Wireless charger",
        description="<p>Built-in 3.7 Wh li-ion cell.</p>",
    )
    assert run(listing).codes() == ("dangerous_goods.battery_undeclared",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Power bank 20000 mAh", True),
        ("powerbank", True),
        ("Li-Ion", True),
        ("LiPo pack", True),
        ("CR2032 coin cell", True),
        ("battery included", True),
        ("Batterien enthalten", True),
        ("100 Wh", True),
        ("wheels and whistles", False),
        ("Stoneware mug", False),
        ("mahogany box", False),
    ],
)
def test_mentions_battery(text: str, expected: bool) -> None:
    assert mentions_battery(text) is expected


def test_the_same_everywhere() -> None:
    listing = make_listing(dangerous_goods=goods(battery="standalone"))
    for market in ("US", "DE", "JP", "AU"):
        assert run(listing, market).codes() == ("dangerous_goods.battery_standalone",)
