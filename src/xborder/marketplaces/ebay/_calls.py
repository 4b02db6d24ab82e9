"""The eBay requests the flows send, and reading their answers into per-item outcomes.

Paths, methods and headers follow the Sell Inventory API v1 contract; each function names
the operation (``operationId``) it sends. Pure: builds :class:`HttpRequest` values and reads
:class:`HttpResponse` values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlencode

from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.marketplaces._model import Issue, ListingState
from xborder.marketplaces.ebay import _wire
from xborder.marketplaces.ebay._classify import (
    RETRY_LATER,
    classify,
    errors_of,
    issues,
    item_retry_after,
)
from xborder.marketplaces.ebay._payload import dumps, language_headers
from xborder.marketplaces.ebay._settings import EbaySettings
from xborder.marketplaces.ebay._sites import EbaySite

__all__ = [
    "BULK_LIMIT",
    "LISTING_STATES",
    "Found",
    "Outcome",
    "call_failure",
    "find_offer",
    "no_result",
    "outcome",
    "request",
]

#: Up to 25 items per bulk call: bulkCreateOrReplaceInventoryItem ("Up to 25 inventory item
#: records"), bulkCreateOffer ("Up to 25 offers"), bulkPublishOffer ("Up to 25 offers"),
#: bulkUpdatePriceQuantity ("up to 25").
BULK_LIMIT: Final = 25

LISTING_STATES: Final[Mapping[str, ListingState]] = {
    # ListingStatusEnum (https://developer.ebay.com/api-docs/sell/inventory/types/
    # slr:ListingStatusEnum); anything else reads as "pending".
    "ACTIVE": "live",
    "OUT_OF_STOCK": "inactive",
    "INACTIVE": "inactive",
    "ENDED": "inactive",
    "EBAY_ENDED": "inactive",
    "NOT_LISTED": "inactive",
}

#: Item-level status codes eBay reports for success (BulkInventoryItemResponse and friends).
_OK: Final = frozenset({200, 201, 204})
#: getOffers answers for a SKU without offers: 404, or 400 with "SKU ... is not available"
#: (25702) / "This Offer is not available" (25713).
_NO_OFFER_IDS: Final = frozenset({25702, 25713, 25710})


def request(
    settings: EbaySettings,
    method: str,
    path: str,
    *,
    operation: str,
    body: Mapping[str, Any] | None = None,
    language: str | None = None,
    query: Mapping[str, str] | None = None,
    idempotent: bool | None = None,
    auth: str | None = "default",
    base: str | None = None,
    raise_for_status: bool = False,
) -> HttpRequest:
    """Return an Inventory API request (``base`` replaces the Inventory API's base URL).

    Flows read their own errors (``raise_for_status=False`` by default): bulk answers carry
    per-item results, and a refused single call is the result of its item.
    """
    url = f"{base if base is not None else settings.inventory_url}{path}"
    if query:
        url += "?" + urlencode(query, quote_via=quote)
    return HttpRequest(
        method,
        url,
        headers=language_headers(language, body=body is not None),
        content=dumps(body) if body is not None else b"",
        operation=operation,
        idempotent=idempotent,
        auth=auth,
        raise_for_status=raise_for_status,
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """One item's part of an answer: ok or not, its issues, and when to retry."""

    ok: bool
    issues: tuple[Issue, ...] = ()
    retry_after: float | None = None
    duplicate: bool = False


def call_failure(response: HttpResponse) -> Outcome:
    """Return the outcome every item of a call gets when the call failed as a whole."""
    classification = classify(response)
    body = errors_of(response)
    found = issues(body.errors, body.warnings)
    if not any(issue.severity == "error" for issue in found):
        message = classification.message or f"HTTP {response.status_code}"
        found = (*found, Issue(f"ebay.http_{response.status_code}", message))
    retry_after = item_retry_after(body.errors, response)
    if classification.retryable:
        # The client retried what it could; the item may be sent again later.
        retry_after = classification.retry_after or RETRY_LATER
    return Outcome(False, found, retry_after)


def outcome(
    status_code: int | None,
    errors: Sequence[_wire.ErrorDetail],
    warnings: Sequence[_wire.ErrorDetail],
    response: HttpResponse,
) -> Outcome:
    """Return the outcome of one element of a bulk answer."""
    found = issues(errors, warnings)
    if status_code in _OK and not errors:
        return Outcome(True, found)
    if not any(issue.severity == "error" for issue in found):
        found = (*found, Issue(f"ebay.http_{status_code}", f"eBay answered {status_code}"))
    duplicate = any(error.errorId == 25729 for error in errors)
    return Outcome(False, found, item_retry_after(errors, response), duplicate)


def no_result(what: str) -> Outcome:
    """Return the outcome of an item a bulk answer left out."""
    return Outcome(
        False,
        (Issue("ebay.no_result", f"eBay's answer to {what} has no result for this item"),),
        RETRY_LATER,
    )


@dataclass(frozen=True, slots=True)
class Found:
    """What ``GET /offer?sku=`` found for one SKU on one site."""

    offer: _wire.Offer | None
    failure: Outcome | None = None

    @property
    def offer_id(self) -> str | None:
        """The offer's id, or None."""
        return self.offer.offerId if self.offer is not None else None

    @property
    def published(self) -> bool:
        """Whether the offer is published (a live or ended listing exists)."""
        return self.offer is not None and (self.offer.status or "").upper() == "PUBLISHED"

    @property
    def listing_id(self) -> str | None:
        """The listing id of a published offer, or None."""
        listing = self.offer.listing if self.offer is not None else None
        return listing.listingId if listing is not None else None


def find_offer(settings: EbaySettings, sku: str, site: EbaySite) -> Flow[Found]:
    """Look up the fixed-price offer of ``sku`` on ``site`` (``getOffers``).

    One SKU has at most one offer per marketplace and format ("Only one offer ... may exist
    for each sku/marketplaceId/format combination"), so the first page is enough.
    """
    response = yield request(
        settings, "GET", "/offer", operation="get_offers", query={"sku": sku}, idempotent=True
    )
    if response.status_code == 404:
        return Found(None)
    if response.status_code >= 400:
        body = errors_of(response)
        if body.errors and all(e.errorId in _NO_OFFER_IDS for e in body.errors):
            return Found(None)
        return Found(None, call_failure(response))
    page = _wire.parse(_wire.Offers, response.content)
    if page is None:
        return Found(
            None,
            Outcome(
                False,
                (Issue("ebay.unreadable", "eBay's answer to getOffers could not be read"),),
                RETRY_LATER,
            ),
        )
    for offer in page.offers:
        if (offer.marketplaceId in (None, site.site_id)) and (
            offer.format in (None, "FIXED_PRICE")
        ):
            return Found(offer)
    return Found(None)
