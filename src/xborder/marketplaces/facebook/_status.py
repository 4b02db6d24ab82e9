"""Reading what the catalog holds: item records and COUNTRY overrides → listing states.

``GET /{catalog}/products?filter={"retailer_id":{"is_any":[…]}}&fields=…`` returns the
items (ProductItem fields ``retailer_id``, ``availability``, ``visibility``,
``review_status`` ('', approved, outdated, pending, rejected) and ``errors``);
``GET /{item}/override_details?keys=DE,FR&type=COUNTRY`` returns an item's overrides as
``[{type, key, values}]`` (research/marketplace-apis.md §3.3 and §3.6).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal
from urllib.parse import urlencode

from xborder.marketplaces._model import Issue, ItemResult, ListingState, OfferKey, RemoteRef
from xborder.marketplaces.facebook._wire import ProductRecord

__all__ = ["FIELDS", "overrides_query", "products_query", "state_of"]

#: The ProductItem fields a status read asks for.
FIELDS: Final = "id,retailer_id,availability,visibility,review_status,errors"

#: ``ProductItem_availability`` values a buyer can order, and those that take an item off
#: sale; "pending" and values added later read as not yet live.
_FOR_SALE: Final = frozenset({"in stock", "available for order", "preorder"})
_OFF_SALE: Final = frozenset({"out of stock", "discontinued", "mark_as_sold"})
#: ``ProductItem_visibility`` ``staging`` (and ``ProductItem_status`` ``STAGING``): hidden.
_HIDDEN: Final = frozenset({"staging", "hidden"})


def products_query(skus: Sequence[str], *, after: str | None = None) -> str:
    """Return the query of a products read for ``skus`` (one page of ``len(skus)``)."""
    params = {
        "filter": json.dumps({"retailer_id": {"is_any": list(skus)}}, separators=(",", ":")),
        "fields": FIELDS,
        "limit": str(len(skus)),
    }
    if after is not None:
        params["after"] = after
    return urlencode(params)


def overrides_query(markets: Sequence[str]) -> str:
    """Return the query of an ``override_details`` read of the COUNTRY overrides of ``markets``."""
    return urlencode({"keys": ",".join(markets), "type": "COUNTRY"})


def _lower(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def state_of(
    key: OfferKey,
    record: ProductRecord | None,
    override: Mapping[str, Any] | None,
    *,
    base: bool,
) -> ItemResult:
    """Return what the catalog holds for ``key``.

    ``absent``: no item (or, for another market than the base, no COUNTRY override);
    ``rejected``: Meta's review rejected it (its errors as issues); ``inactive``: hidden
    (staging) or off sale (out of stock, discontinued) in that market; ``live``: approved
    and for sale; ``pending``: anything else (not reviewed yet, or a value this adapter
    does not know).
    """
    if record is None:
        return ItemResult(key, "ok", state="absent")
    remote = RemoteRef(retailer_id=key.sku, id=record.id)
    availability = _lower(record.availability)
    visibility = _lower(record.visibility or record.status)
    if not base:
        if override is None:
            # The item exists, but this market's override was never written.
            return ItemResult(key, "ok", remote=remote, state="absent")
        if isinstance(override.get("availability"), str):
            availability = _lower(override["availability"])
        for name in ("visibility", "status"):
            if isinstance(override.get(name), str):
                visibility = _lower(override[name])
    review = _lower(record.review_status)
    severity: Literal["error", "warning"] = "error" if review == "rejected" else "warning"
    issues = tuple(
        Issue(
            error.error_type or "facebook.review",
            " ".join(part for part in (error.title, error.description) if part) or "see Meta",
            None,
            severity,
        )
        for error in record.errors
    )
    state: ListingState
    if review == "rejected":
        state = "rejected"
        issues = issues or (Issue("facebook.rejected", "Meta's review rejected the item"),)
    elif visibility in _HIDDEN or availability in _OFF_SALE:
        state = "inactive"
    elif review == "approved" and availability in _FOR_SALE:
        state = "live"
    else:
        state = "pending"
    return ItemResult(key, "ok", remote=remote, issues=issues, state=state)
