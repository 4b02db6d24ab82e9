"""The ``gpsr``, ``epr`` and ``tax`` rules never raise: junk in, findings out.

Listings and sellers built with ``model_construct`` skip validation, so any field may hold
any value. The rules are called directly (not through the engine, which would hide an
exception as ``engine.rule_failed``). Landed cost is no rule: junk there is a clear
:class:`~xborder.errors.InvalidListingError` naming the field, never an AttributeError.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder import Listing, Money
from xborder.compliance import ALL_REGIMES, Context, Rule
from xborder.compliance.landed import LandedCost, landed_cost
from xborder.compliance.rules import epr, gpsr, tax
from xborder.errors import InvalidAmountError, InvalidListingError
from xborder.findings import Finding
from xborder.listing import DangerousGoods, Party, Seller, Weight
from xborder.localize.channels import ChannelRules, channel_rules
from xborder.markets import Market

from ._junk import BadRepr, HugeInt

MARKETS = ("DE", "FR", "GB", "US", "JP")
DATES = (date(2024, 12, 13), date(2026, 7, 1), date(2026, 10, 30))
RULES: tuple[Rule, ...] = (gpsr.RULE, epr.RULE, tax.RULE)


@cache
def market(country: str, on: date) -> Market:
    return Market.for_country(country, on=on)


@cache
def ebay(on: date) -> ChannelRules:
    return channel_rules("ebay", on=on)


def context(
    item: Any, country: str, *, seller: Any = None, on: date = DATES[1], channel: bool = False
) -> Context:
    m = market(country, on)
    return Context(
        listing=item,
        market=m,
        on=on,
        channel=ebay(on) if channel else None,
        seller=seller,
        regimes=ALL_REGIMES,
        language=m.languages[0] if m.languages else "en",
    )


def run(rule: Rule, item: Any, country: str, **kwargs: Any) -> list[Finding]:
    found = rule.check(context(item, country, **kwargs))
    # check() takes a built-in rule's list whole, unchecked: it must hold Findings only.
    assert type(found) is list, found
    assert all(type(f) is Finding for f in found), found
    for finding in found:
        assert finding.code.startswith(f"{rule.name}.")
        str(finding)  # printable
    return found


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


# -- junk -------------------------------------------------------------------------------------


class Huge(str):
    """A 100 000-character text (hypothesis prints it as ``Huge()``)."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("Huge()")


