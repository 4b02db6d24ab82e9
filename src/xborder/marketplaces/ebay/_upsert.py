"""The upsert flow: inventory items, offers found or created, and publishing.

Stages (Sell Inventory API v1):

1. ``bulkCreateOrReplaceInventoryItem``, ≤ 25 items per call, one site and
   ``Content-Language`` per call;
2. for items without a known offerId, ``getOffers`` by SKU (``offer_lookup="before_create"``);
3. ``updateOffer`` for each existing offer (eBay has no bulk offer update);
4. ``bulkCreateOffer`` for new offers, ≤ 25 per call, one marketplace per call; a duplicate
   (error 25729) is looked up and updated;
5. ``bulkPublishOffer``, ≤ 25 per call, for offers not published yet.

An item that fails a stage leaves the later ones with its issues and the ids known so far.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from xborder.http import Flow, HttpRequest
from xborder.marketplaces._model import Issue, ItemResult, ListingState, OfferKey, RemoteRef
from xborder.marketplaces._protocol import batched
from xborder.marketplaces.ebay import _wire
from xborder.marketplaces.ebay._calls import (
    BULK_LIMIT,
    LISTING_STATES,
    Found,
    Outcome,
    call_failure,
    find_offer,
    no_result,
    outcome,
    request,
)
from xborder.marketplaces.ebay._checks import (
    PRODUCT_FIELD_MAX,
    SKU_MAX,
    long_product_field,
    long_sku,
    need_user_token,
    raise_problems,
    site_problems,
    unsupported,
    wrong_currency,
)
from xborder.marketplaces.ebay._payload import Payload, build
from xborder.marketplaces.ebay._settings import EbaySettings
from xborder.marketplaces.ebay._sites import EbaySite, site_for_market

if TYPE_CHECKING:
    from xborder.offer import Offer

__all__ = ["Upsert"]


@dataclass(slots=True)
class _Item:
    """One offer on its way through the upsert stages."""

    offer: Offer
    site: EbaySite
    payload: Payload
    offer_id: str | None = None
    listing_id: str | None = None
    published: bool = False
    state: ListingState | None = None
    notes: list[Issue] = field(default_factory=list)
    result: ItemResult | None = None

    @property
    def key(self) -> OfferKey:
        return self.offer.key

    @property
    def sku(self) -> str:
        return self.payload.sku

    def remote(self) -> RemoteRef:
        return RemoteRef(offerId=self.offer_id, listingId=self.listing_id, sku=self.sku)

    def fail(self, failure: Outcome) -> None:
        self.result = ItemResult(
            self.key,
            "failed",
            remote=self.remote() if self.offer_id else None,
            issues=(*self.notes, *failure.issues),
            retry_after=failure.retry_after,
        )

    def warn(self, found: Sequence[Issue]) -> None:
        self.notes.extend(issue for issue in found if issue.severity == "warning")


class Upsert:
    """One adapter's upsert: :meth:`run` is the flow."""

    def __init__(self, settings: EbaySettings) -> None:
        self._settings = settings

    def run(
        self, offers: Sequence[Offer], known: Mapping[OfferKey, RemoteRef]
    ) -> Flow[list[ItemResult]]:
        """Create or replace ``offers`` on their sites and publish them.

        Refuses, before any call, offers for a market without an eBay site, priced in
        another currency than their site's, or whose eBay SKU is too long; raises
        :class:`~xborder.errors.ConfigurationError` naming what to create in eBay when a
        site lacks policies, a location or a category.
        """
        entries, problems = self._prepare(offers)
        raise_problems(problems)
        items = [entry for entry in entries if isinstance(entry, _Item)]
        for item in items:
            item.notes.extend(item.payload.notes)

        yield from self._put_inventory(items)
        yield from self._resolve_offers(items, known)
        yield from self._update_offers([i for i in items if i.result is None and i.offer_id])
        yield from self._create_offers([i for i in items if i.result is None and not i.offer_id])
        yield from self._publish([i for i in items if i.result is None and not i.published])

        results: list[ItemResult] = []
        for entry in entries:
            if isinstance(entry, ItemResult):
                results.append(entry)
            elif entry.result is not None:
                results.append(entry.result)
            else:
                results.append(
                    ItemResult(
                        entry.key,
                        "ok",
                        remote=entry.remote(),
                        issues=tuple(entry.notes),
                        state=entry.state,
                    )
                )
        return results

    def _by_language(self, items: Sequence[_Item]) -> list[list[_Item]]:
        # One call carries one Content-Language, and bulkCreateOffer one marketplace.
        groups: dict[tuple[str, str], list[_Item]] = {}
        for item in items:
            groups.setdefault((item.site.site_id, item.payload.content_language), []).append(item)
        return [list(batch) for group in groups.values() for batch in batched(group, BULK_LIMIT)]

    def _put_inventory(self, items: Sequence[_Item]) -> Flow[None]:
        for batch in self._by_language(items):
            response = yield request(
                self._settings,
                "POST",
                "/bulk_create_or_replace_inventory_item",
                operation="bulk_create_or_replace_inventory_item",
                body={"requests": [item.payload.inventory_item for item in batch]},
                language=batch[0].payload.content_language,
                idempotent=True,  # a full replace keyed by SKU
            )
            answer = (
                _wire.parse(_wire.BulkInventoryItemResponse, response.content)
                if response.status_code < 400
                else None
            )
            if answer is None:
                failure = call_failure(response) if response.status_code >= 400 else None
                for item in batch:
                    item.fail(failure or no_result("bulkCreateOrReplaceInventoryItem"))
                continue
            by_sku = {r.sku: r for r in answer.responses if r.sku is not None}
            for item in batch:
                r = by_sku.get(item.sku)
                result = (
                    outcome(r.statusCode, r.errors, r.warnings, response)
                    if r is not None
                    else no_result("bulkCreateOrReplaceInventoryItem")
                )
                item.warn(result.issues)
                if not result.ok:
                    item.fail(result)

    def _resolve_offers(
        self, items: Sequence[_Item], known: Mapping[OfferKey, RemoteRef]
    ) -> Flow[None]:
        for item in items:
            if item.result is not None:
                continue
            ref = known.get(item.key)
            offer_id = ref.get("offerId") if ref is not None else None
            if ref is not None and offer_id is not None and ref.get("sku") in (None, item.sku):
                item.offer_id = offer_id
                item.listing_id = ref.get("listingId")
                item.published = item.listing_id is not None
            elif self._settings.offer_lookup == "before_create":
                found = yield from find_offer(self._settings, item.sku, item.site)
                self._take(item, found)

    @staticmethod
    def _take(item: _Item, found: Found) -> None:
        if found.failure is not None:
            item.fail(found.failure)
            return
        item.offer_id = found.offer_id
        item.listing_id = found.listing_id
        item.published = found.published
        listing = found.offer.listing if found.offer is not None else None
        if found.published and listing is not None:
            item.state = LISTING_STATES.get((listing.listingStatus or "").upper())

    def _update_offers(self, items: Sequence[_Item]) -> Flow[None]:
        stale: list[_Item] = []
        for item in items:
            assert item.offer_id is not None
            response = yield self._update_request(item)
            if response.status_code < 400:
                answer = _wire.parse(_wire.OfferResponse, response.content)
                if answer is not None:
                    item.warn(outcome(200, [], answer.warnings, response).issues)
                continue
            failure = call_failure(response)
            if response.status_code == 404 or any(i.code == "25713" for i in failure.issues):
                # A RemoteRef kept from before the offer was deleted: create it anew.
                item.offer_id = item.listing_id = None
                item.published = False
                stale.append(item)
            else:
                item.fail(failure)
        if stale:
            yield from self._create_offers(stale)

    def _update_request(self, item: _Item) -> HttpRequest:
        return request(
            self._settings,
            "PUT",
            f"/offer/{quote(item.offer_id or '', safe='')}",
            operation="update_offer",
            body=item.payload.offer_update(),
            language=item.payload.content_language,
            idempotent=True,  # a full replace of the offer
        )

    def _create_offers(self, items: Sequence[_Item]) -> Flow[None]:
        duplicates: list[tuple[_Item, Outcome]] = []
        for batch in self._by_language(items):
            response = yield request(
                self._settings,
                "POST",
                "/bulk_create_offer",
                operation="bulk_create_offer",
                body={"requests": [item.payload.offer for item in batch]},
                language=batch[0].payload.content_language,
                # Safe to send again: eBay refuses a second offer for the same
                # sku/marketplace/format (25729), which is then looked up and updated.
                idempotent=True,
            )
            answer = (
                _wire.parse(_wire.BulkOfferResponse, response.content)
                if response.status_code < 400
                else None
            )
            if answer is None:
                failure = call_failure(response) if response.status_code >= 400 else None
                for item in batch:
                    item.fail(failure or no_result("bulkCreateOffer"))
                continue
            by_sku = {r.sku: r for r in answer.responses if r.sku is not None}
            for item in batch:
                r = by_sku.get(item.sku)
                if r is None:
                    item.fail(no_result("bulkCreateOffer"))
                    continue
                result = outcome(r.statusCode, r.errors, r.warnings, response)
                if result.ok and r.offerId:
                    item.offer_id = r.offerId
                    item.warn(result.issues)
                elif result.duplicate:
                    duplicates.append((item, result))
                else:
                    item.fail(result if not result.ok else no_result("bulkCreateOffer"))
        for item, result in duplicates:
            # 25729: the offer exists (created by an earlier run or elsewhere): update it.
            found = yield from find_offer(self._settings, item.sku, item.site)
            if found.offer_id is None:
                item.fail(found.failure or result)
                continue
            self._take(item, found)
            response = yield self._update_request(item)
            if response.status_code >= 400:
                item.fail(call_failure(response))

    def _publish(self, items: Sequence[_Item]) -> Flow[None]:
        # bulkPublishOffer takes offerIds only (no Content-Language): sites mix freely.
        for batch in batched(items, BULK_LIMIT):
            response = yield request(
                self._settings,
                "POST",
                "/bulk_publish_offer",
                operation="bulk_publish_offer",
                body={"requests": [{"offerId": item.offer_id} for item in batch]},
                idempotent=True,  # publishing a published offer revises it to the same state
            )
            answer = (
                _wire.parse(_wire.BulkPublishResponse, response.content)
                if response.status_code < 400
                else None
            )
            if answer is None:
                failure = call_failure(response) if response.status_code >= 400 else None
                for item in batch:
                    item.fail(failure or no_result("bulkPublishOffer"))
                continue
            by_id = {r.offerId: r for r in answer.responses if r.offerId is not None}
            for item in batch:
                r = by_id.get(item.offer_id or "")
                result = (
                    outcome(r.statusCode, r.errors, r.warnings, response)
                    if r is not None
                    else no_result("bulkPublishOffer")
                )
                item.warn(result.issues)
                if result.ok and r is not None:
                    item.listing_id = r.listingId or item.listing_id
                    item.published = True
                    item.state = "live"
                else:
                    item.fail(result)

    def _prepare(self, offers: Sequence[Offer]) -> tuple[list[_Item | ItemResult], list[str]]:
        entries: list[_Item | ItemResult] = []
        problems: list[str] = []
        need_user_token(self._settings, problems)
        checked: set[str] = set()
        for offer in offers:
            key = offer.key
            site = site_for_market(key.market)
            if site is None:
                entries.append(unsupported(key))
                continue
            if offer.price.currency != site.currency:
                entries.append(wrong_currency(key, site, offer.price.currency))
                continue
            sku = self._settings.wire_sku(key.sku, site)
            if len(sku) > SKU_MAX:
                entries.append(long_sku(key, sku))
                continue
            listing = offer.listing
            if listing.mpn and listing.brand:  # sent as Product.brand and Product.mpn
                too_long = [
                    (name, value)
                    for name, value in (("brand", listing.brand), ("mpn", listing.mpn))
                    if len(value) > PRODUCT_FIELD_MAX
                ]
                if too_long:
                    entries.append(long_product_field(key, *too_long[0]))
                    continue
            if site.site_id not in checked:
                checked.add(site.site_id)
                problems += site_problems(self._settings, site)
            site_settings = self._settings.site_settings(site)
            if site_settings is None:
                continue
            if site_settings.category_id(listing.sku, listing.category) is None:
                problems.append(
                    f"{site.site_id}: no eBay category for {listing.sku} (category "
                    f"{listing.category!r}): map it in sites[{site.site_id!r}].categories, or set "
                    f"default_category_id or category_overrides[{listing.sku!r}] (ids from the "
                    f"Taxonomy API getCategorySuggestions for {site.site_id})"
                )
                continue
            entries.append(_Item(offer, site, build(offer, site, site_settings, sku)))
        return entries, problems
