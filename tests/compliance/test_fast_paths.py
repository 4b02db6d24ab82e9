"""The fast paths of check() give what the plain paths give.

The rules keep caches per text and per value (the tax messages per price case, a text's
channel findings, GTIN validity, vague customs descriptions), and the engine takes a rule's
list of findings at once. None of that may change a report: each fast path is compared with
the path it short-cuts (which a ``str`` subclass, another rate source or a generator rule
still takes), and whole reports with cold caches with the same reports with warm ones.
"""

from __future__ import annotations

import dataclasses
import itertools
import pickle
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder import Listing, Money
from xborder.compliance import (
    ALL_REGIMES,
    Context,
    Report,
    Rule,
    _lowvalue,
    check,
    field_values,
    registered_rules,
)
from xborder.compliance.rules import channel, customs, gpsr, identifiers, restricted, tax
from xborder.compliance.rules.tax import TaxRule
from xborder.findings import Finding
from xborder.listing import DangerousGoods, Party, Seller, Translation, Weight, is_valid_gtin
from xborder.localize.channels import ChannelRules, channel_rules
from xborder.markets import Market
from xborder.rates import ExchangeRate, RateSource, bundled

from ._junk import BadRepr

DATES = (date(2024, 12, 13), date(2026, 7, 1), date(2026, 10, 30))


class Text(str):
    """A str subclass: the rules read it like text, but never cache it."""


class Delegate:
    """A rate source that passes every question on: not the bundled type, so never remembered."""

    name = "delegate"

    def __init__(self, rates: RateSource) -> None:
        self.rates = rates

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        return self.rates.rate(base, quote, on=on)


DEFAULT_RATES = _lowvalue.default_rates()


@cache
def market(country: str, on: date) -> Market:
    return Market.for_country(country, on=on)


@cache
def rules_of(name: str, on: date) -> ChannelRules:
    return channel_rules(name, on=on)


def context(
    item: Any, country: str, on: date, *, seller: Any = None, channel: str | None = None
) -> Context:
    m = market(country, on)
    return Context(
        listing=item,
        market=m,
        on=on,
        channel=rules_of(channel, on) if channel else None,
        seller=seller,
        regimes=ALL_REGIMES,
        language=m.languages[0] if m.languages else "en",
    )


def base(**changes: Any) -> Listing:
    values: dict[str, Any] = {
        "sku": "MUG-1",
        "title": "Stoneware mug",
        "price": Money("38.00", "USD"),
        "quantity": 3,
        "category": "home.drinkware",
        "gtin": "860001234015",
        "images": ("https://images.example.com/mug-1.jpg",),
        "hs_code": "691200",
        "origin_country": "US",
    }
    values.update(changes)
    return Listing(**values)


# -- the tax messages, remembered per price case ------------------------------------------------

#: Prices in groups: equal amounts written apart (``38`` and ``38.00`` print differently),
#: and amounts either side of a limit (EUR 150).
PRICE_GROUPS = (
    (Money("38", "USD"), Money("38.00", "USD"), Money("3.8E+1", "USD")),
    (Money("149.99", "GBP"), Money("149.990", "GBP")),
    (Money("150", "EUR"), Money("150.00", "EUR"), Money("150.01", "EUR")),
    (Money("3000", "NOK"), Money("3000.0", "NOK")),
    (Money("12000", "JPY"), Money("12000.00", "JPY")),
    (Money("1E+30", "USD"),),
    (Money("12", "XAU"),),  # no bundled rate
)
PRICES = st.sampled_from([price for group in PRICE_GROUPS for price in group])
SELLERS = (
    None,
    Seller(country="US", regimes=("US",)),
    Seller(country="CN", regimes=("EU",), ioss_number="IM3720012345"),
    Seller(country="US", regimes=("UK",), vat_registrations={"GB": "GB123456782"}),
    Seller(country="DE", regimes=("EU",)),
    Seller(country="GB", regimes=("UK",)),
    Seller.model_construct(country="US", regimes=("US",), ioss_number=5),
    Seller.model_construct(country=["US"], regimes=("US",), vat_registrations={"GB": 5}),
)
HS_CODES = (None, "691200", "6912004810", "", ["6912"], 691200)


