"""Offer → eBay Inventory API bodies: inventory items, offers, price/quantity updates.

Field names and limits follow the Sell Inventory API v1 contract (``InventoryItem``,
``InventoryItemWithSkuLocale``, ``EbayOfferDetailsWithKeys``, ``EbayOfferDetailsWithId``,
``Regulatory``, ``PriceQuantity``); ``xborder/testing/data/ebay_request_rules.json`` holds the rules
derived from it, and every body built here validates against them. Pure functions: no I/O.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from xborder.compliance.rules.gpsr import address_country
from xborder.listing import Condition, Party
from xborder.localize.sanitize import html_to_text, shorten_text
from xborder.marketplaces._model import Issue
from xborder.marketplaces.ebay._settings import EbaySiteSettings
from xborder.marketplaces.ebay._sites import EbaySite
from xborder.money import Money
from xborder.offer import Offer

__all__ = [
    "CONDITIONS",
    "MAX_IMAGES",
    "Payload",
    "amount",
    "build",
    "dumps",
    "language_headers",
    "price_quantity_request",
    "split_address",
]

#: xborder condition → eBay ``ConditionEnum`` (https://developer.ebay.com/api-docs/sell/
#: inventory/types/slr:ConditionEnum; ids 1000, 2750, 5000, 6000, 2500). Categories accept
#: different subsets: the Metadata API's ``getItemConditionPolicies`` says which.
CONDITIONS: Final[Mapping[Condition, str]] = {
    "new": "NEW",
    "used_like_new": "LIKE_NEW",
    "used_good": "USED_GOOD",
    "used_acceptable": "USED_ACCEPTABLE",
    "refurbished": "SELLER_REFURBISHED",
}

#: ``Product.imageUrls``: "sellers can include up to 24 pictures in one listing"; https only.
MAX_IMAGES: Final = 24
#: ``Product.title`` "Max Length: 80"; ``Product.description`` "Max Length: 4000";
#: ``EbayOfferDetailsWithKeys.listingDescription`` "Max length: 500000".
TITLE_MAX: Final = 80
PRODUCT_DESCRIPTION_MAX: Final = 4000
LISTING_DESCRIPTION_MAX: Final = 500_000
#: ``Product.aspects``: "Max Length for Aspect Name: 40", "... Aspect Value: 50".
ASPECT_NAME_MAX: Final = 40
ASPECT_VALUE_MAX: Final = 50
#: ``ProductSafety.component``: "Max length: 120 characters".
SAFETY_COMPONENT_MAX: Final = 120

#: The name of the brand aspect (item specific) on each site's language; eBay's category
#: aspects (Taxonomy API ``getItemAspectsForCategory``) name it so.
BRAND_ASPECT: Final[Mapping[str, str]] = {
    "de": "Marke",
    "en": "Brand",
    "es": "Marca",
    "fr": "Marque",
    "it": "Marca",
    "nl": "Merk",
    "pl": "Marka",
}

#: Heading of the safety information appended to the listing description.
SAFETY_HEADING: Final[Mapping[str, str]] = {
    "de": "Sicherheitshinweise",
    "en": "Safety information",
    "es": "Información de seguridad",
    "fr": "Consignes de sécurité",
    "it": "Informazioni sulla sicurezza",
    "nl": "Veiligheidsinformatie",
    "pl": "Informacje dotyczące bezpieczeństwa",
}

_WEIGHT_UNITS: Final = {"g": "GRAM", "kg": "KILOGRAM", "oz": "OUNCE", "lb": "POUND"}


@dataclass(frozen=True, slots=True)
class Payload:
    """What one offer becomes on one eBay site.

    ``inventory_item`` is one element of ``bulkCreateOrReplaceInventoryItem.requests``
    (``InventoryItemWithSkuLocale``: the ``InventoryItem`` body plus ``sku`` and
    ``locale``); ``offer`` an ``EbayOfferDetailsWithKeys`` (``bulkCreateOffer`` element);
    :meth:`offer_update` the ``EbayOfferDetailsWithId`` body of ``updateOffer``.
    ``notes`` are warnings about what had to be changed or left out.
    """

    sku: str
    site: EbaySite
    content_language: str
    inventory_item: dict[str, Any]
    offer: dict[str, Any]
    notes: tuple[Issue, ...] = field(default=())

    @property
    def item_body(self) -> dict[str, Any]:
        """The ``createOrReplaceInventoryItem`` body (``InventoryItem``: no sku or locale)."""
        return {k: v for k, v in self.inventory_item.items() if k not in ("sku", "locale")}

    def offer_update(self) -> dict[str, Any]:
        """Return the ``updateOffer`` body: the offer without sku, marketplaceId and format."""
        return {k: v for k, v in self.offer.items() if k not in ("sku", "marketplaceId", "format")}


def dumps(body: Mapping[str, Any]) -> bytes:
    """Encode a request body as compact UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def language_headers(content_language: str | None = None, *, body: bool = True) -> dict[str, str]:
    """Return the request headers: JSON content, and the content language when given.

    ``Content-Language`` is required on the inventory item and offer writes (spec header
    parameters of bulkCreateOrReplaceInventoryItem, bulkCreateOffer, updateOffer);
    ``Accept-Language`` is sent with it because some calls refuse the request otherwise
    ("Invalid value for header Accept-Language": hendt/ebay-api#137).
    """
    headers = {"Accept": "application/json"}
    if body:
        headers["Content-Type"] = "application/json"
    if content_language:
        headers["Content-Language"] = content_language
        headers["Accept-Language"] = content_language
    return headers


