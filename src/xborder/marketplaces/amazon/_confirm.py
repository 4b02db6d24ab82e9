"""What a listing read says: its state in one store, and whether a write has landed.

A listings item (``Item`` of getListingsItem, searchListingsItems or a processing report's
``items``) has one summary per store with ``status`` BUYABLE ("can be purchased") and/or
DISCOVERABLE ("visible to shoppers"), and issues that may suppress it. A write is confirmed
when a read shows what it sent: the listing exists in the store, at the price and quantity
sent. Amazon accepts a PATCH on a SKU it does not know and keeps only the offer data
(amzn/selling-partner-api-models#4402), so a patched item without a summary is a failure,
never a success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from xborder.marketplaces._model import Issue, ItemStatus, ListingState
from xborder.marketplaces.amazon._classify import item_issue
from xborder.marketplaces.amazon._marketplaces import AmazonMarketplace
from xborder.marketplaces.amazon._wire import Item, ItemSummary
from xborder.money import Money

__all__ = [
    "KNOWN_STATUSES",
    "SUPPRESSING",
    "Confirmation",
    "Expect",
    "confirm",
    "listing_state",
    "summary_of",
    "suppressed",
]

#: ``ItemSummaryByMarketplace.status`` values of the model; others are read as pending.
KNOWN_STATUSES: Final = frozenset({"BUYABLE", "DISCOVERABLE"})
#: ``IssueEnforcementAction.action`` values that take a listing off sale: "takes down the
#: current listing item's buyability" and "all offers against it ... are non-buyable".
SUPPRESSING: Final = frozenset({"LISTING_SUPPRESSED", "CATALOG_ITEM_REMOVED"})


@dataclass(frozen=True, slots=True)
class Expect:
    """What a write should have left, and how to read its absence.

    ``mode``: ``listing`` (a full write: a listing not seen yet is still being processed),
    ``patch`` (a change of an existing listing: no listing means the SKU was unknown) or
    ``absent`` (a deletion). ``price`` and ``quantity`` are the values sent (None: not
    checked); ``channel`` is the fulfillment channel whose quantity counts.
    """

    price: Money | None = None
    quantity: int | None = None
    channel: str = "DEFAULT"
    mode: Literal["listing", "patch", "absent"] = "listing"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a read says about one write.

    ``status`` ok, pending or failed; the ``state``; the issues Amazon holds for the listing
    in the store; its ASIN and product type.
    """

    status: ItemStatus
    state: ListingState | None
    issues: tuple[Issue, ...] = ()
    asin: str | None = None
    product_type: str | None = None


def summary_of(item: Item, mp: AmazonMarketplace) -> ItemSummary | None:
    """Return the item's summary for store ``mp`` (one without a store counts), or None."""
    for summary in item.summaries:
        if summary.marketplaceId in (mp.marketplace_id, None):
            return summary
    return None


def _issues(item: Item, mp: AmazonMarketplace) -> tuple[Issue, ...]:
    return tuple(
        item_issue(issue)
        for issue in item.issues
        if not issue.marketplaceIds or mp.marketplace_id in issue.marketplaceIds
    )


def suppressed(item: Item, mp: AmazonMarketplace) -> bool:
    """Whether an issue in ``mp`` carries an enforced (``NOT_EXEMPT``) suppression."""
    for issue in item.issues:
        if issue.marketplaceIds and mp.marketplace_id not in issue.marketplaceIds:
            continue
        enforcements = issue.enforcements if isinstance(issue.enforcements, dict) else {}
        actions = enforcements.get("actions")
        exemption = enforcements.get("exemption")
        status = exemption.get("status") if isinstance(exemption, dict) else None
        if not isinstance(actions, list) or status not in (None, "NOT_EXEMPT"):
            continue
        if any(isinstance(a, dict) and a.get("action") in SUPPRESSING for a in actions):
            return True
    return False


def listing_state(item: Item, mp: AmazonMarketplace) -> ListingState | None:
    """Return the listing's state in ``mp``; None when the item has no summary there.

    An enforced suppression (``LISTING_SUPPRESSED`` or ``CATALOG_ITEM_REMOVED``, not
    exempt) → ``rejected``, whatever the status says; BUYABLE → ``live``; DISCOVERABLE
    only → ``inactive`` (seen, not for sale: quantity 0); a status value the model does not
    list → ``pending``; no status with an ERROR issue → ``rejected``; no status at all →
    ``pending`` (Amazon has not processed it yet).
    """
    summary = summary_of(item, mp)
    if summary is None:
        return None
    statuses = {status.upper() for status in summary.status}
    if suppressed(item, mp):
        return "rejected"
    if statuses - KNOWN_STATUSES:
        return "pending"
    if "BUYABLE" in statuses:
        return "live"
    if "DISCOVERABLE" in statuses:
        return "inactive"
    if any(issue.severity == "error" for issue in _issues(item, mp)):
        return "rejected"
    return "pending"


def _price(item: Item, mp: AmazonMarketplace, currency: str) -> Money | None:
    for offer in item.offers:
        audience = offer.audience.value if offer.audience is not None else None
        if offer.marketplaceId not in (mp.marketplace_id, None) or audience not in ("ALL", None):
            continue
        if offer.offerType not in ("B2C", None) or offer.price is None:
            continue
        amount = offer.price.value()
        if amount is not None and (offer.price.currencyCode or currency) == currency:
            return Money(amount, currency)
    return None


def _quantity(item: Item, channel: str) -> int | None:
    for entry in item.fulfillmentAvailability:
        if entry.fulfillmentChannelCode == channel:
            return entry.quantity
    return None


def _no_listing(mp: AmazonMarketplace) -> Issue:
    return Issue(
        "amazon.no_listing",
        f"Amazon accepted the change but holds no listing for this SKU on {mp.domain} (a patch "
        f"on an unknown SKU stores only offer data): create the listing with upsert() first",
        "sku",
    )


def confirm(item: Item | None, mp: AmazonMarketplace, expect: Expect) -> Confirmation:
    """Say whether a read (``item``; None: no listing) confirms a write that expects ``expect``."""
    summary = summary_of(item, mp) if item is not None else None
    if expect.mode == "absent":
        if item is None or summary is None:
            return Confirmation("ok", "absent")
        return Confirmation("pending", listing_state(item, mp), _issues(item, mp))
    if item is None or summary is None:
        if expect.mode == "patch":
            return Confirmation("failed", "absent", (_no_listing(mp),))
        return Confirmation("pending", "pending", _issues(item, mp) if item else ())
    issues = _issues(item, mp)
    state = listing_state(item, mp) or "pending"
    asin = summary.asin
    product_type = summary.productType
    if state == "rejected":
        errors = tuple(issue for issue in issues if issue.severity == "error")
        return Confirmation("failed", state, errors or issues, asin, product_type)
    if expect.price is not None and _price(item, mp, expect.price.currency) != expect.price:
        return Confirmation("pending", state, issues, asin, product_type)
    if expect.quantity is not None and _quantity(item, expect.channel) != expect.quantity:
        return Confirmation("pending", state, issues, asin, product_type)
    return Confirmation("ok", state, issues, asin, product_type)
