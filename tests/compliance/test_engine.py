"""The engine: check(), Report, suppression, rule failures, the registry and rule files."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import importlib.util
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xborder
from xborder import _plugins
from xborder.compliance import (
    ALL_REGIMES,
    Context,
    FileRule,
    Report,
    Rule,
    _registry,
    available_rules,
    check,
    data_version,
    ensure_compliant,
    load_rule_file,
    registered_rules,
)
from xborder.compliance.rules import channel, customs, dangerous_goods, identifiers
from xborder.errors import ComplianceError, ConfigurationError, PluginError, UnknownMarketError
from xborder.findings import Finding
from xborder.listing import DangerousGoods, Listing, Seller, Translation, Weight
from xborder.localize.channels import EBAY, ChannelRules
from xborder.markets import Market
from xborder.money import Money

ON = date(2026, 10, 30)
MINE = (channel.RULE, customs.RULE, dangerous_goods.RULE, identifiers.RULE)
OTHERS = ("restricted", "sanctions", "gpsr", "epr", "tax")


def make_listing(**changes: Any) -> Listing:
    values: dict[str, Any] = {
        "sku": "MUG-01",
        "title": "Stoneware coffee mug, 350 ml",
        "price": Money("24.00", "USD"),
        "quantity": 5,
        "brand": "Blue Ridge Kiln",
        "mpn": "BRK-MUG01",
        "gtin": "4006381333931",
        "category": "home.drinkware",
        "images": ("https://img.example.com/mug-1.jpg",),
        "weight": Weight(value="0.4", unit="kg"),
        "hs_code": "691200",
        "origin_country": "US",
        "customs_description": "Stoneware coffee mug, glazed, 350 ml",
    }
    values.update(changes)
    return Listing(**values)


class Emit:
    """A test rule that returns the findings it was given, and records the context."""

    def __init__(self, name: str, *findings: Finding) -> None:
        self.name = name
        self.findings = findings
        self.contexts: list[Context] = []

    def check(self, context: Context) -> list[Finding]:
        self.contexts.append(context)
        return list(self.findings)


class Boom:
    name = "boom"

    def check(self, context: Context) -> list[Finding]:
        raise RuntimeError("x" * 100_000)


def f(code: str, severity: Any = "warning", message: str = "m") -> Finding:
    return Finding(code, severity, message, source="https://example.com/rule")


# -- check() and Report ----------------------------------------------------------------------


def test_report_fields() -> None:
    rule = Emit("probe", f("probe.thing"))
    report = check(make_listing(), "DE", channel="ebay", on=ON, rules=[rule])
    assert isinstance(report, Report)
    assert (report.sku, report.market, report.channel, report.on) == ("MUG-01", "DE", "ebay", ON)
    assert report.rules == ("probe",)
    assert report.codes() == ("probe.thing", "engine.strictest_regime")
    assert report.data_version == data_version()
    context = rule.contexts[0]
    assert context.market.country == "DE" and context.market.on == ON
    assert context.channel is not None and context.channel.name == "ebay"
    assert context.language == "de"


def test_on_defaults_to_today_or_the_markets_day(frozen_today: date) -> None:
    rule = Emit("probe")
    assert check(make_listing(), "FR", rules=[rule]).on == frozen_today
    market = Market.for_country("FR", on=date(2025, 1, 2))
    assert check(make_listing(), market, rules=[rule]).on == date(2025, 1, 2)
    assert rule.contexts[-1].market is market
    assert check(make_listing(), market, on=ON, rules=[rule]).on == ON
    rebuilt = rule.contexts[-1].market
    assert rebuilt.on == ON and rebuilt.country == "FR"  # facts and rules agree on the day


def test_a_market_for_another_day_keeps_language_and_currency() -> None:
    rule = Emit("probe")
    canada = Market.for_country("CA", language="fr", on=date(2025, 1, 2), currency="USD")
    check(make_listing(), canada, on=ON, rules=[rule])
    market = rule.contexts[-1].market
    assert (market.on, market.locale, market.currency) == (ON, "fr_CA", "USD")
    assert rule.contexts[-1].language == "fr"
    bulgaria = Market.for_country("BG", on=date(2025, 6, 1))
    assert bulgaria.currency == "BGN"
    check(make_listing(), bulgaria, on=ON, rules=[rule])
    assert rule.contexts[-1].market.currency == "EUR"  # the legal tender on the day


def test_channel_forms() -> None:
    rule = Emit("probe")
    assert check(make_listing(), "DE", channel="meta", on=ON, rules=[rule]).channel == "facebook"
    assert check(make_listing(), "DE", channel=EBAY, on=ON, rules=[rule]).channel == "ebay"
    assert check(make_listing(), "DE", on=ON, rules=[rule]).channel is None
    assert rule.contexts[-1].channel is None
    with pytest.raises(ConfigurationError, match="unknown channel"):
        check(make_listing(), "DE", channel="etsy", on=ON, rules=[rule])
    with pytest.raises(ConfigurationError, match="channel"):
        check(make_listing(), "DE", channel=3, on=ON, rules=[rule])  # type: ignore[arg-type]


def test_amazon_version_follows_the_day() -> None:
    rule = Emit("probe")
    check(make_listing(), "DE", channel="amazon", on=date(2026, 1, 1), rules=[rule])
    check(make_listing(), "DE", channel="amazon", on=ON, rules=[rule])
    assert [c.channel.title_max for c in rule.contexts if c.channel] == [200, 75]


def test_a_channel_registered_between_checks_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # check() remembers the last (market, day, channel) it resolved: a registration made
    # since must still be seen.
    from xborder.localize.channels import _rules, register_channel

    monkeypatch.setattr(_rules, "_VERSIONS", {k: list(v) for k, v in _rules._VERSIONS.items()})
    monkeypatch.setattr(_rules, "_ANSWERS", {})
    rule = Emit("probe")
    market = Market.for_country("DE", on=ON)
    check(make_listing(), market, channel="ebay", on=ON, rules=[rule])
    check(make_listing(), market, channel="ebay", on=ON, rules=[rule])
    newer = dataclasses.replace(EBAY, effective_from=date(2026, 1, 1), title_max=60)
    register_channel(newer)
    check(make_listing(), market, channel="ebay", on=ON, rules=[rule])
    assert [c.channel.title_max for c in rule.contexts if c.channel] == [80, 80, 60]
    _rules._GENERATION[0] += 1  # the registry goes back: what was remembered is stale


def test_the_last_market_is_not_reused_for_another() -> None:
    rule = Emit("probe")
    for market in ("DE", "FR", Market.for_country("JP", on=ON), "DE"):
        check(make_listing(), market, channel="ebay", on=ON, rules=[rule])
        check(make_listing(), market, channel=None, on=date(2026, 1, 2), rules=[rule])
    assert [(c.market.country, c.on, c.language) for c in rule.contexts] == [
        ("DE", ON, "de"),
        ("DE", date(2026, 1, 2), "de"),
        ("FR", ON, "fr"),
        ("FR", date(2026, 1, 2), "fr"),
        ("JP", ON, "ja"),
        ("JP", date(2026, 1, 2), "ja"),
        ("DE", ON, "de"),
        ("DE", date(2026, 1, 2), "de"),
    ]
    assert [c.channel is None for c in rule.contexts] == [False, True] * 4
    assert all(c.market.on == c.on for c in rule.contexts)


def test_arguments_resolved_for_one_call_are_not_reused_for_another() -> None:
    # check() remembers the last arguments it resolved (matched by identity): each call
    # below shares the rules tuple with the one before and changes one other argument.
    rule = Emit("probe", f("probe.a", "error"), f("other.b"))
    rules = (rule,)
    uk = Seller(country="GB", regimes=("UK",))
    suppress = ["probe.a"]
    calls: list[dict[str, Any]] = [
        {},
        {"seller": uk},
        {"seller": Seller(country="US", regimes=("US",))},
        {"suppress": ("probe.*",)},
        {"suppress": suppress},
        {"suppress": suppress},  # the same list, changed in between (below)
        {"on": date(2026, 1, 2)},
        {"channel": "amazon"},
    ]
    seen = []
    for i, extra in enumerate(calls):
        if i == 5:
            suppress[0] = "other.b"
        report = check(make_listing(), "DE", **{"on": ON, "rules": rules, **extra})
        context = rule.contexts[-1]
        seen.append(
            (report.codes(), context.regimes, context.on, report.channel, len(report.suppressed))
        )
    strictest = "engine.strictest_regime"
    assert seen == [
        (("probe.a", "other.b", strictest), ALL_REGIMES, ON, None, 0),
        (("probe.a", "other.b"), ("UK",), ON, None, 0),
        (("probe.a", "other.b"), ("US",), ON, None, 0),
        (("other.b", strictest), ALL_REGIMES, ON, None, 1),
        (("other.b", strictest), ALL_REGIMES, ON, None, 1),
        (("probe.a", strictest), ALL_REGIMES, ON, None, 1),
        (("probe.a", "other.b", strictest), ALL_REGIMES, date(2026, 1, 2), None, 0),
        (("probe.a", "other.b", strictest), ALL_REGIMES, ON, "amazon", 0),
    ]


def test_only_xborders_own_rule_classes_are_trusted_to_return_findings() -> None:
    from xborder.compliance import _engine
    from xborder.compliance.rules import restricted

    assert all(_engine._builtin(rule) for rule in registered_rules())
    assert _engine._builtin(restricted.RestrictedRule(strict=True))

    class Mine(restricted.RestrictedRule):
        def check(self, context: Context) -> list[Finding]:
            return ["not a finding"]  # type: ignore[list-item]

    assert not _engine._builtin(Mine())
    assert not _engine._builtin(Emit("probe"))
    report = check(make_listing(), "DE", on=ON, rules=[Mine()])
    assert report.codes() == ("engine.rule_failed", "engine.strictest_regime")
    assert "TypeError" in report.errors[0].message


def test_unknown_market() -> None:
    with pytest.raises(UnknownMarketError):
        check(make_listing(), "XX", on=ON, rules=[])


def test_seller_regimes() -> None:
    rule = Emit("probe")
    report = check(make_listing(), "DE", on=ON, rules=[rule])
    assert rule.contexts[-1].regimes == ALL_REGIMES
    strictest = report.infos[0]
    assert strictest.code == "engine.strictest_regime"
    assert "US" in strictest.message and "seller=" in strictest.message and strictest.source
    seller = Seller(country="GB", regimes=("UK",))
    report = check(make_listing(), "DE", on=ON, seller=seller, rules=[rule])
    assert "engine.strictest_regime" not in report.codes()
    assert rule.contexts[-1].regimes == ("UK",)
    assert rule.contexts[-1].seller is seller


def test_findings_sorted_by_severity_stably() -> None:
    rule = Emit(
        "probe",
        f("probe.i1", "info"),
        f("probe.w1"),
        f("probe.e1", "error"),
        f("probe.w2"),
        f("probe.e2", "error"),
    )
    other = Emit("other", f("other.w3"), f("other.e3", "error"))
    seller = Seller(country="US", regimes=("US",))
    report = check(make_listing(), "DE", on=ON, rules=[rule, other], seller=seller)
    assert report.codes() == (
        "probe.e1",
        "probe.e2",
        "other.e3",
        "probe.w1",
        "probe.w2",
        "other.w3",
        "probe.i1",
    )
    assert not report.ok
    assert [x.code for x in report.errors] == ["probe.e1", "probe.e2", "other.e3"]
    assert [x.code for x in report.warnings] == ["probe.w1", "probe.w2", "other.w3"]
    assert list(report.by_family()) == ["probe", "other"]
    assert [x.code for x in report.by_family()["other"]] == ["other.e3", "other.w3"]


def test_top_reason() -> None:
    seller = Seller(country="US", regimes=("US",))
    listing = make_listing()
    only_warning = Emit("probe", f("probe.i", "info", "i"), f("probe.w", "warning", "careful"))
    assert check(listing, "DE", on=ON, seller=seller, rules=[only_warning]).top_reason == "careful"
    error = Emit("probe", f("probe.w", "warning", "careful"), f("probe.e", "error", "stop"))
    report = check(listing, "DE", on=ON, seller=seller, rules=[error])
    assert report.top_reason == "stop"
    assert check(listing, "DE", on=ON, seller=seller, rules=[]).top_reason is None
    assert check(listing, "DE", on=ON, seller=seller, rules=[]).ok


def test_suppress_exact_and_family() -> None:
    rule = Emit("probe", f("probe.a", "error"), f("probe.b"), f("other.c"))
    report = check(make_listing(), "DE", on=ON, rules=[rule], suppress=["probe.a", "engine.*"])
    assert report.codes() == ("probe.b", "other.c")
    assert [x.code for x in report.suppressed] == ["probe.a", "engine.strictest_regime"]
    assert report.ok
    report = check(make_listing(), "DE", on=ON, rules=[rule], suppress="probe.*")
    assert report.codes() == ("other.c", "engine.strictest_regime")
    assert len(report.suppressed) == 2


@pytest.mark.parametrize("pattern", ["probe", "probe.", ".a", "Probe.a", "probe.a.b", "*", "p.*x"])
def test_suppress_rejects_bad_patterns(pattern: str) -> None:
    with pytest.raises(ConfigurationError, match="suppress"):
        check(make_listing(), "DE", on=ON, rules=[], suppress=[pattern])


def test_suppress_rejects_non_text() -> None:
    with pytest.raises(ConfigurationError, match="suppress"):
        check(make_listing(), "DE", on=ON, rules=[], suppress=[["probe.a"]])  # type: ignore[list-item]


def test_rule_that_raises_becomes_a_finding() -> None:
    good = Emit("probe", f("probe.fine"))
    report = check(make_listing(), "DE", on=ON, rules=[Boom(), good])
    failed = report.errors[0]
    assert failed.code == "engine.rule_failed"
    assert "'boom'" in failed.message and "RuntimeError" in failed.message
    assert "xxx" not in failed.message and len(failed.message) < 300
    assert "probe.fine" in report.codes()
    assert not report.ok


def test_generator_rule_keeps_findings_before_it_fails() -> None:
    class Half:
        name = "half"

        def check(self, context: Context) -> Iterator[Finding]:
            yield f("half.first")
            raise KeyError("later")

    report = check(make_listing(), "DE", on=ON, rules=[Half()])
    assert report.codes()[:2] == ("engine.rule_failed", "half.first")
    assert "KeyError" in report.errors[0].message


def test_rule_yielding_junk_fails_cleanly() -> None:
    class Junk:
        name = "junk"

        def check(self, context: Context) -> list[object]:
            return ["not a finding"]

    report = check(make_listing(), "DE", on=ON, rules=[Junk()])  # type: ignore[list-item]
    assert report.errors[0].code == "engine.rule_failed"
    assert "TypeError" in report.errors[0].message


@pytest.mark.parametrize(
    ("rules", "match"),
    [
        ([object()], "name"),
        ([Emit("Bad-Name")], "name"),
        ([Emit("dup"), Emit("dup")], "two rules"),
        ([Emit], "class"),
    ],
)
def test_explicit_rules_are_validated(rules: list[Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        check(make_listing(), "DE", on=ON, rules=rules)


def test_to_dict_is_json_safe() -> None:
    rule = Emit(
        "probe",
        Finding("probe.dated", "error", "m", field="x", effective_from=date(2026, 7, 24)),
    )
    report = check(make_listing(), "DE", channel="ebay", on=ON, rules=[rule], suppress=["engine.*"])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["sku"] == "MUG-01" and data["on"] == "2026-10-30" and data["ok"] is False
    assert data["findings"][0] == {
        "code": "probe.dated",
        "severity": "error",
        "message": "m",
        "field": "x",
        "source": None,
        "effective_from": "2026-07-24",
    }
    assert data["suppressed"][0]["code"] == "engine.strictest_regime"
    assert data["rules"] == ["probe"] and data["channel"] == "ebay"
    assert "MUG-01 -> DE (ebay)" in str(report)


def test_report_is_frozen() -> None:
    report = check(make_listing(), "DE", on=ON, rules=[])
    with pytest.raises(AttributeError):
        report.findings = ()  # type: ignore[misc]


def test_ensure_compliant() -> None:
    ok = Emit("probe", f("probe.w"))
    report = ensure_compliant(make_listing(), "DE", on=ON, rules=[ok])
    assert report.ok
    bad = Emit("probe", f("probe.e", "error", "No lithium to the moon."))
    with pytest.raises(ComplianceError) as info:
        ensure_compliant(make_listing(), "DE", channel="ebay", on=ON, rules=[bad])
    assert info.value.report.codes()[0] == "probe.e"
    assert "MUG-01 for DE on ebay" in str(info.value)
    assert "No lithium to the moon." in str(info.value)
    assert isinstance(info.value, xborder.XborderError)


def test_data_version_is_stable_and_names_the_data() -> None:
    version = data_version()
    assert version == data_version()
    assert version.startswith(f"xborder {xborder.__version__}; facts 2026-11-28 ")
    assert len(version.rsplit(" ", 1)[1]) == 12


# -- the registry ----------------------------------------------------------------------------


def _entry_point(name: str, value: str) -> Any:
    import importlib.metadata

    return importlib.metadata.EntryPoint(name=name, value=value, group=_registry.GROUP)


@pytest.fixture
def fake_group(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace the installed entry points; the loaded cache is restored afterwards."""
    monkeypatch.setattr(_registry, "_loaded", None)

    def install(*points: tuple[str, str]) -> None:
        eps = [_entry_point(name, value) for name, value in points]
        monkeypatch.setattr(
            _plugins, "entry_points", lambda group: eps if group == _registry.GROUP else []
        )

    return install


