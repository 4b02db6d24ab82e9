"""The ``restricted`` and ``sanctions`` rules never raise: junk in, findings out.

Listings built with ``Listing.model_construct`` skip validation, so any field may hold any
value. The rules are called directly (not through the engine, which would hide an exception
as ``engine.rule_failed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder import Listing, Money
from xborder.compliance import ALL_REGIMES, Context
from xborder.compliance.rules.restricted import RULE, RestrictedRule
from xborder.compliance.rules.sanctions import RULE as SANCTIONS
from xborder.findings import Finding
from xborder.listing import DangerousGoods, Translation
from xborder.markets import Market

from ._junk import BadRepr, HugeInt

ON = date(2026, 11, 28)
MARKETS = ("DE", "GB", "JP", "AU", "US", "NO", "RU", "UA")
RULES = (RULE, RestrictedRule(strict=True))
INVALID = "restricted.field_invalid"


@cache
def market(country: str) -> Market:
    return Market.for_country(country, on=ON)


def context(item: Any, country: str) -> Context:
    m = market(country)
    return Context(
        listing=item,
        market=m,
        on=ON,
        channel=None,
        seller=None,
        regimes=ALL_REGIMES,
        language=m.languages[0] if m.languages else "en",
    )


def run(item: Any, country: str, rule: RestrictedRule = RULE) -> list[Finding]:
    found = rule.check(context(item, country))
    assert isinstance(found, list)
    assert all(isinstance(f, Finding) for f in found), found
    return found


def codes(findings: Iterable[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


def valid(title: str = "Plain stoneware mug", **fields: Any) -> Listing:
    return Listing(sku="T-1", title=title, price=Money("10.00", "USD"), quantity=1, **fields)


# -- junk -------------------------------------------------------------------------------------


def huge_int() -> HugeInt:
    return HugeInt(10**5000)


HUGE = "x" * 200_000
TEXTS = st.sampled_from(
    [
        "",
        "   ",
        "Folding knife with wooden handle",
        "Disposable vape, 600 puffs",
        "CBD oil 10%",
        "power bank 10000mAh lithium",
        "Ivory",
        "<p>E&#8209;Liquid</p>",
        "&bogus; & &#xZZ; <unclosed",
        "\ud800 lone surrogate",
        "line\nbreak\x00nul",
        "691200",
        "6912.00.10",
        "2404120000",
        "tools.knives",
        HUGE,
        "knife " * 20_000,
        "<img" * 5000,
    ]
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.builds(huge_int),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.just(Decimal("sNaN")),  # unhashable; == and < raise
    st.text(max_size=30),
    TEXTS,
    st.binary(max_size=10),
    st.builds(BadRepr),
    st.just(object()),
    st.lists(st.one_of(st.none(), st.integers(), TEXTS), max_size=3),
    st.tuples(st.one_of(st.none(), TEXTS)),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers()), max_size=3),
    st.sets(st.integers(), max_size=3),
)
KEYS = st.one_of(
    st.sampled_from(["material", "color", "Colour", "contents", "blade", "x" * 10_000]),
    st.integers(),
    st.none(),
    st.just(Decimal("NaN")),
    st.tuples(st.integers()),
    st.booleans(),
    st.builds(BadRepr),
)
ATTRIBUTES = st.one_of(
    JUNK,
    st.dictionaries(KEYS, JUNK, max_size=4),
    st.dictionaries(KEYS, JUNK, max_size=4).map(MappingProxyType),
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
    st.builds(lambda: DangerousGoods.model_construct()),
)
TRANSLATION = st.one_of(
    JUNK,
    st.builds(
        lambda t, d, a: Translation.model_construct(title=t, description=d, attributes=a),
        st.one_of(TEXTS, JUNK),
        st.one_of(TEXTS, JUNK),
        ATTRIBUTES,
    ),
    st.builds(lambda t: Translation.model_construct(title=t), TEXTS),
)
TRANSLATIONS = st.one_of(
    JUNK,
    st.dictionaries(
        st.one_of(st.sampled_from(["en", "de", "ja", "nb", "ru", "uk"]), st.integers()),
        TRANSLATION,
        max_size=3,
    ),
    st.dictionaries(st.sampled_from(["en", "de"]), TRANSLATION, max_size=2).map(MappingProxyType),
)
FIELDS = {
    "sku": JUNK,
    "title": st.one_of(TEXTS, JUNK),
    "description": st.one_of(TEXTS, JUNK),
    "customs_description": st.one_of(TEXTS, JUNK),
    "language": st.one_of(st.sampled_from(["en", "de", "ja"]), JUNK),
    "category": st.one_of(
        st.sampled_from(["tools.knives", "electronics.batteries", "home.drinkware", "home"]),
        JUNK,
    ),
    "attributes": ATTRIBUTES,
    "hs_code": st.one_of(
        st.sampled_from(["691200", "2404120000", "930700", "8507600000", "7701", "1" * 5000]),
        JUNK,
    ),
    "dangerous_goods": GOODS,
    "translations": TRANSLATIONS,
    "price": st.one_of(JUNK, st.just(Money("24.00", "USD"))),
    "quantity": JUNK,
}


@given(
    values=st.fixed_dictionaries({}, optional=FIELDS),
    rule=st.sampled_from(RULES),
)
def test_restricted_never_raises_on_junk(values: dict[str, Any], rule: RestrictedRule) -> None:
    item = Listing.model_construct(**values)
    for country in MARKETS:
        found = run(item, country, rule)
        assert len(found) == len({(f.code, f.field, f.message) for f in found})
        for finding in found:
            str(finding)  # printable
            if finding.code == INVALID:
                assert finding.severity == "error" and len(finding.message) < 1000
        assert all(isinstance(f, Finding) for f in SANCTIONS.check(context(item, country)))


@pytest.mark.parametrize("item", [None, 42, "a listing", {"title": "vape"}, BadRepr()])
def test_not_a_listing_is_one_error(item: object) -> None:
    for country in MARKETS:
        (finding,) = run(item, country)
        assert (finding.code, finding.severity, finding.field) == (INVALID, "error", None)
        assert "not a Listing" in finding.message
        assert all(isinstance(f, Finding) for f in SANCTIONS.check(context(item, country)))


def test_every_field_a_list() -> None:
    item = Listing.model_construct(**{key: [1, None] for key in FIELDS})
    for country in MARKETS:
        fields = sorted(f.field or "" for f in run(item, country) if f.code == INVALID)
        assert fields == ["category", "dangerous_goods", "hs_code"]


def test_an_empty_listing_is_read_as_blank() -> None:
    blank = Listing.model_construct(title="")
    for item in (Listing.model_construct(), Listing.__new__(Listing)):  # no title, no fields
        for country in MARKETS:
            assert run(item, country) == run(blank, country)
            assert INVALID not in codes(run(item, country))


# -- what junk gives ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("hs_code", 691200, "691200 (int)"),
        ("hs_code", "6912.00", "'6912.00' (str)"),
        ("hs_code", "7701", "'7701' (str)"),
        ("hs_code", ["2404"], "['2404'] (list)"),
        ("category", "home", "'home' (str)"),
        ("category", 7, "7 (int)"),
        ("category", {"a": 1}, "{'a': 1} (dict)"),
    ],
)
def test_unusable_hs_code_or_category_is_an_error_naming_it(
    field: str, value: object, shown: str
) -> None:
    item = Listing.model_construct(title="Plain mug", **{field: value})
    for country in MARKETS:
        (finding,) = (f for f in run(item, country) if f.code == INVALID)
        assert (finding.severity, finding.field) == ("error", field)
        assert f"{field} is {shown}, not " in finding.message
        assert finding.source is not None


def test_huge_values_are_shown_short() -> None:
    item = Listing.model_construct(title="Mug", hs_code="9" * 100_000, category=10**5000)
    found = run(item, "DE")
    assert [f.field for f in found] == ["hs_code", "category"]
    assert all(len(f.message) < 600 for f in found)
    assert "'9999" in found[0].message and "(str)" in found[0].message
    assert "? (int)" in found[1].message


def test_blank_hs_code_counts_as_none() -> None:
    for blank in ("", "   "):
        item = Listing.model_construct(title="Plain mug", hs_code=blank)
        assert run(item, "DE") == []


def test_unusable_dangerous_goods_are_reported_and_ignored() -> None:
    junk = Listing.model_construct(title="Phone case", dangerous_goods="lithium")
    (finding,) = run(junk, "US")
    assert (finding.code, finding.field) == (INVALID, "dangerous_goods")
    # Only the fields the destination's entries read (the battery; no entry is confirmed by
    # an aerosol or a flammable, whose junk the dangerous_goods rule reports).
    half = DangerousGoods.model_construct(battery="lots", aerosol=1, flammable=False)
    found = run(Listing.model_construct(title="Phone case", dangerous_goods=half), "US")
    assert [(f.code, f.field) for f in found] == [(INVALID, "dangerous_goods.battery")]
    # A usable value next to a junk one still confirms.
    mixed = DangerousGoods.model_construct(battery="contained", aerosol="yes", flammable=False)
    found = run(Listing.model_construct(title="Phone case", dangerous_goods=mixed), "US")
    assert ("restricted.carrier_only", "dangerous_goods.battery") in {
        (f.code, f.field) for f in found
    }
    assert "dangerous_goods.aerosol" not in {f.field for f in found}


def test_junk_next_to_good_data_keeps_the_good_data_working() -> None:
    # The HS code is junk; the category still confirms, and the words are still read.
    item = Listing.model_construct(
        title="Folding knife",
        description=None,
        category="tools.knives",
        hs_code=8211,
        attributes={"blade": ("steel knife", 3, None), 5: ("vape",), "color": "Ivory"},
        translations={"en": 1, "de": Translation.model_construct(title=None)},
    )
    found = run(item, "NO")
    assert codes(found) == [INVALID, "restricted.restricted"]
    confirmed = next(f for f in found if f.code == "restricted.restricted")
    assert confirmed.field == "category"
    assert "'knife'" in confirmed.message


def test_text_that_is_not_text_is_not_read() -> None:
    item = Listing.model_construct(
        title=["Disposable vape"],
        description={"vape": 1},
        customs_description=b"vape",
        attributes=[("kind", "vape")],
        translations="vape",
    )
    for country in MARKETS:
        assert run(item, country) == run(Listing.model_construct(), country)


def test_attribute_text_values_are_read_however_they_are_held() -> None:
    for values in ("Disposable vape", ["Disposable vape"], ("Disposable vape", 1)):
        item = Listing.model_construct(title="Pod", attributes={"kind": values})
        (finding,) = run(item, "AU")
        assert (finding.code, finding.field) == ("restricted.keyword_review", "attributes.kind")


def test_valid_listings_are_unchanged_by_the_checks() -> None:
    # model_construct with valid values gives exactly what validation gives.
    fields: dict[str, Any] = {
        "title": "Slim phone case",
        "category": "electronics.phone_accessories",
        "hs_code": "392690",
        "dangerous_goods": {"battery": "contained"},
        "attributes": {"material": "silicone"},
        "translations": {"de": {"title": "Handyhülle mit Akku"}},
    }
    checked = valid(**fields)
    constructed = Listing.model_construct(**dict(checked))
    for country in MARKETS:
        assert run(constructed, country) == run(checked, country)
        assert INVALID not in codes(run(checked, country))
