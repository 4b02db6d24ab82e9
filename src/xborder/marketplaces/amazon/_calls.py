"""The Listings Items requests the flows send, and the reads that confirm writes.

Paths, methods and query parameters follow ``listingsItems_2021-08-01.json``: one listing
per (seller, SKU, store) under ``/listings/2021-08-01/items/{sellerId}/{sku}``
(``putListingsItem``, ``patchListingsItem``, ``deleteListingsItem``, ``getListingsItem``;
``marketplaceIds`` takes one store for PUT and DELETE) and ``searchListingsItems`` under
``/listings/2021-08-01/items/{sellerId}`` (``identifiers`` of up to 20 SKUs,
``identifiersType=SKU``, ``pageSize`` up to 20). Pure: builds :class:`HttpRequest` values and
reads :class:`HttpResponse` values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, urlencode

from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.marketplaces._model import Issue
from xborder.marketplaces._protocol import batched
from xborder.marketplaces.amazon._classify import error_issues, retry_after_of
from xborder.marketplaces.amazon._marketplaces import AmazonMarketplace
from xborder.marketplaces.amazon._payload import CONTENT_TYPE, dumps
from xborder.marketplaces.amazon._settings import AmazonSettings
from xborder.marketplaces.amazon._wire import Item, ItemSearchResults, parse

__all__ = [
    "INCLUDED_DATA",
    "SEARCH_LIMIT",
    "Reads",
    "items_url",
    "listings_item_url",
    "read_items",
    "sp_request",
]

#: What status reads ask for (``includedData`` of getListingsItem/searchListingsItems).
INCLUDED_DATA: Final = ("summaries", "issues", "offers", "fulfillmentAvailability")
#: ``identifiers``: "maxItems 20"; ``pageSize``: "Maximum: 20".
SEARCH_LIMIT: Final = 20
#: A search answer that keeps paging past this many pages is not followed further.
_MAX_PAGES: Final = 50


def _query(params: Sequence[tuple[str, str]]) -> str:
    # Lists are comma-delimited ("A comma-delimited list"): keep the commas readable.
    return urlencode(list(params), quote_via=quote, safe=",")


def _base(settings: AmazonSettings, mp: AmazonMarketplace) -> str:
    seller = quote(settings.seller_id, safe="")
    return f"{mp.endpoint(sandbox=settings.sandbox)}/listings/2021-08-01/items/{seller}"


def listings_item_url(
    settings: AmazonSettings,
    mp: AmazonMarketplace,
    sku: str,
    *,
    included: Sequence[str] = (),
    mode: str | None = None,
) -> str:
    """Return ``/listings/2021-08-01/items/{sellerId}/{sku}`` with its query for store ``mp``.

    The query holds ``marketplaceIds``, then ``includedData`` and ``mode`` when given, then
    ``issueLocale`` (the settings').
    """
    params = [("marketplaceIds", mp.marketplace_id)]
    if included:
        params.append(("includedData", ",".join(included)))
    if mode is not None:
        params.append(("mode", mode))
    if settings.issue_locale:
        params.append(("issueLocale", settings.issue_locale))
    return f"{_base(settings, mp)}/{quote(sku, safe='')}?{_query(params)}"


def items_url(
    settings: AmazonSettings,
    mp: AmazonMarketplace,
    skus: Sequence[str],
    *,
    page_token: str | None = None,
) -> str:
    """Return a ``searchListingsItems`` URL for up to 20 ``skus`` in store ``mp``."""
    params = [
        ("marketplaceIds", mp.marketplace_id),
        ("identifiers", ",".join(skus)),
        ("identifiersType", "SKU"),
        ("includedData", ",".join(INCLUDED_DATA)),
        ("pageSize", str(SEARCH_LIMIT)),
    ]
    if page_token is not None:
        params.append(("pageToken", page_token))
    if settings.issue_locale:
        params.append(("issueLocale", settings.issue_locale))
    return f"{_base(settings, mp)}?{_query(params)}"


def sp_request(
    method: str,
    url: str,
    *,
    operation: str,
    body: Mapping[str, Any] | None = None,
    idempotent: bool | None = None,
    auth: str | None = "default",
    content_type: str = CONTENT_TYPE,
) -> HttpRequest:
    """Return an SP-API request whose answer goes to the flow (``raise_for_status=False``).

    Flows read their own errors: a refused call is the result of the items it carried.
    """
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type
    return HttpRequest(
        method,
        url,
        headers=headers,
        content=dumps(body) if body is not None else b"",
        operation=operation,
        idempotent=idempotent,
        auth=auth,
        raise_for_status=False,
    )


@dataclass(slots=True)
class Reads:
    """What a read found.

    ``items`` by SKU (None: Amazon has no listing for it); ``failed``: the SKUs whose read
    failed, with the issues, and ``retry_after`` the wait before trying again.
    """

    items: dict[str, Item | None] = field(default_factory=dict)
    failed: dict[str, tuple[Issue, ...]] = field(default_factory=dict)
    retry_after: dict[str, float | None] = field(default_factory=dict)

    def fail(self, skus: Sequence[str], issues: tuple[Issue, ...], wait: float | None) -> None:
        """Record the read of ``skus`` as failed."""
        for sku in skus:
            self.failed[sku] = issues
            self.retry_after[sku] = wait


def _unreadable(what: str) -> tuple[Issue, ...]:
    return (
        Issue(
            "amazon.unreadable_response",
            f"{what} answered with a body that is not the model's; nothing was read",
        ),
    )


def read_items(settings: AmazonSettings, mp: AmazonMarketplace, skus: Sequence[str]) -> Flow[Reads]:
    """Read what Amazon holds for ``skus`` in store ``mp``.

    One SKU: ``getListingsItem`` (404 means no listing). More: ``searchListingsItems``,
    20 SKUs a call (a SKU missing from the answer has no listing), following ``nextToken``.
    """
    reads = Reads()
    unique = list(dict.fromkeys(skus))
    if len(unique) == 1:
        sku = unique[0]
        response = yield sp_request(
            "GET",
            listings_item_url(settings, mp, sku, included=INCLUDED_DATA),
            operation="get_listings_item",
        )
        if response.status_code == 404:
            reads.items[sku] = None
        elif response.status_code >= 400:
            reads.fail(
                [sku], error_issues(response, what="getListingsItem"), retry_after_of(response)
            )
        else:
            item = parse(Item, response.content)
            if item is None:
                reads.fail([sku], _unreadable("getListingsItem"), None)
            else:
                reads.items[sku] = item
        return reads
    for batch in batched(unique, SEARCH_LIMIT):
        found = yield from _search(settings, mp, batch)
        if isinstance(found, HttpResponse):
            reads.fail(
                batch, error_issues(found, what="searchListingsItems"), retry_after_of(found)
            )
            continue
        if found is None:
            reads.fail(batch, _unreadable("searchListingsItems"), None)
            continue
        for sku in batch:
            reads.items[sku] = found.get(sku)
    return reads


def _search(
    settings: AmazonSettings, mp: AmazonMarketplace, skus: Sequence[str]
) -> Flow[dict[str, Item] | HttpResponse | None]:
    found: dict[str, Item] = {}
    token: str | None = None
    for _ in range(_MAX_PAGES):
        response = yield sp_request(
            "GET",
            items_url(settings, mp, skus, page_token=token),
            operation="search_listings_items",
        )
        if response.status_code >= 400:
            return response
        page = parse(ItemSearchResults, response.content)
        if page is None:
            return None
        for item in page.items:
            if item.sku is not None:
                found[item.sku] = item
        token = page.pagination.nextToken if page.pagination is not None else None
        if not token:
            break
    return found