def test_registered_rules_load_once_by_name(fake_group: Any) -> None:
    fake_group(
        ("identifiers", "xborder.compliance.rules.identifiers:RULE"),
        ("customs", "xborder.compliance.rules.customs:RULE"),
    )
    loaded = registered_rules()
    assert [r.name for r in loaded] == ["customs", "identifiers"]
    assert registered_rules() is loaded
    assert all(isinstance(r, Rule) for r in loaded)
    report = check(make_listing(hs_code=None), "DE", on=ON)
    assert report.rules == ("customs", "identifiers")
    assert "customs.hs_code_missing" in report.codes()
    fake_group(("customs", "xborder.compliance.rules.customs:RULE"))
    assert registered_rules() is loaded  # cached until reload
    assert [r.name for r in registered_rules(reload=True)] == ["customs"]


@pytest.mark.parametrize(
    ("points", "match"),
    [
        ([("nope", "xborder.compliance.rules.no_such_module:RULE")], "failed to load"),
        ([("wrong", "xborder.compliance.rules.customs:RULE")], "must equal the entry-point"),
        ([("customs", "xborder.compliance.rules.customs:CustomsRule")], "is a class"),
        ([("customs", "xborder.compliance.rules.customs:ICS2")], "name"),
        (
            [
                ("customs", "xborder.compliance.rules.customs:RULE"),
                ("customs", "xborder.compliance.rules.customs:RULE"),
            ],
            "more than once",
        ),
    ],
)
def test_broken_entry_points_raise_plugin_error(
    fake_group: Any, points: list[tuple[str, str]], match: str
) -> None:
    fake_group(*points)
    with pytest.raises(PluginError, match=match) as info:
        check(make_listing(), "DE", on=ON)
    assert info.value.group == "xborder.rules"
    assert info.value.name == points[0][0]
    assert "xborder.rules" in str(info.value)