@given(
    prices=st.sampled_from(PRICE_GROUPS),
    origin=st.sampled_from(["US", "CN", None]),
    country=st.sampled_from(["DE", "FR", "GB", "US", "JP", "AU", "NO", "CH", "CN"]),
    on=st.sampled_from(DATES),
)
def test_remembered_tax_findings_are_the_ones_worked_out(
    prices: tuple[Money, ...], origin: str | None, country: str, on: date
) -> None:
    # Every case of these prices, back to back: a memo key that missed any input would serve
    # one case's findings for another.
    fresh_rule = TaxRule(rates=Delegate(DEFAULT_RATES))  # the same rates, never remembered
    for price, hs_code, seller, channel_name in itertools.product(
        prices, HS_CODES, SELLERS, (None, "ebay")
    ):
        item = base(origin_country=origin).model_copy(update={"price": price, "hs_code": hs_code})
        ctx = context(item, country, on, seller=seller, channel=channel_name)
        fresh = list(fresh_rule.check(ctx))
        assert list(tax.RULE.check(ctx)) == fresh  # worked out, then remembered
        assert list(tax.RULE.check(ctx)) == fresh  # remembered


def test_the_tax_memo_serves_repeated_cases() -> None:
    on, item = DATES[2], base()
    ctx = context(item, "DE", on)
    first = tax.RULE.check(ctx)
    texts = _lowvalue.plan_for(ctx.market, "US", on).memo["tax"]
    remembered = [found for key, found in tax._CASES.items() if key[1] is texts]
    assert tuple(first) in remembered
    # A variant (own SKU and title, same price and HS code) is served from the memo, and a
    # returned list is the caller's own.
    variant = item.model_copy(update={"sku": "MUG-2", "title": "Stoneware mug, blue"})
    second = tax.RULE.check(context(variant, "DE", on))
    assert second == first and second is not first
    assert isinstance(second, list)
    second.clear()
    assert tax.RULE.check(ctx) == first


def test_the_tax_memo_is_not_used_for_other_rate_sources_or_junk() -> None:
    on = DATES[2]
    item = base(price=Money("41.00", "USD"))
    before = dict(tax._CASES)
    for rates in (Delegate(DEFAULT_RATES), bundled(), bundled(max_age=timedelta(days=400))):
        TaxRule(rates=rates).check(context(item, "FR", on))
    junk = Listing.model_construct(**{**dict(item), "hs_code": ["6912"]})
    found = tax.RULE.check(context(junk, "FR", on))
    assert found == TaxRule(rates=Delegate(DEFAULT_RATES)).check(context(junk, "FR", on))
    assert {k: v for k, v in tax._CASES.items() if k not in before} == {}


def test_the_tax_memo_keeps_rate_sources_apart() -> None:
    on, item = DATES[2], base(price=Money("41.00", "USD"))
    without_pegs = TaxRule(rates=bundled(max_age=None, pegs=False))
    for country in ("DE", "AE", "SA", "HK"):  # some currencies are pegged (AED, SAR, HKD)
        ctx = context(item, country, on)
        expected = TaxRule(rates=Delegate(bundled(max_age=None, pegs=False))).check(ctx)
        assert tax.RULE.check(ctx) == TaxRule(rates=Delegate(DEFAULT_RATES)).check(ctx)
        assert without_pegs.check(ctx) == expected
        assert without_pegs.check(ctx) == expected


# -- the channel rule: a text's findings, cached per text -------------------------------------

