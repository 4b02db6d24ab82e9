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
import reprlib
from collections.abc import Mapping
from datetime import date
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, Final

from babel import Locale

from xborder.compliance._context import Context
from xborder.compliance._data import load, parse_date
from xborder.compliance.rules.identifiers import _no_mpn
from xborder.errors import XborderError
from xborder.findings import Finding, Severity
from xborder.listing import CATEGORIES, Listing, Party
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

# Two-letter codes that are EU member states but also state, province or canton
# abbreviations outside the EU that end addresses: US (DE Delaware, MT Montana), Canada (NL,
# SK), Brazil (ES, MT, RO, SE), Switzerland (BE Bern, FR Fribourg, GR Graubünden, LU
# Luzern), India (HR Haryana, NL Nagaland, SK Sikkim). Trusting them would drop the
# responsible-person requirement, so a bare code among these counts as "country unknown".
_AMBIGUOUS_EU_CODES: Final = frozenset(
    {"BE", "DE", "ES", "FR", "GR", "HR", "LU", "MT", "NL", "RO", "SE", "SK"}
)

# Places where an economic operator is established in the Union without an xborder EU
# market of their own: the outermost regions (TFEU art. 349 and 355(1): Guadeloupe, French
# Guiana, Martinique, Réunion, Mayotte, Saint-Martin, the Canary Islands; the Azores and
# Madeira have no code of their own), Ceuta and Melilla (EA), the Åland Islands (art.
# 355(4)), and Northern Ireland (XI), where the Windsor Framework applies EU product rules:
# research/compliance.md (eBay) asks for an EU responsible person only "if the manufacturer
# is outside the EU/NI".
_IN_THE_UNION: Final = frozenset({"GP", "GF", "MQ", "RE", "YT", "MF", "IC", "EA", "AX", "XI"})

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
        # XI: the code the EU and the UK give Northern Ireland for goods (see _IN_THE_UNION).
        "northern ireland": "XI",
        "prc": "CN",
        "p r china": "CN",
        "people's republic of china": "CN",
        "mainland china": "CN",
        "holland": "NL",
        "the netherlands": "NL",
        "czech republic": "CZ",
        "south korea": "KR",
        "republic of korea": "KR",
        # CLDR's English names are "Hong Kong SAR China" and "Macao SAR China".
        "hong kong": "HK",
        "hong kong sar": "HK",
        "macau": "MO",
        "macao": "MO",
    }
)
# A trailing "EU" or "European Union" after the country ("..., France, EU", "Germany (EU)")
# says nothing more: the country before it is read.
# (A word of its own: "Richelieu" keeps its "eu".)
_UNION_SUFFIX: Final = re.compile(
    r"\s*\(?\s*(?<![^\s(])(?:EU|E\.U\.|European Union)\s*\)?\s*$", re.IGNORECASE
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


@lru_cache(maxsize=4096)
def _parse_country(address: str) -> tuple[str | None, str]:
    """Return (ISO code or None, why unknown) for the country an address ends with."""
    segments = [s.strip() for s in _SEGMENTS.split(address) if s.strip()]
    if not segments:
        return None, "the address is empty"
    while segments and (trimmed := _UNION_SUFFIX.sub("", segments[-1])) != segments[-1]:
        if trimmed:
            segments[-1] = trimmed
        else:
            segments.pop()
    if not segments:
        return None, "the address names the EU but no country"
    last = segments[-1]
    words = [w for w in last.split() if not any(c.isdigit() for c in w)]
    if len(words) == 1 and len(words[0]) == 2 and words[0].isalpha() and words[0].isupper():
        code = words[0]
        if code in _AMBIGUOUS_EU_CODES:
            return None, (
                f"the address ends with {code!r}, which may be a state or province "
                f"abbreviation rather than a country code"
            )
        if is_country(code) or code == "XI":
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
    code. Codes of EU members that are also state, province or canton abbreviations in the
    US, Canada, Brazil, Switzerland or India (BE, DE, ES, FR, GR, HR, LU, MT, NL, RO, SE, SK)
    are not trusted on their own: write the country name. "Northern Ireland" gives ``"XI"``.
    """
    return _parse_country(address)[0]


@lru_cache(maxsize=1024)
def _is_eu(code: str, on: date) -> bool:
    try:
        return Market.for_country(code, on=on).eu_member
    except XborderError:
        return False


@lru_cache(maxsize=4096)
def _established(address: str, on: date) -> tuple[str | None, str, bool]:
    """Return (country, why unknown, whether an EU member on ``on``) for a party's address.

    One cached lookup per party and check (the address repeats on every listing of a maker).
    """
    country, why = _parse_country(address)
    in_eu = country is not None and (country in _IN_THE_UNION or _is_eu(country, on))
    return country, why, in_eu


@lru_cache(maxsize=1024)
def _maker_abroad(country: str | None, why: str) -> str:
    """Return why a responsible person is needed, for a manufacturer not shown to be in the EU."""
    if country is None:
        return f"xborder cannot tell where the manufacturer is established: {why}"
    return f"the manufacturer's address is in {_country_name(country)}, outside the EU"


def _primary(language: str) -> str:
    # Not cached itself: its callers are (_wanted, and _PRIMARIES in _safety_languages).
    return language.replace("_", "-").split("-", 1)[0].casefold()


@lru_cache(maxsize=512)
def _country_name(code: str) -> str:
    name = "Northern Ireland" if code == "XI" else Locale("en").territories.get(code)
    return f"{name} ({code})" if name else code


@lru_cache(maxsize=512)
def _language_name(code: str) -> str:
    name = Locale("en").languages.get(code)
    return f"{name} ({code})" if name else code


class GpsrRule:
    """The ``gpsr`` rule: EU GPSR art. 16 and 19 online-offer information (see the module).

    A field of the wrong kind (a manufacturer that is not a :class:`~xborder.listing.Party`,
    a party's name that is not text, a category xborder does not know, safety information
    that is not a mapping of language to text) gives an error finding
    ``gpsr.<field>_invalid`` naming the field and the value, and counts as not given.
    """

    name: Final = "gpsr"

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = data
        self._meta: tuple[date | None, date | None, str] | None = None

    @property
    def data(self) -> Mapping[str, Any]:
        """The rule data (``compliance/data/gpsr.json`` unless another was given)."""
        if self._data is None:
            self._data = load("gpsr")
        return self._data

    def _dates(self) -> tuple[date | None, date | None, str]:
        """Return (effective_from, effective_to, source) of the data, read once."""
        meta = self._meta
        if meta is None:
            data = self.data
            start = parse_date(data.get("effective_from"))
            end = parse_date(data.get("effective_to"))
            source = str(data.get("source") or "https://eur-lex.europa.eu/eli/reg/2023/988/oj")
            meta = self._meta = (start, end, source)
        return meta

    def check(self, context: Context) -> list[Finding]:
        """Return the GPSR findings for the listing in an EU market on ``context.on``."""
        meta = self._meta
        start, end, source = meta if meta is not None else self._dates()
        market = context.market
        on = context.on
        if not market.eu_member or (start and on < start) or (end and on > end):
            return []
        # One function for every EU check: the usual listing passes each step with a few
        # reads (the parties' case is remembered); the messages are built only for a finding.
        values = context.values
        found: list[Finding] = []
        category = values["category"]
        if category is not None and not (isinstance(category, str) and category in CATEGORIES):
            found.append(_category_invalid(category, source, start))
            category = None
        elif category is not None and category in OUT_OF_SCOPE:
            found.append(_out_of_scope(category, source, start))
            return found
        _parties(found, context, start, source)
        # Art. 19(c). The truth of text, a tuple or None cannot raise: _given for the rest.
        images = values["images"]
        if not (images if type(images) in _PLAIN_TRUTH else _given(images)):
            found.append(
                _finding("gpsr.picture_missing", "error", _NO_PICTURE, "images", source, start)
            )
        gtin = values["gtin"]
        if not (gtin if type(gtin) in _PLAIN_TRUTH else _given(gtin)):
            mpn = values["mpn"]
            if not (mpn if type(mpn) in _PLAIN_TRUTH else _given(mpn)) or _no_mpn(mpn):
                found.append(
                    _finding(
                        "gpsr.identifier_missing", "warning", _NO_IDENTIFIER, "gtin", source, start
                    )
                )
        # Art. 19(d).
        given, bad = _safety_languages(values["safety_information"])
        if bad is not None:
            field, wrong = bad
            found.append(
                _finding(
                    "gpsr.safety_information_invalid",
                    "error",
                    f"{wrong}: safety information maps a language code (such as 'de') to the "
                    f"warnings as text. xborder ignores what is not.",
                    field,
                    source,
                    start,
                )
            )
        wanted = _wanted(market.languages, context.language)
        if not given:
            needs = _needs_safety_info(values, category)
            if needs is not None:
                found.append(_no_safety_info(needs, wanted, market.name, source, start))
        elif given.isdisjoint(wanted):  # no wanted language is given
            found.append(_missing_language(given, wanted, market.name, source, start))
        return found

    def __repr__(self) -> str:
        return "GpsrRule()"


#: The findings of _Check.manufacturer per case (see _Check.parties): a few thousand cases
#: at most, then it starts again.
_PARTIES: dict[tuple[object, ...], tuple[Finding, ...]] = {}
_MAX_PARTIES: Final = 4096
_PARTY_FIELDS: Final = len(Party.model_fields)


def _parties_key(
    listing: object,
    values: Mapping[str, Any],
    on: date,
    market: Market,
    source: str,
    start: date | None,
) -> tuple[object, ...] | None:
    """Return what the parties' findings depend on, or None when it cannot be told.

    Only for a genuine Listing whose parties are absent or genuine Parties holding text
    or None (reading them runs no caller code); a value of any other type (only a listing
    built without validation can hold one) is checked every time, so that equal values of
    different types (``1`` and ``True``, a ``str`` subclass) never share an entry.
    """
    if type(listing) is not Listing:
        return None
    mine = _party_values(values["manufacturer"])
    theirs = _party_values(values["eu_responsible_person"])
    if mine is None or theirs is None:
        return None
    return (mine, theirs, on, market.country, market.name, source, start)


def _party_values(party: object) -> tuple[str | None, ...] | None:
    """Return a Party's four fields if each is a plain ``str`` or None; ``()`` for no party.

    None for anything else (not exactly a Party, a field missing or of another type). Read
    from the model's field dict (cheaper than pydantic's attribute access); the type tests
    are written out, the cheapest form for four values.
    """
    if party is None:
        return ()
    if type(party) is not Party:
        return None
    fields = party.__dict__
    if len(fields) != _PARTY_FIELDS:
        return None  # built without validation, some field missing
    try:
        name = fields["name"]
        address = fields["postal_address"]
        email = fields["email"]
        url = fields["url"]
    except KeyError:  # a field dict replaced by hand: checked the long way
        return None
    if (
        (name is None or type(name) is str)
        and (address is None or type(address) is str)
        and (email is None or type(email) is str)
        and (url is None or type(url) is str)
    ):
        return (name, address, email, url)
    return None


#: Findings interned by their whole content (most repeat across listings and markets).
_finding: Final = lru_cache(maxsize=2048)(Finding)

_BATTERIES: Final = frozenset({"contained", "packed_with", "standalone"})


_REPR: Final = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 2


def _short(value: object) -> str:
    """Return a short repr of a malformed value, for a message."""
    try:
        return _REPR.repr(value)
    except Exception:  # a repr that fails, or an int too long to print
        return f"<{type(value).__name__}>"


def _given(value: object) -> bool:
    """Return whether a field holds something (``not value`` that never raises)."""
    try:
        return bool(value)
    except Exception:  # an object whose truth cannot be told: something was given
        return True


class _Check:
    """The manufacturer's and the EU responsible person's findings (art. 19(a), (b), 16)."""

    __slots__ = ("context", "found", "source", "start", "values")

    def __init__(self, context: Context, start: date | None, source: str) -> None:
        self.context = context
        self.values = context.values
        self.start = start
        self.source = source
        self.found: list[Finding] = []

    def add(self, code: str, severity: Severity, message: str, field: str) -> None:
        self.found.append(
            _finding(f"gpsr.{code}", severity, message, field, self.source, self.start)
        )

    def manufacturer(self) -> None:
        maker = self.values["manufacturer"]
        market = self.context.market
        if maker is None:
            self.add(
                "manufacturer_missing",
                "error",
                f"The listing names no manufacturer. Offers to buyers in {market.name} "
                f"({market.country}) must show the manufacturer's name, postal address and "
                f"email or website (GPSR art. 19(a)).",
                "manufacturer",
            )
            self.responsible_person(
                None, "the manufacturer is not named, so it cannot be shown to be in the EU"
            )
            return
        address = _party(self, maker, "manufacturer", "the manufacturer", "art. 19(a)")
        if address is None:
            self.responsible_person(
                None,
                "the manufacturer's details are not valid, so it cannot be shown to be in the EU",
            )
            return
        country, why, in_eu = _established(address, self.context.on)
        if in_eu:
            return  # established in the EU: no responsible person needed (art. 16(1))
        self.responsible_person(country, _maker_abroad(country, why))

    def responsible_person(self, maker_country: str | None, reason: str) -> None:
        rp = self.values["eu_responsible_person"]
        if rp is None:
            advice = (
                " If the manufacturer is in the EU, end its address with the country name."
                if maker_country is None and isinstance(self.values["manufacturer"], Party)
                else ""
            )
            self.add(
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
        address = _party(self, rp, "responsible_person", "the EU responsible person", "art. 19(b)")
        if address is None:
            return  # reported as invalid
        country, why, in_eu = _established(address, self.context.on)
        if country is None:
            self.add(
                "responsible_person_country_unknown",
                "warning",
                f"xborder cannot tell whether the EU responsible person is established in the "
                f"EU: {why}. GPSR art. 16 requires an economic operator established in the "
                f"EU; end its postal address with the country name.",
                "eu_responsible_person.postal_address",
            )
        elif not in_eu:
            self.add(
                "responsible_person_outside_eu",
                "error",
                f"The EU responsible person's address is in {_country_name(country)}, outside "
                f"the EU. GPSR "
                f"art. 16 requires an economic operator established in the EU; name an "
                f"importer, authorised representative or fulfilment service provider there.",
                "eu_responsible_person.postal_address",
            )


def _parties(found: list[Finding], context: Context, start: date | None, source: str) -> None:
    """Add the manufacturer's and, where needed, the EU responsible person's findings.

    Their findings depend only on the two parties' details, the day and the market: a
    seller's listings name the same parties, so a repeated case is taken from
    :data:`_PARTIES` instead of being parsed and checked again.
    """
    key = _parties_key(context.listing, context.values, context.on, context.market, source, start)
    known = _PARTIES.get(key) if key is not None else None
    if known is not None:
        found += known
        return
    parties = _Check(context, start, source)
    parties.manufacturer()
    found += parties.found
    if key is not None:
        if len(_PARTIES) >= _MAX_PARTIES:
            _PARTIES.clear()
        _PARTIES[key] = tuple(parties.found)


#: Types whose truth cannot raise (a validated listing holds these), so that reading whether
#: a field is given needs no call of _given.
_PLAIN_TRUTH: Final = frozenset({str, tuple, type(None)})

_NO_PICTURE: Final = (
    "The listing has no picture. GPSR art. 19(c) requires the offer to identify "
    "the product with a picture, its type and any other identifier."
)
_NO_IDENTIFIER: Final = (
    "The listing has neither a GTIN nor an MPN (model, batch or serial number). "
    "GPSR art. 19(c) asks for information allowing the product to be identified, "
    "such as its type and a model, batch or serial number or a GTIN; marketplaces "
    "ask for at least one. Add mpn or gtin."
)


def _category_invalid(category: object, source: str, start: date | None) -> Finding:
    return _finding(
        "gpsr.category_invalid",
        "error",
        f"The category {_short(category)} is not an xborder category, so xborder "
        f"cannot tell whether the EU General Product Safety Regulation applies or "
        f"whether the product needs safety information. Use a category from the "
        f"xborder vocabulary (docs/catalog.md).",
        "category",
        source,
        start,
    )


def _out_of_scope(category: str, source: str, start: date | None) -> Finding:
    return _finding(
        "gpsr.out_of_scope",
        "info",
        f"The EU General Product Safety Regulation does not apply to this listing "
        f"({category}): {OUT_OF_SCOPE[category]}. Other EU rules for such products still "
        f"apply.",
        "category",
        source,
        start,
    )


def _no_safety_info(
    needs: str, wanted: tuple[str, ...], market: str, source: str, start: date | None
) -> Finding:
    return _finding(
        "gpsr.safety_info_missing",
        "error",
        f"The listing has no warnings or safety information, and this product "
        f"needs them: {needs}. GPSR art. 19(d) requires them in the offer, in "
        f"{_names(wanted)} for buyers in {market}. Add safety_information.",
        "safety_information",
        source,
        start,
    )


@lru_cache(maxsize=1024)
def _missing_language(
    given: frozenset[str],
    wanted: tuple[str, ...],
    market: str,
    source: str,
    start: date | None,
) -> Finding:
    # Built once per case: the same languages miss for every listing of a seller.
    have = ", ".join(_language_name(code) for code in sorted(given))
    return _finding(
        "gpsr.safety_info_missing_language",
        "warning",
        f"The safety information is in {have} but not in {_names(wanted)}. GPSR art. 19(d) "
        f"requires warnings in a language consumers in {market} easily "
        f"understand. Add safety_information.{wanted[0] if wanted else ''}.",
        f"safety_information.{wanted[0]}" if wanted else "safety_information",
        source,
        start,
    )


@lru_cache(maxsize=256)
def _wanted(languages: tuple[str, ...], language: str) -> tuple[str, ...]:
    """Return the primary languages a market's buyers read, the market's main one first."""
    return tuple(dict.fromkeys(_primary(lang) for lang in (*languages, language)))


@lru_cache(maxsize=256)
def _names(wanted: tuple[str, ...]) -> str:
    return " or ".join(_language_name(code) for code in wanted) or "the local language"


#: The primary language of each safety-information key seen (``"de-AT"`` -> ``"de"``).
_PRIMARIES: dict[str, str] = {}


def _safety_languages(value: object) -> tuple[frozenset[str], tuple[str, str] | None]:
    """Return the primary languages with safety text, and what is wrong in ``value``, if any.

    ``value`` should map language codes to text: it gives ``(field, what is wrong)`` for the
    first entry that does not (then ignored), or for a value that is no mapping at all.
    """
    if value is None:
        return frozenset(), None
    # A validated listing holds a mappingproxy: test for it before the (slow) ABC check.
    if type(value) is not MappingProxyType and not isinstance(value, Mapping):
        return frozenset(), ("safety_information", f"safety_information is {_short(value)}")
    given = set()
    bad: tuple[str, str] | None = None
    for lang, text in value.items():
        # A language code is short text (LanguageCode: at most 16 characters).
        if not (isinstance(lang, str) and len(lang) <= 16):
            if bad is None:
                key = _short(lang)
                bad = ("safety_information", f"safety_information has the key {key}")
            continue
        if not isinstance(text, str):
            if bad is None:
                field = f"safety_information.{lang}"
                bad = (field, f"{field} is {_short(text)}")
            continue
        if text.strip():
            # Remembered in a plain dict: this runs for every EU check.
            primary = _PRIMARIES.get(lang) if type(lang) is str else None
            if primary is None:
                primary = _primary(lang)
                if type(lang) is str and len(_PRIMARIES) < 256:
                    _PRIMARIES[lang] = primary
            given.add(primary)
    return frozenset(given), bad


def _party(check: _Check, party: object, code: str, who: str, article: str) -> str | None:
    """Report a party that is not valid or not complete; return its postal address.

    None when the party is not valid (``<code>_invalid``): not a :class:`Party`, or a field
    that is not text. Otherwise the address (possibly empty), after ``<code>_incomplete``
    when the details cannot be contacted by post and online.
    """
    field = "manufacturer" if code == "manufacturer" else "eu_responsible_person"
    if not isinstance(party, Party):
        check.add(
            f"{code}_invalid",
            "error",
            f"{field} is {_short(party)}, not the details of a business (a name, a postal "
            f"address and an email or website). GPSR {article} requires them for {who}.",
            field,
        )
        return None
    name = getattr(party, "name", None)
    address = getattr(party, "postal_address", None)
    email = getattr(party, "email", None)
    url = getattr(party, "url", None)
    # _text of each field, written out: this runs for every party of every EU check.
    if not (
        (name is None or isinstance(name, str))
        and (address is None or isinstance(address, str))
        and (email is None or isinstance(email, str))
        and (url is None or isinstance(url, str))
    ):
        part, value = next(
            (part, value)
            for part, value in (
                ("name", name),
                ("postal_address", address),
                ("email", email),
                ("url", url),
            )
            if not _text(value)
        )
        check.add(
            f"{code}_invalid",
            "error",
            f"{field}.{part} is {_short(value)}, not text. GPSR {article} requires "
            f"{who}'s name, postal address and email or website.",
            f"{field}.{part}",
        )
        return None
    problems = _missing(name, address, email, url)
    if problems:
        check.add(
            f"{code}_incomplete",
            "error",
            f"The details of {who} lack {' and '.join(problems)}. GPSR {article} requires "
            f"a name, a postal address and an electronic address (email or website).",
            field,
        )
    return address or ""


def _text(value: object) -> bool:
    """Whether a party's field is text or not given."""
    return value is None or isinstance(value, str)