def amount(money: Money) -> dict[str, str]:
    """Return an eBay ``Amount``: the value as text with the currency's digits (``"19.99"``)."""
    quantized = money.quantize()
    return {"value": format(quantized.amount, "f"), "currency": money.currency}


def price_quantity_request(
    sku: str, offer_id: str, *, price: Money | None, quantity: int | None
) -> dict[str, Any]:
    """Return one ``BulkPriceQuantity.requests`` element (``PriceQuantity``).

    The offer's ``availableQuantity`` and the inventory item's ship-to-home quantity are set
    together, as one SKU carries one offer per site.
    """
    offer: dict[str, Any] = {"offerId": offer_id}
    if quantity is not None:
        offer["availableQuantity"] = quantity
    if price is not None:
        offer["price"] = amount(price)
    request: dict[str, Any] = {"offers": [offer]}
    if quantity is not None:
        request["shipToLocationAvailability"] = {"quantity": quantity}
    request["sku"] = sku
    return request


def build(offer: Offer, site: EbaySite, settings: EbaySiteSettings, sku: str) -> Payload:
    """Return the inventory item and offer bodies of ``offer`` on ``site``.

    ``settings`` must hold the site's policies, location and a category for the listing
    (the adapter checks that first); ``sku`` is the SKU sent to eBay.
    """
    notes: list[Issue] = []
    content = offer.content
    listing = offer.listing
    language = site.content_language(content.locale)
    primary = language.split("-")[0].lower()

    product: dict[str, Any] = {"title": content.title.text[:TITLE_MAX]}
    description = content.description.text
    if description:
        product["description"] = _product_description(description)
    if listing.mpn and listing.brand:
        # Product.brand "is often paired with the mpn field"; both or neither.
        product["brand"] = listing.brand
        product["mpn"] = listing.mpn
    aspects = _aspects(offer, primary, notes)
    if aspects:
        product["aspects"] = aspects
    if listing.gtin:
        field = _identifier_field(listing.gtin)
        if field is not None:
            product[field] = [listing.gtin]
        else:
            notes.append(
                Issue(
                    "ebay.gtin_not_sent",
                    f"GTIN-14 {listing.gtin} names a trade unit (a case), and eBay's Product has "
                    f"no field for it (upc, ean and isbn only): give the item's own GTIN-13 or "
                    f"UPC-A",
                    "gtin",
                    "warning",
                )
            )
    images = list(listing.images[:MAX_IMAGES])
    if images:
        product["imageUrls"] = images

    item: dict[str, Any] = {
        "sku": sku,
        "locale": language.replace("-", "_"),
        "product": product,
        "condition": CONDITIONS[listing.condition],
        "availability": {"shipToLocationAvailability": {"quantity": offer.quantity}},
    }
    package = _package(offer)
    if package:
        item["packageWeightAndSize"] = package

    category = settings.category_id(listing.sku, listing.category)
    body: dict[str, Any] = {
        "sku": sku,
        "marketplaceId": site.site_id,
        "format": "FIXED_PRICE",
        "availableQuantity": offer.quantity,
    }
    if category is not None:
        body["categoryId"] = category
    if settings.merchant_location_key is not None:
        body["merchantLocationKey"] = settings.merchant_location_key
    listing_description = _listing_description(offer, primary)
    if listing_description:
        body["listingDescription"] = listing_description
    policies = {
        "fulfillmentPolicyId": settings.fulfillment_policy_id,
        "paymentPolicyId": settings.payment_policy_id,
        "returnPolicyId": settings.return_policy_id,
    }
    body["listingPolicies"] = {k: v for k, v in policies.items() if v is not None}
    body["pricingSummary"] = {"price": amount(offer.price)}
    regulatory = _regulatory(offer, primary, settings, notes)
    if regulatory:
        body["regulatory"] = regulatory
    return Payload(sku, site, language, item, body, tuple(notes))