TITLES = st.one_of(
    st.sampled_from(
        [
            "",
            "   ",
            "Stoneware mug",
            "Mug! Call +49 30 1234567",
            "Mug mug mug mug mug mug",
            "Mug <script>alert(1)</script>",
            "Visit www.example.com for more",
            "Blue Ridge Stoneware Mug " * 12,
            "Cafe\u0301 mug",  # not NFC
            "Mug | ★ sale ★",
        ]
    ),
    st.text(max_size=60),
)
DESCRIPTIONS = st.one_of(
    st.sampled_from(
        [
            "",
            "Wheel-thrown stoneware.",
            "<p>Glazed.</p><img src=x onerror=alert(1)>",
            "Mail shop@example.com or call (555) 123-4567",
            "See https://www.ebay.com/itm/123 and https://example.com/care",
        ]
    ),
    st.text(max_size=80),
)


@given(title=TITLES, description=DESCRIPTIONS)
def test_cached_text_findings_are_the_ones_worked_out(title: str, description: str) -> None:
    on = DATES[2]
    # Every brand and channel for these texts, back to back: a cache key that missed one
    # would serve the findings of another.
    for brand, channel_name in itertools.product(
        (None, "Blue Ridge", "Mug", "Stoneware"), ("ebay", "amazon", "facebook")
    ):
        values = {"title": title, "description": description, "brand": brand}
        plain = Listing.model_construct(**{**dict(base()), **values})
        # str subclasses take the uncached path through the same checks.
        texts = {"title": Text(title), "description": Text(description)}
        expected = channel.RULE.check(
            context(plain.model_copy(update=texts), "DE", on, channel=channel_name)
        )
        assert channel.RULE.check(context(plain, "DE", on, channel=channel_name)) == expected
        assert channel.RULE.check(context(plain, "DE", on, channel=channel_name)) == expected


# -- GTIN validity and vague descriptions, cached per value -----------------------------------

GTINS = st.one_of(
    st.text(alphabet="0123456789", min_size=6, max_size=15),
    st.sampled_from(["860001234015", "4006381333931", "4006381333932", "12345670", " "]),
    st.text(max_size=16),
)


@given(code=GTINS)
def test_cached_gtin_validity_is_stdnums(code: str) -> None:
    expected = is_valid_gtin(code)
    assert identifiers._gtin_valid(code) is expected
    assert identifiers._gtin_valid(code) is expected  # cached
    assert identifiers._gtin_valid(Text(code)) is expected  # not cached
    ebay = context(base().model_copy(update={"gtin": code}), "DE", DATES[2], channel="ebay")
    other = context(base().model_copy(update={"gtin": Text(code)}), "DE", DATES[2], channel="ebay")
    assert identifiers.RULE.check(ebay) == identifiers.RULE.check(other)


@given(
    text=st.one_of(st.sampled_from(["Gifts", "various items", "Stoneware mug", "Acme"]), st.text()),
    brand=st.one_of(st.none(), st.sampled_from(["Acme", "acme ", ""]), st.text(max_size=10)),
)
def test_cached_vagueness_is_is_vague_description(text: str, brand: str | None) -> None:
    expected = customs.is_vague_description(text, brand=brand)
    assert customs._is_vague(text, brand) is expected
    assert customs._is_vague(text, brand) is expected  # cached
    assert customs._is_vague(Text(text), brand) is expected  # not cached


# -- the engine: a rule's list taken at once -----------------------------------------------------


def finding(code: str, severity: Any = "warning") -> Finding:
    return Finding(code, severity, "m")


class Listed:
    def __init__(self, name: str, items: list[Any]) -> None:
        self.name = name
        self.items = items

    def check(self, context: Context) -> list[Any]:
        return list(self.items)


class Generated(Listed):
    def check(self, context: Context) -> Iterator[Any]:  # type: ignore[override]
        yield from self.items


class ListSubclass(list[Any]):
    pass


class SubclassListed(Listed):
    def check(self, context: Context) -> list[Any]:
        return ListSubclass(self.items)


