"""EPR: the extended-producer-responsibility registrations marketplaces ask sellers for.

Germany: packaging (Verpackungsgesetz, LUCID number; marketplaces block offers without it
since 2022-07-01), electrical and electronic equipment (ElektroG, WEEE-Reg.-Nr.) and batteries
(BattDG under Regulation (EU) 2023/1542). France: one IDU (identifiant unique, AGEC law) per
EPR stream, from household packaging (every seller) to EEE, batteries, textiles, furniture,
paper, toys, sports and DIY/garden articles. Sources: ../shared/research/compliance.md §3.4
and the facts' ``listing_requirements``, copied with dates into ``compliance/data/epr.json``.

A listing needs a scheme when its category maps to the scheme's stream (:data:`CATEGORY_STREAMS`)
or its ``dangerous_goods.battery`` says it has a battery. The seller's numbers are read from
``Seller.epr_numbers`` under the scheme's key (``"DE.packaging"``, ``"DE.weee"``,
``"DE.batteries"``, ``"FR.packaging"``, ``"FR.eee"``, ``"FR.batteries"``, ``"FR.textiles"``,
``"FR.furniture"``, ``"FR.paper"``, ``"FR.toys"``, ``"FR.sports"``, ``"FR.diy_garden"``; case
does not matter). Severity: ``error`` only where the facts say marketplaces block the offer
(DE packaging) and the listing goes to a marketplace (``context.channel`` given); otherwise
``warning``. With no seller the numbers are unknown: every scheme that applies gets a warning,
never an error and never silence.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

from xborder.compliance._context import Context, field_values
from xborder.compliance._data import in_force, load, parse_date, sources_of
from xborder.findings import Finding, Severity
from xborder.listing import CATEGORIES, DangerousGoods, Listing

__all__ = ["CATEGORY_STREAMS", "RULE", "EprRule", "streams_for"]

_NONE: Final[frozenset[str]] = frozenset()

#: Category → the EPR streams (besides packaging, which every shipped product has) it falls in.
CATEGORY_STREAMS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "apparel": frozenset({"textiles"}),  # FR: clothing is in the textiles (TLC) stream
        "apparel.accessories": frozenset({"textiles"}),  # FR TLC: hats, scarves, gloves
        "bags.leather_goods": _NONE,  # leather goods are in no sourced stream
        "jewellery": _NONE,  # no sourced stream
        "watches": _NONE,  # a battery (quartz) watch gets EEE + batteries from dangerous_goods
        "cosmetics.skincare": _NONE,  # packaging only
        "cosmetics.fragrance": _NONE,  # packaging only
        "cosmetics.makeup": _NONE,  # packaging only
        "home.drinkware": _NONE,  # packaging only
        "home.tableware": _NONE,  # packaging only
        "home.candles": _NONE,  # packaging only
        "home.decor": _NONE,  # decorative objects: packaging only (not furniture)
        # Household linen is in the FR textiles stream; cushions and throws may instead be
        # "decorative textiles" of the FR furniture stream: either way an IDU is needed.
        "home.textiles": frozenset({"textiles"}),
        "art.prints": frozenset({"paper"}),  # FR: printed/graphic papers
        "stationery": frozenset({"paper"}),  # FR: notebooks and cards are graphic papers
        "books": _NONE,  # whether books are in FR graphic papers is not sourced
        "toys": frozenset({"toys"}),  # FR toys stream (Decree 2021-1213); electric toys: EEE
        "baby": _NONE,  # depends on the product (textile, furniture, toy): not guessed
        "electronics": frozenset({"eee"}),  # DE ElektroG, FR EEE stream
        # Chargers and cables are EEE; a plain phone case is not (the message says so).
        "electronics.phone_accessories": frozenset({"eee"}),
        "electronics.batteries": frozenset({"batteries", "eee"}),  # power banks are EEE too
        "tools.knives": frozenset({"diy_garden"}),  # FR: hand tools are DIY articles
        "garden.seeds": _NONE,  # seeds are not DIY/garden articles
        "garden.plants": _NONE,  # living plants: packaging only
        "food": _NONE,  # packaging only
        "supplements": _NONE,  # packaging only
        "health.cbd": _NONE,  # packaging only
        "tobacco.vapes": frozenset({"eee"}),  # e-cigarettes are electrical equipment
        "pet_supplies": _NONE,  # no sourced stream
        "sports": frozenset({"sports"}),  # FR sports and leisure articles
        "other": _NONE,  # unknown: packaging only
    }
)

_WHY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "packaging": "it is shipped to consumers in packaging",
        "eee": "it is electrical or electronic equipment",
        "batteries": "it is or contains a battery",
        "textiles": "it is a textile product (clothing, footwear or household linen)",
        "furniture": "it is furniture or a decorative textile",
        "paper": "it is a printed or graphic paper product",
        "toys": "it is a toy",
        "sports": "it is a sports or leisure article",
        "diy_garden": "it is a DIY or garden article",
    }
)


def streams_for(listing: Listing) -> dict[str, str]:
    """Return the EPR streams a listing falls in, each with the reason in plain words.

    Packaging always (every product is shipped packaged); the category's streams from
    :data:`CATEGORY_STREAMS`; ``batteries`` for any battery and ``eee`` for equipment with a
    battery in it or packed with it (``dangerous_goods.battery`` ``contained``/``packed_with``).
    A category or battery value that is not valid counts as none.
    """
    values = field_values(listing)
    category, _ = _category(values)
    battery, _ = _battery(values)
    return dict(_streams(category, battery))


_BATTERIES: Final = frozenset({"none", "contained", "packed_with", "standalone"})


def _category(values: Mapping[str, Any]) -> tuple[str | None, bool]:
    """Return the listing's category (None if not given or not valid) and whether it is valid.

    ``values``: the listing's :func:`~xborder.compliance.field_values`.
    """
    category = values["category"]
    if category is None:
        return None, True
    if isinstance(category, str) and category in CATEGORIES:
        return category, True
    return None, False


def _battery(values: Mapping[str, Any]) -> tuple[str, tuple[str, object] | None]:
    """Return the declared battery (``"none"`` if not valid) and the field at fault, if any."""
    goods = values["dangerous_goods"]
    if goods is None:
        return "none", None
    if not isinstance(goods, DangerousGoods):
        return "none", ("dangerous_goods", goods)
    battery = getattr(goods, "battery", "none")
    if isinstance(battery, str) and battery in _BATTERIES:
        return battery, None
    return "none", ("dangerous_goods.battery", battery)


@lru_cache(maxsize=256)
def _streams(category: str | None, battery: str) -> Mapping[str, str]:
    streams = {"packaging": _WHY["packaging"]}
    for stream in sorted(CATEGORY_STREAMS.get(category or "", _NONE)):
        streams[stream] = _WHY[stream]
    if battery != "none":
        streams.setdefault("batteries", f"it has a battery ({battery})")
    if battery in ("contained", "packed_with"):
        streams.setdefault("eee", "it is equipment powered by a battery")
    return MappingProxyType(streams)


@dataclass(frozen=True, slots=True, eq=False)
class _Scheme:
    """One scheme of the data, with what its findings say read once.

    Compared and hashed by identity (``eq=False``): a scheme is a key of the finding caches
    below, and the generated hash would hash all thirteen fields on every lookup. A scheme
    rebuilt from the same data is a new key, so at worst its findings are built once more.
    """

    key: str
    code: str
    stream: str
    law: str
    identifier: str
    notes: str
    check: str
    blocks: frozenset[str]  # the channels that block offers without the number
    pattern: str | None
    format_note: str
    source: str | None
    start: date | None
    unverified: str

    @classmethod
    def of(cls, scheme: Mapping[str, Any]) -> _Scheme:
        key = str(scheme["key"])
        sources = sources_of(scheme)
        pattern = scheme.get("format")
        return cls(
            key=key,
            code=key.replace(".", "_").casefold(),
            stream=str(scheme.get("stream")),
            law=str(scheme.get("law")),
            identifier=str(scheme.get("identifier")),
            notes=f" {scheme['notes']}" if scheme.get("notes") else "",
            check=str(scheme.get("marketplace_check") or ""),
            blocks=frozenset(str(name) for name in scheme.get("marketplace_blocks") or ()),
            pattern=str(pattern) if pattern else None,
            format_note=str(scheme.get("format_note") or pattern),
            source=sources[0] if sources else None,
            start=parse_date(scheme.get("effective_from")),
            unverified="".join(
                f" (Unverified: {note}.)" for note in scheme.get("unverified") or ()
            ),
        )


def _no_number(text: str) -> bool:
    """Whether ``text`` says there is no number rather than being one."""
    return " ".join(text.split()).casefold() in _NO_NUMBER or not any(c.isalnum() for c in text)


class EprRule:
    """The ``epr`` rule: EPR registration numbers for DE and FR (see the module docstring).

    A category, a ``dangerous_goods`` value or ``seller.epr_numbers`` of the wrong kind gives
    an error finding (``epr.category_invalid``, ``epr.dangerous_goods_invalid``,
    ``epr.epr_numbers_invalid``) naming the field and the value, where the market has a scheme
    it would decide; the value then counts as not given.
    """

    name: Final = "epr"

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = data
        self._in_force: dict[tuple[str, date], tuple[_Scheme, ...]] = {}
        self._plans: dict[tuple[str, date, str | None, str], tuple[tuple[_Scheme, str], ...]] = {}

    @property
    def data(self) -> Mapping[str, Any]:
        """The rule data (``compliance/data/epr.json`` unless another was given)."""
        if self._data is None:
            self._data = load("epr")
        return self._data

    def schemes(self, country: str) -> tuple[Mapping[str, Any], ...]:
        """Return the schemes of ``country`` (all dates), in the data's order."""
        return tuple(s for s in self.data["schemes"] if s.get("country") == country)

    def _schemes_on(self, country: str, on: date) -> tuple[_Scheme, ...]:
        """Return the schemes of ``country`` in force on ``on`` (worked out once per date)."""
        key = (country, on)
        found = self._in_force.get(key)
        if found is None:
            found = tuple(_Scheme.of(s) for s in self.schemes(country) if in_force(s, on))
            if len(self._in_force) >= 1024:
                self._in_force.clear()
            self._in_force[key] = found
        return found

    def _plan(
        self,
        country: str,
        on: date,
        schemes: tuple[_Scheme, ...],
        category: str | None,
        battery: str,
    ) -> tuple[tuple[_Scheme, str], ...]:
        """Return the schemes of the listing's streams, each with the reason, in data order.

        ``schemes``: those in force in ``country`` on ``on``. Worked out once per case: a
        listing falls in one to three streams, a market has up to a dozen schemes, and the
        check then reads only the schemes that apply.
        """
        key = (country, on, category, battery)
        plan = self._plans.get(key)
        if plan is None:
            streams = _streams(category, battery)
            plan = tuple((s, streams[s.stream]) for s in schemes if s.stream in streams)
            if len(self._plans) >= 4096:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def check(self, context: Context) -> Iterable[Finding]:
        """Return the EPR findings for the listing in ``context.market`` on ``context.on``."""
        market = context.market
        schemes = self._schemes_on(market.country, context.on)
        if not schemes:
            return []
        values = context.values
        findings: list[Finding] = []
        # _category and _battery written out for the usual, valid values (every check in a
        # market with schemes reads them); anything else goes through them.
        category = values["category"]
        if category is not None and not (isinstance(category, str) and category in CATEGORIES):
            category, _ = _category(values)
            findings.append(_category_invalid(_short(values["category"])))
        goods = values["dangerous_goods"]
        # Read from the model's field dict: a pydantic attribute read costs several dict reads.
        battery = goods.__dict__.get("battery") if type(goods) is DangerousGoods else None
        if type(battery) is not str or battery not in _BATTERIES:
            battery, bad = _battery(values)
            if bad is not None:
                findings.append(_dangerous_goods_invalid(bad[0], _short(bad[1])))
        plan = self._plan(market.country, context.on, schemes, category, battery)
        seller = context.seller
        numbers: Mapping[Any, Any] | None = None
        if seller is not None:
            numbers = getattr(seller, "epr_numbers", None)
            if numbers is None:
                numbers = _EMPTY
            elif not isinstance(numbers, Mapping):
                findings.append(_numbers_invalid("seller.epr_numbers", _short(numbers)))
                numbers = _EMPTY
        where = market.name
        for scheme, why in plan:
            if numbers is None:
                findings.append(_registration_unknown(scheme, why, where))
                continue
            number, junk = _held(numbers, scheme.key)
            if junk is not None:
                field = f"seller.epr_numbers.{scheme.key}"
                findings.append(_numbers_invalid(field, _short(junk)))
            if number is None:
                channel = context.channel
                # Only the marketplaces the facts name refuse the offer (Amazon, eBay).
                label = (
                    channel.label if channel is not None and channel.name in scheme.blocks else None
                )
                findings.append(_registration_missing(scheme, why, where, label))
            elif scheme.pattern and not _matches(scheme.pattern, number):
                findings.append(_format_unusual(scheme, number))
        return findings

    def __repr__(self) -> str:
        return "EprRule()"


