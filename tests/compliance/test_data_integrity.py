"""The shipped rule data: every entry sourced and dated correctly; null never read as zero.

Generic on purpose: every JSON file under ``xborder/compliance/data/`` (whoever adds it) and
the dated market periods (``xborder/data/market_periods.json``) are walked as trees, so a
new rule family's data is covered the day it lands. Reads the package data only.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from xborder.compliance import _data, check
from xborder.compliance._registry import GROUP
from xborder.compliance.rules import channel, customs, dangerous_goods, identifiers
from xborder.listing import Listing, Weight
from xborder.markets import Market, dated_facts
from xborder.money import Money

RULE_DATA = resources.files("xborder.compliance").joinpath("data")
MARKET_PERIODS = resources.files("xborder").joinpath("data", "market_periods.json")


def data_files() -> list[tuple[str, Any]]:
    files = []
    if RULE_DATA.is_dir():
        files += [
            (f"compliance/data/{p.name}", p)
            for p in RULE_DATA.iterdir()
            if p.name.endswith(".json")
        ]
    return [*sorted(files, key=lambda item: item[0]), ("data/market_periods.json", MARKET_PERIODS)]


FILES = data_files()
IDS = [name for name, _ in FILES]

#: Keys holding a full ISO date (what the code parses with date.fromisoformat).
FULL_DATE_KEYS = frozenset(
    {"effective_from", "effective_to", "as_of", "applies_from", "applies_until"}
)
#: Keys holding a date as written in the research: ISO 8601, full or reduced ("2026", "2026-02").
DATE_KEYS = frozenset({"date"})
SOURCE_KEYS = frozenset({"source", "sources", "general_sources"})
URL = re.compile(r"https?://[^\s]+")


def load(path: Any) -> Any:
    return json.loads(path.read_text("utf-8"), parse_float=Decimal)


def walk(
    node: Any, path: str = "$", parents: tuple[dict[str, Any], ...] = ()
) -> Iterator[tuple[str, dict[str, Any], tuple[dict[str, Any], ...]]]:
    """Yield (path, dict, ancestor dicts) for every object in the tree."""
    if isinstance(node, dict):
        yield path, node, parents
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}", (*parents, node))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]", parents)


def has_source(obj: dict[str, Any]) -> bool:
    return any(obj.get(key) for key in SOURCE_KEYS)


def sourced_within(node: Any) -> bool:
    if isinstance(node, dict):
        return has_source(node) or any(sourced_within(v) for v in node.values())
    if isinstance(node, list):
        return any(sourced_within(v) for v in node)
    return False


def unknown_value(obj: dict[str, Any]) -> bool:
    """Whether the object states an unknown value (where a null source is allowed)."""
    return any(key in obj and obj[key] is None for key in ("value", "amount"))


def declared_unverified(obj: dict[str, Any], parents: tuple[dict[str, Any], ...]) -> bool:
    """Whether the object or its entry (up to two levels up, not the file) lists unverified
    items: the facts' convention for a value the research could not source (facts README)."""
    return any(o.get("unverified") for o in (obj, *parents[1:][-2:]))


@pytest.fixture(params=FILES, ids=IDS)
def tree(request: pytest.FixtureRequest) -> tuple[str, Any]:
    name, path = request.param
    return name, load(path)


def test_there_is_data_to_check() -> None:
    assert "data/market_periods.json" in IDS
    assert len(IDS) >= 2, "no rule data under xborder/compliance/data"


def test_sources_are_urls(tree: tuple[str, Any]) -> None:
    name, data = tree
    problems = []
    for path, obj, parents in walk(data):
        for key in SOURCE_KEYS & obj.keys():
            value = obj[key]
            urls = [value] if isinstance(value, str) else value
            if value is None or value == []:
                if not (unknown_value(obj) or declared_unverified(obj, parents)):
                    problems.append(f"{path}.{key} is empty but the value is known")
                continue
            if not isinstance(urls, list) or not all(
                isinstance(u, str) and URL.fullmatch(u) for u in urls
            ):
                problems.append(f"{path}.{key} = {value!r} is not a URL or a list of URLs")
    assert not problems, f"{name}: " + "; ".join(problems[:10])


