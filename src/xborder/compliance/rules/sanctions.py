"""Sanctions: whether this seller may ship to this destination at all.

The data is ``compliance/data/sanctions.json``, built by ``scripts/build_rules.py`` from the
sourced facts (``data/facts/sanctions.json``; research in ``shared/research/compliance.md``
§5). For each target (CU, IR, KP, SY, RU, BY, VE, and the occupied regions of Ukraine) the
facts give, per regime that may bind the seller (US persons, the EU, the UK), an action:

* ``block``: do not ship (comprehensive embargo or near-total consumer-goods ban) ->
  ``sanctions.blocked`` (error);
* ``review``: targeted or sectoral sanctions; screen parties and goods ->
  ``sanctions.review`` (warning);
* ``screen``: no country-wide embargo; party screening only -> ``sanctions.screen`` (info).

The seller's regimes are ``context.regimes`` (with no seller: all of US, EU and UK); the
strictest action among them applies. Regions (Crimea and Sevastopol, occupied Donetsk,
Luhansk, Zaporizhzhia and Kherson) cannot be told from the market alone: the check sees no
buyer address, so a market of Ukraine gets one ``sanctions.review`` warning that deliveries to
those regions are blocked or restricted and every address must be screened.

This is a country-level check. It does not replace denied-party screening (the US SDN list,
the EU and UK consolidated lists), and every finding says so. Goods caught by the Russia and
Belarus luxury-goods bans are reported by the ``restricted`` rule (its
``russia_belarus_luxury_goods`` entries), not here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Final, Literal, cast

from xborder.compliance._context import ALL_REGIMES, Context, Regime
from xborder.compliance._data import load
from xborder.findings import Finding, Severity

__all__ = ["RULE", "Action", "Assessment", "SanctionsRule", "Target", "assess", "targets"]

Action = Literal["block", "review", "screen"]

#: Said plainly in every sanctions finding.
NOT_SCREENING: Final = (
    "This is a country-level check, not denied-party screening (SDN / EU / UK consolidated "
    "lists): screen the buyer and any other party as well."
)

_ORDER: Final[Mapping[str, int]] = {"screen": 0, "review": 1, "block": 2}
_FINDING: Final[Mapping[str, tuple[str, Severity]]] = {
    "block": ("sanctions.blocked", "error"),
    "review": ("sanctions.review", "warning"),
    "screen": ("sanctions.screen", "info"),
}


@dataclass(frozen=True, slots=True)
class RegimeView:
    """What one regime says about one target: level, basis or notes, sources, action."""

    regime: Regime
    level: str
    basis: str | None
    sources: tuple[str, ...]
    action: Action


@dataclass(frozen=True, slots=True)
class Target:
    """A sanctioned country, or a region of one (``regions`` holds its ISO 3166-2 codes)."""

    code: str
    name: str
    country: str
    regions: tuple[str, ...]
    regimes: Mapping[Regime, RegimeView]
    unverified: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assessment:
    """The strictest action for a target under a seller's regimes, and which regimes say so."""

    target: Target
    action: Action
    regimes: tuple[Regime, ...]  # the seller's regimes that give ``action``
    checked: tuple[Regime, ...]  # every regime considered

    @property
    def sources(self) -> tuple[str, ...]:
        """The URLs of the deciding regimes first, then the others (no duplicates)."""
        first = [s for r in self.regimes for s in self.target.regimes[r].sources]
        rest = [s for r in self.checked for s in self.target.regimes[r].sources]
        return tuple(dict.fromkeys(first + rest))


def _view(regime: Regime, raw: Mapping[str, Any], action: str) -> RegimeView:
    if action not in _ORDER:
        raise ValueError(f"sanctions.json: unknown checker action {action!r}")
    basis = raw.get("basis") or raw.get("notes")
    sources = tuple(str(s) for s in raw.get("source") or ())
    return RegimeView(regime, str(raw["level"]), basis, sources, cast(Action, action))


@cache
def _data() -> tuple[Mapping[str, Target], tuple[Target, ...], tuple[str, ...]]:
    raw = load("sanctions")
    out: dict[str, Target] = {}
    ordered: list[Target] = []
    for t in raw["targets"]:
        views = {r: _view(r, t["regimes"][r], t["checker_action"][r]) for r in ALL_REGIMES}
        target = Target(
            code=str(t["code"]),
            name=str(t["name"]),
            country=str(t["country"]),
            regions=tuple(t["regions"]),
            regimes=views,
            unverified=tuple(t["unverified"]),
        )
        ordered.append(target)
        for key in (target.code, *target.regions):
            out[key] = target
    return out, tuple(ordered), tuple(raw["general_sources"])


def targets() -> tuple[Target, ...]:
    """Return every target of the data, in the facts' order."""
    return _data()[1]


def _regions_of(country: str) -> tuple[Target, ...]:
    return tuple(t for t in targets() if t.country == country and t.regions)