ITEMS = st.lists(
    st.one_of(
        st.builds(
            finding,
            st.sampled_from(["probe.a", "probe.b", "probe.c"]),
            st.sampled_from(["error", "warning", "info"]),
        ),
        st.sampled_from(["not a finding", None, 5]),
    ),
    max_size=5,
)


@given(items=ITEMS, seller=st.sampled_from([None, Seller(country="US", regimes=("US",))]))
def test_a_list_of_findings_reports_as_a_generator_does(items: list[Any], seller: Any) -> None:
    reports = [
        check(base(), "DE", on=DATES[2], seller=seller, rules=[kind("probe", items)])
        for kind in (Listed, Generated, SubclassListed)
    ]
    assert reports[0] == reports[1] == reports[2]
    bad = next((i for i, item in enumerate(items) if not isinstance(item, Finding)), None)
    codes = reports[0].codes() + tuple(f.code for f in reports[0].suppressed)
    if bad is None:
        assert "engine.rule_failed" not in codes
    else:  # the findings before the wrong item are kept, then the rule fails
        assert codes.count("engine.rule_failed") == 1
        kept = [f.code for f in items[:bad]]
        assert sorted(c for c in codes if c.startswith("probe.")) == sorted(kept)


# -- Context and Report: built through the slots' setters -----------------------------------------


def test_context_is_the_same_frozen_dataclass() -> None:
    m = market("DE", DATES[2])
    args = (base(), m, DATES[2], None, None, ALL_REGIMES, "de")
    ctx = Context(*args)
    names = [f.name for f in dataclasses.fields(Context) if f.init]
    assert names == ["listing", "market", "on", "channel", "seller", "regimes", "language"]
    assert [f.name for f in dataclasses.fields(Context) if not f.init] == ["values"]
    assert ctx == Context(**dict(zip(names, args, strict=True)))
    assert tuple(getattr(ctx, n) for n in names) == args
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.language = "fr"  # type: ignore[misc]
    assert dataclasses.replace(ctx, language="fr").language == "fr"
    plain = Context("listing", m, DATES[2], None, None, ALL_REGIMES, "de")  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(plain)) == plain
    assert "language='de'" in repr(ctx)
    with pytest.raises(TypeError):
        Context(base(), m)  # type: ignore[call-arg]


def test_report_is_the_same_frozen_dataclass() -> None:
    report = Report("MUG-1", "DE", None, DATES[2], (finding("probe.a"),))
    assert (report.suppressed, report.rules, report.data_version) == ((), (), "")
    full = Report(
        sku="MUG-1",
        market="DE",
        channel="ebay",
        on=DATES[2],
        findings=(),
        suppressed=(finding("probe.b"),),
        rules=("probe",),
        data_version="v",
    )
    assert dataclasses.astuple(full)[-2:] == (("probe",), "v")
    assert dataclasses.replace(full, channel=None) == Report(
        "MUG-1", "DE", None, DATES[2], (), (finding("probe.b"),), ("probe",), "v"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        full.sku = "X"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(full)) == full
    assert hash(full) == hash(dataclasses.replace(full))


# -- whole reports: cold caches and warm ones ------------------------------------------------


