"""Dangerous goods in the parcel: lithium batteries, aerosols and flammable liquids.

Carriers, not customs, stop these: the IATA Dangerous Goods Regulations (from the ICAO
Technical Instructions) govern air transport, and international post follows them through
the UPU. Lithium batteries (IATA lithium battery guidance; AF-KLM cargo table):

* contained in equipment: UN3481 (lithium-ion, packing instruction 967) / UN3091 (lithium
  metal, PI 970). International post accepts them only installed, at most 4 cells or 2
  batteries per parcel, lithium-ion at most 20 Wh per cell and 100 Wh per battery, lithium
  metal at most 1 g per cell and 2 g per battery (UPU/ICAO since 2013; Royal Mail).
* packed with equipment: UN3481 (PI 966) / UN3091 (PI 969). USPS does not accept them for
  international mail (final rule of 2012-11-15); Royal Mail neither.
* standalone: UN3480 (lithium-ion, PI 965) is forbidden on passenger aircraft since
  2016-04-01 (ICAO; USPS Postal Bulletin 22474) and UN3090 (lithium metal, PI 968) is
  cargo-aircraft only since 2015; postal services refuse both.

The packed-with and standalone findings follow ``on``: none before 2012-11-15 (the USPS
rule), and the standalone one names the passenger-aircraft ban only from 2016-04-01.

Aerosols (UN1950, class 2) and flammable liquids such as perfume and nail polish (class 3)
are excluded from international post (Deutsche Post, Royal Mail). Every finding is a
warning: the seller can still sell, but must ship with a service that accepts the goods.

>>> from datetime import date
>>> from xborder.compliance import check
>>> from xborder.listing import DangerousGoods, Listing
>>> from xborder.money import Money
>>> bank = Listing(sku="PB-1", title="Power bank 10000 mAh", price=Money("20", "USD"),
...                quantity=1, category="electronics.batteries")
>>> check(bank, "GB", on=date(2026, 10, 30), rules=[RULE]).codes()
('dangerous_goods.battery_undeclared', 'engine.strictest_regime')
>>> declared = bank.model_copy(update={"dangerous_goods": DangerousGoods(battery="standalone")})
>>> check(declared, "GB", on=date(2026, 10, 30), rules=[RULE]).codes()
('dangerous_goods.battery_standalone', 'engine.strictest_regime')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, Final

from xborder.compliance._context import Context
from xborder.findings import Finding

__all__ = ["RULE", "DangerousGoodsRule", "mentions_battery", "mentions_lithium"]

#: li_royalmail (facts/sources.json): Royal Mail limits for lithium batteries contained in
#: equipment (at most 4 cells or 2 batteries; 1 g / 2 g lithium metal).
ROYAL_MAIL_LITHIUM: Final = "https://www.yumpu.com/en/document/view/50846867/prohibitions-and-restrictions-in-the-domestic-and-royal-mail/14"
#: USPS final rule "Outbound International Mailings of Lithium Batteries" (77 FR 68069,
#: effective 2012-11-15): only batteries installed in equipment; not loose or packed with.
USPS_LITHIUM: Final = "https://www.govinfo.gov/content/pkg/FR-2012-11-15/html/2012-27842.htm"
#: USPS Postal Bulletin 22474 (2017): ICAO prohibits UN3480 on passenger aircraft from
#: 2016-04-01 (cargo aircraft: state of charge at most 30%).
USPS_UN3480: Final = "https://about.usps.com/postal-bulletin/2017/pb22474/html/updt_001.htm"
#: Royal Mail, "Prohibitions and restrictions in UK and international mail" (aerosols,
#: perfume, nail varnish).
ROYAL_MAIL_AEROSOLS: Final = (
    "https://paperzz.com/doc/6961164/prohibitions-and-restrictions-in-uk-and-international-mail"
)
#: Deutsche Post, international letters: explosive, easily flammable or radioactive
#: substances and dangerous goods are excluded.
DEUTSCHE_POST_DG: Final = (
    "https://deutschepost.de/de/b/briefe-ins-ausland/unzulaessige-inhalte-gefaehrliche-gueter.html"
)
#: DHL Express: lithium battery rules apply to batteries alone, packed with and contained
#: in equipment; the shipper is legally responsible.
DHL_LITHIUM: Final = "https://mydhl.express.dhl/al/en/help-and-support/shipping-advice/what-can-i-ship/lithium-batteries.html"

#: USPS accepts only lithium batteries installed in equipment in international mail.
USPS_RULE_FROM: Final = date(2012, 11, 15)
#: ICAO forbids UN3480 (lithium-ion batteries alone) on passenger aircraft.
UN3480_PASSENGER_BAN_FROM: Final = date(2016, 4, 1)

#: Categories whose products often hold a battery (listing.CATEGORIES): any battery word
#: counts there.
BATTERY_CATEGORIES: Final = frozenset(
    {"electronics", "electronics.batteries", "electronics.phone_accessories"}
)
#: Categories where only a lithium cell counts ("pod kit 1500mAh", "Li-ion"): toys take AA
#: cells ("batteries not included") and watches silver-oxide button cells, which no carrier
#: rule here concerns.
LITHIUM_CATEGORIES: Final = frozenset({"tobacco.vapes", "toys", "watches"})

_BATTERY_WORDS: Final = re.compile(
    r"\b(?:lithium|li-?ion|li-?po|lipo|lifepo4|li-?polymer|power\s?banks?|akkus?|accus?|"
    r"batter(?:y|ies|ie|ien|ía|ias)|rechargeable|wiederaufladbar|18650|21700|cr\d{4}|"
    r"\d+(?:[.,]\d+)?\s?(?:mah|wh))\b",
    re.IGNORECASE,
)


_LITHIUM_WORDS: Final = re.compile(
    r"\b(?:lithium|li-?ion|li-?po|lipo|lifepo4|li-?polymer|power\s?banks?|18650|21700|"
    r"cr\d{4}|\d+(?:[.,]\d+)?\s?(?:mah|wh))\b",
    re.IGNORECASE,
)


def mentions_lithium(text: str) -> bool:
    """Return whether ``text`` names a lithium cell (lithium, Li-ion, mAh, Wh, 18650, CR2032...).

    >>> mentions_lithium("E-cigarette pod kit, 1500mAh"), mentions_lithium("Needs 4 AA batteries")
    (True, False)
    """
    return _mentions(text[:20_000], _LITHIUM_WORDS)


def mentions_battery(text: str) -> bool:
    """Return whether ``text`` names a battery (lithium, power bank, mAh, 18650, Akku...).

    >>> mentions_battery("Slim power bank, 10000mAh, USB-C"), mentions_battery("Phone case")
    (True, False)
    """
    return _mentions(text[:20_000], _BATTERY_WORDS)


@lru_cache(maxsize=8192)
def _mentions(text: str, words: re.Pattern[str]) -> bool:
    return words.search(text) is not None


def _texts(values: Mapping[str, Any]) -> Iterator[str]:
    """Yield the texts of a listing (from its :func:`~xborder.compliance.field_values`)."""
    for field in ("title", "description", "customs_description"):
        value = values[field]
        if isinstance(value, str):
            yield value
    attributes = values["attributes"]
    if isinstance(attributes, Mapping):
        for key, given in attributes.items():
            if isinstance(key, str):
                yield key
            items = (given,) if isinstance(given, str) else given
            if isinstance(items, tuple | list):
                yield from (v for v in items if isinstance(v, str))


class DangerousGoodsRule:
    """Carrier restrictions for lithium batteries, aerosols and flammable liquids."""

    name = "dangerous_goods"

    def check(self, context: Context) -> list[Finding]:
        """Return a warning for each kind of dangerous goods the listing declares or hints."""
        values = context.values
        goods = values["dangerous_goods"]
        battery = getattr(goods, "battery", "none")
        findings: list[Finding] = []
        if battery == "contained":
            findings.append(_CONTAINED)
        elif battery == "packed_with":
            if context.on >= USPS_RULE_FROM:  # the rule in force that day (DESIGN §3)
                findings.append(_PACKED_WITH)
        elif battery == "standalone":
            on = context.on
            if on >= UN3480_PASSENGER_BAN_FROM:
                findings.append(_STANDALONE)
            elif on >= USPS_RULE_FROM:  # before the ICAO ban: post refused them already
                findings.append(_STANDALONE_BY_POST)
        elif battery == "none" or battery is None:
            category = values["category"]
            if isinstance(category, str) and (
                (category in BATTERY_CATEGORIES and any(map(mentions_battery, _texts(values))))
                or (category in LITHIUM_CATEGORIES and any(map(mentions_lithium, _texts(values))))
            ):
                findings.append(_UNDECLARED)
        if getattr(goods, "aerosol", False) is True:
            findings.append(_AEROSOL)
        if getattr(goods, "flammable", False) is True:
            findings.append(_FLAMMABLE)
        return findings


_FIELD: Final = "dangerous_goods.battery"

_CONTAINED: Final = Finding(
    "dangerous_goods.battery_contained",
    "warning",
    "The product contains lithium batteries (UN3481 lithium-ion or UN3091 lithium metal, "
    "IATA packing instructions 967/970). International post accepts them only within "
    "limits: at most 4 cells or 2 batteries per parcel, lithium-ion at most 100 Wh per "
    "battery (20 Wh per cell), lithium metal at most 2 g per battery (1 g per cell), and "
    "some postal services refuse them altogether. Couriers and air carriers apply their "
    "own lithium battery rules. Check your carrier's battery rules.",
    field=_FIELD,
    source=ROYAL_MAIL_LITHIUM,
)
_PACKED_WITH: Final = Finding(
    "dangerous_goods.battery_packed_with",
    "warning",
    "Lithium batteries are packed with the product but not installed in it (UN3481 or UN3091, "
    "IATA packing instructions 966/969). International post does not take them (USPS, "
    "Royal Mail): ship with a courier's dangerous-goods service, or install the batteries.",
    field=_FIELD,
    source=USPS_LITHIUM,
    effective_from=USPS_RULE_FROM,
)
_STANDALONE: Final = Finding(
    "dangerous_goods.battery_standalone",
    "warning",
    "The product is lithium batteries on their own (UN3480 lithium-ion or UN3090 lithium "
    "metal, IATA packing instructions 965/968). Lithium-ion batteries alone are forbidden "
    "on passenger aircraft since 2016-04-01 and lithium metal ones fly on cargo aircraft "
    "only; international post refuses both. Ship only with a courier's dangerous-goods "
    "service that accepts them.",
    field=_FIELD,
    source=USPS_UN3480,
    effective_from=UN3480_PASSENGER_BAN_FROM,
)
#: Standalone lithium batteries between the USPS rule and the ICAO passenger-aircraft ban.
_STANDALONE_BY_POST: Final = Finding(
    "dangerous_goods.battery_standalone",
    "warning",
    "The product is lithium batteries on their own (UN3480 lithium-ion or UN3090 lithium "
    "metal, IATA packing instructions 965/968). International post does not take lithium "
    "batteries that are not installed in equipment (USPS, Royal Mail): ship only with a "
    "courier's dangerous-goods service that accepts them.",
    field=_FIELD,
    source=USPS_LITHIUM,
    effective_from=USPS_RULE_FROM,
)
_UNDECLARED: Final = Finding(
    "dangerous_goods.battery_undeclared",
    "warning",
    "The listing mentions a battery (lithium, power bank, mAh...) but declares none "
    "(dangerous_goods.battery is 'none'). Carriers' battery rules apply whether or not a "
    "battery is declared: set it to contained, packed_with or standalone.",
    field=_FIELD,
    source=DHL_LITHIUM,
)
_AEROSOL: Final = Finding(
    "dangerous_goods.aerosol",
    "warning",
    "The product is an aerosol (UN1950, a class 2 dangerous good). International post "
    "refuses aerosols and couriers carry them only as dangerous goods: check your "
    "carrier before you sell abroad.",
    field="dangerous_goods.aerosol",
    source=ROYAL_MAIL_AEROSOLS,
)
_FLAMMABLE: Final = Finding(
    "dangerous_goods.flammable",
    "warning",
    "The product is flammable (such as perfume or nail polish, class 3 dangerous goods). "
    "International post refuses flammable goods and couriers carry them only as dangerous "
    "goods: check your carrier before you sell abroad.",
    field="dangerous_goods.flammable",
    source=DEUTSCHE_POST_DG,
)

#: The rule object registered as ``xborder.rules`` entry point ``dangerous_goods``.
RULE: Final = DangerousGoodsRule()