def assess(code: str, regimes: Iterable[Regime] = ALL_REGIMES) -> Assessment | None:
    """Return the strictest action for ``code`` under ``regimes``, or None if not a target.

    ``code`` is a target country (``"RU"``) or an ISO 3166-2 region (``"UA-40"`` is Crimea's
    target, ``"UA-65"`` the Zaporizhzhia/Kherson one). With no regimes, all apply.
    """
    target = _data()[0].get(code)
    if target is None:
        return None
    checked = tuple(dict.fromkeys(regimes)) or ALL_REGIMES
    action = max((target.regimes[r].action for r in checked), key=_ORDER.__getitem__)
    deciding = tuple(r for r in checked if target.regimes[r].action == action)
    return Assessment(target, action, deciding, checked)


def _regime_text(assessment: Assessment) -> str:
    parts = []
    for regime in assessment.checked:
        view = assessment.target.regimes[regime]
        basis = f" ({view.basis})" if view.basis else ""
        parts.append(f"{regime}: {view.action}, {view.level}{basis}")
    return "; ".join(parts)


def _sources_text(sources: tuple[str, ...], *, general: bool = False) -> str:
    label = "General sources (the facts give none for these regimes)" if general else "Sources"
    return _as_of() + (f" {label}: {'; '.join(sources)}." if sources else "")


@cache
def _as_of() -> str:
    """Say which day the sanctions facts describe: the rule does not date them (see docs)."""
    as_of = load("sanctions").get("as_of")
    return (
        f" These are the sanctions as the facts stood on {as_of}, whatever day is checked: "
        "changes before or since are not modelled."
        if as_of
        else " The facts give no date for these sanctions."
    )


@lru_cache(maxsize=1024)
def _country_finding(country: str, market: str, checked: tuple[Regime, ...]) -> Finding | None:
    assessment = assess(country, checked)
    if assessment is None or assessment.target.regions:
        return None
    action = assessment.action
    code, severity = _FINDING[action]
    deciding = ", ".join(assessment.regimes)
    lead = {
        "block": f"Do not ship to {market}: sanctions under {deciding} block it.",
        "review": (
            f"Sanctions on {market} under {deciding} are targeted or sectoral: screen the "
            "buyer and check the goods before shipping."
        ),
        "screen": (
            f"No country-wide embargo on {market} under {deciding}: screen the buyer before "
            "shipping."
        ),
    }[action]
    sources = assessment.sources or _data()[2]
    unverified = assessment.target.unverified
    message = (
        f"{lead} Regimes checked: {', '.join(checked)} (strictest wins): "
        f"{_regime_text(assessment)}. {NOT_SCREENING}"
        + (f" Not verified in the facts: {'; '.join(unverified)}." if unverified else "")
        + _sources_text(sources, general=not assessment.sources)
    )
    return Finding(code, severity, message, None, sources[0] if sources else None)


@lru_cache(maxsize=64)
def _region_finding(country: str, market: str, checked: tuple[Regime, ...]) -> Finding | None:
    regions = [assess(t.code, checked) for t in _regions_of(country)]
    found = [a for a in regions if a is not None]
    if not found:
        return None
    strictest = max((a.action for a in found), key=_ORDER.__getitem__)
    # A blocked region makes the whole country a matter of review: the address decides.
    code, severity = _FINDING["screen" if strictest == "screen" else "review"]
    lines = []
    for a in found:
        by = ", ".join(f"{r} {a.target.regimes[r].action}" for r in a.checked)
        lines.append(f"{a.target.name} ({', '.join(a.target.regions)}): {a.action} [{by}]")
    own = tuple(dict.fromkeys(s for a in found for s in a.sources))
    sources = own or _data()[2]
    # The facts' caveats, each once, with the regions it is about (as for a country).
    caveats: dict[str, list[str]] = {}
    for a in found:
        for note in a.target.unverified:
            caveats.setdefault(note, []).append(a.target.name)
    unverified = "; ".join(f"{note} ({', '.join(names)})" for note, names in caveats.items())
    message = (
        f"{market} itself is not under country-wide sanctions, but deliveries to these regions "
        f"are blocked or restricted under {', '.join(checked)}: {'; '.join(lines)}. This "
        "check sees no buyer address: screen every delivery address and refuse those in "
        f"these regions. {NOT_SCREENING}"
        + (f" Not verified in the facts: {unverified}." if unverified else "")
        + _sources_text(sources, general=not own)
    )
    return Finding(code, severity, message, None, sources[0] if sources else None)


class SanctionsRule:
    """The ``sanctions`` rule: the destination against the seller's sanctions regimes."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """The registry name and finding-code family: ``"sanctions"``."""
        return "sanctions"

    def __repr__(self) -> str:
        return "SanctionsRule()"

    def check(self, context: Context) -> list[Finding]:
        """Return the destination's sanctions finding, or nothing for an unsanctioned one."""
        market = context.market
        regimes = context.regimes
        # The engine passes ALL_REGIMES itself when no seller is given (no duplicates in it).
        checked = regimes if regimes is ALL_REGIMES else tuple(dict.fromkeys(regimes))
        finding = _destination_finding(market.country, market.name, checked or ALL_REGIMES)
        return [finding] if finding is not None else []


@lru_cache(maxsize=1024)
def _destination_finding(country: str, market: str, checked: tuple[Regime, ...]) -> Finding | None:
    # One cached lookup per check instead of two: the country's finding, else its regions'.
    return _country_finding(country, market, checked) or _region_finding(country, market, checked)


#: The rule, registered as ``xborder.compliance.rules.sanctions:RULE``.
RULE: Final = SanctionsRule()
