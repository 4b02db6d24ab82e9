"""The eBay adapter: the Sell Inventory API v1 behind the xborder adapter protocol.

Each operation is a flow (sans-I/O). What they send:

* ``upsert``: ``bulkCreateOrReplaceInventoryItem`` (≤ 25 per call, one site's language per
  call) → for items without a known offerId, ``getOffers`` by SKU (``offer_lookup=
  "before_create"``) → ``updateOffer`` for existing offers, ``bulkCreateOffer`` for new
  ones (≤ 25, one marketplace per call; a duplicate, error 25729, is looked up and
  updated) → ``bulkPublishOffer`` (≤ 25) for offers not yet published.
* ``update_price_quantity``: ``bulkUpdatePriceQuantity`` with the offerIds of the items'
  RemoteRefs (looked up by SKU when missing).
* ``withdraw``: ``withdrawOffer`` (or ``deleteOffer``, ``withdraw_action="delete"``).
* ``status``: ``getOffers`` by SKU: the offer's status and its listing's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Final
from urllib.parse import quote

from xborder.http import Flow, HttpResponse
from xborder.marketplaces._auth import TokenProvider
from xborder.marketplaces._capabilities import Capabilities, Setting
from xborder.marketplaces._model import (
    Classification,
    Issue,
    ItemResult,
    ListingState,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
)
from xborder.marketplaces._protocol import API_VERSION
from xborder.marketplaces._tokens import OAuth2ClientCredentials, OAuth2RefreshToken
from xborder.marketplaces.ebay import _wire
from xborder.marketplaces.ebay._calls import (
    BULK_LIMIT,
    LISTING_STATES,
    Found,
    call_failure,
    find_offer,
    no_result,
    outcome,
    request,
)
from xborder.marketplaces.ebay._checks import (
    need_user_token,
    raise_problems,
    refused,
    unsupported,
    wrong_currency,
)
from xborder.marketplaces.ebay._classify import classify
from xborder.marketplaces.ebay._payload import price_quantity_request
from xborder.marketplaces.ebay._settings import APPLICATION_SCOPES, EbaySettings
from xborder.marketplaces.ebay._sites import SITES, SOURCE, EbaySite, site_for_market
from xborder.marketplaces.ebay._upsert import Upsert

if TYPE_CHECKING:
    from xborder.offer import Offer

__all__ = ["BULK_LIMIT", "CAPABILITIES", "EbayAdapter"]

_NO_REFS: Final[Mapping[OfferKey, RemoteRef]] = MappingProxyType({})

CAPABILITIES: Final = Capabilities(
    name="ebay",
    batch_limits={
        "upsert": BULK_LIMIT,
        "update_price_quantity": BULK_LIMIT,
        # withdrawOffer, deleteOffer and getOffers take one offer or SKU per call.
        "withdraw": 1,
        "status": 1,
    },
    partial_update=True,
    asynchronous=False,
    sites={site.market: site.as_site() for site in SITES.values()},
    channel="ebay",
    settings=(
        Setting("client_id", "App ID of the eBay developer application (XBORDER_EBAY_CLIENT_ID)"),
        Setting("client_secret", "Cert ID of the application (XBORDER_EBAY_CLIENT_SECRET)"),
        Setting(
            "refresh_token",
            "the seller's refresh token from the one-time consent, `xborder auth ebay` "
            "(XBORDER_EBAY_REFRESH_TOKEN)",
        ),
        Setting(
            "ru_name",
            "the application's redirect URL name (RuName), for the consent only",
            required=False,
        ),
        Setting("fulfillment_policy_id", "a fulfillment (shipping) business policy", True),
        Setting("payment_policy_id", "a payment business policy", True),
        Setting("return_policy_id", "a return business policy", True),
        Setting("merchant_location_key", "an inventory location (POST /location/{key})", True),
        Setting("categories", "eBay category ids for the xborder category keys listed", True),
    ),
    sources=(
        "https://developer.ebay.com/api-docs/sell/inventory/resources/methods",
        "https://developer.ebay.com/api-docs/sell/inventory/resources/offer/methods/bulkCreateOffer",
        "https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html",
        SOURCE,
    ),
)


class EbayAdapter:
    """The eBay marketplace adapter (Sell Inventory API v1); see docs/ebay.md.

    ::

        adapter = EbayAdapter()                       # settings from XBORDER_EBAY_* variables
        adapter = EbayAdapter(EbaySettings(client_id=..., client_secret=..., ...))
    """

    name: ClassVar[str] = "ebay"
    api_version: ClassVar[int] = API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: EbaySettings | None = None) -> None:
        if settings is not None and not isinstance(settings, EbaySettings):
            raise TypeError(f"settings: expected EbaySettings, got {type(settings).__name__}")
        self._settings = settings if settings is not None else EbaySettings.from_env()
        self._providers: dict[str, TokenProvider] | None = None
        # SKUs per bulkUpdatePriceQuantity call: drops to 1 once eBay refuses several.
        self._skus_per_price_call = self._settings.price_quantity_skus_per_call

    def __repr__(self) -> str:
        return (
            f"EbayAdapter(sandbox={self._settings.sandbox}, sites={sorted(self._settings.sites)})"
        )

    @property
    def settings(self) -> EbaySettings:
        """The adapter's settings."""
        return self._settings

    @property
    def capabilities(self) -> Capabilities:
        """Operations, the 25-item bulk limits and the sites served."""
        return CAPABILITIES

    def token_providers(self) -> Mapping[str, TokenProvider]:
        """Return the token providers: ``default`` (user token) and ``application``.

        ``default`` is the seller's user token (refresh-token grant, Basic client auth at the
        identity endpoint), for every Inventory call; ``application`` the application token
        (client credentials), for Metadata calls. Without a refresh token there is no
        ``default`` provider.
        """
        if self._providers is None:
            s = self._settings
            providers: dict[str, TokenProvider] = {
                "application": OAuth2ClientCredentials(
                    s.token_url, s.client_id, s.client_secret, scope=" ".join(APPLICATION_SCOPES)
                )
            }
            if s.refresh_token is not None:
                providers["default"] = OAuth2RefreshToken(
                    s.token_url,
                    s.client_id,
                    s.client_secret,
                    s.refresh_token,
                    scope=" ".join(s.scopes),
                    client_auth="basic",
                )
            self._providers = providers
        return MappingProxyType(self._providers)

    def classify(self, response: HttpResponse) -> Classification:
        """Say what an eBay answer means (see :func:`xborder.marketplaces.ebay.classify`)."""
        return classify(response)

    def upsert(
        self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Create or replace ``offers`` on their sites and publish them.

        Refuses, before any call, offers for a market without an eBay site, priced in
        another currency than their site's, or whose eBay SKU is too long; raises
        :class:`~xborder.errors.ConfigurationError` naming what to create in eBay when a
        site lacks policies, a location or a category. See ``_upsert`` for the stages.
        """
        return Upsert(self._settings).run(offers, known)

    # -- price and quantity -----------------------------------------------------------------------

    def update_price_quantity(
        self, updates: Sequence[PriceQuantityUpdate]
    ) -> Flow[list[ItemResult]]:
        """Change price and/or quantity of published offers (``bulkUpdatePriceQuantity``).

        The offerId comes from each update's ``remote``; without one it is looked up by SKU
        first (one ``getOffers`` call per item).
        """
        problems: list[str] = []
        need_user_token(self._settings, problems)
        raise_problems(problems)
        results: dict[int, ItemResult] = {}
        ready: list[tuple[int, PriceQuantityUpdate, str, str, RemoteRef]] = []
        for index, update in enumerate(updates):
            key = update.key
            site = site_for_market(key.market)
            if site is None:
                results[index] = unsupported(key)
                continue
            if update.price is not None and update.price.currency != site.currency:
                results[index] = wrong_currency(key, site, update.price.currency)
                continue
            sku = (update.remote.get("sku") if update.remote else None) or self._settings.wire_sku(
                key.sku, site
            )
            remote = update.remote or RemoteRef()
            offer_id = remote.get("offerId")
            if offer_id is None:
                found = yield from find_offer(self._settings, sku, site)
                if found.failure is not None:
                    results[index] = ItemResult(
                        key,
                        "failed",
                        issues=found.failure.issues,
                        retry_after=found.failure.retry_after,
                    )
                    continue
                if found.offer_id is None or not found.published:
                    results[index] = refused(
                        key,
                        "ebay.not_published",
                        f"no published offer for SKU {sku!r} on {site.site_id}: publish it "
                        f"with upsert() first (bulkUpdatePriceQuantity changes published "
                        f"offers only)",
                        "sku",
                    )
                    continue
                offer_id = found.offer_id
                remote = remote.with_ids(offerId=offer_id, listingId=found.listing_id)
            ready.append((index, update, sku, offer_id, remote.with_ids(sku=sku)))

        pending = ready
        while pending:
            batch = pending[: self._skus_per_price_call]
            response = yield request(
                self._settings,
                "POST",
                "/bulk_update_price_quantity",
                operation="bulk_update_price_quantity",
                body={
                    "requests": [
                        price_quantity_request(
                            sku, offer_id, price=update.price, quantity=update.quantity
                        )
                        for _, update, sku, offer_id, _ in batch
                    ]
                },
                idempotent=True,  # sets absolute values
            )
            answer = (
                _wire.parse(_wire.BulkPriceQuantityResponse, response.content)
                if response.status_code < 400
                else None
            )
            if answer is None and response.status_code == 400 and len(batch) > 1:
                # The reference says both "Only one SKU (one product) can be updated per
                # call" and "up to 25": a refusal of several is sent again one by one.
                self._skus_per_price_call = 1
                continue
            for index, update, sku, offer_id, remote in batch:
                results[index] = self._price_result(
                    update.key, sku, offer_id, remote, answer, response
                )
            pending = pending[len(batch) :]
        return [results[index] for index in range(len(updates))]

    @staticmethod
    def _price_result(
        key: OfferKey,
        sku: str,
        offer_id: str,
        remote: RemoteRef,
        answer: _wire.BulkPriceQuantityResponse | None,
        response: HttpResponse,
    ) -> ItemResult:
        if answer is None:
            failure = (
                call_failure(response)
                if response.status_code >= 400
                else no_result("bulkUpdatePriceQuantity")
            )
            return ItemResult(
                key, "failed", remote=remote, issues=failure.issues, retry_after=failure.retry_after
            )
        # One answer for the offer and, with a quantity, one for the SKU's ship-to-home
        # quantity; the item is done when all of its answers are.
        mine = [
            r
            for r in answer.responses
            if r.offerId == offer_id or (r.offerId is None and r.sku == sku)
        ]
        if not mine:
            failure = no_result("bulkUpdatePriceQuantity")
            return ItemResult(
                key, "failed", remote=remote, issues=failure.issues, retry_after=failure.retry_after
            )
        outcomes = [outcome(r.statusCode, r.errors, r.warnings, response) for r in mine]
        found = tuple(issue for o in outcomes for issue in o.issues)
        if all(o.ok for o in outcomes):
            return ItemResult(key, "ok", remote=remote, issues=found, state="live")
        retry_after = max((o.retry_after for o in outcomes if o.retry_after), default=None)
        return ItemResult(key, "failed", remote=remote, issues=found, retry_after=retry_after)

    # -- withdraw and status ----------------------------------------------------------------------

    def _locate(
        self, key: OfferKey, known: Mapping[OfferKey, RemoteRef]
    ) -> Flow[tuple[EbaySite, str, Found] | ItemResult]:
        site = site_for_market(key.market)
        if site is None:
            return unsupported(key)
        ref = known.get(key)
        sku = (ref.get("sku") if ref else None) or self._settings.wire_sku(key.sku, site)
        found = yield from find_offer(self._settings, sku, site)
        if found.failure is not None:
            return ItemResult(
                key,
                "failed",
                remote=ref,
                issues=found.failure.issues,
                retry_after=found.failure.retry_after,
            )
        return site, sku, found

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """End the listings of ``keys`` (``withdrawOffer``).

        With ``withdraw_action="delete"`` the offers are deleted instead (``deleteOffer``).
        Items without an offer are ok and ``absent``.
        """
        problems: list[str] = []
        need_user_token(self._settings, problems)
        raise_problems(problems)
        delete = self._settings.withdraw_action == "delete"
        results: list[ItemResult] = []
        for key in keys:
            ref = known.get(key)
            site = site_for_market(key.market)
            if site is None:
                results.append(unsupported(key))
                continue
            sku = (ref.get("sku") if ref else None) or self._settings.wire_sku(key.sku, site)
            offer_id = ref.get("offerId") if ref else None
            looked_up = offer_id is None
            if offer_id is None:
                found = yield from find_offer(self._settings, sku, site)
                early = self._withdrawn(key, sku, found, delete)
                if early is not None:
                    results.append(early)
                    continue
                offer_id = found.offer_id or ""
            path = f"/offer/{quote(offer_id, safe='')}"
            response = yield request(
                self._settings,
                "DELETE" if delete else "POST",
                path if delete else f"{path}/withdraw",
                operation="delete_offer" if delete else "withdraw_offer",
                idempotent=True,  # the second one finds the listing ended already
            )
            if response.status_code == 404 or (delete and response.status_code < 400):
                results.append(ItemResult(key, "ok", state="absent"))
                continue
            remote = RemoteRef(offerId=offer_id, sku=sku)
            if response.status_code < 400:
                answer = _wire.parse(_wire.WithdrawResponse, response.content)
                found_issues = outcome(200, [], answer.warnings if answer else [], response).issues
                results.append(
                    ItemResult(key, "ok", remote=remote, issues=found_issues, state="inactive")
                )
                continue
            failure = call_failure(response)
            if not looked_up:
                # A RemoteRef kept from before: the listing may have ended since (withdrawn
                # by an earlier run, or in Seller Hub). Read what eBay holds now.
                found = yield from find_offer(self._settings, sku, site)
                early = self._withdrawn(key, sku, found, delete)
                if early is not None and early.ok:
                    results.append(early)
                    continue
            results.append(
                ItemResult(
                    key,
                    "failed",
                    remote=remote,
                    issues=failure.issues,
                    retry_after=failure.retry_after,
                )
            )
        return results

    @staticmethod
    def _withdrawn(key: OfferKey, sku: str, found: Found, delete: bool) -> ItemResult | None:
        """Return the result of an item a lookup shows needs no call, else None."""
        if found.failure is not None:
            return ItemResult(
                key, "failed", issues=found.failure.issues, retry_after=found.failure.retry_after
            )
        if found.offer_id is None:
            return ItemResult(key, "ok", state="absent")
        if not found.published and not delete:
            remote = RemoteRef(offerId=found.offer_id, sku=sku)
            return ItemResult(key, "ok", remote=remote, state="inactive")
        return None

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Read each key's offer and listing status (``getOffers`` by SKU, one call each)."""
        problems: list[str] = []
        need_user_token(self._settings, problems)
        raise_problems(problems)
        results: list[ItemResult] = []
        for key in keys:
            located = yield from self._locate(key, known)
            if isinstance(located, ItemResult):
                results.append(located)
                continue
            _, sku, found = located
            results.append(self._status_result(key, sku, found))
        return results

    @staticmethod
    def _status_result(key: OfferKey, sku: str, found: Found) -> ItemResult:
        offer = found.offer
        if offer is None:
            return ItemResult(key, "ok", state="absent")
        remote = RemoteRef(offerId=offer.offerId, listingId=found.listing_id, sku=sku)
        listing = offer.listing
        if not found.published:
            state: ListingState = "inactive"
        elif listing is not None and listing.listingOnHold:
            warning = Issue(
                "ebay.listing_on_hold",
                "eBay put the listing on hold for a policy violation; see the seller's "
                "messages in eBay and revise it",
                None,
                "warning",
            )
            return ItemResult(key, "ok", remote=remote, issues=(warning,), state="rejected")
        else:
            status = (listing.listingStatus or "").upper() if listing is not None else ""
            state = LISTING_STATES.get(status, "pending")
        return ItemResult(key, "ok", remote=remote, state=state)

    # -- metadata ---------------------------------------------------------------------------------

    def site_currency(self, site: str) -> Flow[str | None]:
        """Read a site's default currency live (Metadata API ``getCurrencies``).

        Uses the application token. ``site`` is a marketplace id or a country code; the
        answer is the ISO code, or None when eBay's answer has none.
        """
        found = site_for_market(site)
        site_id = found.site_id if found is not None else site
        response = yield request(
            self._settings,
            "GET",
            f"/marketplace/{quote(site_id, safe='')}/get_currencies",
            operation="get_currencies",
            auth="application",
            base=f"{self._settings.api_host}/sell/metadata/v1",
            idempotent=True,
            raise_for_status=True,
        )
        answer = _wire.parse(_wire.CurrenciesResponse, response.content)
        if answer is None or answer.defaultCurrency is None:
            return None
        return answer.defaultCurrency.code