HUGE = st.builds(lambda: Huge("x" * 99_990 + ", Germany"))
TEXTS = st.one_of(
    st.sampled_from(["", "   ", "China", "Shenzhen, PRC", "1 Main St, Dover, DE 19901", "\ud800"]),
    HUGE,
)
#: Junk that can be a mapping key (no lists, no dicts, no signaling NaN).
KEYS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.builds(lambda: HugeInt(10**5000)),
    st.text(max_size=20),
    TEXTS,
    st.builds(BadRepr),
    st.tuples(st.integers()),
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.builds(lambda: HugeInt(10**5000)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.just(Decimal("sNaN")),  # unhashable; == and < raise
    st.text(max_size=20),
    TEXTS,
    st.binary(max_size=8),
    st.builds(BadRepr),
    st.just(object()),
    st.lists(st.one_of(st.none(), st.integers(), TEXTS), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers()), max_size=3),
)
MONEY = st.sampled_from(
    [
        Money("38.00", "USD"),
        Money("-5", "EUR"),
        Money("0", "JPY"),
        Money("149.99", "GBP"),
        Money("3000", "NOK"),
        Money("1E+30", "USD"),
        Money("1E+999999", "GBP"),
        Money("1E-30", "USD"),
        Money("12", "XAU"),  # a currency the bundled rates do not convert
    ]
)
PARTY = st.one_of(
    JUNK,
    st.just(
        Party(name="Maker", postal_address="Hauptstraße 1, 10115 Berlin, Germany", email="a@b.de")
    ),
    st.builds(
        lambda n, a, e, u: Party.model_construct(name=n, postal_address=a, email=e, url=u),
        st.one_of(st.just("Maker"), JUNK),
        st.one_of(st.just("1 Main St, Asheville, NC 28801, United States"), TEXTS, JUNK),
        st.one_of(st.just("a@b.example.com"), JUNK),
        st.one_of(st.just("https://maker.example.com"), JUNK),
    ),
    st.builds(lambda: Party.model_construct()),
)
GOODS = st.one_of(
    JUNK,
    st.just(DangerousGoods(battery="contained")),
    st.builds(
        lambda b, a, f: DangerousGoods.model_construct(battery=b, aerosol=a, flammable=f),
        st.one_of(st.sampled_from(["none", "contained", "packed_with", "standalone"]), JUNK),
        st.one_of(st.booleans(), JUNK),
        st.one_of(st.booleans(), JUNK),
    ),
)
LANGUAGES = st.one_of(st.sampled_from(["en", "de", "fr", "de-AT", "ja", "x" * 40]), KEYS)
SAFETY = st.one_of(
    JUNK,
    st.dictionaries(LANGUAGES, st.one_of(TEXTS, st.just("Keep away from fire."), JUNK), max_size=3),
    st.dictionaries(st.sampled_from(["en", "fr"]), st.just("Hot.")).map(MappingProxyType),
)
FIELDS = {
    "sku": JUNK,
    "title": st.one_of(TEXTS, JUNK),
    "price": st.one_of(MONEY, JUNK),
    "category": st.one_of(
        st.sampled_from(["home.candles", "food", "electronics", "apparel", "home"]), JUNK
    ),
    "hs_code": st.one_of(st.sampled_from(["691200", "1" * 5000]), JUNK),
    "origin_country": st.one_of(st.sampled_from(["US", "CN", "DE", "ZZ"]), JUNK),
    "manufacturer": PARTY,
    "eu_responsible_person": PARTY,
    "images": st.one_of(st.just(("https://images.example.com/1.jpg",)), JUNK),
    "gtin": st.one_of(st.just("860001234015"), JUNK),
    "mpn": st.one_of(st.just("MUG-1"), JUNK),
    "safety_information": SAFETY,
    "dangerous_goods": GOODS,
    "weight": st.one_of(
        JUNK, st.builds(lambda v, u: Weight.model_construct(value=v, unit=u), JUNK, JUNK)
    ),
}
COUNTRIES = st.one_of(st.sampled_from(["US", "DE", "FR", "GB", "JP", "CN", "de"]), KEYS)
SELLER_FIELDS = {
    "country": COUNTRIES,
    "regimes": st.one_of(st.just(("US",)), JUNK),
    "ioss_number": st.one_of(st.just("IM3720012345"), JUNK),
    "epr_numbers": st.one_of(
        JUNK,
        st.dictionaries(
            st.one_of(st.sampled_from(["DE.packaging", "fr.PACKAGING ", "DE.weee"]), KEYS),
            st.one_of(st.sampled_from(["DE1234567890123", "", "12345"]), HUGE, JUNK),
            max_size=3,
        ),
    ),
    "vat_registrations": st.one_of(
        JUNK, st.dictionaries(COUNTRIES, st.one_of(st.just("GB123456782"), JUNK), max_size=2)
    ),
}
SELLER = st.fixed_dictionaries({}, optional=SELLER_FIELDS).map(
    lambda v: Seller.model_construct(**v)
)


@given(
    values=st.fixed_dictionaries({}, optional=FIELDS),
    seller=SELLER,
    on=st.sampled_from(DATES),
    channel=st.booleans(),
)
def test_rules_never_raise_on_junk(
    values: dict[str, Any], seller: Seller, on: date, channel: bool
) -> None:
    item = Listing.model_construct(**values)
    for rule in RULES:
        for country in MARKETS:
            for who in (None, seller):
                found = run(rule, item, country, seller=who, on=on, channel=channel)
                for finding in found:
                    if finding.code.endswith("_invalid"):
                        assert finding.severity == "error"
                        assert finding.field and len(finding.message) < 1000


@pytest.mark.parametrize("item", [None, 42, "a listing", {"price": "10 USD"}, BadRepr()])
def test_not_a_listing(item: object) -> None:
    for rule in RULES:
        for country in MARKETS:
            run(rule, item, country)
            run(rule, Listing.__new__(Listing), country)
    (finding,) = run(tax.RULE, item, "DE")
    assert (finding.code, finding.severity, finding.field) == (
        "tax.price_invalid",
        "error",
        "price",
    )


def listing(**changes: Any) -> Listing:
    fields: dict[str, Any] = {
        "sku": "MUG-1",
        "title": "Stoneware mug",
        "price": Money("38.00", "USD"),
        "quantity": 3,
        "category": "home.drinkware",
        "gtin": "860001234015",
        "images": ("https://images.example.com/mug-1.jpg",),
        "hs_code": "691200",
        "origin_country": "US",
        "manufacturer": Party(
            name="Töpferei Müller GmbH",
            postal_address="Hauptstraße 1, 10115 Berlin, Germany",
            email="info@mueller.example.de",
        ),
        "safety_information": {"de": "Heiße Getränke."},
    }
    return Listing(**fields).model_copy(update=changes)


# -- what junk gives: tax ---------------------------------------------------------------------