def test_every_builtin_is_registered() -> None:
    names = set(available_rules())
    assert {"customs", "identifiers", "channel", "dangerous_goods", *OTHERS} <= names


@pytest.mark.parametrize("name", available_rules())
def test_every_registered_rule_loads_and_fits(name: str) -> None:
    (ep,) = [ep for ep in _plugins.entry_points(_registry.GROUP) if ep.name == name]
    module = ep.value.partition(":")[0]
    if name in OTHERS and importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not written yet (another engineer's rule family)")
    rule = ep.load()
    assert isinstance(rule, Rule) and not isinstance(rule, type)
    assert rule.name == name
    assert importlib.import_module(module).__doc__


# -- rule files ------------------------------------------------------------------------------

TOML = """
name = "acme"

[[rules]]
code = "acme.no_power_banks_au"
severity = "error"
message = "Our carrier does not take power banks to Australia."
source = "https://example.com/carrier-policy"
effective_from = 2026-01-01
markets = ["AU", "NZ"]
keywords = ["power bank", "powerbank"]

[[rules]]
code = "acme.eu_candles"
severity = "warning"
message = "Candles to the EU need the CLP warning label."
source = "https://example.com/clp"
markets = ["EU"]
categories = ["home"]
channels = ["ebay"]

[[rules]]
code = "acme.batteries_hs"
severity = "info"
message = "Batteries: check the carrier."
source = "https://example.com/batteries"
effective_to = "2026-12-31"
hs_prefixes = ["8507"]
"""


@pytest.fixture
def rule_file(tmp_path: Path) -> FileRule:
    path = tmp_path / "acme.toml"
    path.write_text(TOML, encoding="utf-8")
    return load_rule_file(path)


def test_rule_file_keywords_markets_dates(rule_file: FileRule) -> None:
    assert rule_file.name == "acme" and isinstance(rule_file, Rule)
    bank = make_listing(title="Slim Power  Bank for phones", category="electronics.batteries")
    report = check(bank, "AU", on=ON, rules=[rule_file])
    hit = report.errors[0]
    assert (hit.code, hit.field, hit.effective_from) == (
        "acme.no_power_banks_au",
        "title",
        date(2026, 1, 1),
    )
    assert hit.source == "https://example.com/carrier-policy"
    assert check(bank, "US", on=ON, rules=[rule_file]).ok  # not a listed market
    assert check(bank, "AU", on=date(2025, 12, 31), rules=[rule_file]).ok  # not yet in force
    powerbanks = make_listing(title="Mug", attributes={"note": "no powerbanks inside"})
    assert check(powerbanks, "NZ", on=ON, rules=[rule_file]).ok  # whole words only
    powerbank = make_listing(title="Mug", attributes={"note": "fits a Powerbank"})
    assert check(powerbank, "NZ", on=ON, rules=[rule_file]).errors[0].field == "attributes.note"


def test_rule_file_categories_channels_hs(rule_file: FileRule) -> None:
    candle = make_listing(category="home.candles")
    assert (
        "acme.eu_candles" in check(candle, "FR", channel="ebay", on=ON, rules=[rule_file]).codes()
    )
    assert "acme.eu_candles" not in check(candle, "FR", on=ON, rules=[rule_file]).codes()
    assert (
        "acme.eu_candles"
        not in check(candle, "GB", channel="ebay", on=ON, rules=[rule_file]).codes()
    )
    cells = make_listing(hs_code="850760")
    assert "acme.batteries_hs" in check(cells, "JP", on=ON, rules=[rule_file]).codes()
    assert (
        "acme.batteries_hs"
        not in check(cells, "JP", on=date(2027, 1, 1), rules=[rule_file]).codes()
    )


def test_rule_file_json(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    entry = {
        "code": "mine.knives_gb",
        "severity": "error",
        "message": "No knives to the UK from this shop.",
        "source": "https://example.com/knives",
        "markets": ["GB"],
        "keywords": ["knife"],
    }
    path.write_text(json.dumps({"rules": [entry]}), encoding="utf-8")
    rule = load_rule_file(path)
    assert rule.name == "mine"
    knife = make_listing(title="Folding knife, oak handle")
    assert check(knife, "GB", on=ON, rules=[rule]).codes()[0] == "mine.knives_gb"


def test_rule_file_joins_the_registered_rules(rule_file: FileRule, fake_group: Any) -> None:
    fake_group(("customs", "xborder.compliance.rules.customs:RULE"))
    report = check(
        make_listing(hs_code="850760"), "JP", on=ON, rules=[*registered_rules(), rule_file]
    )
    assert report.rules == ("customs", "acme")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("rules = 3", "non-empty list"),
        ("oops = 1\nrules = []", "unknown keys"),
        ('[[rules]]\ncode = "a.b"\n', "severity"),
        ('[[rules]]\ncode = "A.b"\nseverity = "error"\n', "code"),
        (
            '[[rules]]\ncode = "a.b"\nseverity = "fatal"\nmessage = "m"\nsource = "https://x.y"\n'
            'keywords = ["k"]\n',
            "severity",
        ),
        (
            '[[rules]]\ncode = "a.b"\nseverity = "error"\nmessage = "m"\nsource = "x"\n'
            'keywords = ["k"]\n',
            "source",
        ),
        (
            '[[rules]]\ncode = "a.b"\nseverity = "error"\nmessage = "m"\nsource = "https://x.y"\n',
            "trigger",
        ),
        (
            '[[rules]]\ncode = "a.b"\nseverity = "error"\nmessage = "m"\nsource = "https://x.y"\n'
            'hs_prefixes = ["85x"]\n',
            "hs_prefixes",
        ),
        (
            '[[rules]]\ncode = "a.b"\nseverity = "error"\nmessage = "m"\nsource = "https://x.y"\n'
            'keywords = ["k"]\neffective_from = "2026-02-30"\n',
            "YYYY-MM-DD",
        ),
        (
            '[[rules]]\ncode = "a.b"\nseverity = "error"\nmessage = "m"\nsource = "https://x.y"\n'
            'keywords = ["k"]\neffective_from = 2026-02-01\neffective_to = 2026-01-01\n',
            "before",
        ),
        (
            '[[rules]]\ncode = "a.b"\nseverity = "error"\nmessage = "m"\nsource = "https://x.y"\n'
            'keywords = ["k"]\nmarket = ["AU"]\n',
            "unknown keys",
        ),
        (
            'name = "b"\n[[rules]]\ncode = "a.b"\nseverity = "error"\nmessage = "m"\n'
            'source = "https://x.y"\nkeywords = ["k"]\n',
            "family",
        ),
        ("not toml at all [", "cannot read"),
    ],
)
def test_rule_file_errors_name_the_problem(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=match) as info:
        load_rule_file(path)
    assert "bad.toml" in str(info.value)


