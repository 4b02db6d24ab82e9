"""The compliance engine: run the rules on one listing, collect a :class:`Report`.

:func:`check` builds the :class:`Context` (market on the day, channel rules, seller regimes),
runs every rule, turns a rule that raises into an ``engine.rule_failed`` error finding,
drops the suppressed codes into ``Report.suppressed`` and sorts the findings.
:func:`ensure_compliant` is the raising form (DESIGN decision 6).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cache, lru_cache, partial
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Final, cast

from xborder.clock import today
from xborder.compliance._context import ALL_REGIMES, Context, Regime, Rule, build_context
from xborder.compliance._registry import registered_rules, validate_rules
from xborder.compliance._report import Report, build_report, sort_findings
from xborder.errors import ComplianceError, ConfigurationError
from xborder.findings import Finding
from xborder.listing import Listing, Seller
from xborder.localize.channels import ChannelRules, channel_rules
from xborder.localize.channels._rules import _GENERATION
from xborder.markets import Market

__all__ = ["check", "check_many", "data_version", "ensure_compliant"]

#: Where the engine's own findings are explained.
DOCS: Final = "https://github.com/xborder/xborder/blob/main/docs/compliance.md"

_CODE_PATTERN: Final = r"[a-z][a-z0-9_]*"


def check(
    listing: Listing,
    market: Market | str,
    *,
    channel: str | ChannelRules | None = None,
    on: date | None = None,
    seller: Seller | None = None,
    rules: Sequence[Rule] | None = None,
    suppress: Iterable[str] = (),
) -> Report:
    """Check ``listing`` against the rules in force in ``market`` on ``on``; return a Report.

    Args:
        listing: the listing as the seller wrote it.
        market: a :class:`~xborder.markets.Market` or a country code (``"DE"``).
        channel: a channel registry name (``"ebay"``, ``"amazon"``, ``"facebook"`` or
            ``"meta"``), a :class:`ChannelRules`, or None (no channel rules apply).
        on: the day whose rules apply; default: the Market's own day when a Market is
            given, else today (UTC). A Market built for another day is rebuilt for ``on``
            (same country, language and any non-default currency), so that its dated facts
            and the rules agree.
        seller: who sells; its ``regimes`` choose the sanctions and product-law regimes.
            None applies all of US, EU and UK (the strictest result counts) and adds the
            info finding ``engine.strictest_regime``.
        rules: the rules to run; None runs every rule registered in the ``xborder.rules``
            entry-point group (the built-ins included), loaded once.
        suppress: finding codes to drop: exact (``"customs.weight_missing"``) or a whole
            family (``"customs.*"``); dropped findings stay in ``Report.suppressed``.

    A rule never makes ``check`` raise: an exception inside a rule becomes an
    ``engine.rule_failed`` error finding naming the rule and the exception type.

    Raises:
        UnknownMarketError: ``market`` is not a country code xborder knows.
        ConfigurationError: an unknown channel name, a ``rules`` item that is not a rule,
            or a ``suppress`` pattern that is not ``family.reason`` or ``family.*``.
        PluginError: with ``rules=None``, a registered rule fails to load or validate.
    """
    setting = _prepare(market, on, channel, seller, rules, suppress)
    day, target, rules_of_channel, language, runs, names, _, _, regimes, own, _ = setting
    context = build_context(listing, target, day, rules_of_channel, seller, regimes, language)
    found: list[Finding] = [] if own else [_STRICTEST]
    for run in runs:  # runs[i] runs the rule names[i]
        try:
            found += run(context)
        except Exception as exc:  # only a built-in rule's run can raise (see _run_plugin)
            found.append(_rule_failed(names[runs.index(run)], type(exc).__name__))
    return _report(listing, setting, found)


def check_many(
    listings: Iterable[Listing],
    market: Market | str,
    *,
    channel: str | ChannelRules | None = None,
    on: date | None = None,
    seller: Seller | None = None,
    rules: Sequence[Rule] | None = None,
    suppress: Iterable[str] = (),
) -> list[Report]:
    """Check each of ``listings`` in ``market``; return their reports, in the same order.

    The result equals ``[check(listing, market, ...) for listing in listings]`` with the same
    arguments, findings and their order included. It is faster per listing on a catalog:
    it runs one rule over a run of listings before the next rule (``check()`` runs every
    rule on one listing), so each rule's code and data stay in the CPU's caches. How much
    that saves depends on the CPU: on the sample catalog it took 0.55-0.65 of the time of
    one ``check()`` per listing on one machine and 0.89-0.99 on another with larger caches
    (``benchmarks/bench_check.py``). Listings are taken in runs of 256, so the findings
    held at once stay bounded however long ``listings`` is.

    Raises:
        UnknownMarketError, ConfigurationError, PluginError: as :func:`check`, before any
            listing is read.
    """
    setting = _prepare(market, on, channel, seller, rules, suppress)
    reports: list[Report] = []
    run: list[Listing] = []
    for listing in listings:
        run.append(listing)
        if len(run) == _RUN:
            reports += _check_run(run, setting, seller)
            run = []
    if run:
        reports += _check_run(run, setting, seller)
    return reports


#: How many listings check_many() runs each rule over in turn: enough that a rule's code
#: and data are reused, few enough that the findings held at once stay small.
_RUN: Final = 256


def _check_run(listings: list[Listing], setting: _Prepared, seller: Seller | None) -> list[Report]:
    """check_many() for one run of listings: each rule over every listing, then the next."""
    day, target, rules_of_channel, language, runs, names, _, _, regimes, own, _ = setting
    contexts = [
        build_context(listing, target, day, rules_of_channel, seller, regimes, language)
        for listing in listings
    ]
    found: list[list[Finding]] = [[] if own else [_STRICTEST] for _ in listings]
    for run, name in zip(runs, names, strict=True):
        for context, into in zip(contexts, found, strict=True):
            try:
                into += run(context)
            except Exception as exc:
                into.append(_rule_failed(name, type(exc).__name__))
    return [_report(listing, setting, into) for listing, into in zip(listings, found, strict=True)]


def ensure_compliant(
    listing: Listing,
    market: Market | str,
    *,
    channel: str | ChannelRules | None = None,
    on: date | None = None,
    seller: Seller | None = None,
    rules: Sequence[Rule] | None = None,
    suppress: Iterable[str] = (),
) -> Report:
    """Run :func:`check` and return the report; raise when it has an error finding.

    Raises:
        ComplianceError: the report is not ``ok``; ``.report`` holds every finding.
        UnknownMarketError, ConfigurationError, PluginError: as :func:`check`.
    """
    report = check(
        listing,
        market,
        channel=channel,
        on=on,
        seller=seller,
        rules=rules,
        suppress=suppress,
    )
    if not report.ok:
        raise ComplianceError(report)
    return report


# -- helpers ---------------------------------------------------------------------------------


#: How the engine runs one rule on a Context: a list of Findings out. A built-in rule's own
#: bound ``check`` (its list is taken whole; an exception is the engine's to report); for a
#: plugin rule, _run_plugin around it (checks what the rule returns, reports a failure).
_Run = Callable[[Context], list[Finding]]
#: What check() and check_many() resolve once from their arguments: the day, the market on
#: that day, the channel's rules, the market's language, how to run each rule (see _Run)
#: and its name, the suppressed codes and families, the regimes applied and whether they
#: are the seller's own, and data_version(). A plain tuple: check() builds one per call.
_Prepared = tuple[
    date,
    Market,
    ChannelRules | None,
    str,
    tuple[_Run, ...],
    tuple[str, ...],
    frozenset[str],
    frozenset[str],
    tuple[Regime, ...],
    bool,
    str,
]


#: The last arguments _prepare resolved and what they resolved to, so that a loop over
#: listings with the same arguments resolves them once. One tuple, read and replaced whole.
#: Matched by identity, and kept only for arguments that cannot change: a Market, a str, a
#: ChannelRules, a Seller (frozen models), a tuple of rules, a tuple, frozenset or str of
#: codes to suppress; the key holds the day and the channel registry's generation.
_last_prepared: tuple[object, date, object, object, object, object, int, _Prepared] | None = None
_FIXED_SUPPRESS: Final = (tuple, frozenset, str)


def _prepare(
    market: Market | str,
    on: date | None,
    channel: str | ChannelRules | None,
    seller: Seller | None,
    rules: Sequence[Rule] | None,
    suppress: Iterable[str],
) -> _Prepared:
    """Resolve the arguments of check() (see there for what each means and raises)."""
    global _last_prepared
    # A Market's own day is the default day, as documented in check().
    day = on or (market.on if isinstance(market, Market) else None) or today()
    pool = registered_rules() if rules is None else rules
    last = _last_prepared
    if (
        last is not None
        and last[0] is market
        and last[1] == day
        and last[2] is channel
        and last[3] is seller
        and last[4] is pool
        and last[5] is suppress
        and last[6] == _GENERATION[0]
    ):
        return last[7]
    generation = _GENERATION[0]
    target, rules_of_channel, language = _setting(market, day, channel)
    runs, names = _active(pool)
    if suppress:
        patterns = (suppress,) if isinstance(suppress, str) else tuple(suppress)
        for pattern in patterns:
            if not isinstance(pattern, str):
                raise ConfigurationError(
                    f"suppress: expected finding codes as text, got {pattern!r}"
                )
        exact, families = _suppression(patterns)
    else:
        exact = families = frozenset()
    regimes = _regimes(seller) if seller is not None else ()
    prepared = (
        day,
        target,
        rules_of_channel,
        language,
        runs,
        names,
        exact,
        families,
        regimes or ALL_REGIMES,
        bool(regimes),
        data_version(),
    )
    if (
        type(day) is date
        and type(market) in (Market, str)
        and (channel is None or type(channel) in (str, ChannelRules))
        and (seller is None or type(seller) is Seller)
        and type(pool) is tuple
        and type(suppress) in _FIXED_SUPPRESS
    ):
        _last_prepared = (market, day, channel, seller, pool, suppress, generation, prepared)
    return prepared


def _take(found: list[Finding], result: Iterable[Finding]) -> None:
    """Add a plugin rule's findings to ``found``; raise TypeError at an item that is not one.

    The findings before a wrong item are kept, as for a generator that fails midway.
    """
    if type(result) is list:
        for finding in result:
            if type(finding) is not Finding:
                break
        else:  # only Findings: take them all at once
            found += result
            return
    for finding in result:
        if type(finding) is not Finding and not isinstance(finding, Finding):
            raise TypeError(f"yielded {type(finding).__name__}, not a Finding")
        found.append(finding)


def _run_plugin(rule: Rule, name: str, context: Context) -> list[Finding]:
    """Run a plugin rule: its findings, then ``engine.rule_failed`` if it raised or gave junk.

    Findings before a wrong item or an exception are kept, as for a generator that fails
    midway.
    """
    found: list[Finding] = []
    try:
        _take(found, rule.check(context))
    except Exception as exc:
        found.append(_rule_failed(name, type(exc).__name__))
    return found


def _report(listing: object, setting: _Prepared, found: list[Finding]) -> Report:
    """Build the Report of ``listing`` from its findings: suppressed ones apart, sorted."""
    kept = found
    dropped: list[Finding] = []
    day, target, rules_of_channel, _, _, names, exact, families, _, _, version = setting
    if exact or families:
        kept = []
        for finding in found:
            family, _, _ = finding.code.partition(".")
            (dropped if finding.code in exact or family in families else kept).append(finding)
    sku = getattr(listing, "sku", None)
    return build_report(
        sku if isinstance(sku, str) else None,
        target.country,
        rules_of_channel.name if rules_of_channel is not None else None,
        day,
        sort_findings(kept),
        sort_findings(dropped) if dropped else (),
        names,
        version,
    )


def _regimes(seller: Seller) -> tuple[Regime, ...]:
    regimes = getattr(seller, "regimes", ())
    if not isinstance(regimes, tuple):
        return ()
    return tuple(r for r in ALL_REGIMES if r in regimes)


@lru_cache(maxsize=1024)
def _market_on(market: Market, day: date) -> Market:
    """Return ``market`` as it is on ``day``: same country, language and custom currency."""
    language = _language(market.locale)
    usual = Market.for_country(market.country, on=market.on or day, language=language)
    currency = None if market.currency == usual.currency else market.currency
    return Market.for_country(market.country, on=day, language=language, currency=currency)


@lru_cache(maxsize=256)
def _language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


@lru_cache(maxsize=256)
def _suppression(patterns: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    exact: set[str] = set()
    families: set[str] = set()
    for pattern in patterns:
        family, dot, reason = pattern.partition(".")
        if not (dot and re.fullmatch(_CODE_PATTERN, family)):
            raise ConfigurationError(
                f"suppress: {pattern!r} is not a finding code ('family.reason' or 'family.*')"
            )
        if reason == "*":
            families.add(family)
        elif re.fullmatch(_CODE_PATTERN, reason):
            exact.add(pattern)
        else:
            raise ConfigurationError(
                f"suppress: {pattern!r} is not a finding code ('family.reason' or 'family.*')"
            )
    return frozenset(exact), frozenset(families)


#: How to run each rule, and the rules' names.
_Active = tuple[tuple[_Run, ...], tuple[str, ...]]
_ACTIVE: dict[tuple[int, ...], _Active] = {}  # by ids
#: The last (sequence, result) pair: one immutable tuple, read and replaced atomically.
_last: tuple[Sequence[Rule], _Active] | None = None


def _active(rules: Sequence[Rule]) -> _Active:
    """Return how to run each rule, validated, and their names; remembered per sequence.

    The cache holds the rule objects themselves (each run refers to its rule), so an id in a
    key cannot be reused by another object while the entry exists.
    """
    global _last
    last = _last
    if last is not None and last[0] is rules:  # the usual case: the same tuple every call
        return last[1]
    key = tuple(map(id, rules))
    hit = _ACTIVE.get(key)
    if hit is None:
        checked = validate_rules(rules)
        names = tuple(rule.name for rule in checked)
        hit = (tuple(map(_run_of, checked, names)), names)
        if len(_ACTIVE) >= 64:
            _ACTIVE.pop(next(iter(_ACTIVE)), None)
        _ACTIVE[key] = hit
    if isinstance(rules, tuple):  # immutable: safe to recognise by identity next time
        _last = (rules, hit)
    return hit


#: The package of the rules xborder ships, whose check() returns a list of Findings (their
#: tests hold every module there to it, junk input included): the engine takes that list
#: whole instead of testing each item, as it must for a plugin rule.
_BUILTIN_PACKAGE: Final = "xborder.compliance.rules"


def _run_of(rule: Rule, name: str) -> _Run:
    """Return how the engine runs ``rule``: its own check() if built in, else _run_plugin."""
    if _builtin(rule):
        return cast(_Run, rule.check)  # returns a list of Findings (see _BUILTIN_PACKAGE)
    return partial(_run_plugin, rule, name)


def _builtin(rule: Rule) -> bool:
    """Whether ``rule`` is an instance of a rule class xborder ships (not a subclass)."""
    kind = type(rule)
    module = kind.__module__
    return module.rpartition(".")[0] == _BUILTIN_PACKAGE and kind.check.__module__ == module


_Setting = tuple[Market, ChannelRules | None, str]
#: The last (market, day, channel) asked for and what it resolved to, so that a loop over
#: listings for one market does not resolve it again. One tuple, read and replaced whole;
#: the key is matched by identity (a Market and a ChannelRules are immutable, a str too),
#: and holds the channel registry's generation (a registration may change what a channel
#: name means).
_last_setting: tuple[object, date, object, int, _Setting] | None = None


def _setting(market: Market | str, day: date, channel: str | ChannelRules | None) -> _Setting:
    """Return the market as it is on ``day``, the channel's rules and the market's language.

    Raises:
        UnknownMarketError: ``market`` is not a country code xborder knows.
        ConfigurationError: ``channel`` is not a channel name or a ChannelRules.
    """
    global _last_setting
    last = _last_setting
    if (
        last is not None
        and last[0] is market
        and last[1] == day
        and last[2] is channel
        and last[3] == _GENERATION[0]
    ):
        return last[4]
    generation = _GENERATION[0]
    if isinstance(market, Market):
        target = market if market.on in (None, day) else _market_on(market, day)
    else:
        target = Market.for_country(market, on=day)
    rules_of_channel: ChannelRules | None
    if channel is None or isinstance(channel, ChannelRules):
        rules_of_channel = channel
    elif isinstance(channel, str):
        rules_of_channel = channel_rules(channel, on=day, market=target.country)
    else:
        raise ConfigurationError(
            f"channel: expected a channel name or ChannelRules, got {type(channel).__name__}"
        )
    setting = (target, rules_of_channel, _language(target.locale))
    if type(day) is date and (channel is None or type(channel) in (str, ChannelRules)):
        _last_setting = (market, day, channel, generation, setting)
    return setting


_STRICTEST: Final = Finding(
    "engine.strictest_regime",
    "info",
    "No seller was given, so the rules of the US, the EU and the UK were all applied and the "
    "strictest result counts. Pass seller= to apply only the regimes that bind you.",
    source=f"{DOCS}#regimes",
)


@lru_cache(maxsize=256)
def _rule_failed(rule: str, error: str) -> Finding:
    # The exception's message is left out on purpose: it can be huge or hold listing data.
    return Finding(
        "engine.rule_failed",
        "error",
        f"The {rule!r} rule failed with {error} and did not check this listing, so it is "
        f"unchecked for that rule. This is a bug in the rule: report it to its author.",
        source=f"{DOCS}#engine-findings",
    )


@cache
def data_version() -> str:
    """Return a stable identifier of the rule data in force in this installation.

    ``"xborder <version>; facts <as_of> <digest>"``: the package version, the newest
    ``as_of`` of the shipped facts (``xborder/data/facts/MANIFEST.json``) and a digest of
    the manifest's file hashes, the dated market periods and every
    ``xborder/compliance/data/*.json`` file. It changes whenever any of them changes.
    """
    try:
        package = version("xborder")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        package = "0.0.0"
    digest = hashlib.sha256()
    data = resources.files("xborder").joinpath("data")
    manifest = json.loads(data.joinpath("facts", "MANIFEST.json").read_text("utf-8"))
    files = manifest.get("files", {})
    for name in sorted(files):
        digest.update(f"{name}:{files[name].get('sha256')}\n".encode())
    digest.update(data.joinpath("market_periods.json").read_bytes())
    rule_data = resources.files("xborder.compliance").joinpath("data")
    if rule_data.is_dir():
        for item in sorted(rule_data.iterdir(), key=lambda p: p.name):
            if item.name.endswith(".json"):
                digest.update(item.name.encode() + b"\n" + item.read_bytes())
    as_of = max((str(f.get("as_of")) for f in files.values() if f.get("as_of")), default="?")
    return f"xborder {package}; facts {as_of} {digest.hexdigest()[:12]}"