# -- product --------------------------------------------------------------------------------


def _product_description(description: str) -> str:
    if len(description) <= PRODUCT_DESCRIPTION_MAX:
        return description
    # The listing shows listingDescription (up to 500000); the inventory item's own
    # description is capped at 4000, so it keeps the text of as much as fits.
    return shorten_text(html_to_text(description), PRODUCT_DESCRIPTION_MAX)


def _identifier_field(gtin: str) -> str | None:
    """Return the Product field a GTIN goes in, or None for a GTIN-14 (eBay has none).

    ``upc`` for 12 digits, ``isbn`` for a 13-digit 978/979 (Bookland) code, ``ean`` for
    other 13-digit and 8-digit codes.
    """
    if len(gtin) == 12:
        return "upc"
    if len(gtin) == 13:
        return "isbn" if gtin.startswith(("978", "979")) else "ean"
    if len(gtin) == 8:
        return "ean"
    return None


#: The no-break spaces CLDR puts between a number and its unit ("350\u00a0ml"; French
#: "350\u202fml"), as plain spaces: eBay's recommended aspect values (getItemAspectsForCategory)
#: are written with plain spaces, and item specifics are matched as text in search filters.
_PLAIN_SPACES: Final = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " "})


def _aspects(offer: Offer, language: str, notes: list[Issue]) -> dict[str, list[str]]:
    aspects: dict[str, list[str]] = {}

    def add(name: str, values: list[str], where: str) -> None:
        name = name.translate(_PLAIN_SPACES)
        values = [value.translate(_PLAIN_SPACES) for value in values]
        if len(name) > ASPECT_NAME_MAX:
            notes.append(
                Issue(
                    "ebay.aspect_shortened",
                    f"aspect name {name!r} is longer than {ASPECT_NAME_MAX} characters; cut",
                    where,
                    "warning",
                )
            )
            name = name[:ASPECT_NAME_MAX].rstrip()
        kept = aspects.setdefault(name, [])
        for value in values:
            if len(value) > ASPECT_VALUE_MAX:
                notes.append(
                    Issue(
                        "ebay.aspect_shortened",
                        f"value {value!r} of aspect {name!r} is longer than "
                        f"{ASPECT_VALUE_MAX} characters; cut",
                        where,
                        "warning",
                    )
                )
                value = shorten_text(value, ASPECT_VALUE_MAX)
            if value and value not in kept:
                kept.append(value)

    brand = offer.listing.brand
    if brand:
        add(BRAND_ASPECT.get(language, "Brand"), [brand], "brand")
    for attribute in offer.content.attributes:
        add(
            attribute.name.text,
            [v.text for v in attribute.values],
            f"attributes.{attribute.key}",
        )
    return {name: values for name, values in aspects.items() if values}