def test_dates_are_iso_and_periods_ordered(tree: tuple[str, Any]) -> None:
    name, data = tree
    problems = []
    for path, obj, _ in walk(data):
        for key in FULL_DATE_KEYS & obj.keys():
            value = obj[key]
            if value is None:
                continue
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                problems.append(f"{path}.{key} = {value!r} is not an ISO date (YYYY-MM-DD)")
        for key in DATE_KEYS & obj.keys():
            value = obj[key]
            if not (isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value)):
                problems.append(f"{path}.{key} = {value!r} is not an ISO 8601 date")
            elif len(value) == 10:
                date.fromisoformat(value)
        start, end = obj.get("effective_from"), obj.get("effective_to")
        if isinstance(start, str) and isinstance(end, str) and start <= end is False:
            problems.append(f"{path}: effective_to {end} is before effective_from {start}")
        if isinstance(start, str) and isinstance(end, str):
            try:
                if date.fromisoformat(end) < date.fromisoformat(start):
                    problems.append(f"{path}: effective_to {end} is before effective_from {start}")
            except ValueError:
                pass  # reported above
    assert not problems, f"{name}: " + "; ".join(problems[:10])


def test_every_dated_entry_has_a_source(tree: tuple[str, Any]) -> None:
    name, data = tree
    problems = []
    for path, obj, parents in walk(data):
        dated = "effective_from" in obj or "effective_to" in obj
        if dated and not (has_source(obj) or unknown_value(obj) or any(map(has_source, parents))):
            problems.append(f"{path} is dated but names no source")
    assert not problems, f"{name}: " + "; ".join(problems[:10])


def test_every_entry_of_a_list_is_sourced(tree: tuple[str, Any]) -> None:
    """Each rule/fact entry (an object in a list) carries a source, or its container does."""
    name, data = tree
    problems = []

    def visit(node: Any, path: str, inherited: bool) -> None:
        if isinstance(node, dict):
            here = inherited or has_source(node)
            for key, value in node.items():
                visit(value, f"{path}.{key}", here)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, dict) and not (inherited or sourced_within(item)):
                    problems.append(f"{path}[{i}] has no source")
                visit(item, f"{path}[{i}]", inherited)

    visit(data, "$", False)
    assert not problems, f"{name}: " + "; ".join(problems[:10])


@pytest.mark.parametrize(
    "name",
    [
        n.removeprefix("compliance/data/").removesuffix(".json")
        for n in IDS
        if n.startswith("compliance/")
    ],
)
def test_rule_data_loads_exact(name: str) -> None:
    """The loader reads numbers as Decimal, never float; null stays None."""
    raw = json.loads(RULE_DATA.joinpath(f"{name}.json").read_text("utf-8"))
    loaded = _data.load(name)

    def same(a: Any, b: Any, path: str) -> None:
        if a is None:
            assert b is None, f"{path}: null was read as {b!r}"
        elif isinstance(a, dict):
            for key in a:
                same(a[key], b[key], f"{path}.{key}")
        elif isinstance(a, list):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                same(x, y, f"{path}[{i}]")
        else:
            assert not isinstance(b, float), f"{path}: read as float"

    same(raw, loaded, "$")


# -- null means unknown, never zero ------------------------------------------------------------


def null_periods() -> list[tuple[str, str, date]]:
    """(country, fact, a day inside the period) for every period whose value is null."""
    out = []
    for country, market in load(MARKET_PERIODS)["markets"].items():
        for fact, body in market["facts"].items():
            for period in body["periods"]:
                if period["value"] is not None:
                    continue
                start, end = period.get("effective_from"), period.get("effective_to")
                day = date.fromisoformat(start) if start else date(2026, 10, 30)
                if end and day > date.fromisoformat(end):
                    day = date.fromisoformat(end)
                out.append((country, fact, day))
    return out


NULLS = null_periods()


def test_there_are_unknown_facts() -> None:
    assert any(fact == "vat_rate" for _, fact, _ in NULLS)
    assert any(fact == "duty_de_minimis" for _, fact, _ in NULLS)


@pytest.mark.parametrize(
    ("country", "fact", "day"), NULLS, ids=[f"{c}-{f}-{d}" for c, f, d in NULLS]
)
def test_null_fact_is_unknown_not_zero(country: str, fact: str, day: date) -> None:
    if country == "EU":
        found = dated_facts("EU")[fact].lookup(day)
    else:
        market = Market.for_country(country, on=day)
        found = market.lookup(fact)
        attribute = {"vat_rate": "vat_rate", "prices_include_tax": "prices_include_tax"}.get(fact)
        if attribute is not None:
            assert getattr(market, attribute) is None
        period = getattr(market, fact, None)
        if period is not None:
            assert period.value is None and not period.known
    assert found.value is None and not found.known
    assert found.reason.startswith("unknown")


