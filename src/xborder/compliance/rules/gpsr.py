"""EU GPSR: what an online offer must show under Regulation (EU) 2023/988, art. 16 and 19.

Regulation (EU) 2023/988 on general product safety (GPSR), applicable since 2024-12-13
(https://eur-lex.europa.eu/eli/reg/2023/988/oj), with the Commission's guidelines
C(2025) 7699 final. Art. 19 requires every distance-sales offer to an EU consumer to show,
before purchase:

(a) the manufacturer: name, registered trade name or trade mark, postal and electronic address;
(b) where the manufacturer is not established in the EU, the responsible person of art. 16
    (name, postal and electronic address);
(c) information identifying the product, including a picture, its type and any other
    identifier (model, batch or serial number, GTIN);
(d) warnings or safety information in a language consumers in that Member State easily
    understand.

The rule runs for EU member markets only (``Market.eu_member``): Great Britain has its own
regime (UK GPSR 2005) and is not covered; Northern Ireland is covered, but xborder has no
separate Northern Ireland market. Products outside the regulation's scope (art. 2(2): food,
medicines, living plants and their seeds, ...) get one info finding and nothing else. The
dates and sources are in ``compliance/data/gpsr.json``; see docs/compliance-gpsr-epr-tax.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any, Final

from babel import Locale

from xborder.compliance._context import Context
from xborder.compliance._data import load, parse_date
from xborder.errors import XborderError
from xborder.findings import Finding, Severity
from xborder.listing import Listing, Party
from xborder.markets import Market, is_country

__all__ = ["NEEDS_SAFETY_INFO", "OUT_OF_SCOPE", "RULE", "GpsrRule", "address_country"]

#: Categories outside the GPSR's scope, with the art. 2(2) point that excludes them.
OUT_OF_SCOPE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "food": "food is excluded by art. 2(2)(b); EU food law applies instead",
        # Directive 2002/46/EC defines food supplements as foodstuffs.
        "supplements": "food supplements are food, excluded by art. 2(2)(b)",
        "garden.plants": "living plants are excluded by art. 2(2)(d)",
        # Art. 2(2)(d) also excludes "products of plants ... relating directly to their future
        # reproduction", i.e. seeds for sowing.
        "garden.seeds": (
            "seeds for sowing are products of plants relating directly to their future "
            "reproduction, excluded by art. 2(2)(d)"
        ),
    }
)

#: Categories whose offers need warnings or safety information (art. 19(d)), and why.
NEEDS_SAFETY_INFO: Final[Mapping[str, str]] = MappingProxyType(
    {
        "home.candles": "a burning candle is a fire risk (safety labels as in EN 15494)",
        # Cosmetics Regulation (EC) 1223/2009 art. 19(1)(d): precautions for use.
        "cosmetics.skincare": "cosmetics must state their precautions for use",
        "cosmetics.fragrance": "cosmetics must state their precautions for use",
        "cosmetics.makeup": "cosmetics must state their precautions for use",
        "health.cbd": "products applied to the body or swallowed need precautions for use",
        "tools.knives": "a sharp blade needs handling and storage warnings",
        "electronics": "electrical equipment needs warnings on electric shock, heat and batteries",
        "electronics.phone_accessories": "chargers, cables and battery cases need electrical "
        "and battery warnings",
        "electronics.batteries": "batteries need fire, swallowing and disposal warnings",
        # Toy Safety Directive 2009/48/EC art. 11: warnings (age limits, supervision).
        "toys": "toys need age and supervision warnings",
        "baby": "products for infants need choking, suffocation and strangulation warnings",
        # Tobacco Products Directive 2014/40/EU art. 20(4): health warning on nicotine.
        "tobacco.vapes": "nicotine products need health warnings",
    }
)

# Two-letter codes that are EU member states but also common US, Canadian or Brazilian
# state/province abbreviations at the end of an address ("Dover, DE" is Delaware, "St.
# John's, NL" is Newfoundland). Trusting them would drop the responsible-person requirement,
# so a bare code among these counts as "country unknown".
_AMBIGUOUS_EU_CODES: Final = frozenset({"DE", "ES", "MT", "NL", "RO", "SE", "SK"})

# Names a postal address may end with that CLDR does not list as territory names.
_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "usa": "US",
        "u s a": "US",
        "u s": "US",
        "united states of america": "US",
        "uk": "GB",
        "u k": "GB",
        "great britain": "GB",
        "england": "GB",
        "scotland": "GB",
        "wales": "GB",
        # Windsor Framework: Northern Ireland follows GPSR, but an operator there is not
        # "established in the Union" by any source the research found; treated as GB.
        "northern ireland": "GB",
        "prc": "CN",
        "p r china": "CN",
        "people's republic of china": "CN",
        "mainland china": "CN",
        "holland": "NL",
        "the netherlands": "NL",
        "czech republic": "CZ",
        "south korea": "KR",
        "republic of korea": "KR",
    }
)

# Languages whose CLDR country names are recognised at the end of an address.
_NAME_LANGUAGES: Final = tuple(
    "de fr es it nl pt pl sv da fi cs sk sl hr hu ro bg el et lv lt mt ga en".split()  # noqa: SIM905
)

_SEGMENTS: Final = re.compile(r"[,;\n]+")


@cache
def _country_names() -> Mapping[str, str]:
    names: dict[str, str] = {}
    for language in _NAME_LANGUAGES:  # English last: it wins a clash
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and is_country(code):
                names[_normalise(name)] = code
    names.update(_ALIASES)
    return MappingProxyType(names)


def _normalise(text: str) -> str:
    text = text.casefold().replace(".", " ").replace("’", "'")
    return " ".join(text.split())


def _parse_country(address: str) -> tuple[str | None, str]:
    """Return (ISO code or None, why unknown) for the country an address ends with."""
    segments = [s.strip() for s in _SEGMENTS.split(address) if s.strip()]
    if not segments:
        return None, "the address is empty"
    last = segments[-1]
    words = [w for w in last.split() if not any(c.isdigit() for c in w)]
    if len(words) == 1 and len(words[0]) == 2 and words[0].isalpha() and words[0].isupper():
        code = words[0]
        if code in _AMBIGUOUS_EU_CODES:
            return None, (
                f"the address ends with {code!r}, which may be a state or province "
                f"abbreviation rather than a country code"
            )
        if is_country(code):
            return code, ""
    names = _country_names()
    for size in range(min(len(words), 5), 0, -1):
        hit = names.get(_normalise(" ".join(words[-size:])))
        if hit is not None:
            return hit, ""
    return None, f"no country name or code was recognised at the end ({last!r})"


def address_country(address: str) -> str | None:
    """Return the ISO 3166-1 code of the country a postal address ends with, or None.

    >>> address_country("418 Kiln Yard Lane, Asheville, NC 28801, United States")
    'US'
    >>> address_country("Unit 4, 7 Grand Canal Quay, Dublin 2, D02 KX97, Ireland")
    'IE'
    >>> address_country("1 Main Street, Dover, DE 19901") is None  # Delaware or Germany?
    True

    The last comma-separated part is read, postal codes dropped: a country name in English
    or in an official EU language, a common alias ("USA", "UK", "PRC") or an upper-case ISO
    code. Codes of EU members that are also US/Canadian/Brazilian state abbreviations (DE,
    ES, MT, NL, RO, SE, SK) are not trusted on their own: write the country name.
    """
    return _parse_country(address)[0]


def _is_eu(code: str, on: date) -> bool:
    try:
        return Market.for_country(code, on=on).eu_member
    except XborderError:
        return False


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-", 1)[0].casefold()


def _country_name(code: str) -> str:
    name = Locale("en").territories.get(code)
    return f"{name} ({code})" if name else code


def _language_name(code: str) -> str:
    name = Locale("en").languages.get(code)
    return f"{name} ({code})" if name else code


class GpsrRule:
    """The ``gpsr`` rule: EU GPSR art. 16 and 19 online-offer information (see the module)."""

    name: Final = "gpsr"

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = data

    @property
    def data(self) -> Mapping[str, Any]:
        """The rule data (``compliance/data/gpsr.json`` unless another was given)."""
        if self._data is None:
            self._data = load("gpsr")
        return self._data

    def check(self, context: Context) -> Iterable[Finding]:
        """Return the GPSR findings for the listing in an EU market on ``context.on``."""
        data = self.data
        start = parse_date(data.get("effective_from"))
        end = parse_date(data.get("effective_to"))
        market = context.market
        if not market.eu_member or (start and context.on < start) or (end and context.on > end):
            return []
        source = str(data.get("source") or "https://eur-lex.europa.eu/eli/reg/2023/988/oj")
        return list(_Check(context, start, source).run())

    def __repr__(self) -> str:
        return "GpsrRule()"


class _Check:
    def __init__(self, context: Context, start: date | None, source: str) -> None:
        self.context = context
        self.listing: Listing = context.listing
        self.market = context.market
        self.start = start
        self.source = source

    def finding(self, code: str, severity: Severity, message: str, field: str) -> Finding:
        return Finding(
            code=f"gpsr.{code}",
            severity=severity,
            message=message,
            field=field,
            source=self.source,
            effective_from=self.start,
        )

    def run(self) -> Iterator[Finding]:
        category = self.listing.category or ""
        excluded = OUT_OF_SCOPE.get(category)
        if excluded is not None:
            yield self.finding(
                "out_of_scope",
                "info",
                f"The EU General Product Safety Regulation does not apply to this listing "
                f"({category}): {excluded}. Other EU rules for such products still apply.",
                "category",
            )
            return
        yield from self.manufacturer()
        yield from self.identification()
        yield from self.safety_information()

    # -- art. 19(a) and (b) ----------------------------------------------------------------

    def manufacturer(self) -> Iterator[Finding]:
        maker = self.listing.manufacturer
        where = f"buyers in {self.market.name} ({self.market.country})"
        if maker is None:
            yield self.finding(
                "manufacturer_missing",
                "error",
                f"The listing names no manufacturer. Offers to {where} must show the "
                f"manufacturer's name, postal address and email or website (GPSR art. 19(a)).",
                "manufacturer",
            )
            yield from self.responsible_person(
                None, "the manufacturer is not named, so it cannot be shown to be in the EU"
            )
            return
        yield from _incomplete(self, maker, "manufacturer", "the manufacturer", "art. 19(a)")
        country, why = _parse_country(maker.postal_address or "")
        if country is not None and _is_eu(country, self.context.on):
            return  # established in the EU: no responsible person needed (art. 16(1))
        if country is None:
            reason = f"xborder cannot tell where the manufacturer is established: {why}"
        else:
            reason = f"the manufacturer's address is in {_country_name(country)}, outside the EU"
        yield from self.responsible_person(country, reason)

    def responsible_person(self, maker_country: str | None, reason: str) -> Iterator[Finding]:
        rp = self.listing.eu_responsible_person
        if rp is None:
            advice = (
                " If the manufacturer is in the EU, end its address with the country name."
                if maker_country is None and self.listing.manufacturer is not None
                else ""
            )
            yield self.finding(
                "responsible_person_missing",
                "error",
                f"The listing names no EU responsible person, and {reason}. A product whose "
                f"manufacturer is not established in the EU may be sold to EU consumers only "
                f"with an economic operator in the EU responsible for it (GPSR art. 16), "
                f"named in the offer with postal and electronic address (art. 19(b)). "
                f"Add eu_responsible_person (an importer, authorised representative or "
                f"fulfilment service provider in the EU).{advice}",
                "eu_responsible_person",
            )
            return
        yield from _incomplete(
            self, rp, "responsible_person", "the EU responsible person", "art. 19(b)"
        )
        country, why = _parse_country(rp.postal_address or "")
        if country is None:
            yield self.finding(
                "responsible_person_country_unknown",
                "warning",
                f"xborder cannot tell whether the EU responsible person is established in the "
                f"EU: {why}. GPSR art. 16 requires an economic operator established in the "
                f"EU; end its postal address with the country name.",
                "eu_responsible_person.postal_address",
            )
        elif not _is_eu(country, self.context.on):
            yield self.finding(
                "responsible_person_outside_eu",
                "error",
                f"The EU responsible person's address is in {_country_name(country)}, outside "
                f"the EU. GPSR "
                f"art. 16 requires an economic operator established in the EU; name an "
                f"importer, authorised representative or fulfilment service provider there.",
                "eu_responsible_person.postal_address",
            )

    def identification(self) -> Iterator[Finding]:
        listing = self.listing
        if not listing.images:
            yield self.finding(
                "picture_missing",
                "error",
                "The listing has no picture. GPSR art. 19(c) requires the offer to identify "
                "the product with a picture, its type and any other identifier.",
                "images",
            )
        if not listing.gtin and not listing.mpn:
            yield self.finding(
                "identifier_missing",
                "warning",
                "The listing has neither a GTIN nor an MPN (model, batch or serial number). "
                "GPSR art. 19(c) asks for information allowing the product to be identified, "
                "such as its type and a model, batch or serial number or a GTIN; marketplaces "
                "ask for at least one. Add mpn or gtin.",
                "gtin",
            )

    # -- art. 19(d) ------------------------------------------------------------------------

    def safety_information(self) -> Iterator[Finding]:
        listing = self.listing
        needs = _needs_safety_info(listing)
        given = {
            _primary(lang): lang
            for lang, text in listing.safety_information.items()
            if text.strip()
        }
        wanted = [_primary(lang) for lang in (*self.market.languages, self.context.language)]
        wanted = list(dict.fromkeys(wanted))
        names = " or ".join(_language_name(code) for code in wanted) or "the local language"
        if not given:
            if needs is not None:
                yield self.finding(
                    "safety_info_missing",
                    "error",
                    f"The listing has no warnings or safety information, and this product "
                    f"needs them: {needs}. GPSR art. 19(d) requires them in the offer, in "
                    f"{names} for buyers in {self.market.name}. Add safety_information.",
                    "safety_information",
                )
            return
        if any(code in given for code in wanted):
            return
        have = ", ".join(_language_name(code) for code in sorted(given))
        yield self.finding(
            "safety_info_missing_language",
            "warning",
            f"The safety information is in {have} but not in {names}. GPSR art. 19(d) "
            f"requires warnings in a language consumers in {self.market.name} easily "
            f"understand. Add safety_information.{wanted[0] if wanted else ''}.",
            f"safety_information.{wanted[0]}" if wanted else "safety_information",
        )


def _incomplete(
    check: _Check, party: Party, code: str, who: str, article: str
) -> Iterator[Finding]:
    """Yield ``<field>_incomplete`` when a party's details cannot be contacted by post/online."""
    problems = []
    if not (party.name or "").strip():
        problems.append("a name")
    address = (party.postal_address or "").strip()
    segments = [s for s in _SEGMENTS.split(address) if s.strip()]
    if not address:
        problems.append("a postal address")
    elif len(segments) < 2 and not any(c.isdigit() for c in address):
        # "China" or "Shenzhen" alone: not an address a letter could reach.
        problems.append(f"a full postal address (it reads only {address!r})")
    if not (party.email or party.url):
        problems.append("an email address or website")
    if problems:
        field = "manufacturer" if code == "manufacturer" else "eu_responsible_person"
        yield check.finding(
            f"{code}_incomplete",
            "error",
            f"The details of {who} lack {' and '.join(problems)}. GPSR {article} requires "
            f"a name, a postal address and an electronic address (email or website).",
            field,
        )


def _needs_safety_info(listing: Listing) -> str | None:
    """Return why the listing needs safety information, or None when nothing says so."""
    why = NEEDS_SAFETY_INFO.get(listing.category or "")
    if why is not None:
        return why
    goods = listing.dangerous_goods
    if goods.battery != "none":
        return "it contains or comes with a battery"
    if goods.aerosol:
        return "it is an aerosol"
    if goods.flammable:
        return "it is flammable"
    return None


#: The rule instance the ``xborder.rules`` entry point ``gpsr`` names.
RULE: Final = GpsrRule()