def test_rule_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_rule_file(tmp_path / "nope.json")


# -- robustness: no rule of mine raises on junk ------------------------------------------------

BIG = "x" * 200_000
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "691200",
        "77010000",
        "9801000000",
        "1234567",
        "6912.00.10",
        "ZZ",
        "us",
        "gift",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "Call +49 30 1234567 or mail a@b.com",
        "\ud800",
        "power bank 10000mAh lithium",
        "Mug! Mug Mug mug?",
        BIG,
        "+" + "1" * 5000,
        "<img" * 5000,
    ]
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    ODD_TEXT,
    st.binary(max_size=10),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers()), max_size=3),
)
WEIGHTS = st.one_of(
    JUNK,
    st.builds(lambda v, u: Weight.model_construct(value=v, unit=u), JUNK, JUNK),
    st.just(Weight(value=Decimal("1"), unit="kg")),
)
GOODS = st.one_of(
    JUNK,
    st.builds(
        lambda b, a, fl: DangerousGoods.model_construct(battery=b, aerosol=a, flammable=fl),
        st.one_of(st.sampled_from(["none", "contained", "packed_with", "standalone"]), JUNK),
        JUNK,
        JUNK,
    ),
)
TRANSLATIONS = st.one_of(
    JUNK,
    st.dictionaries(
        st.one_of(st.sampled_from(["de", "ja", "fr-CA"]), JUNK.filter(lambda v: v is None)),
        st.one_of(
            JUNK,
            st.builds(lambda t, d: Translation.model_construct(title=t, description=d), JUNK, JUNK),
        ),
        max_size=2,
    ),
)
CATEGORIES = st.one_of(
    JUNK, st.sampled_from(["electronics.batteries", "electronics.phone_accessories", "home"])
)

