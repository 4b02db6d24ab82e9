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
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

from xborder.compliance._context import Context
from xborder.compliance._data import in_force, load, parse_date, sources_of
from xborder.findings import Finding, Severity
from xborder.listing import Listing

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
    """
    streams = {"packaging": _WHY["packaging"]}
    for stream in sorted(CATEGORY_STREAMS.get(listing.category or "", _NONE)):
        streams[stream] = _WHY[stream]
    battery = listing.dangerous_goods.battery
    if battery != "none":
        streams.setdefault("batteries", f"it has a battery ({battery})")
    if battery in ("contained", "packed_with"):
        streams.setdefault("eee", "it is equipment powered by a battery")
    return streams


class EprRule:
    """The ``epr`` rule: EPR registration numbers for DE and FR (see the module docstring)."""

    name: Final = "epr"

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = data

    @property
    def data(self) -> Mapping[str, Any]:
        """The rule data (``compliance/data/epr.json`` unless another was given)."""
        if self._data is None:
            self._data = load("epr")
        return self._data

    def schemes(self, country: str) -> tuple[Mapping[str, Any], ...]:
        """Return the schemes of ``country`` (all dates), in the data's order."""
        return tuple(s for s in self.data["schemes"] if s.get("country") == country)

    def check(self, context: Context) -> Iterable[Finding]:
        """Return the EPR findings for the listing in ``context.market`` on ``context.on``."""
        streams = streams_for(context.listing)
        findings: list[Finding] = []
        for scheme in self.schemes(context.market.country):
            if scheme.get("stream") in streams and in_force(scheme, context.on):
                findings.extend(_check_scheme(scheme, streams[scheme["stream"]], context))
        return findings

    def __repr__(self) -> str:
        return "EprRule()"


def _held(numbers: Mapping[str, str], key: str) -> str | None:
    wanted = key.casefold()
    for name, value in numbers.items():
        if name.strip().casefold() == wanted and value.strip():
            return value.strip()
    return None


def _check_scheme(scheme: Mapping[str, Any], why: str, context: Context) -> Iterator[Finding]:
    key = str(scheme["key"])
    code = key.replace(".", "_").casefold()
    sources = sources_of(scheme)
    start = parse_date(scheme.get("effective_from"))
    unverified = "".join(f" (Unverified: {note}.)" for note in scheme.get("unverified") or ())
    where = context.market.name
    notes = f" {scheme['notes']}" if scheme.get("notes") else ""
    need = (
        f"Because {why}, selling it to consumers in {where} requires registration under the "
        f"{scheme['law']}, and marketplaces ask for the seller's {scheme['identifier']}.{notes}"
    )
    check = str(scheme.get("marketplace_check") or "")
    field = f"seller.epr_numbers.{key}"

    def finding(reason: str, severity: Severity, message: str) -> Finding:
        return Finding(
            code=f"epr.{code}_{reason}",
            severity=severity,
            message=message,
            field=field,
            source=sources[0] if sources else None,
            effective_from=start,
        )

    seller = context.seller
    if seller is None:
        yield finding(
            "registration_unknown",
            "warning",
            f"{need} No seller was given, so xborder cannot tell whether you hold one. {check} "
            f"Pass a Seller with epr_numbers[{key!r}].{unverified}",
        )
        return
    number = _held(seller.epr_numbers, key)
    if number is None:
        blocks = bool(scheme.get("marketplace_blocks")) and context.channel is not None
        on_channel = (
            f" {context.channel.label} will not publish the offer without it."
            if blocks and context.channel is not None
            else ""
        )
        yield finding(
            "registration_missing",
            "error" if blocks else "warning",
            f"{need} The seller has no number under epr_numbers[{key!r}]. {check}{on_channel} "
            f"Register and add the number.{unverified}",
        )
        return
    pattern = scheme.get("format")
    if pattern and not re.fullmatch(str(pattern), number):
        yield finding(
            "registration_format_unusual",
            "info",
            f"The {scheme['identifier']} {number!r} does not look like the usual "
            f"{scheme.get('format_note') or pattern}. Check it against your registration.",
        )


#: The rule instance the ``xborder.rules`` entry point ``epr`` names.
RULE: Final = EprRule()