_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})

_REPR: Final = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 2


def _short(value: object) -> str:
    """Return a short repr of a malformed value, for a message."""
    try:
        return _REPR.repr(value)
    except Exception:  # a repr that fails, or an int too long to print
        return f"<{type(value).__name__}>"


#: Text a seller may put where a number goes that says there is none.
_NO_NUMBER: Final = frozenset(
    {"n/a", "na", "n.a.", "none", "no", "no.", "nil", "null", "unknown", "pending", "tbd", "tba",
     "todo", "not applicable", "not registered", "applied for", "in progress",
     # German and French, the languages of the schemes' markets.
     "keine", "k.a.", "k. a.", "beantragt", "in bearbeitung", "nicht vorhanden", "folgt",
     "aucun", "aucune", "en cours", "néant", "n.c."}
)  # fmt: skip


def _held(numbers: Mapping[Any, Any], key: str) -> tuple[str | None, object]:
    """Return the seller's number for ``key`` (or None), and a value there that is none.

    That value is one that is not text, or text saying there is no number ("n/a",
    "pending", "-").
    """
    wanted = key.casefold()
    junk: object = None
    for name, value in numbers.items():
        if isinstance(name, str) and name.strip().casefold() == wanted:
            number = value.strip() if isinstance(value, str) else None
            if number is None or (number and _no_number(number)):
                junk = junk if junk is not None else value
            elif number:
                return number, junk
    return None, junk