FIELDS = {
    "sku": JUNK,
    "price": st.one_of(JUNK, st.just(Money("24.00", "USD"))),
    "cost": JUNK,
    "quantity": JUNK,
    "url": JUNK,
    "dimensions": JUNK,
    "manufacturer": JUNK,
    "eu_responsible_person": JUNK,
    "safety_information": JUNK,
    "variant_group": JUNK,
    "title": JUNK,
    "description": JUNK,
    "language": st.one_of(JUNK, st.sampled_from(["en", "de", "ja"])),
    "brand": JUNK,
    "mpn": JUNK,
    "gtin": st.one_of(JUNK, st.sampled_from(["4006381333931", "4006381333932", "12345670"])),
    "gtin_exempt": JUNK,
    "condition": st.one_of(JUNK, st.sampled_from(["new", "used_good"])),
    "category": CATEGORIES,
    "attributes": st.one_of(
        JUNK, st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), JUNK, max_size=3)
    ),
    "images": st.one_of(
        JUNK, st.lists(st.one_of(JUNK, st.just("https://img.example.com/a.jpg")), max_size=30)
    ),
    "weight": WEIGHTS,
    "hs_code": st.one_of(JUNK, st.sampled_from(["691200", "8507600000", "7701", "999999"])),
    "origin_country": st.one_of(JUNK, st.sampled_from(["US", "CN", "XX"])),
    "customs_description": JUNK,
    "dangerous_goods": GOODS,
    "translations": TRANSLATIONS,
}