@pytest.mark.parametrize("price", [None, 38, "38.00 USD", Decimal("38"), {"amount": 38}])
def test_tax_price_that_is_not_money_is_one_error(price: object) -> None:
    for country in MARKETS:
        (finding,) = run(tax.RULE, listing(price=price), country)
        assert (finding.code, finding.severity, finding.field) == (
            "tax.price_invalid",
            "error",
            "price",
        )
        assert finding.message.startswith(f"price is {price!r}, not an amount of money")


def test_tax_huge_price_is_shown_short() -> None:
    for amount in ("1E+30", "1E+999999"):
        found = run(tax.RULE, listing(price=Money(amount, "USD")), "DE")
        assert found and all(len(f.message) < 2000 for f in found)


def test_tax_seller_country_junk_is_reported_and_counts_as_unknown() -> None:
    seller = Seller.model_construct(country=["US"], regimes=("US",))
    found = run(tax.RULE, listing(), "DE", seller=seller)
    assert codes(found)[0] == "tax.seller_invalid"
    assert found[0].field == "seller.country"
    assert "seller.country is ['US'], not a country code" in found[0].message
    de_minimis = next(f for f in found if f.code == "tax.de_minimis")
    assert "The seller's country is not valid, so the parcel is taken to be imported" in (
        de_minimis.message
    )
    valid = run(tax.RULE, listing(), "DE", seller=Seller(country="US", regimes=("US",)))
    assert "tax.seller_invalid" not in codes(valid)


def test_tax_seller_registration_junk_counts_as_none() -> None:
    ioss = Seller.model_construct(country="US", regimes=("US",), ioss_number=3720012345)
    found = run(tax.RULE, listing(), "DE", seller=ioss)
    assert ("tax.seller_invalid", "seller.ioss_number") in {(f.code, f.field) for f in found}
    collection = next(f for f in found if f.code == "tax.point_of_sale_collection")
    assert "IM" not in collection.message  # no IOSS number used
    gb = Seller.model_construct(country="US", regimes=("US",), vat_registrations={"GB": 5})
    found = run(tax.RULE, listing(), "GB", seller=gb)
    invalid = [f for f in found if f.code == "tax.seller_invalid"]
    assert [f.field for f in invalid] == ["seller.vat_registrations.GB"]
    assert any(f.severity == "warning" for f in found)  # must register, as with none


def test_tax_junk_origin_and_hs_code_are_left_to_the_customs_rule() -> None:
    for changes in ({"origin_country": 5}, {"origin_country": "ZZ"}, {"hs_code": ["6912"]}):
        found = run(tax.RULE, listing(**changes), "DE")
        assert not any(f.code.endswith("_invalid") for f in found)
        assert codes(found) == codes(run(tax.RULE, listing(), "DE"))


# -- what junk gives: gpsr --------------------------------------------------------------------


@pytest.mark.parametrize("maker", ["Töpferei Müller", 42, {"name": "Maker"}, BadRepr()])
def test_gpsr_manufacturer_that_is_not_a_party(maker: object) -> None:
    found = run(gpsr.RULE, listing(manufacturer=maker), "DE")
    assert codes(found) == ["gpsr.manufacturer_invalid", "gpsr.responsible_person_missing"]
    invalid = found[0]
    assert (invalid.severity, invalid.field) == ("error", "manufacturer")
    assert invalid.message.startswith("manufacturer is ")
    assert "not valid, so it cannot be shown to be in the EU" in found[1].message


def test_gpsr_party_field_that_is_not_text_names_the_field() -> None:
    maker = Party.model_construct(name=7, postal_address="Hauptstraße 1, Berlin, Germany")
    found = run(gpsr.RULE, listing(manufacturer=maker), "FR")
    assert codes(found)[0] == "gpsr.manufacturer_invalid"
    assert found[0].field == "manufacturer.name"
    assert found[0].message.startswith("manufacturer.name is 7, not text")
    rp = Party.model_construct(name="Rep", postal_address="x" * 100_000, url=b"https://rep")
    found = run(gpsr.RULE, listing(manufacturer=None, eu_responsible_person=rp), "DE")
    assert ("gpsr.responsible_person_invalid", "eu_responsible_person.url") in {
        (f.code, f.field) for f in found
    }
    assert all(len(f.message) < 1000 for f in found)


def test_gpsr_category_and_safety_information_junk() -> None:
    found = run(gpsr.RULE, listing(category=["food"]), "DE")
    assert codes(found) == ["gpsr.category_invalid"]
    assert "['food']" in found[0].message
    found = run(gpsr.RULE, listing(safety_information="Hot!"), "DE")
    assert codes(found) == ["gpsr.safety_information_invalid"]
    assert found[0].field == "safety_information"
    # A usable entry next to a junk one still counts.
    found = run(gpsr.RULE, listing(safety_information={"de": "Heiß.", "fr": 5}), "DE")
    assert [(f.code, f.field) for f in found] == [
        ("gpsr.safety_information_invalid", "safety_information.fr")
    ]