@lru_cache(maxsize=4096)
def _missing(
    name: str | None, postal_address: str | None, email: str | None, url: str | None
) -> tuple[str, ...]:
    """Return what a party's details lack to be contacted by post and online."""
    problems = []
    if not (name or "").strip():
        problems.append("a name")
    address = (postal_address or "").strip()
    segments = [s for s in _SEGMENTS.split(address) if s.strip()]
    if not address:
        problems.append("a postal address")
    elif len(segments) < 2 and not any(c.isdigit() for c in address):
        # "China" or "Shenzhen" alone: not an address a letter could reach.
        problems.append(f"a full postal address (it reads only {address!r})")
    if not (email or url):
        problems.append("an email address or website")
    return tuple(problems)


def _needs_safety_info(values: Mapping[str, Any], category: str | None = None) -> str | None:
    """Return why the listing needs safety information, or None when nothing says so.

    ``values``: the listing's :func:`~xborder.compliance.field_values`.
    """
    why = NEEDS_SAFETY_INFO.get(category) if category is not None else None
    if why is not None:
        return why
    goods = values["dangerous_goods"]
    battery = getattr(goods, "battery", "none")
    if isinstance(battery, str) and battery in _BATTERIES:
        return "it contains or comes with a battery"
    if getattr(goods, "aerosol", False) is True:
        return "it is an aerosol"
    if getattr(goods, "flammable", False) is True:
        return "it is flammable"
    return None


#: The rule instance the ``xborder.rules`` entry point ``gpsr`` names.
RULE: Final = GpsrRule()
