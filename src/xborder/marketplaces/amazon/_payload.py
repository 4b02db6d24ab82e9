"""Offers as Listings Items request bodies and JSON_LISTINGS_FEED messages.

A listing's attributes follow the product type definitions' shape (Product Type Definitions
API 2020-09-01): each attribute is a list of values, each value names its store
(``marketplace_id``) and, for text, its language (``language_tag``). Numbers are JSON
numbers (``value_with_tax``, ``quantity``, weights), written from :class:`~decimal.Decimal`
exactly, never through ``float``. The bodies are ``ListingsItemPutRequest``
(``putListingsItem``), ``ListingsItemPatchRequest`` (``patchListingsItem``) and the messages
of ``listings-feed-schema-v2.json``; the minimal single-item shapes are those of the
"Submit listings data" guide (https://developer-docs.amazon.com/sp-api/docs/
submit-listings-data) and the feed example (``listings-feed-schema-v2.example.json``).

Attributes sent (where the listing has the data): ``item_name``, ``brand``,
``product_description``, ``bullet_point``, ``condition_type``,
``externally_assigned_product_identifier`` or
``supplier_declared_has_product_identifier_exemption``, ``merchant_suggested_asin``,
``part_number``, ``manufacturer``, ``country_of_origin``, ``main_product_image_locator``
and ``other_product_image_locator_1`` … ``_8``, ``item_package_weight``,
``item_package_dimensions``, ``batteries_required``, ``supplier_declared_dg_hz_regulation``,
the GPSR attributes in EU stores and Amazon.co.uk (``gpsr_manufacturer_reference``,
``dsa_responsible_party_address``, ``gpsr_safety_attestation``, ``safety_warning``), and
the offer: ``purchasable_offer`` and ``fulfillment_availability``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from xborder.marketplaces._model import Issue, OfferKey
from xborder.marketplaces.amazon._marketplaces import UNVERIFIED_TAGS, AmazonMarketplace
from xborder.money import Money

if TYPE_CHECKING:
    from xborder.listing import Party
    from xborder.marketplaces.amazon._settings import AmazonSettings
    from xborder.offer import Offer

__all__ = [
    "CONDITIONS",
    "CONTENT_TYPE",
    "FEED_CONTENT_TYPE",
    "GPSR_MARKETS",
    "OFFER_ONLY_PRODUCT_TYPE",
    "REPORT_INCLUDED_DATA",
    "Payload",
    "build",
    "delete_message",
    "dumps",
    "feed_document",
    "feed_header",
    "patch_body",
    "patch_message",
    "price_patch",
    "purchasable_offer",
    "quantity_patch",
]

#: Request bodies of the Listings Items API.
CONTENT_TYPE: Final = "application/json"
#: What the feed document is declared as (createFeedDocument ``contentType``).
FEED_CONTENT_TYPE: Final = "application/json; charset=UTF-8"
#: The product type of offer-only patches (price, quantity): "use productType PRODUCT when
#: you only touch offer attributes" (maintainer, amzn/selling-partner-api-docs#2360).
OFFER_ONLY_PRODUCT_TYPE: Final = "PRODUCT"
#: The data sets the processing report embeds per listing (``header.report.includedData``),
#: so the report confirms what Amazon holds, not only that a message was accepted.
REPORT_INCLUDED_DATA: Final = ("summaries", "issues", "offers", "fulfillmentAvailability")

#: xborder condition → ``condition_type`` (ItemSummaryByMarketplace ``conditionType`` enum).
CONDITIONS: Final[Mapping[str, str]] = {
    "new": "new_new",
    "used_like_new": "used_like_new",
    "used_good": "used_good",
    "used_acceptable": "used_acceptable",
    "refurbished": "refurbished_refurbished",
}
#: Stores whose listings carry the EU GPSR attributes (Regulation (EU) 2023/988; Amazon.co.uk
#: asks for them for Northern Ireland).
GPSR_MARKETS: Final = frozenset({"DE", "FR", "IT", "ES", "NL", "BE", "IE", "SE", "PL", "GB"})
_WEIGHT_UNITS: Final = {"g": "grams", "kg": "kilograms", "oz": "ounces", "lb": "pounds"}
_LENGTH_UNITS: Final = {"mm": "millimeters", "cm": "centimeters", "in": "inches"}
_GTIN_TYPES: Final = {8: "ean", 12: "upc", 13: "ean", 14: "gtin"}
_MAX_BULLETS: Final = 5
_MAX_IMAGES: Final = 9


# -- JSON with exact numbers ---------------------------------------------------------------------

# Decimals go through the C encoder as marked strings ("\x00D:<digits>\x00", a NUL is never
# in listing text: xborder.listing refuses control characters) and are unmarked into bare
# numbers afterwards, so a 3,000-message feed is written at the C encoder's speed.
_MARKED: Final = re.compile(r'"\\u0000D:(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    text = format(value, "f")
    return "0" if text.lstrip("-").strip("0.") == "" else text


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return f"\x00D:{_number(value)}\x00"
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as JSON here")


_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False
)


def dumps(value: Any) -> bytes:
    """Return compact UTF-8 JSON; :class:`Decimal` values become numbers, written exactly.

    >>> dumps({"value_with_tax": Decimal("19.99"), "quantity": 10})
    b'{"value_with_tax":19.99,"quantity":10}'
    """
    return _MARKED.sub(r"\1", _ENCODER.encode(value)).encode("utf-8")


def loads(content: bytes | str) -> Any:
    """Read JSON with decimals as :class:`Decimal` (the inverse of :func:`dumps`)."""
    return json.loads(content, parse_float=Decimal)


# -- attribute values ------------------------------------------------------------------------------


def _text(value: str, mp: AmazonMarketplace, tag: str) -> dict[str, Any]:
    return {"value": value, "language_tag": tag, "marketplace_id": mp.marketplace_id}


def _plain(value: Any, mp: AmazonMarketplace) -> dict[str, Any]:
    return {"value": value, "marketplace_id": mp.marketplace_id}


def purchasable_offer(mp: AmazonMarketplace, price: Money) -> list[dict[str, Any]]:
    """Return ``purchasable_offer`` for ``price`` in store ``mp``.

    Selectors: store, currency, audience ``ALL``; the price is
    ``our_price[0].schedule[0].value_with_tax``, a number. Per "Manage purchasable offers" (https://developer-docs.amazon.com/sp-api/docs/
    manage-purchasable-offer): an offer is identified by ``marketplace_id``, ``currency`` and
    ``audience``.
    """
    return [
        {
            "marketplace_id": mp.marketplace_id,
            "currency": price.currency,
            "audience": "ALL",
            "our_price": [{"schedule": [{"value_with_tax": price.amount}]}],
        }
    ]


def fulfillment_availability(quantity: int, channel: str) -> list[dict[str, Any]]:
    """Return ``fulfillment_availability`` (no store selector, as in the feed example)."""
    return [{"fulfillment_channel_code": channel, "quantity": quantity}]


def _contact(party: Party | None) -> str | None:
    if party is None:
        return None
    return party.email or party.url


def _gtin(gtin: str, mp: AmazonMarketplace) -> dict[str, Any]:
    return {"type": _GTIN_TYPES[len(gtin)], "value": gtin, "marketplace_id": mp.marketplace_id}


@dataclass(frozen=True, slots=True)
class Payload:
    """One offer as the SP-API takes it: SKU, store, product type and attributes.

    ``notes`` are warnings found while building it (a language tag the store may not
    accept, dangerous goods to declare in Seller Central).
    """

    key: OfferKey
    sku: str
    marketplace: AmazonMarketplace
    product_type: str
    language_tag: str
    attributes: Mapping[str, list[dict[str, Any]]]
    price: Money
    quantity: int
    notes: tuple[Issue, ...] = ()
    requirements: str = "LISTING"

    def put_body(self) -> dict[str, Any]:
        """Return the ``ListingsItemPutRequest`` (productType, requirements, attributes)."""
        return {
            "productType": self.product_type,
            "requirements": self.requirements,
            "attributes": dict(self.attributes),
        }

    def message(self, message_id: int) -> dict[str, Any]:
        """Return the JSON_LISTINGS_FEED ``UPDATE`` message (a full replace, as ``PUT``)."""
        return {
            "messageId": message_id,
            "sku": self.sku,
            "operationType": "UPDATE",
            "productType": self.product_type,
            "requirements": self.requirements,
            "attributes": dict(self.attributes),
        }


def build(
    offer: Offer,
    settings: AmazonSettings,
    mp: AmazonMarketplace,
    product_type: str,
    *,
    sku: str | None = None,
) -> Payload:
    """Build the listing of ``offer`` in store ``mp`` as product type ``product_type``."""
    listing = offer.listing
    content = offer.content
    notes: list[Issue] = []
    tag = mp.tag_for(content.locale, content.language)
    if tag is None:
        tag = mp.language_tag
        notes.append(
            Issue(
                "amazon.language_tag",
                f"the text is in {content.locale}, which {mp.domain} does not list; it is "
                f"tagged {tag} (Amazon may answer 100720 'Invalid language data provided')",
                "language",
                "warning",
            )
        )
    elif tag in UNVERIFIED_TAGS:
        notes.append(
            Issue(
                "amazon.language_tag_unverified",
                f"the text is tagged {tag} for {mp.domain}, a tag xborder infers: the locales "
                f"of Amazon's Product Type Definitions model do not include it. If Amazon "
                f"answers 100720 'Invalid language data provided', the store's languages are "
                f"in the Sellers API (getMarketplaceParticipations)",
                "language",
                "warning",
            )
        )
    a: dict[str, list[dict[str, Any]]] = {}
    a["item_name"] = [_text(content.title.text, mp, tag)]
    if listing.brand:
        a["brand"] = [_text(listing.brand, mp, tag)]
    if content.description.text.strip():
        a["product_description"] = [_text(content.description.text, mp, tag)]
    bullets = [
        f"{attr.name.text}: {', '.join(value.text for value in attr.values)}"
        for attr in content.attributes[:_MAX_BULLETS]
    ]
    if bullets:
        a["bullet_point"] = [_text(text, mp, tag) for text in bullets]
    a["condition_type"] = [_plain(CONDITIONS[listing.condition], mp)]
    if listing.gtin:
        a["externally_assigned_product_identifier"] = [_gtin(listing.gtin, mp)]
    elif listing.gtin_exempt:
        a["supplier_declared_has_product_identifier_exemption"] = [_plain(True, mp)]
    asin = settings.asins.get(listing.sku)
    if asin:
        a["merchant_suggested_asin"] = [_plain(asin, mp)]
    if listing.mpn:
        a["part_number"] = [_plain(listing.mpn, mp)]
    if listing.manufacturer is not None:
        a["manufacturer"] = [_text(listing.manufacturer.name, mp, tag)]
    if listing.origin_country:
        a["country_of_origin"] = [_plain(listing.origin_country, mp)]
    images = listing.images[:_MAX_IMAGES]
    if images:
        a["main_product_image_locator"] = [
            {"media_location": images[0], "marketplace_id": mp.marketplace_id}
        ]
        for slot, url in enumerate(images[1:], start=1):
            a[f"other_product_image_locator_{slot}"] = [
                {"media_location": url, "marketplace_id": mp.marketplace_id}
            ]
    if listing.weight is not None:
        a["item_package_weight"] = [
            {
                "value": listing.weight.value,
                "unit": _WEIGHT_UNITS[listing.weight.unit],
                "marketplace_id": mp.marketplace_id,
            }
        ]
    if listing.dimensions is not None:
        size = listing.dimensions
        unit = _LENGTH_UNITS[size.unit]
        a["item_package_dimensions"] = [
            {
                "length": {"value": size.length, "unit": unit},
                "width": {"value": size.width, "unit": unit},
                "height": {"value": size.height, "unit": unit},
                "marketplace_id": mp.marketplace_id,
            }
        ]
    goods = listing.dangerous_goods
    a["batteries_required"] = [_plain(goods.battery != "none", mp)]
    if goods.battery == "none" and not goods.aerosol and not goods.flammable:
        a["supplier_declared_dg_hz_regulation"] = [_plain("not_applicable", mp)]
    else:
        notes.append(
            Issue(
                "amazon.dangerous_goods",
                "the listing declares batteries, an aerosol or a flammable product: Amazon "
                "needs its hazmat data (supplier_declared_dg_hz_regulation, safety data sheet) "
                "entered in Seller Central before it can be sold",
                "dangerous_goods",
                "warning",
            )
        )
    if mp.market in GPSR_MARKETS:
        _gpsr(a, offer, settings, mp, tag)
    a["purchasable_offer"] = purchasable_offer(mp, offer.price)
    a["fulfillment_availability"] = fulfillment_availability(
        offer.quantity, settings.fulfillment_channel_code
    )
    for name in settings.omit_attributes:
        a.pop(name, None)
    return Payload(
        key=offer.key,
        sku=sku or listing.sku,
        marketplace=mp,
        product_type=product_type,
        language_tag=tag,
        attributes=a,
        price=offer.price,
        quantity=offer.quantity,
        notes=tuple(notes),
    )


def _gpsr(
    a: dict[str, list[dict[str, Any]]],
    offer: Offer,
    settings: AmazonSettings,
    mp: AmazonMarketplace,
    tag: str,
) -> None:
    # Product-type attributes for Regulation (EU) 2023/988 art. 19 (research/compliance.md
    # §3.3): the manufacturer's and the EU responsible person's electronic address, the
    # safety attestation, and warnings in the store's language.
    listing = offer.listing
    maker = _contact(listing.manufacturer)
    if maker:
        a["gpsr_manufacturer_reference"] = [
            {"gpsr_manufacturer_email_address": maker, "marketplace_id": mp.marketplace_id}
        ]
    person = _contact(listing.eu_responsible_person)
    if person:
        a["dsa_responsible_party_address"] = [_plain(person, mp)]
    info = listing.safety_information
    warning = info.get(offer.content.language) or info.get(offer.content.locale.replace("_", "-"))
    if warning:
        a["safety_warning"] = [_text(warning, mp, tag)]
    elif not info and settings.gpsr_safety_attestation:
        a["gpsr_safety_attestation"] = [_plain(True, mp)]


# -- patches -----------------------------------------------------------------------------------


def price_patch(mp: AmazonMarketplace, price: Money) -> dict[str, Any]:
    """Return the patch that sets the price: ``replace`` of ``/attributes/purchasable_offer``."""
    return {
        "op": "replace",
        "path": "/attributes/purchasable_offer",
        "value": purchasable_offer(mp, price),
    }


def quantity_patch(quantity: int, channel: str) -> dict[str, Any]:
    """Return the patch that sets the quantity (``merge`` of ``fulfillment_availability``).

    ``merge`` (2025-06-16) changes the quantity without resending ``restock_date`` and the
    like; the shape is message 5 of ``listings-feed-schema-v2.example.json``.
    """
    return {
        "op": "merge",
        "path": "/attributes/fulfillment_availability",
        "value": fulfillment_availability(quantity, channel),
    }


def patch_body(product_type: str, patches: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the ``ListingsItemPatchRequest``."""
    return {"productType": product_type, "patches": [dict(p) for p in patches]}


def patch_message(
    message_id: int, sku: str, product_type: str, patches: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Return a JSON_LISTINGS_FEED ``PATCH`` message."""
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": product_type,
        "patches": [dict(p) for p in patches],
    }


def delete_message(message_id: int, sku: str) -> dict[str, Any]:
    """Return a JSON_LISTINGS_FEED ``DELETE`` message."""
    return {"messageId": message_id, "sku": sku, "operationType": "DELETE"}


# -- feed documents -----------------------------------------------------------------------------


def feed_header(seller_id: str, issue_locale: str | None) -> dict[str, Any]:
    """Return the feed's ``header``: version 2.0, and a report that embeds the listings' state."""
    header: dict[str, Any] = {"sellerId": seller_id, "version": "2.0"}
    if issue_locale:
        header["issueLocale"] = issue_locale
    header["report"] = {"includedData": list(REPORT_INCLUDED_DATA), "apiVersion": "2021-08-01"}
    return header


def feed_document(header: Mapping[str, Any], messages: Sequence[bytes]) -> bytes:
    """Join a header and messages already written with :func:`dumps` into a feed document."""
    return b'{"header":' + dumps(header) + b',"messages":[' + b",".join(messages) + b"]}"
