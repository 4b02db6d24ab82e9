"""What the eBay adapter checks before any call: credentials, per-site settings, refusals.

Missing settings raise :class:`~xborder.errors.ConfigurationError` naming what to create in
eBay; an item eBay would refuse anyway (no site, another currency, a SKU too long) gets a
failed :class:`ItemResult` without a call.
"""

from __future__ import annotations

from typing import Final

from xborder.errors import ConfigurationError
from xborder.marketplaces._model import Issue, ItemResult, OfferKey
from xborder.marketplaces.ebay._settings import EbaySettings
from xborder.marketplaces.ebay._sites import SITES, EbaySite

__all__ = [
    "PRODUCT_FIELD_MAX",
    "SKU_MAX",
    "long_product_field",
    "long_sku",
    "need_user_token",
    "raise_problems",
    "refused",
    "site_problems",
    "unsupported",
    "wrong_currency",
]

#: SKU: "Max Length: 50" (InventoryItemWithSkuLocale.sku).
SKU_MAX: Final = 50
#: Product.brand and Product.mpn: "Max Length: 65" each (Sell Inventory API v1 Product).
PRODUCT_FIELD_MAX: Final = 65


def refused(key: OfferKey, code: str, message: str, field: str | None = None) -> ItemResult:
    """Return a failed result made by the adapter (no call was sent)."""
    return ItemResult(key, "failed", issues=(Issue(code, message, field),))


def need_user_token(settings: EbaySettings, problems: list[str]) -> None:
    """Add a problem when there is no refresh token (every Inventory call needs one)."""
    if settings.refresh_token is None:
        problems.append(
            f"{EbaySettings.env_var('refresh_token')} is not set: run `xborder auth ebay` "
            f"once to let the seller consent and get a refresh token"
        )


def raise_problems(problems: list[str]) -> None:
    """Raise :class:`ConfigurationError` listing ``problems``, if any."""
    if problems:
        raise ConfigurationError(
            "ebay: cannot write yet, create these in eBay and name them in the settings "
            f"({EbaySettings.env_var('sites')}):\n  - " + "\n  - ".join(problems)
        )


def site_problems(settings: EbaySettings, site: EbaySite) -> list[str]:
    """Return what ``site`` lacks before an offer can be published there."""
    s = settings.site_settings(site)
    where = f"sites[{site.site_id!r}]"
    if s is None:
        return [
            f"{site.site_id}: no settings ({where}): create a fulfillment, a payment and a "
            f"return business policy for {site.site_id} (Seller Hub > Account > Business "
            f"policies, or the Account API) and an inventory location (Inventory API "
            f"createInventoryLocation), then set fulfillment_policy_id, payment_policy_id, "
            f"return_policy_id and merchant_location_key"
        ]
    problems = []
    for name, what in (
        ("fulfillment_policy_id", "a fulfillment (shipping) business policy"),
        ("payment_policy_id", "a payment business policy"),
        ("return_policy_id", "a return business policy"),
    ):
        if getattr(s, name) is None:
            problems.append(
                f"{site.site_id}: {where}.{name} is not set: create {what} for "
                f"{site.site_id} (Seller Hub > Account > Business policies, or the Account "
                f"API) and put its id here"
            )
    if s.merchant_location_key is None:
        problems.append(
            f"{site.site_id}: {where}.merchant_location_key is not set: create an inventory "
            f"location (Inventory API createInventoryLocation, POST /location/{{key}}) and "
            f"put its key here"
        )
    return problems


def unsupported(key: OfferKey) -> ItemResult:
    """Refuse a key whose market no eBay site serves."""
    known = ", ".join(sorted(site.market for site in SITES.values()))
    return refused(
        key,
        "ebay.unsupported_market",
        f"xborder lists on no eBay site for market {key.market!r} (sites: {known})",
        "market",
    )


def wrong_currency(key: OfferKey, site: EbaySite, currency: str) -> ItemResult:
    """Refuse a price in another currency than the site's."""
    return refused(
        key,
        "ebay.currency_mismatch",
        f"{site.site_id} sells in {site.currency}, the price is in {currency}; eBay refuses "
        f"it (error 95). Prepare the offer for market {site.market} so it is priced in "
        f"{site.currency}.",
        "price",
    )


def long_product_field(key: OfferKey, field: str, value: str) -> ItemResult:
    """Refuse a brand or MPN over eBay's 65 characters (sent together as Product fields).

    Refused rather than cut: a shortened brand or part number identifies another product.
    One such item in a bulk call would make eBay refuse the whole call.
    """
    return refused(
        key,
        f"ebay.{field}_too_long",
        f"the {field} has {len(value)} characters ({value[:40]!r}…); eBay's Product.{field} "
        f"takes at most {PRODUCT_FIELD_MAX}. Shorten it in the listing.",
        field,
    )


def long_sku(key: OfferKey, sku: str) -> ItemResult:
    """Refuse an eBay SKU over 50 characters."""
    return refused(
        key,
        "ebay.sku_too_long",
        f"the eBay SKU {sku!r} has {len(sku)} characters; eBay takes at most {SKU_MAX}. "
        f"Shorten the SKU or the sku_format setting.",
        "sku",
    )