@given(
    values=st.fixed_dictionaries({}, optional=FIELDS),
    market=st.sampled_from(["DE", "US", "JP", "GB", "FR"]),
    channel_name=st.sampled_from([None, "ebay", "amazon", "facebook"]),
    seller=st.sampled_from(
        [None, Seller(country="US", regimes=("US",)), Seller(country="DE", regimes=("EU",))]
    ),
)
def test_my_rules_never_raise_on_junk(
    values: dict[str, Any], market: str, channel_name: str | None, seller: Seller | None
) -> None:
    listing = Listing.model_construct(**values)
    report = check(listing, market, channel=channel_name, on=ON, seller=seller, rules=MINE)
    assert "engine.rule_failed" not in report.codes(), [str(x) for x in report.findings]
    assert all(type(x) is Finding for x in report.findings)  # taken whole from the rules
    json.dumps(report.to_dict())


def test_junk_listing_with_every_field_wrong() -> None:
    listing = Listing.model_construct(**{key: [1, None] for key in FIELDS})
    for channel_name in (None, "ebay", "amazon", "facebook"):
        report = check(listing, "DE", channel=channel_name, on=ON, rules=MINE)
        assert "engine.rule_failed" not in report.codes()
        assert report.sku is None


# -- doctests of the engine and my rule modules ------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        "xborder.compliance._registry",
        "xborder.compliance._engine",
        "xborder.compliance.rules.customs",
        "xborder.compliance.rules.identifiers",
        "xborder.compliance.rules.channel",
        "xborder.compliance.rules.dangerous_goods",
    ],
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0