def _number(value: Decimal) -> int | float:
    # Package weight and size are JSON numbers (spec Weight.value, Dimension.*: "number").
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def _package(offer: Offer) -> dict[str, Any]:
    listing = offer.listing
    package: dict[str, Any] = {}
    if listing.weight is not None:
        package["weight"] = {
            "value": _number(listing.weight.value),
            "unit": _WEIGHT_UNITS[listing.weight.unit],
        }
    dims = listing.dimensions
    if dims is not None:
        # LengthUnitOfMeasureEnum has INCH, FEET, CENTIMETER, METER: millimetres go as cm.
        scale = Decimal(10) if dims.unit == "mm" else Decimal(1)
        package["dimensions"] = {
            "length": _number(dims.length / scale),
            "width": _number(dims.width / scale),
            "height": _number(dims.height / scale),
            "unit": "INCH" if dims.unit == "in" else "CENTIMETER",
        }
    return package


# -- offer ----------------------------------------------------------------------------------


def _safety_text(offer: Offer, language: str) -> str | None:
    info = offer.listing.safety_information
    if not info:
        return None
    for key in (offer.content.locale.replace("_", "-"), offer.content.locale, language):
        if key in info:
            return info[key]
    return None


def _listing_description(offer: Offer, language: str) -> str:
    description = offer.content.description.text
    safety = _safety_text(offer, language)
    if not safety:
        return description
    heading = SAFETY_HEADING.get(language, SAFETY_HEADING["en"])
    paragraphs = "".join(
        f"<p>{html.escape(part.strip(), quote=False)}</p>"
        for part in re.split(r"\n\s*\n|\n", safety)
        if part.strip()
    )
    section = f"<h3>{html.escape(heading, quote=False)}</h3>{paragraphs}"
    room = LISTING_DESCRIPTION_MAX - len(section)
    if len(description) > room:  # pragma: no cover - a description of ~500000 characters
        description = shorten_text(html_to_text(description), room)
    return description + section


def _regulatory(
    offer: Offer, language: str, settings: EbaySiteSettings, notes: list[Issue]
) -> dict[str, Any]:
    listing = offer.listing
    regulatory: dict[str, Any] = {}
    if listing.manufacturer is not None:
        regulatory["manufacturer"] = _party(listing.manufacturer, "manufacturer", notes)
    if listing.eu_responsible_person is not None:
        person = _party(listing.eu_responsible_person, "eu_responsible_person", notes)
        # ResponsiblePerson.types: "the only supported value is EUResponsiblePerson".
        person["types"] = ["EUResponsiblePerson"]
        regulatory["responsiblePersons"] = [person]
    labels = settings.safety_labels(listing.category)
    if labels is not None and (labels.statements or labels.pictograms):
        safety: dict[str, Any] = {}
        if labels.pictograms:
            safety["pictograms"] = list(labels.pictograms)
        if labels.statements:
            safety["statements"] = list(labels.statements)
        text = _safety_text(offer, language)
        if text:
            # "Component information can only be specified if used with the pictograms
            # and/or statements field" (ProductSafety.component).
            safety["component"] = shorten_text(" ".join(text.split()), SAFETY_COMPONENT_MAX)
        regulatory["productSafety"] = safety
    return regulatory


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else shorten_text(text, limit)


def _party(party: Party, where: str, notes: list[Issue]) -> dict[str, Any]:
    # Manufacturer / ResponsiblePerson: companyName 100, addressLine1/2 180, city 64,
    # postalCode 9, stateOrProvince 64, email 180, contactUrl 250 characters at most.
    out: dict[str, Any] = {"companyName": _cut(party.name, 100)}
    address = split_address(party.postal_address)
    if address is None:
        notes.append(
            Issue(
                "ebay.address_not_split",
                f"the postal address {party.postal_address!r} could not be split into street, "
                f"postal code, city and country as eBay wants them; only the name, email "
                f"and website are sent. Write it as 'street, postal code city, country'.",
                f"{where}.postal_address",
                "warning",
            )
        )
    else:
        out.update(address)
    if party.email is not None and len(party.email) <= 180:
        out["email"] = party.email
    if party.url is not None and len(party.url) <= 250:
        out["contactUrl"] = party.url
    return out