def clear_caches() -> None:
    """Empty every per-text and per-value cache of the compliance rules."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("xborder.compliance"):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()
    _lowvalue._PLANS.clear()  # the plans hold the tax messages' fixed parts
    tax._CASES.clear()
    gpsr._PARTIES.clear()
    channel._TITLES.clear()
    channel._DESCRIPTIONS.clear()


JUNK = st.sampled_from([None, 7, "", "ZZ", ["x"], {"a": 1}, Decimal("NaN"), BadRepr()])
FIELDS: dict[str, Any] = {
    "title": st.one_of(TITLES, JUNK),
    "description": st.one_of(DESCRIPTIONS, JUNK),
    "brand": st.sampled_from([None, "Blue Ridge", "brand new", "  ", 5]),
    "mpn": st.sampled_from([None, "MUG-1", ""]),
    "gtin": st.one_of(GTINS, JUNK),
    "price": st.one_of(PRICES, JUNK),
    "hs_code": st.sampled_from([*HS_CODES, "8211910000", "77000000"]),
    "origin_country": st.sampled_from([None, "US", "CN", "DE", "ZZ", 5]),
    "customs_description": st.sampled_from([None, "Gifts", "Stoneware mug, glazed", 5]),
    "category": st.one_of(
        st.sampled_from(["home.drinkware", "tools.knives", "electronics.batteries", "food"]),
        JUNK,
    ),
    "weight": st.one_of(st.just(Weight(value="0.4", unit="kg")), JUNK),
    "images": st.sampled_from([(), ("http://x.example.com/a.jpg",), ["https://a", 5], 3]),
    "attributes": st.sampled_from(
        [
            MappingProxyType({"material": ("steel",), "color": ("Ivory",)}),
            {"material": ("kitchen knife", "lithium battery")},
            {"blade": "folding knife", 5: "vape"},
            "knife",
        ]
    ),
    "translations": st.sampled_from(
        [
            MappingProxyType({}),
            {"de": Translation(title="Messer", description="Ein Küchenmesser")},
            {"en": Translation(title="Kitchen knife"), "fr": 5},
            None,
        ]
    ),
    "manufacturer": st.sampled_from(
        [
            None,
            Party(
                name="Maker", postal_address="1 Main St, Asheville, NC 28801, USA", email="a@b.co"
            ),
            Party(
                name="Hersteller",
                postal_address="Hauptstraße 1, 10115 Berlin, Germany",
                email="a@b.de",
            ),
            Party.model_construct(name=7, postal_address="China"),
            "Maker",
        ]
    ),
    "safety_information": st.sampled_from(
        [MappingProxyType({}), {"en": "Hot."}, {"de": "Heiß."}, {"fr": 5}, "Hot!"]
    ),
    "dangerous_goods": st.sampled_from(
        [DangerousGoods(), DangerousGoods(battery="contained"), DangerousGoods(aerosol=True), 3]
    ),
}


@given(
    values=st.fixed_dictionaries({}, optional=FIELDS),
    country=st.sampled_from(["DE", "FR", "GB", "US", "JP", "RU", "UA"]),
    on=st.sampled_from(DATES),
    channel_name=st.sampled_from([None, "ebay", "amazon", "meta"]),
    seller=st.sampled_from(SELLERS),
    strict=st.booleans(),
)
def test_reports_do_not_depend_on_warm_caches(
    values: dict[str, Any],
    country: str,
    on: date,
    channel_name: str | None,
    seller: Any,
    strict: bool,
) -> None:
    item = Listing.model_construct(**{**dict(base()), **values})
    rules: tuple[Rule, ...] = registered_rules()
    if strict:
        rules = tuple(
            restricted.RestrictedRule(strict=True) if r.name == "restricted" else r for r in rules
        )

    def report() -> Report:
        return check(item, country, channel=channel_name, on=on, seller=seller, rules=rules)

    clear_caches()
    cold = report()
    assert report() == cold  # warm
    variant = item.model_copy(update={"sku": "MUG-2"})
    warm_variant = check(variant, country, channel=channel_name, on=on, seller=seller, rules=rules)
    assert warm_variant.findings == cold.findings
    assert "engine.rule_failed" not in cold.codes()


# -- field values: read from a complete Listing's __dict__, else attribute by attribute ----------


class Relabelled(Listing):
    """A Listing subclass: its fields are read attribute by attribute, never from __dict__."""


def test_field_values_are_the_listings_own_for_a_complete_listing() -> None:
    item = base()
    values = field_values(item)
    assert type(values) is MappingProxyType
    assert values == item.__dict__
    with pytest.raises(TypeError):  # a read-only view: a rule cannot change the listing
        values["title"] = "changed"  # type: ignore[index]
    ctx = Context(item, market("DE", DATES[2]), DATES[2], None, None, ALL_REGIMES, "de")
    assert ctx.values == item.__dict__
    # Anything else is read attribute by attribute: a subclass, a listing missing fields
    # (built without validation), one model_copy(update=...) gave a name it does not have.
    others = [
        Relabelled(**dict(item)),
        Listing.model_construct(sku="S-1"),
        item.model_copy(update={"nickname": "x"}),
        "a listing",
    ]
    for other in others:
        values = field_values(other)
        assert type(values) is not MappingProxyType
        for name in Listing.model_fields:
            assert values[name] == getattr(other, name, None)
        assert values.get("gtin_exempt", "unset") == getattr(other, "gtin_exempt", "unset")
        assert sorted(values) == sorted(Listing.model_fields)
        assert type(other).__name__ in repr(values)


def test_an_attribute_that_raises_fails_only_the_rules_that_read_it() -> None:
    class Exploding:
        """Not a Listing: every rule reads it attribute by attribute; its HS code raises."""

        def __getattr__(self, name: str) -> Any:
            if name == "hs_code":
                raise RuntimeError("no HS code today")
            raise AttributeError(name)

    report = check(Exploding(), "DE", channel="ebay", on=DATES[2])  # type: ignore[arg-type]
    failed = [f.message for f in report.findings if f.code == "engine.rule_failed"]
    assert any("'customs'" in message for message in failed)
    assert all("RuntimeError" in message for message in failed)
    # The rules that never read the HS code report as usual.
    assert "identifiers.brand_missing" in report.codes()


@given(
    values=st.fixed_dictionaries({}, optional=FIELDS),
    country=st.sampled_from(["DE", "FR", "GB", "US", "JP"]),
    channel_name=st.sampled_from([None, "ebay", "amazon", "meta"]),
    seller=st.sampled_from(SELLERS),
)
def test_reading_fields_from_dict_gives_what_reading_attributes_gives(
    values: dict[str, Any], country: str, channel_name: str | None, seller: Any
) -> None:
    # A genuine Listing is read from its __dict__ (and its parties' findings remembered);
    # the same values in a subclass are read attribute by attribute, every time.
    fields = {**dict(base()), **values}
    item = Listing.model_construct(**fields)
    other = Relabelled.model_construct(**fields)
    assert type(field_values(item)) is MappingProxyType
    mine = check(item, country, channel=channel_name, on=DATES[2], seller=seller)
    theirs = check(other, country, channel=channel_name, on=DATES[2], seller=seller)
    assert mine.findings == theirs.findings
    assert mine.suppressed == theirs.suppressed


def test_the_parties_key_reads_every_party_field_and_only_plain_text() -> None:
    # gpsr._party_values reads these four fields: a new Party field must join the key.
    assert list(Party.model_fields) == ["name", "postal_address", "email", "url"]
    maker = Party(name="Kiln Co.", postal_address="1 Lane, Dublin, Ireland", email="a@b.ie")
    assert gpsr._party_values(maker) == ("Kiln Co.", "1 Lane, Dublin, Ireland", "a@b.ie", None)

    class Text(str):
        """Equal to plain text, but not plain text: never shares a remembered case."""

    odd = Party.model_construct(name=Text("Kiln Co."), postal_address="x", email=None, url=None)
    assert gpsr._party_values(odd) is None
    assert gpsr._party_values(Party.model_construct(name="Kiln Co.")) is None  # fields missing
    assert gpsr._party_values(None) == ()  # no party: a case of its own
    assert gpsr._party_values({"name": "Kiln Co."}) is None
    item = base().model_copy(update={"manufacturer": odd})
    market_ = market("DE", DATES[2])
    assert gpsr._parties_key(item, field_values(item), DATES[2], market_, "s", None) is None