@lru_cache(maxsize=1024)
def _matches(pattern: str, number: str) -> bool:
    return re.fullmatch(pattern, number) is not None


def _need(scheme: _Scheme, why: str, where: str) -> str:
    return (
        f"Because {why}, selling it to consumers in {where} requires registration under the "
        f"{scheme.law}, and marketplaces ask for the seller's {scheme.identifier}.{scheme.notes}"
    )


def _finding(scheme: _Scheme, reason: str, severity: Severity, message: str) -> Finding:
    return Finding(
        code=f"epr.{scheme.code}_{reason}",
        severity=severity,
        message=message,
        field=f"seller.epr_numbers.{scheme.key}",
        source=scheme.source,
        effective_from=scheme.start,
    )


@lru_cache(maxsize=1024)
def _registration_unknown(scheme: _Scheme, why: str, where: str) -> Finding:
    return _finding(
        scheme,
        "registration_unknown",
        "warning",
        f"{_need(scheme, why, where)} No seller was given, so xborder cannot tell whether you "
        f"hold one. {scheme.check} Pass a Seller with epr_numbers[{scheme.key!r}]."
        f"{scheme.unverified}",
    )


@lru_cache(maxsize=1024)
def _registration_missing(scheme: _Scheme, why: str, where: str, channel: str | None) -> Finding:
    """``channel``: the label of the marketplace that blocks the offer, or None."""
    on_channel = f" {channel} will not publish the offer without it." if channel else ""
    return _finding(
        scheme,
        "registration_missing",
        "error" if channel is not None else "warning",
        f"{_need(scheme, why, where)} The seller has no number under "
        f"epr_numbers[{scheme.key!r}]. {scheme.check}{on_channel} Register and add the "
        f"number.{scheme.unverified}",
    )