_SEGMENTS: Final = re.compile(r"[,;\n]+")
# "10115 Berlin", "1012 AB Amsterdam", "00-950 Warszawa", "D-10115 Berlin", "75001 Paris".
_CODE_CITY: Final = re.compile(
    r"(?P<code>\d{4} ?[A-Z]{2}|\d{4,5}|\d{2}-\d{3}|[A-Z]{1,2}-\d{4,5})\s+(?P<city>\D.*)"
)
# "NC 28801", "ON M5V 2T6", "NSW 2000": a state or province and a postal code.
_STATE_CODE: Final = re.compile(
    r"(?P<state>[A-Z]{2,3})\s+(?P<code>\d{4,5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)"
)
# "London SW1A 1AA", "Sydney 2000": a city and a postal code.
_CITY_CODE: Final = re.compile(
    r"(?P<city>.*\D)\s+(?P<code>[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4,5}(?:-\d{4})?)"
)
# A postal code on its own: "D02 KX97" (Eircode), "SW1A 1AA", "28801".
_CODE: Final = re.compile(r"(?=[A-Z0-9 ]*\d)[A-Z0-9]{2,4} ?[A-Z0-9]{3,4}|\d{4,5}")


_EU_ONLY: Final = re.compile(r"\(?\s*(?:EU|E\.U\.|European Union)\s*\)?", re.IGNORECASE)


def split_address(text: str) -> dict[str, str] | None:
    """Split a one-line postal address into eBay's address fields, or return None.

    The address must end with its country (as the GPSR check wants it) and name a street,
    a postal code and a city:

    >>> split_address("418 Kiln Yard Lane, Asheville, NC 28801, United States")["city"]
    'Asheville'
    >>> split_address("Musterstraße 1, 10115 Berlin, Deutschland")["postalCode"]
    '10115'
    >>> split_address("Shenzhen, China") is None
    True
    """
    country = address_country(text)
    parts = [part.strip() for part in _SEGMENTS.split(text) if part.strip()]
    # "..., France, EU": the country is the part before, as address_country reads it.
    while parts and _EU_ONLY.fullmatch(parts[-1]):
        parts.pop()
    if country is None or len(parts) < 3:
        return None
    # eBay's country codes are ISO 3166-1: Northern Ireland ("XI" for the GPSR rule) is GB.
    country = "GB" if country == "XI" else country
    parts = parts[:-1]
    locality, rest = parts[-1], parts[:-1]
    state = None
    if (match := _STATE_CODE.fullmatch(locality)) and len(rest) >= 2:
        state, code, city = match["state"], match["code"], rest[-1]
        rest = rest[:-1]
    elif match := _CODE_CITY.fullmatch(locality):
        code, city = match["code"], match["city"]
    elif _CODE.fullmatch(locality) and len(rest) >= 2:
        code, city = locality, rest[-1]
        rest = rest[:-1]
    elif match := _CITY_CODE.fullmatch(locality):
        code, city = match["code"], match["city"]
    else:
        return None
    code = code.split("-")[0] if len(code) > 9 and "-" in code else code
    street = ", ".join(rest)
    if not rest or len(code) > 9 or len(city) > 64:
        return None
    out = {"addressLine1": street} if len(street) <= 180 else None
    if out is None:
        if len(rest[0]) > 180:
            return None
        out = {"addressLine1": rest[0], "addressLine2": _cut(", ".join(rest[1:]), 180)}
    out["city"] = city.strip()
    if state is not None:
        out["stateOrProvince"] = state
    out["postalCode"] = code
    out["country"] = country
    return out
