"""Customs data: HS code, origin, description and weight for the customs declaration.

Every parcel that crosses a border carries a customs declaration (CN 22/CN 23 for post, or
the carrier's electronic data) naming what is inside, its tariff classification (HS code),
where it was made and what it weighs. Missing or vague data gets parcels held or returned.

* HS structure: 2-digit chapter, 4-digit heading, 6-digit subheading, national extensions
  to 8-10 digits; 97 chapters, chapter 77 reserved, 98-99 national special provisions
  (research/compliance.md section 7; WTO glossary, tradeclassifier chapter 77).
* EU, Norway and Switzerland: ICS2 needs at least 6 digits on every consignment
  (from 2023-03-01); the US: every import is entered with its HTS code since de minimis
  ended for all countries (EO 14324, 2025-08-29), and the new postal informal entry needs
  all 10 digits, most of it effective 2026-07-24 (CBP interim final rules of 2026-06-24,
  91 FR 37801; compliance-factcheck.md section 1); China: an HS code on every non-document
  shipment.
* Vague descriptions ("gift", "parts", "accessories", "samples") are rejected or held:
  CBP CSMS of 2024-04-01, enforced by carriers from 2024-11-12; EU ICS2 guidance; WCO.

The rule does nothing for a domestic sale (the seller's country is the market) or a sale
inside the EU customs union (both are EU members): no customs declaration is made.

>>> from datetime import date
>>> from xborder.compliance import check
>>> from xborder.listing import Listing
>>> from xborder.money import Money
>>> mug = Listing(sku="MUG-1", title="Stoneware mug", price=Money("20", "USD"), quantity=1)
>>> report = check(mug, "DE", on=date(2026, 10, 30), rules=[RULE])
>>> [f.code for f in report.findings]  # doctest: +NORMALIZE_WHITESPACE
['customs.hs_code_missing', 'customs.origin_missing', 'customs.description_missing',
 'customs.weight_missing', 'engine.strictest_regime']
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Final

from xborder.compliance._context import Context
from xborder.errors import XborderError
from xborder.findings import Finding, Severity
from xborder.markets import Market, is_country

__all__ = ["RULE", "CustomsRule", "is_vague_description"]

# Sources. A URL whose comment starts with a key is also in xborder/data/facts/sources.json
# under that key (tests/compliance/test_data_integrity.py); the WCO page is not.
#: hs_wto_glossary: HS 6 digits worldwide, national extensions to 8/10 digits.
HS_STRUCTURE: Final = "http://tao.wto.org/site/glossary/en/HARMONIZED_SYSTEM_HS.htm"
#: hs_ch77: HS chapter 77 is reserved for future use.
HS_CHAPTER_77: Final = "https://tradeclassifier.com/hs-code/chapter/77"
#: ics2_easypost: ICS2 needs a 6-digit HS code on all consignments to the EU, NO and CH.
ICS2: Final = (
    "https://www.easypost.com/blog/2023-02-27-2023-whats-changing-with-hs-codes-for-eu-shipments"
)
#: us_cbp_postal_scd: the US postal informal entry needs a description and all 10-digit
#: HTS codes; most provisions effective 2026-07-24 (CBP interim final rules, 2026-06-24).
US_POSTAL_ENTRY: Final = "https://www.supplychaindive.com/news/cbp-readies-more-stringent-data-requirements-for-postal-imports/823923/"
#: us_eo14324_hdoc: EO 14324 suspends duty-free de minimis for all countries (2025-08-29).
US_DE_MINIMIS: Final = "https://www.govinfo.gov/content/pkg/CDOC-119hdoc85/html/CDOC-119hdoc85.htm"
#: cn_dhl_hs: China requires an HS code on all non-document shipments.
CN_HS: Final = "https://mydhl.express.dhl/tw/en/help-and-support/customs-clearance-advice/customs-regulatory-updates/asia-pacific.html"
#: us_cbp_vague_aomeara: CBP CSMS of 2024-04-01 on vague descriptions.
VAGUE_CBP: Final = "https://aomeara.com/dont-give-customs-an-excuse-to-ask-a-question"
#: WCO News, 2025-10-27: vague descriptions such as "gift", "parts" or "clothes" in
#: CN 22/CN 23 data lead to inspections and delays; mandatory data elements.
WCO_DATA_QUALITY: Final = "https://mag.wcoomd.org/?p=19050"

#: The day the US postal informal entry (all 10-digit HTS codes) mostly took effect.
US_TEN_DIGITS_FROM: Final = date(2026, 7, 24)
#: The day ICS2 release 2 began to require 6-digit HS codes on EU, NO and CH consignments.
ICS2_FROM: Final = date(2023, 3, 1)
#: The day the US suspended duty-free de minimis for goods of all countries (EO 14324).
US_ENTRY_FROM: Final = date(2025, 8, 29)

_HS_LENGTHS: Final = frozenset({6, 8, 9, 10})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say nothing about what is in the parcel (CBP CSMS 2024-04-01; EU ICS2 guidance;
# eBay GSP; WCO): a description made only of these (and filler words) is vague.
_VAGUE: Final = _words(
    "gift gifts present presents goods good part parts spare spares accessory accessories "
    "sample samples other others merchandise item items stuff thing things product products "
    "clothing clothes apparel electronics electronic misc miscellaneous general commodity "
    "commodities article articles effects "
    # The same words as sellers in the EU markets write them (German, French, Spanish,
    # Italian): "Geschenk", "cadeau", "Muster", "Ersatzteile" say no more than "gift".
    "geschenk geschenke muster warenmuster ware waren teile ersatzteile zubehör artikel "
    "cadeau cadeaux échantillon échantillons marchandise marchandises pièces accessoires "
    "regalo regalos muestra muestras mercancía mercancías piezas accesorios "
    "campione campioni merce ricambi accessori"
)
_FILLER: Final = _words(
    "a an the some various assorted mixed new used personal my our your you me him her them of "
    "and or for with from to n "
    "etc pcs pc piece pieces x set sets lot box boxes pack "
    # What makes a gift no more precise: "free sample", "birthday gift", "Christmas present".
    "free birthday christmas xmas holiday anniversary wedding"
)
_WORD: Final = re.compile(r"[^\W\d_]+", re.UNICODE)


def is_vague_description(text: str, *, brand: str | None = None, mpn: str | None = None) -> bool:
    """Return whether ``text`` says too little for customs (only vague or filler words).

    A bare brand name or model number (``mpn``) is vague too (research/compliance.md: not
    "a bare brand/model name"). Case does not matter; numbers are ignored.

    >>> is_vague_description("Gifts")
    True
    >>> is_vague_description("various items")
    True
    >>> is_vague_description("Stoneware coffee mug, glazed, 350 ml")
    False
    """
    if mpn and _bare_model(text, mpn):
        return True
    return _vague(text.casefold().strip(), brand.casefold().strip() if brand else "")


def _bare_model(text: str, mpn: object) -> bool:
    """Whether ``text`` is only the model number ``mpn`` (case and spaces aside)."""
    if type(mpn) is str and type(text) is str:
        return _bare_model_of(text, mpn)
    return isinstance(mpn, str) and _bare_model_of(str(text), str(mpn))


@lru_cache(maxsize=4096)
def _bare_model_of(text: str, mpn: str) -> bool:
    # Cached per pair: a product's customs description and MPN repeat on every check.
    model = " ".join(mpn.split()).casefold()
    return bool(model) and " ".join(text.split()).casefold() == model


def _is_vague(text: str, brand: object) -> bool:
    """:func:`is_vague_description` of a stripped text and the listing's brand, cached.

    ``brand`` as the listing holds it: blank text or anything but text counts as none.
    """
    if type(brand) is str:
        brand = brand.strip() or None
    elif brand is not None:
        brand = _str(brand)
    if type(text) is str and (brand is None or type(brand) is str):
        return _vague_as_given(text, brand)
    return is_vague_description(text, brand=brand)


@lru_cache(maxsize=4096)
def _vague_as_given(text: str, brand: str | None) -> bool:
    # Keyed by the texts as the listing holds them: one lookup per check instead of
    # case-folding both texts first (a product's description and brand repeat across checks).
    return is_vague_description(text, brand=brand)


@lru_cache(maxsize=4096)
def _vague(text: str, brand: str) -> bool:
    if brand and text == brand:
        return True
    words = _WORD.findall(text[:2000])
    if not words:
        return True  # digits and punctuation only
    meaningful = [w for w in words if w not in _FILLER]
    return all(w in _VAGUE for w in meaningful)


def _str(value: object) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


class CustomsRule:
    """Customs declaration data: HS code, origin, description and weight."""

    name = "customs"

    def check(self, context: Context) -> list[Finding]:
        """Return findings for customs data that is missing, malformed or vague."""
        market, on, values = context.market, context.on, context.values
        if context.seller is not None and _domestic(context):
            return []
        findings: list[Finding] = []
        raw_hs = values["hs_code"]
        # _str() written out for the fields every check reads.
        hs = (raw_hs.strip() or None) if isinstance(raw_hs, str) else None
        if hs is None and not isinstance(raw_hs, str | None):
            findings.append(_hs_invalid("it is not text"))
        elif hs is None:
            findings.append(
                _hs_missing(market.country, market.eu_member, on >= ICS2_FROM, on >= US_ENTRY_FROM)
            )
        else:
            problem = _hs_problem(hs)
            if problem is not None:
                findings.append(_hs_invalid(problem))
            elif market.country == "US" and on >= US_TEN_DIGITS_FROM and len(_digits(hs)) < 10:
                findings.append(_hs_too_short(len(_digits(hs))))

        origin = values["origin_country"]
        if not (isinstance(origin, str) and is_country(origin)):
            findings.append(_ORIGIN_MISSING if _str(origin) is None else _ORIGIN_INVALID)

        description = values["customs_description"]
        text = (description.strip() or None) if isinstance(description, str) else None
        if text is None:
            findings.append(_DESCRIPTION_MISSING)
        elif _is_vague(text, values["brand"]) or (
            type(mpn := values["mpn"]) is str and _bare_model_of(text, mpn)
        ):
            findings.append(_description_vague(text[:60]))

        weight = values["weight"]
        if weight is None:
            findings.append(_WEIGHT_MISSING)
        elif not _has_weight(weight):
            findings.append(_WEIGHT_INVALID)
        return findings


def _domestic(context: Context) -> bool:
    seller = context.seller
    country = getattr(seller, "country", None) if seller is not None else None
    if not isinstance(country, str) or not is_country(country):
        return False
    market = context.market
    if country == market.country:
        return True
    return market.eu_member and _is_eu_member(country, context.on)


@lru_cache(maxsize=1024)
def _is_eu_member(country: str, on: date) -> bool:
    try:
        return Market.for_country(country, on=on).eu_member
    except XborderError:  # a country CLDR knows but xborder has no market for
        return False


def _digits(code: str) -> str:
    return code.replace(".", "").replace(" ", "")


@lru_cache(maxsize=4096)
def _hs_problem(code: str) -> str | None:
    digits = _digits(code)
    if not (digits.isascii() and digits.isdigit()):
        return "it must have digits only"
    if len(digits) not in _HS_LENGTHS:
        return (
            f"it has {len(digits)} digits; use the 6-digit HS subheading, or the 8-10 digit "
            f"national code"
        )
    chapter = int(digits[:2])
    if chapter == 0 or chapter > 99:
        return f"chapter {digits[:2]} does not exist (chapters are 01 to 97)"
    if chapter == 77:
        return "chapter 77 is reserved in the Harmonized System and holds no goods"
    if chapter >= 98:
        return (
            f"chapter {chapter} is for national special provisions (such as US HTS 98/99), "
            f"not for classifying goods; use the product's own chapter (01 to 97)"
        )
    return None


def _hs_invalid(problem: str) -> Finding:
    return _hs_invalid_cached(problem)


@lru_cache(maxsize=64)
def _hs_invalid_cached(problem: str) -> Finding:
    source = HS_CHAPTER_77 if "77" in problem else HS_STRUCTURE
    return Finding(
        "customs.hs_code_invalid",
        "error",
        f"The HS code is not valid: {problem}. Customs will not accept the declaration.",
        field="hs_code",
        source=source,
    )


@lru_cache(maxsize=256)
def _hs_missing(country: str, eu_member: bool, ics2: bool, us_entry: bool) -> Finding:
    severity: Severity = "warning"
    source, since = HS_STRUCTURE, None
    why = "Customs declarations ask for it, and parcels without one are often held."
    if (eu_member or country in ("NO", "CH")) and ics2:
        severity, source, since = "error", ICS2, ICS2_FROM
        why = (
            "Parcels to the EU, Norway and Switzerland need at least 6 digits in the "
            "advance customs data (ICS2); carriers refuse them without it."
        )
    elif country == "US" and us_entry:
        severity, source, since = "error", US_DE_MINIMIS, US_ENTRY_FROM
        why = (
            "Since the US ended duty-free de minimis for all countries (2025-08-29), every "
            "parcel is entered with its HTS code."
        )
    elif country == "CN":
        severity, source = "error", CN_HS
        why = "China requires an HS code on every shipment that is not documents."
    return Finding(
        "customs.hs_code_missing",
        severity,
        f"The listing has no HS code (the customs tariff number of the product). {why}",
        field="hs_code",
        source=source,
        effective_from=since,
    )


@lru_cache(maxsize=8)
def _hs_too_short(digits: int) -> Finding:
    return Finding(
        "customs.hs_code_too_short",
        "warning",
        f"The HS code has {digits} digits; US postal shipments need the full 10-digit HTS code "
        f"since {US_TEN_DIGITS_FROM.isoformat()} (CBP's new postal informal entry). Look up "
        f"the 10-digit code in the US Harmonized Tariff Schedule.",
        field="hs_code",
        source=US_POSTAL_ENTRY,
        effective_from=US_TEN_DIGITS_FROM,
    )


_ORIGIN_MISSING: Final = Finding(
    "customs.origin_missing",
    "error",
    "The listing does not say in which country the product was made (origin_country). "
    "Customs declarations need it, and duties depend on it.",
    field="origin_country",
    source=WCO_DATA_QUALITY,
)
_ORIGIN_INVALID: Final = Finding(
    "customs.origin_missing",
    "error",
    "The country of origin is not a valid two-letter country code (such as 'US' or 'CN'). "
    "Customs declarations need the country where the product was made.",
    field="origin_country",
    source=WCO_DATA_QUALITY,
)
_DESCRIPTION_MISSING: Final = Finding(
    "customs.description_missing",
    "warning",
    "The listing has no customs description, so the title would be used, and titles are "
    "written to sell, not to declare. Say what the item is, what it is made of and what it "
    "is for, e.g. 'stoneware coffee mug, glazed'.",
    field="customs_description",
    source=VAGUE_CBP,
)


@lru_cache(maxsize=1024)
def _description_vague(text: str) -> Finding:
    return Finding(
        "customs.description_vague",
        "error",
        f"The customs description {text!r} is too vague: customs and carriers reject or hold "
        f"parcels declared as 'gift', 'parts', 'accessories', 'samples' and the like. Say "
        f"what the item is, what it is made of and what it is for, e.g. 'women's dress, 60% "
        f"cotton 40% polyester'.",
        field="customs_description",
        source=VAGUE_CBP,
    )


def _has_weight(weight: object) -> bool:
    value = getattr(weight, "value", None)
    unit = getattr(weight, "unit", None)
    # A validated Weight holds a Decimal: skip the isinstance tests against a union.
    if type(value) is not Decimal and (
        isinstance(value, bool) or not isinstance(value, Decimal | int)
    ):
        return False
    try:
        return bool(value > 0) and unit in ("g", "kg", "oz", "lb")
    except ArithmeticError:  # NaN
        return False


_WEIGHT_MISSING: Final = Finding(
    "customs.weight_missing",
    "warning",
    "The listing has no shipping weight. Customs declarations and postage need it: give the "
    "weight of one unit, packaging included.",
    field="weight",
    source=WCO_DATA_QUALITY,
)

_WEIGHT_INVALID: Final = Finding(
    "customs.weight_missing",
    "warning",
    "The shipping weight is not a positive number in g, kg, oz or lb. Customs declarations "
    "and postage need it: give the weight of one unit, packaging included.",
    field="weight",
    source=WCO_DATA_QUALITY,
)

#: The rule object registered as ``xborder.rules`` entry point ``customs``.
RULE: Final = CustomsRule()