def test_public_names() -> None:
    import xborder.compliance as compliance

    for name in compliance.__all__:
        assert hasattr(compliance, name), name
    assert {"check", "ensure_compliant", "Report", "load_rule_file"} <= set(compliance.__all__)
    assert ChannelRules  # the channel rules type is re-used, not redefined


# -- docs/compliance.md ------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "compliance.md"


def test_docs_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python blocks run in order; the rule-file example uses the documented TOML."""
    import re

    text = DOC.read_text(encoding="utf-8")
    (rule_file,) = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if "[[rules]]" in b]
    (tmp_path / "ours.toml").write_text(rule_file, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    namespace: dict[str, Any] = {"__name__": "docs"}
    for n, code in enumerate(blocks):
        exec(compile(code, f"{DOC.name}[{n}]", "exec"), namespace)
    assert namespace["report"].rules[-1] == "acme"


def test_docs_list_every_code_of_my_families() -> None:
    import inspect
    import re

    text = DOC.read_text(encoding="utf-8")
    for module in (customs, identifiers, channel, dangerous_goods):
        source = inspect.getsource(module)
        codes = set(re.findall(r'Finding\(\s*"([a-z_]+\.[a-z_]+)"', source))
        assert codes, module.__name__
        for code in codes:
            assert f"`{code}`" in text, code
    for family in ("customs", "identifiers", "channel", "dangerous_goods", *OTHERS):
        assert f"xborder.compliance.rules.{family}:RULE" in text
