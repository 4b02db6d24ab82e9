"""Product identifiers: GTIN check digits, brand and MPN, and what each channel demands.

GTINs (GTIN-8, UPC-A/GTIN-12, EAN/GTIN-13, GTIN-14) are checked with python-stdnum
(:mod:`stdnum.ean`, GS1 mod-10 check digit). The channels:

* Amazon needs a GTIN in most categories, or a GTIN exemption Amazon granted for the brand
  and category (Seller Central, "GTIN exemption").
* eBay asks new and manufacturer-refurbished branded items for Brand, MPN and GTIN in many
  categories, with "Does not apply" where an identifier does not exist and "Unbranded" for
  unbranded items; placeholder brands such as "brand new" are rejected; pre-owned, vintage
  and one-of-a-kind items are exempt (eBay product identifier pages, Trading API guide,
  Merchant Data API ``BrandMPNType``).
* Meta's catalog checklist asks for either a GTIN, or an MPN plus a brand.

Without a channel only the GTIN check digit is checked, and a missing GTIN (with no
exemption declared) is a warning.

>>> from datetime import date
>>> from xborder.compliance import check
>>> from xborder.listing import Listing
>>> from xborder.money import Money
>>> mug = Listing(sku="MUG-1", title="Stoneware mug", price=Money("20", "USD"), quantity=1)
>>> report = check(mug, "DE", channel="amazon", on=date(2026, 10, 30), rules=[RULE])
>>> report.codes()
('identifiers.gtin_required', 'identifiers.brand_missing', 'engine.strictest_regime')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from xborder.compliance._context import Context
from xborder.findings import Finding
from xborder.listing import is_valid_gtin

__all__ = ["RULE", "IdentifiersRule", "is_valid_gtin"]

# Sources. A URL whose comment starts with a key is also in xborder/data/facts/sources.json
# under that key (tests/compliance/test_data_integrity.py); eBay's BrandMPNType and Meta's
# catalog page are not.
#: ebay_upi_validation: eBay validates GTIN check digits and rejects placeholder brands.
EBAY_VALIDATION: Final = "https://dbd-ebay.codebase.ebay.com/support/kb-article?KBid=5082"
#: ebay_upi_tradingguide: EAN = GTIN-13, UPC = GTIN-12; "Unbranded"; rejected brand values.
EBAY_PRODUCT_IDS: Final = "https://searchgadget.codebase.ebay.com/api-docs/user-guides/static/trading-user-guide/item-specifics-product-ids.html"
#: ebay_upi_seller: identifiers required in many categories for new/refurbished branded
#: items; not for pre-owned, vintage or one-of-a-kind items.
EBAY_REQUIRED: Final = (
    "https://pages.ebay.com/seller-center/listing-and-marketing/product-identifiers.html"
)
#: eBay Merchant Data API BrandMPNType: where an MPN does not exist, send eBay's
#: "identifier unavailable" text ("Does not apply").
EBAY_MPN: Final = "http://developer.ebay.com/devzone/merchant-data/CallRef/types/BrandMPNType.html"
#: amz_gtin_exemption: GTIN required in most categories; exemption scenarios.
AMAZON_GTIN: Final = "https://sellercentral.amazon.com.br/gp/help/external/G200426310?language=en_US&ref=efph_G200426310_cont_G2N3GKE5SGSHWYRZ"
#: Meta commerce catalog best practices: "either gtin, or mpn plus brand fields are present".
META_IDS: Final = "https://developers.facebook.com/docs/commerce-platform/catalog/best-practices/"

#: Brand values eBay rejects (Trading API guide and eBay's brand validation).
EBAY_PLACEHOLDER_BRANDS: Final = frozenset(
    {
        "new",
        "brand new",
        "100% brand new",
        "new brand",
        "100% new",
        "brand",
        "value brand",
        "other",
        "others",
        "approved vendor",
        "made in china",
        "see description",
        "see the description below",
        "100% compatible with listed model",
        "n/a",
        "na",
        "none",
        "no brand",
    }
)

_NEW_CONDITIONS: Final = frozenset({"new", "refurbished"})

#: MPN values that say there is none: eBay's "identifier unavailable" text, which this rule
#: asks for where no MPN exists, and its usual spellings. Not an identifier (GPSR art.
#: 19(c), Meta's "mpn plus brand").
_NO_MPN: Final = frozenset({"does not apply", "n/a", "na", "none", "not applicable", "unknown"})


def _no_mpn(mpn: object) -> bool:
    """Whether ``mpn`` is text saying there is no MPN ("Does not apply"), not an identifier."""
    return isinstance(mpn, str) and (
        " ".join(mpn.split()).casefold() in _NO_MPN or not any(c.isalnum() for c in mpn)
    )


#: GTIN validity per code: the GS1 check through python-stdnum costs several microseconds,
#: and the same GTIN comes back for every market, channel and re-check of a product.
_valid_gtin: Final = lru_cache(maxsize=8192)(is_valid_gtin)


def _gtin_valid(gtin: object) -> bool:
    # Only plain str codes of GTIN length are cached: a str subclass could hash or compare
    # in its own way, and a longer text is refused at once without stdnum anyway.
    if type(gtin) is str and len(gtin) <= 14:
        return _valid_gtin(gtin)
    return is_valid_gtin(gtin)


def _placeholder_brand(brand: str) -> bool:
    """Whether eBay rejects ``brand``: a placeholder, or no letter or digit at all."""
    if type(brand) is str and len(brand) <= 100:  # a listing's brand is at most 100 long
        return _placeholder(brand)
    return brand.casefold() in EBAY_PLACEHOLDER_BRANDS or not any(c.isalnum() for c in brand)


@lru_cache(maxsize=4096)
def _placeholder(brand: str) -> bool:
    # Cached per brand: a seller's brand repeats on every listing and every check.
    return brand.casefold() in EBAY_PLACEHOLDER_BRANDS or not any(c.isalnum() for c in brand)


class IdentifiersRule:
    """GTIN validity everywhere; brand, MPN and GTIN as each channel demands."""

    name = "identifiers"

    def check(self, context: Context) -> list[Finding]:
        """Return findings for invalid or missing product identifiers."""
        values = context.values
        findings: list[Finding] = []
        gtin = values["gtin"]
        exempt = values.get("gtin_exempt", False) is True
        # An invalid GTIN counts as given: it is reported once, as invalid.
        has_gtin = gtin is not None and not (isinstance(gtin, str) and not gtin.strip())
        # _gtin_valid, its usual case written out (every check reads the GTIN).
        valid = has_gtin and (
            _valid_gtin(gtin) if type(gtin) is str and len(gtin) <= 14 else _gtin_valid(gtin)
        )
        if has_gtin and not valid:
            findings.append(_GTIN_INVALID)
        # Text, stripped; blank or not text counts as not given.
        brand = values["brand"]
        brand = (brand.strip() or None) if isinstance(brand, str) else None
        mpn = values["mpn"]
        mpn = (mpn.strip() or None) if isinstance(mpn, str) else None
        channel = context.channel.name if context.channel is not None else None

        if channel == "amazon":
            if not has_gtin and not exempt:
                findings.append(_GTIN_REQUIRED)
            elif exempt:
                findings.append(_GTIN_EXEMPTION)
            if brand is None:
                findings.append(_BRAND_MISSING_AMAZON)
        elif channel == "ebay":
            condition = values.get("condition", "new")
            needs_ids = not isinstance(condition, str) or condition in _NEW_CONDITIONS
            if brand is None:
                findings.append(_BRAND_MISSING_EBAY)
            elif (
                _placeholder(brand)  # _placeholder_brand's usual case, written out
                if type(brand) is str and len(brand) <= 100
                else _placeholder_brand(brand)
            ):
                findings.append(_brand_invalid(brand[:40]))
            if needs_ids and not exempt:
                if not has_gtin:
                    findings.append(_GTIN_MISSING_EBAY)
                if mpn is None:
                    findings.append(_MPN_MISSING)
        elif channel in ("facebook", "meta"):
            # "Does not apply" or a placeholder brand ("No brand") names nothing to match on.
            if not valid and not (
                mpn and brand and not _no_mpn(mpn) and not _placeholder_brand(brand)
            ):
                findings.append(_GTIN_OR_MPN_MISSING)
        elif not has_gtin and not exempt:
            findings.append(_GTIN_MISSING)
        return findings


_GTIN_INVALID: Final = Finding(
    "identifiers.gtin_invalid",
    "error",
    "The GTIN (EAN/UPC barcode number) is not valid: it must have 8, 12, 13 or 14 digits "
    "and a correct check digit, and not be all zeros (a placeholder). Copy it again from "
    "the barcode; marketplaces reject invalid numbers.",
    field="gtin",
    source=EBAY_VALIDATION,
)
_GTIN_MISSING: Final = Finding(
    "identifiers.gtin_missing",
    "warning",
    "The listing has no GTIN (EAN/UPC barcode number) and does not say it is exempt. Most "
    "marketplaces ask for one; set gtin_exempt if the product has no barcode (handmade, "
    "private label).",
    field="gtin",
    source=EBAY_REQUIRED,
)
_GTIN_MISSING_EBAY: Final = Finding(
    "identifiers.gtin_missing",
    "warning",
    "eBay asks new items for a GTIN (EAN/UPC) in many categories. Add it, or set gtin_exempt "
    "if the product has none, so that 'Does not apply' is sent.",
    field="gtin",
    source=EBAY_REQUIRED,
)
_GTIN_REQUIRED: Final = Finding(
    "identifiers.gtin_required",
    "error",
    "Amazon needs a GTIN (EAN/UPC barcode number) in most categories. Add it, or apply for "
    "a GTIN exemption for your brand and category and set gtin_exempt.",
    field="gtin",
    source=AMAZON_GTIN,
)
_GTIN_EXEMPTION: Final = Finding(
    "identifiers.gtin_exemption",
    "info",
    "The listing is marked GTIN-exempt. Amazon accepts it only if Amazon approved the "
    "exemption for this brand and category; xborder cannot check that approval.",
    field="gtin_exempt",
    source=AMAZON_GTIN,
)
_BRAND_MISSING_AMAZON: Final = Finding(
    "identifiers.brand_missing",
    "warning",
    "The listing has no brand. Amazon asks for the brand name as shown on the product or "
    "its packaging; GTIN exemptions are also granted per brand.",
    field="brand",
    source=AMAZON_GTIN,
)
_BRAND_MISSING_EBAY: Final = Finding(
    "identifiers.brand_missing",
    "warning",
    "The listing has no brand. eBay asks for one in many categories; use 'Unbranded' for a "
    "product without a brand.",
    field="brand",
    source=EBAY_PRODUCT_IDS,
)
_MPN_MISSING: Final = Finding(
    "identifiers.mpn_missing",
    "warning",
    "The listing has no MPN (manufacturer part number). eBay asks new branded items for "
    "brand and MPN; if the product has none, set mpn to 'Does not apply'.",
    field="mpn",
    source=EBAY_MPN,
)
_GTIN_OR_MPN_MISSING: Final = Finding(
    "identifiers.gtin_or_mpn_missing",
    "warning",
    "Meta's catalog asks for either a GTIN, or an MPN together with a brand; this listing "
    "has neither.",
    field="gtin",
    source=META_IDS,
)


@lru_cache(maxsize=256)
def _brand_invalid(brand: str) -> Finding:
    return Finding(
        "identifiers.brand_invalid",
        "error",
        f"eBay rejects {brand!r} as a brand: it must be the real brand name. Use 'Unbranded' "
        f"for a product without a brand.",
        field="brand",
        source=EBAY_PRODUCT_IDS,
    )


#: The rule object registered as ``xborder.rules`` entry point ``identifiers``.
RULE: Final = IdentifiersRule()
