"""Offer → Graph API catalog requests: the base item, COUNTRY and LANGUAGE overrides.

``items_batch`` and ``localized_items_batch`` take *feed-style* field names in each
request's ``data`` (``id`` = the retailer id, ``title``, ``description``, ``link``,
``image_link``, ``additional_image_link``, ``price`` as ``"24.99 EUR"``, ``availability``
``"in stock"``, ``condition``, ``brand``, ``gtin``, ``mpn``); the legacy ``/products``
names (``name``, ``url``, ``image_url``, integer ``price`` + ``currency``, ``retailer_id``)
are never mixed in (research/marketplace-apis.md §3.3, following Meta's WooCommerce plugin
``includes/fbutils.php`` and ``includes/fbproduct.php``). Price and availability may only
be given in a COUNTRY override, never a LANGUAGE one (Meta's localized-catalog
"supported fields" page, research §3.6). ``tests/specs/meta/catalog_rules.json`` holds the
rules derived from Meta's specs; the tests check every body built here against them. Pure
functions: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal

from xborder.listing import Condition
from xborder.marketplaces._model import Issue
from xborder.money import Money
from xborder.offer import Offer

__all__ = [
    "CONDITIONS",
    "COUNTRY_FIELDS",
    "IN_STOCK",
    "ITEM_TYPE",
    "LANGUAGE_FIELDS",
    "MAX_ADDITIONAL_IMAGES",
    "OUT_OF_STOCK",
    "LocalizationType",
    "Method",
    "availability",
    "base_item",
    "country_override",
    "encode",
    "envelope_size",
    "language_value",
    "price_quantity_data",
    "price_text",
    "request",
    "text_override",
]

#: items_batch ``item_type`` for catalog products (ProductCatalog.json ``items_batch``).
ITEM_TYPE: Final = "PRODUCT_ITEM"
#: ``availability`` values xborder writes (``ProductItem_availability`` in enum_types.json).
IN_STOCK: Final = "in stock"
OUT_OF_STOCK: Final = "out of stock"
#: ``additional_image_link``: up to 20 more images besides ``image_link``
#: (https://developers.facebook.com/docs/commerce-platform/catalog/fields).
MAX_ADDITIONAL_IMAGES: Final = 20

#: xborder condition → ``ProductItem_condition`` (enum_types.json: cpo, new, open_box_new,
#: refurbished, used, used_fair, used_good, used_like_new).
CONDITIONS: Final[Mapping[Condition, str]] = {
    "new": "new",
    "used_like_new": "used_like_new",
    "used_good": "used_good",
    "used_acceptable": "used_fair",
    "refurbished": "refurbished",
}

#: The fields xborder puts in each override type: a COUNTRY override carries the
#: country-only fields price and availability; a LANGUAGE (or LANGUAGE_AND_COUNTRY) override
#: the texts, title and description.
COUNTRY_FIELDS: Final = ("id", "price", "availability")
LANGUAGE_FIELDS: Final = ("id", "title", "description")

Method = Literal["CREATE", "UPDATE", "DELETE"]
LocalizationType = Literal["COUNTRY", "LANGUAGE", "LANGUAGE_AND_COUNTRY"]
QuantityField = Literal["quantity_to_sell_on_facebook", "inventory", "none"]


def price_text(money: Money) -> str:
    """Return a price as items_batch takes it: the amount with the currency's digits, the code.

    >>> price_text(Money("24.9", "EUR")), price_text(Money("2528", "JPY"))
    ('24.90 EUR', '2528 JPY')
    """
    quantized = money.quantize()
    return f"{quantized.amount:f} {quantized.currency}"


def availability(quantity: int) -> str:
    """Return ``"in stock"`` for a positive quantity, else ``"out of stock"``."""
    return IN_STOCK if quantity > 0 else OUT_OF_STOCK


def language_value(language: str) -> str:
    """Return a LANGUAGE override's value for a language: ``"fr"`` → ``"fr_XX"``.

    ``XX`` stands for every country (Meta's localized-catalog guide: ``fr_XX``, ``en_XX``).
    """
    return f"{language.replace('-', '_').split('_')[0].lower()}_XX"


def request(
    method: Method,
    data: Mapping[str, Any],
    localization: tuple[LocalizationType, str] | None = None,
) -> dict[str, Any]:
    """Return one element of ``requests``: ``{method, [localization], data}``."""
    out: dict[str, Any] = {"method": method}
    if localization is not None:
        out["localization"] = {"type": localization[0], "value": localization[1]}
    out["data"] = dict(data)
    return out


def encode(value: Any) -> bytes:
    """Return ``value`` as compact UTF-8 JSON (what goes on the wire)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def envelope_size(*, allow_upsert: bool | None) -> int:
    """Return the bytes of a batch body around its requests (``{"item_type": ...}``)."""
    head: dict[str, Any] = {}
    if allow_upsert is not None:
        head["allow_upsert"] = allow_upsert
    head["item_type"] = ITEM_TYPE
    head["requests"] = []
    return len(encode(head))


def _description(offer: Offer) -> str:
    # Meta requires a description; a listing without one shows its title there, as Meta's
    # WooCommerce plugin does for products without a description.
    text = offer.content.description.text.strip()
    return text or offer.content.title.text


def base_item(
    offer: Offer, *, quantity_field: QuantityField = "quantity_to_sell_on_facebook"
) -> tuple[dict[str, Any], tuple[Issue, ...]]:
    """Return the ``data`` of the base item for ``offer``, and the problems found.

    An issue of severity ``error`` means Meta would refuse the item (a field it requires is
    missing): the adapter does not send it. Field order follows the body Meta's own
    WooCommerce plugin sends (research/marketplace-apis.md §3.7).
    """
    listing = offer.listing
    issues: list[Issue] = []
    if listing.url is None:
        issues.append(
            Issue(
                "facebook.missing_link",
                "Meta requires a link to the product's page on the seller's site; set the "
                "listing's url",
                "url",
            )
        )
    if not listing.images:
        issues.append(
            Issue(
                "facebook.missing_image",
                "Meta requires an image (image_link); give the listing at least one image",
                "images",
            )
        )
    if not listing.brand:
        issues.append(
            Issue(
                "facebook.missing_brand", "Meta requires a brand; set the listing's brand", "brand"
            )
        )
    if offer.price.amount <= 0:
        issues.append(
            Issue(
                "facebook.invalid_price", f"the price must be above 0, got {offer.price}", "price"
            )
        )
    extra = list(listing.images[1:])
    if len(extra) > MAX_ADDITIONAL_IMAGES:
        issues.append(
            Issue(
                "facebook.images_dropped",
                f"Meta takes {MAX_ADDITIONAL_IMAGES + 1} images; the last "
                f"{len(extra) - MAX_ADDITIONAL_IMAGES} were left out",
                "images",
                "warning",
            )
        )
        extra = extra[:MAX_ADDITIONAL_IMAGES]
    data: dict[str, Any] = {
        "id": listing.sku,
        "title": offer.content.title.text,
        "description": _description(offer),
        "image_link": listing.images[0] if listing.images else "",
        "additional_image_link": extra,
        "link": listing.url or "",
    }
    if listing.brand:
        data["brand"] = listing.brand
    if listing.gtin:
        data["gtin"] = listing.gtin
    if listing.mpn:
        data["mpn"] = listing.mpn
    data["price"] = price_text(offer.price)
    data["availability"] = availability(offer.quantity)
    if quantity_field != "none":
        data[quantity_field] = offer.quantity
    data["visibility"] = "published"
    if listing.variant_group:
        data["item_group_id"] = listing.variant_group
    data["condition"] = CONDITIONS[listing.condition]
    return data, tuple(issues)


def country_override(offer: Offer) -> dict[str, Any]:
    """Return the ``data`` of ``offer``'s COUNTRY override: its price and availability."""
    return {
        "id": offer.listing.sku,
        "price": price_text(offer.price),
        "availability": availability(offer.quantity),
    }


def text_override(offer: Offer, base: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """Return the ``data`` of a LANGUAGE override with ``offer``'s title and description.

    With ``base`` (the base item's data), only the texts that differ from it are sent, and
    None is returned when neither does.
    """
    data: dict[str, Any] = {"id": offer.listing.sku}
    title, description = offer.content.title.text, _description(offer)
    if base is None or base.get("title") != title:
        data["title"] = title
    if base is None or base.get("description") != description:
        data["description"] = description
    return data if len(data) > 1 else None


def price_quantity_data(
    sku: str,
    *,
    price: Money | None,
    quantity: int | None,
    base: bool,
    quantity_field: QuantityField = "quantity_to_sell_on_facebook",
) -> dict[str, Any]:
    """Return the ``data`` of a price/quantity-only UPDATE.

    On the base item: price, availability and the quantity field. In a COUNTRY override
    (``base=False``): price and availability only: the stock is the item's, shared by
    every country, and an override carries country-only fields.
    """
    data: dict[str, Any] = {"id": sku}
    if price is not None:
        data["price"] = price_text(price)
    if quantity is not None:
        data["availability"] = availability(quantity)
        if base and quantity_field != "none":
            data[quantity_field] = quantity
    return data