def test_gpsr_junk_pictures_identifiers_and_goods_do_not_raise() -> None:
    goods = DangerousGoods.model_construct(battery={"kind": "li-ion"}, aerosol="yes")
    item = listing(images=0, gtin=BadRepr(), mpn=None, dangerous_goods=goods)
    assert codes(run(gpsr.RULE, item, "DE")) == ["gpsr.picture_missing"]


# -- what junk gives: epr ---------------------------------------------------------------------


def test_epr_numbers_that_are_not_a_mapping() -> None:
    seller = Seller.model_construct(country="US", regimes=("US",), epr_numbers="DE123")
    found = run(epr.RULE, listing(), "DE", seller=seller)
    assert codes(found) == ["epr.epr_numbers_invalid", "epr.de_packaging_registration_missing"]
    assert found[0].field == "seller.epr_numbers"
    assert "'DE123'" in found[0].message
    assert run(epr.RULE, listing(), "JP", seller=seller) == []  # no scheme: irrelevant


def test_epr_number_that_is_not_text() -> None:
    seller = Seller.model_construct(
        country="US", regimes=("US",), epr_numbers={"DE.packaging": 1234567890123, 5: "x"}
    )
    found = run(epr.RULE, listing(), "DE", seller=seller, channel=True)
    assert [(f.code, f.field, f.severity) for f in found] == [
        ("epr.epr_numbers_invalid", "seller.epr_numbers.DE.packaging", "error"),
        ("epr.de_packaging_registration_missing", "seller.epr_numbers.DE.packaging", "error"),
    ]


def test_epr_category_and_battery_junk() -> None:
    found = run(epr.RULE, listing(category=7), "FR")
    assert codes(found) == ["epr.category_invalid", "epr.fr_packaging_registration_unknown"]
    goods = DangerousGoods.model_construct(battery="lithium")
    found = run(epr.RULE, listing(dangerous_goods=goods), "DE")
    assert codes(found) == ["epr.dangerous_goods_invalid", "epr.de_packaging_registration_unknown"]
    assert found[0].field == "dangerous_goods.battery"
    found = run(epr.RULE, listing(dangerous_goods=["contained"]), "DE")
    assert found[0].field == "dangerous_goods"
    assert epr.streams_for(listing(category=7, dangerous_goods=goods)) == {
        "packaging": "it is shipped to consumers in packaging"
    }


# -- landed cost ------------------------------------------------------------------------------


@given(values=st.fixed_dictionaries({}, optional=FIELDS), seller=st.one_of(st.none(), SELLER))
def test_landed_cost_gives_a_result_or_a_clear_error(
    values: dict[str, Any], seller: Seller | None
) -> None:
    item = Listing.model_construct(**values)
    for country in ("DE", "US"):
        outcome: object
        try:
            outcome = landed_cost(item, market(country, DATES[2]), seller=seller)
        except (InvalidListingError, InvalidAmountError) as exc:
            outcome = exc
        if isinstance(outcome, InvalidListingError):
            assert outcome.errors and all(e.field for e in outcome.errors)
            str(outcome)
        elif isinstance(outcome, InvalidAmountError):
            assert outcome.field == "price"
        else:
            assert isinstance(outcome, LandedCost)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": None}, "price"),
        ({"price": "38.00"}, "price"),
        ({"hs_code": 691200}, "hs_code"),
        ({"origin_country": ["US"]}, "origin_country"),
    ],
)
def test_landed_cost_names_the_junk_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidListingError) as caught:
        landed_cost(listing(**changes), market("DE", DATES[2]))
    assert [e.field for e in caught.value.errors] == [field]
    assert field in str(caught.value)


def test_landed_cost_names_junk_seller_fields_and_arguments() -> None:
    seller = Seller.model_construct(country=None, ioss_number=5, vat_registrations=[])
    with pytest.raises(InvalidListingError) as caught:
        landed_cost(listing(), market("DE", DATES[2]), seller=seller)
    assert [e.field for e in caught.value.errors] == [
        "seller.country",
        "seller.ioss_number",
        "seller.vat_registrations",
    ]
    with pytest.raises(TypeError, match="shipping: expected Money or None, got str"):
        landed_cost(listing(), market("DE", DATES[2]), shipping="12.00 EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="price"):
        landed_cost(listing(price=Money("1E+30", "USD")), market("DE", DATES[2]))