@lru_cache(maxsize=1024)
def _format_unusual(scheme: _Scheme, number: str) -> Finding:
    return _finding(
        scheme,
        "registration_format_unusual",
        "info",
        f"The {scheme.identifier} {number!r} does not look like the usual "
        f"{scheme.format_note}. Check it against your registration.",
    )


@lru_cache(maxsize=256)
def _category_invalid(shown: str) -> Finding:
    return Finding(
        "epr.category_invalid",
        "error",
        f"The category {shown} is not an xborder category, so xborder cannot tell which EPR "
        f"streams apply besides packaging. Use a category from the xborder vocabulary "
        f"(docs/catalog.md).",
        field="category",
    )


@lru_cache(maxsize=256)
def _dangerous_goods_invalid(field: str, shown: str) -> Finding:
    return Finding(
        "epr.dangerous_goods_invalid",
        "error",
        f"{field} is {shown}, not a valid value, so xborder cannot tell whether the battery "
        f"and electrical-equipment EPR streams apply. Set dangerous_goods.battery to none, "
        f"contained, packed_with or standalone.",
        field=field,
    )


@lru_cache(maxsize=256)
def _numbers_invalid(field: str, shown: str) -> Finding:
    return Finding(
        "epr.epr_numbers_invalid",
        "error",
        f"{field} is {shown}: EPR registrations must map a scheme key (such as "
        f"'DE.packaging') to the registration number as text. xborder ignores anything "
        f"else, including text saying there is none ('n/a', 'pending').",
        field=field,
    )


#: The rule instance the ``xborder.rules`` entry point ``epr`` names.
RULE: Final = EprRule()