ZERO_PERCENT = re.compile(r"(?<![\d.,])0(?:[.,]0+)?\s?%")


def zero_amount(currency: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b{currency}\s?0(?:[.,]0+)?(?![\d.,])|(?<![\d.,])0(?:[.,]0+)?\s?{currency}\b"
    )


def loadable_rules() -> list[Any]:
    from xborder import _plugins

    rules = []
    for ep in _plugins.entry_points(GROUP):
        if importlib.util.find_spec(ep.value.partition(":")[0]) is not None:
            rules.append(ep.load())
    return rules


DAY = date(2026, 10, 30)
UNKNOWN_TODAY = sorted(
    {(c, f) for c, f, _ in null_periods() if c != "EU"}
    & {
        (c, f)
        for c in load(MARKET_PERIODS)["markets"]
        if c != "EU"
        for f in ("vat_rate", "duty_de_minimis", "tax_de_minimis")
        if Market.for_country(c, on=DAY).lookup(f).period is not None
        and Market.for_country(c, on=DAY).lookup(f).value is None
    }
)


def test_some_facts_are_unknown_today() -> None:
    assert ("US", "vat_rate") in UNKNOWN_TODAY and ("CH", "duty_de_minimis") in UNKNOWN_TODAY


@pytest.mark.parametrize(("country", "fact"), UNKNOWN_TODAY)
def test_check_never_turns_an_unknown_into_zero(country: str, fact: str) -> None:
    """Run every rule that exists on a market with an unknown fact: no zero in its place."""
    listing = Listing(
        sku="MUG-01",
        title="Stoneware coffee mug",
        price=Money("24.00", "USD"),
        quantity=1,
        hs_code="691200",
        origin_country="CN",
        customs_description="Stoneware coffee mug",
        weight=Weight(value="0.4", unit="kg"),
    )
    market = Market.for_country(country, on=DAY)
    zero = (
        ZERO_PERCENT
        if fact == "vat_rate"
        else zero_amount(market.lookup(fact).period.currency or market.currency)
    )
    report = check(listing, market, rules=loadable_rules())
    for finding in (*report.findings, *report.suppressed):
        assert not zero.search(finding.message), (country, fact, str(finding))


def test_zero_patterns_catch_zero_amounts() -> None:
    assert ZERO_PERCENT.search("VAT of 0% applies") and ZERO_PERCENT.search("at 0.0 %")
    assert zero_amount("CHF").search("duty threshold CHF 0.00")
    assert zero_amount("BRL").search("threshold 0 BRL")
    assert not ZERO_PERCENT.search("VAT 20% on EUR 150; 10.0%")
    assert not zero_amount("CHF").search("10 CHF; CHF 100; CHF 0.50")


# -- the source URLs my rules cite are the facts' ----------------------------------------------

FACT_SOURCES = {
    "hs_wto_glossary": customs.HS_STRUCTURE,
    "hs_ch77": customs.HS_CHAPTER_77,
    "ics2_easypost": customs.ICS2,
    "us_cbp_postal_scd": customs.US_POSTAL_ENTRY,
    "us_eo14324_hdoc": customs.US_DE_MINIMIS,
    "cn_dhl_hs": customs.CN_HS,
    "us_cbp_vague_aomeara": customs.VAGUE_CBP,
    "ebay_upi_validation": identifiers.EBAY_VALIDATION,
    "ebay_upi_tradingguide": identifiers.EBAY_PRODUCT_IDS,
    "ebay_upi_seller": identifiers.EBAY_REQUIRED,
    "amz_gtin_exemption": identifiers.AMAZON_GTIN,
    "amz_listing_policies": channel.AMAZON_CONTENT,
    "li_royalmail": dangerous_goods.ROYAL_MAIL_LITHIUM,
}


@pytest.mark.parametrize(("key", "url"), sorted(FACT_SOURCES.items()))
def test_cited_sources_are_in_the_fact_registry(key: str, url: str) -> None:
    registry = json.loads(
        resources.files("xborder").joinpath("data", "facts", "sources.json").read_text("utf-8")
    )
    assert registry[key]["url"] == url
