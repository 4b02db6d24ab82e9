"""The Amazon adapter: the SP-API's Listings Items and Feeds APIs behind the adapter protocol.

Each operation is a flow (sans-I/O). Items are grouped by store (one listing per seller, SKU
and store); a group of fewer than ``feed_threshold`` items goes one Listings Items call per
item, a larger one in JSON_LISTINGS_FEED feeds (``_feeds``). What they send:

* ``upsert``: ``putListingsItem`` per item (a full replace by SKU), or ``UPDATE`` messages;
* ``update_price_quantity``: ``patchListingsItem`` (``replace`` of ``purchasable_offer``,
  ``merge`` of ``fulfillment_availability``), or ``PATCH`` messages;
* ``withdraw``: ``deleteListingsItem`` (or ``DELETE`` messages); with
  ``withdraw_action="zero_quantity"`` a read, then a quantity-0 patch of listings that exist;
* ``status``: ``getListingsItem`` for one SKU, ``searchListingsItems`` for up to 20 at once;
  items a read does not find, and whose RemoteRef names a feed, are resolved from its report;
* ``preview``: ``putListingsItem`` with ``mode=VALIDATION_PREVIEW`` (nothing is stored).

A per-item write answered ``ACCEPTED`` is only queued (HTTP 200 also carries ``INVALID``, a
failed item with its issues); it is confirmed by one read of its store after the writes
(``read_back``), and stays ``pending`` otherwise. Feed items are confirmed by the processing
report, whose header asks for the listings' state (``includedData``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from xborder.clock import today as clock_today
from xborder.errors import ConfigurationError
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.marketplaces._auth import TokenProvider
from xborder.marketplaces._capabilities import Capabilities, RateLimit, Setting
from xborder.marketplaces._model import (
    Classification,
    Issue,
    ItemResult,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
)
from xborder.marketplaces._protocol import API_VERSION
from xborder.marketplaces._tokens import OAuth2ClientCredentials, OAuth2RefreshToken
from xborder.marketplaces.amazon._calls import listings_item_url, read_items, sp_request
from xborder.marketplaces.amazon._classify import (
    classify,
    error_issues,
    item_issue,
    retry_after_of,
)
from xborder.marketplaces.amazon._confirm import Expect, confirm, listing_state, summary_of
from xborder.marketplaces.amazon._feeds import FeedEntry, FeedJob, finish, split, submit
from xborder.marketplaces.amazon._marketplaces import (
    MARKETPLACES,
    SOURCE,
    AmazonMarketplace,
    marketplace_for,
)
from xborder.marketplaces.amazon._payload import (
    OFFER_ONLY_PRODUCT_TYPE,
    Payload,
    build,
    delete_message,
    dumps,
    patch_body,
    patch_message,
    price_patch,
    quantity_patch,
)
from xborder.marketplaces.amazon._settings import (
    FEED_MAX_MESSAGES,
    LWA_TOKEN_URL,
    SECRET_LIFETIME_DAYS,
    AmazonSettings,
)
from xborder.marketplaces.amazon._wire import Item, SubmissionResponse, parse

if TYPE_CHECKING:
    from xborder.offer import Offer

__all__ = [
    "LISTINGS_USAGE",
    "SKU_MAX",
    "AmazonAdapter",
    "ClientSecretRotationWarning",
    "capabilities",
]

#: "SKU: up to 40 characters" (Seller Central listing rules; longer SKUs are refused).
SKU_MAX: Final = 40
#: Where the usage plans (rate and burst per operation) are stated.
LISTINGS_USAGE: Final = "https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits"
_FEED_QUOTA: Final = (
    "https://developer-docs.amazon.com/sp-api/changelog/"
    "update-feed-size-and-rate-limit-changes-for-the-json_listings_feed"
)
_NO_REFS: Final[Mapping[OfferKey, RemoteRef]] = MappingProxyType({})


class ClientSecretRotationWarning(UserWarning):
    """The LWA client secret is due for rotation (every 180 days) or already expired."""


def capabilities(settings: AmazonSettings | None = None) -> Capabilities:
    """Return the adapter's :class:`Capabilities` (the ``get_feed`` pace follows ``settings``).

    Rates are the usage plans of ``listingsItems_2021-08-01.json`` and
    ``feeds_2021-06-30.json``. ``create_feed`` keeps the operation's rate (0.0083/s) with a
    burst of 5: JSON_LISTINGS_FEED takes 5 feeds per 5 minutes per region (shared here by
    all regions, which is stricter). ``get_feed`` is paced at one poll per
    ``feed_poll_interval`` seconds, well under its 2/s plan.
    """
    interval = settings.feed_poll_interval if settings is not None else 30.0
    return Capabilities(
        name="amazon",
        batch_limits={
            "upsert": FEED_MAX_MESSAGES,
            "update_price_quantity": FEED_MAX_MESSAGES,
            "withdraw": FEED_MAX_MESSAGES,
            "status": 20,
        },
        rate_limits={
            "put_listings_item": RateLimit(5, 10, LISTINGS_USAGE),
            "patch_listings_item": RateLimit(5, 5, LISTINGS_USAGE),
            "delete_listings_item": RateLimit(5, 5, LISTINGS_USAGE),
            "get_listings_item": RateLimit(5, 10, LISTINGS_USAGE),
            "search_listings_items": RateLimit(5, 5, LISTINGS_USAGE),
            "create_feed_document": RateLimit(0.5, 15, LISTINGS_USAGE),
            "create_feed": RateLimit(0.0083, 5, _FEED_QUOTA),
            "get_feed": RateLimit(1.0 / interval, 1, LISTINGS_USAGE),
            "get_feed_document": RateLimit(0.0222, 10, LISTINGS_USAGE),
        },
        partial_update=True,
        asynchronous=True,
        sites={mp.market: mp.as_site() for mp in MARKETPLACES.values()},
        channel="amazon",
        settings=(
            Setting("client_id", "LWA client identifier of the SP-API application"),
            Setting("client_secret", "LWA client secret (rotate every 180 days)"),
            Setting("refresh_token", "the seller's refresh token from authorizing the app"),
            Setting("seller_id", "the seller's merchant token (Seller Central > Account info)"),
            Setting(
                "product_types",
                "Amazon product types for the xborder category keys listed (Product Type "
                "Definitions API searchDefinitionsProductTypes)",
            ),
        ),
        sources=(
            "https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference",
            "https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference",
            LISTINGS_USAGE,
            _FEED_QUOTA,
            SOURCE,
        ),
    )


#: The capabilities with the default settings.
CAPABILITIES: Final = capabilities()


@dataclass(slots=True)
class _Write:
    """One item's write: the per-item request, its feed message, and what confirms it."""

    index: int
    key: OfferKey
    mp: AmazonMarketplace
    sku: str
    what: str  # the operationId, for messages
    request: Callable[[], HttpRequest]
    message: Callable[[int], dict[str, Any]]
    expect: Expect
    product_type: str | None
    notes: tuple[Issue, ...] = ()

    def remote(self, **ids: str | None) -> RemoteRef:
        return RemoteRef(
            sku=self.sku,
            marketplaceId=self.mp.marketplace_id,
            productType=self.product_type,
            **ids,
        )


def _refused(key: OfferKey, code: str, message: str, field: str | None = None) -> ItemResult:
    return ItemResult(key, "failed", issues=(Issue(code, message, field),))


def _merge(*groups: Sequence[Issue]) -> tuple[Issue, ...]:
    out: list[Issue] = []
    for group in groups:
        for issue in group:
            if issue not in out:
                out.append(issue)
    return tuple(out)


def _grouped(writes: Sequence[_Write]) -> dict[str, list[_Write]]:
    groups: dict[str, list[_Write]] = {}
    for write in writes:
        groups.setdefault(write.mp.market, []).append(write)
    return groups


class AmazonAdapter:
    """The Amazon marketplace adapter (SP-API); see docs/amazon.md.

    ::

        adapter = AmazonAdapter()                    # settings from XBORDER_AMAZON_* variables
        adapter = AmazonAdapter(AmazonSettings(client_id=..., client_secret=..., ...))

    ``today`` is the day the client-secret rotation warning is judged on (default: today).
    """

    name: ClassVar[str] = "amazon"
    api_version: ClassVar[int] = API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, settings: AmazonSettings | None = None, *, today: date | None = None
    ) -> None:
        if settings is not None and not isinstance(settings, AmazonSettings):
            raise TypeError(f"settings: expected AmazonSettings, got {type(settings).__name__}")
        self._settings = settings if settings is not None else AmazonSettings.from_env()
        self._capabilities = capabilities(self._settings)
        self._providers: dict[str, TokenProvider] | None = None
        self._warn_rotation(today)

    def __repr__(self) -> str:
        s = self._settings
        return f"AmazonAdapter(seller_id={s.seller_id!r}, region={s.region!r}, sandbox={s.sandbox})"

    @property
    def settings(self) -> AmazonSettings:
        """The adapter's settings."""
        return self._settings

    @property
    def capabilities(self) -> Capabilities:
        """Operations, limits, usage plans and the stores served."""
        return self._capabilities

    def _warn_rotation(self, today: date | None) -> None:
        expires = self._settings.client_secret_expires_on
        if expires is None:
            return
        left = (expires - (today or clock_today())).days
        if left > self._settings.rotation_warning_days:
            return
        if left < 0:
            text = f"expired on {expires.isoformat()}: LWA refuses it (invalid_client)"
        else:
            text = f"expires on {expires.isoformat()}, in {left} days"
        warnings.warn(
            f"amazon: the LWA client secret {text}; rotate it (Seller Central > Develop apps, or "
            f"the Application Management API rotateApplicationClientSecret) and update "
            f"{AmazonSettings.env_var('client_secret')} and "
            f"{AmazonSettings.env_var('client_secret_rotated_on')} "
            f"(secrets live {SECRET_LIFETIME_DAYS} days)",
            ClientSecretRotationWarning,
            stacklevel=3,
        )

    def token_providers(self) -> Mapping[str, TokenProvider]:
        """Return ``default`` (the seller's LWA refresh-token grant) and ``grantless``.

        Both ask the LWA endpoint with the client id and secret in the form and sign calls
        with the bare token in ``x-amz-access-token`` (no SigV4 since 2023-10-02).
        ``grantless`` is the client-credentials grant for ``grantless_scope``. Without a
        refresh token there is no ``default`` provider.
        """
        if self._providers is None:
            s = self._settings
            providers: dict[str, TokenProvider] = {
                "grantless": OAuth2ClientCredentials(
                    LWA_TOKEN_URL,
                    s.client_id,
                    s.client_secret,
                    scope=s.grantless_scope,
                    client_auth="body",
                    header="x-amz-access-token",
                    scheme="",
                )
            }
            if s.refresh_token is not None:
                providers["default"] = OAuth2RefreshToken(
                    LWA_TOKEN_URL,
                    s.client_id,
                    s.client_secret,
                    s.refresh_token,
                    client_auth="body",
                    header="x-amz-access-token",
                    scheme="",
                )
            self._providers = providers
        return MappingProxyType(self._providers)

    def classify(self, response: HttpResponse) -> Classification:
        """Say what an SP-API answer means (see :func:`xborder.marketplaces.amazon.classify`)."""
        return classify(response)

    # -- checks before any call ----------------------------------------------------------------

    def _need_token(self) -> None:
        if self._settings.refresh_token is None:
            raise ConfigurationError(
                f"amazon: {AmazonSettings.env_var('refresh_token')} is not set: the seller "
                f"authorizes the application (Seller Central > Apps > Authorize, or the "
                f"website authorization workflow) and the refresh token it yields goes here"
            )

    def _store(self, key: OfferKey) -> AmazonMarketplace | ItemResult:
        mp = marketplace_for(key.market)
        if mp is None:
            known = ", ".join(sorted(MARKETPLACES))
            return _refused(
                key,
                "amazon.unsupported_market",
                f"xborder lists on no Amazon store for market {key.market!r} (stores: {known})",
                "market",
            )
        region = self._settings.region
        if region is not None and mp.region != region:
            return _refused(
                key,
                "amazon.region_not_configured",
                f"{mp.domain} is served by the {mp.region} endpoint, but the settings allow "
                f"region {region} only (a refresh token authorizes one region's account)",
                "market",
            )
        return mp

    def _sku(self, key: OfferKey, sku: str) -> ItemResult | None:
        if len(sku) > SKU_MAX:
            return _refused(
                key,
                "amazon.sku_too_long",
                f"the SKU {sku!r} has {len(sku)} characters; Amazon takes at most {SKU_MAX}",
                "sku",
            )
        return None

    @staticmethod
    def _wrong_currency(key: OfferKey, mp: AmazonMarketplace, currency: str) -> ItemResult:
        return _refused(
            key,
            "amazon.currency_mismatch",
            f"{mp.domain} sells in {mp.currency}, the price is in {currency}. Prepare the offer "
            f"for market {mp.market} so it is priced in {mp.currency}.",
            "price",
        )

    def _payload(self, offer: Offer, problems: list[str]) -> Payload | ItemResult | None:
        key = offer.key
        found = self._store(key)
        if isinstance(found, ItemResult):
            return found
        mp = found
        if offer.price.currency != mp.currency:
            return self._wrong_currency(key, mp, offer.price.currency)
        refused = self._sku(key, offer.listing.sku)
        if refused is not None:
            return refused
        listing = offer.listing
        product_type = self._settings.product_type(listing.sku, listing.category)
        if product_type is None:
            problems.append(
                f"no Amazon product type for {listing.sku} (category {listing.category!r}): map "
                f"it in {AmazonSettings.env_var('product_types')}, or set default_product_type or "
                f"product_type_overrides[{listing.sku!r}] (names from the Product Type "
                f"Definitions API, searchDefinitionsProductTypes)"
            )
            return None
        return build(offer, self._settings, mp, product_type)

    # -- running writes ------------------------------------------------------------------------

    def _submitted(self, write: _Write, response: HttpResponse) -> ItemResult:
        """Read a per-item write's answer: failed, ok (deleted, previewed) or pending."""
        if response.status_code == 404 and write.expect.mode == "absent":
            return ItemResult(write.key, "ok", remote=write.remote(), state="absent")
        if response.status_code >= 400:
            return ItemResult(
                write.key,
                "failed",
                remote=write.remote(),
                issues=_merge(write.notes, error_issues(response, what=write.what)),
                retry_after=retry_after_of(response),
            )
        answer = parse(SubmissionResponse, response.content)
        if answer is None:
            return ItemResult(
                write.key,
                "failed",
                remote=write.remote(),
                issues=_merge(
                    write.notes,
                    (
                        Issue(
                            "amazon.unreadable_response",
                            f"{write.what} answered HTTP {response.status_code} with a body "
                            f"that is not a ListingsItemSubmissionResponse; send it again",
                        ),
                    ),
                ),
                retry_after=60.0,
            )
        return self._read_submission(write, answer)

    def _read_submission(self, write: _Write, answer: SubmissionResponse) -> ItemResult:
        found = tuple(item_issue(issue) for issue in answer.issues)
        asin = next(
            (
                i.asin
                for i in answer.identifiers
                if i.marketplaceId in (write.mp.marketplace_id, None)
            ),
            None,
        )
        remote = write.remote(submissionId=answer.submissionId, asin=asin)
        status = (answer.status or "").upper()
        issues = _merge(write.notes, found)
        if status == "INVALID":
            if not any(issue.severity == "error" for issue in issues):
                issues = (*issues, Issue("amazon.invalid", "Amazon refused the submission"))
            return ItemResult(write.key, "failed", remote=remote, issues=issues)
        if status == "VALID":
            return ItemResult(write.key, "ok", remote=remote, issues=issues)
        if status != "ACCEPTED":
            note = Issue(
                "amazon.unknown_status",
                f"{write.what} answered status {answer.status!r}, which the model does not "
                f"list; read the item with status() to know where it stands",
                severity="warning",
            )
            issues = (*issues, note)
        return ItemResult(write.key, "pending", remote=remote, issues=issues, state="pending")

    def _execute(self, writes: Sequence[_Write], results: list[ItemResult | None]) -> Flow[None]:
        """Send ``writes``: feeds for large store groups, one call each for small ones."""
        s = self._settings
        jobs: list[FeedJob] = []
        singles: list[list[_Write]] = []
        for group in _grouped(writes).values():
            if len(group) < s.feed_threshold:
                singles.append(group)
                continue
            entries = [
                FeedEntry(
                    w.index,
                    w.key,
                    w.sku,
                    number,
                    dumps(w.message(number)),
                    w.expect,
                    w.product_type,
                    w.notes,
                )
                for number, w in enumerate(group, start=1)
            ]
            found, too_big = split(s, group[0].mp, entries)
            jobs += found
            for entry in too_big:
                results[entry.index] = _refused(
                    entry.key,
                    "amazon.message_too_large",
                    f"the item's feed message has {len(entry.message)} bytes; a feed document "
                    f"must stay under {s.feed_max_bytes} bytes",
                )
        # Feeds first, so Amazon processes them while the per-item calls go out.
        for job in jobs:
            yield from submit(s, job)
        for group in singles:
            yield from self._one_by_one(group, results)
        for job in jobs:
            yield from finish(s, job)
            for index, result in job.results.items():
                results[index] = result

    def _one_by_one(self, group: Sequence[_Write], results: list[ItemResult | None]) -> Flow[None]:
        accepted: list[tuple[_Write, ItemResult]] = []
        for write in group:
            response = yield write.request()
            result = self._submitted(write, response)
            results[write.index] = result
            if result.pending:
                accepted.append((write, result))
        if not accepted or not self._settings.read_back:
            return
        mp = group[0].mp
        reads = yield from read_items(self._settings, mp, [w.sku for w, _ in accepted])
        for write, result in accepted:
            if write.sku in reads.failed:
                note = Issue(
                    "amazon.read_back_failed",
                    "the write was accepted but reading it back failed; confirm it with "
                    "status() later: " + "; ".join(str(i) for i in reads.failed[write.sku]),
                    severity="warning",
                )
                results[write.index] = ItemResult(
                    write.key,
                    "pending",
                    remote=result.remote,
                    issues=_merge(result.issues, (note,)),
                    state="pending",
                )
                continue
            seen = confirm(reads.items.get(write.sku), mp, write.expect)
            remote = (result.remote or write.remote()).with_ids(
                asin=seen.asin or (result.remote.get("asin") if result.remote else None),
                productType=seen.product_type or write.product_type,
            )
            results[write.index] = ItemResult(
                write.key,
                seen.status,
                remote=remote,
                issues=_merge(result.issues, seen.issues),
                state=seen.state,
            )

    @staticmethod
    def _done(results: list[ItemResult | None]) -> list[ItemResult]:
        out = [result for result in results if result is not None]
        if len(out) != len(results):  # pragma: no cover - every path sets a result
            raise AssertionError("amazon: an item was left without a result")
        return out

    # -- upsert --------------------------------------------------------------------------------

    def _put_write(self, index: int, payload: Payload, *, mode: str | None = None) -> _Write:
        s = self._settings
        mp = payload.marketplace
        preview = ("identifiers", "issues") if mode is not None else ()

        def request() -> HttpRequest:
            return sp_request(
                "PUT",
                # A preview asks for identifiers and issues, as the sandbox's static
                # VALIDATION_PREVIEW examples do (putListingsItem x-amzn-api-sandbox).
                listings_item_url(s, mp, payload.sku, mode=mode, included=preview),
                operation="put_listings_item",
                body=payload.put_body(),
            )

        return _Write(
            index=index,
            key=payload.key,
            mp=mp,
            sku=payload.sku,
            what="putListingsItem",
            request=request,
            message=payload.message,
            expect=Expect(
                price=payload.price,
                quantity=payload.quantity,
                channel=s.fulfillment_channel_code,
            ),
            product_type=payload.product_type,
            notes=payload.notes,
        )

    def _plan(
        self, offers: Sequence[Offer]
    ) -> tuple[list[ItemResult | None], list[tuple[int, Payload]]]:
        self._need_token()
        results: list[ItemResult | None] = [None] * len(offers)
        payloads: list[tuple[int, Payload]] = []
        problems: list[str] = []
        for index, offer in enumerate(offers):
            entry = self._payload(offer, problems)
            if isinstance(entry, ItemResult):
                results[index] = entry
            elif entry is not None:
                payloads.append((index, entry))
        if problems:
            raise ConfigurationError(
                "amazon: cannot write yet:\n  - " + "\n  - ".join(dict.fromkeys(problems))
            )
        return results, payloads

    def upsert(
        self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Create or fully replace the listings of ``offers`` (one per SKU and store).

        Refuses, before any call, offers for a market without an Amazon store (or outside the
        configured region), priced in another currency than the store's, or with a SKU over
        40 characters; raises :class:`~xborder.errors.ConfigurationError` when there is no
        refresh token or a listing has no product type.
        """
        results, payloads = self._plan(offers)
        writes = [self._put_write(index, payload) for index, payload in payloads]
        yield from self._execute(writes, results)
        return self._done(results)

    def preview(self, offers: Sequence[Offer]) -> Flow[list[ItemResult]]:
        """Validate ``offers`` without storing anything (``mode=VALIDATION_PREVIEW``).

        One ``putListingsItem`` call per offer, whatever their number: ``VALID`` is ``ok``
        (with Amazon's warnings), ``INVALID`` ``failed`` with the issues.
        """
        results, payloads = self._plan(offers)
        for index, payload in payloads:
            write = self._put_write(index, payload, mode="VALIDATION_PREVIEW")
            response = yield write.request()
            result = self._submitted(write, response)
            if result.pending:  # an answer without VALID/INVALID: nothing was confirmed
                result = ItemResult(
                    result.key,
                    "failed",
                    remote=result.remote,
                    issues=_merge(
                        result.issues,
                        (Issue("amazon.preview_unconfirmed", "no VALID or INVALID answer"),),
                    ),
                )
            results[index] = result
        return self._done(results)

    # -- price and quantity ----------------------------------------------------------------------

    def _patch_write(
        self,
        index: int,
        key: OfferKey,
        mp: AmazonMarketplace,
        sku: str,
        product_type: str,
        patches: list[dict[str, Any]],
        expect: Expect,
    ) -> _Write:
        s = self._settings

        def request() -> HttpRequest:
            return sp_request(
                "PATCH",
                listings_item_url(s, mp, sku),
                operation="patch_listings_item",
                body=patch_body(product_type, patches),
                idempotent=True,  # replace and merge set absolute values
            )

        def message(number: int) -> dict[str, Any]:
            return patch_message(number, sku, product_type, patches)

        return _Write(
            index, key, mp, sku, "patchListingsItem", request, message, expect, product_type
        )

    def update_price_quantity(
        self, updates: Sequence[PriceQuantityUpdate]
    ) -> Flow[list[ItemResult]]:
        """Change the price and/or quantity of listings Amazon has (``patchListingsItem``).

        The product type is the one kept in the update's ``remote`` (``productType``), else
        ``PRODUCT``. A patch is never reported ``ok`` without a read showing the listing with
        the new values: a SKU Amazon does not list fails with ``amazon.no_listing``.
        """
        self._need_token()
        s = self._settings
        results: list[ItemResult | None] = [None] * len(updates)
        writes: list[_Write] = []
        for index, update in enumerate(updates):
            key = update.key
            found = self._store(key)
            if isinstance(found, ItemResult):
                results[index] = found
                continue
            mp = found
            if update.price is not None and update.price.currency != mp.currency:
                results[index] = self._wrong_currency(key, mp, update.price.currency)
                continue
            remote = update.remote or RemoteRef()
            sku = remote.get("sku") or key.sku
            refused = self._sku(key, sku)
            if refused is not None:
                results[index] = refused
                continue
            patches = []
            if update.price is not None:
                patches.append(price_patch(mp, update.price))
            if update.quantity is not None:
                patches.append(quantity_patch(update.quantity, s.fulfillment_channel_code))
            product_type = remote.get("productType") or OFFER_ONLY_PRODUCT_TYPE
            expect = Expect(
                price=update.price,
                quantity=update.quantity,
                channel=s.fulfillment_channel_code,
                mode="patch",
            )
            writes.append(self._patch_write(index, key, mp, sku, product_type, patches, expect))
        yield from self._execute(writes, results)
        return self._done(results)

    # -- withdraw ----------------------------------------------------------------------------------

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Take the listings of ``keys`` off sale.

        ``withdraw_action="delete"`` (default): ``deleteListingsItem`` (404 means gone
        already: ``ok``, ``absent``). ``"zero_quantity"``: the listings are read first; those
        that exist get quantity 0 (and read ``inactive``), missing ones are ``absent``.
        """
        self._need_token()
        s = self._settings
        results: list[ItemResult | None] = [None] * len(keys)
        targets: list[tuple[int, OfferKey, AmazonMarketplace, str]] = []
        for index, key in enumerate(keys):
            found = self._store(key)
            if isinstance(found, ItemResult):
                results[index] = found
                continue
            ref = known.get(key)
            sku = (ref.get("sku") if ref else None) or key.sku
            refused = self._sku(key, sku)
            if refused is not None:
                results[index] = refused
                continue
            targets.append((index, key, found, sku))
        if s.withdraw_action == "delete":
            writes = [self._delete_write(*target) for target in targets]
        else:
            writes = yield from self._zero_writes(targets, known, results)
        yield from self._execute(writes, results)
        return self._done(results)

    def _delete_write(self, index: int, key: OfferKey, mp: AmazonMarketplace, sku: str) -> _Write:
        s = self._settings

        def request() -> HttpRequest:
            return sp_request(
                "DELETE", listings_item_url(s, mp, sku), operation="delete_listings_item"
            )

        def message(number: int) -> dict[str, Any]:
            return delete_message(number, sku)

        return _Write(
            index,
            key,
            mp,
            sku,
            "deleteListingsItem",
            request,
            message,
            Expect(mode="absent"),
            None,
        )

    def _zero_writes(
        self,
        targets: Sequence[tuple[int, OfferKey, AmazonMarketplace, str]],
        known: Mapping[OfferKey, RemoteRef],
        results: list[ItemResult | None],
    ) -> Flow[list[_Write]]:
        s = self._settings
        writes: list[_Write] = []
        by_store: dict[str, list[tuple[int, OfferKey, AmazonMarketplace, str]]] = {}
        for target in targets:
            by_store.setdefault(target[2].market, []).append(target)
        for group in by_store.values():
            mp = group[0][2]
            reads = yield from read_items(s, mp, [sku for *_, sku in group])
            for index, key, _, sku in group:
                if sku in reads.failed:
                    results[index] = ItemResult(
                        key,
                        "failed",
                        issues=reads.failed[sku],
                        retry_after=reads.retry_after.get(sku),
                    )
                    continue
                item = reads.items.get(sku)
                summary = summary_of(item, mp) if item is not None else None
                if summary is None:
                    results[index] = ItemResult(key, "ok", state="absent")
                    continue
                ref = known.get(key)
                product_type = (
                    summary.productType
                    or (ref.get("productType") if ref else None)
                    or OFFER_ONLY_PRODUCT_TYPE
                )
                expect = Expect(quantity=0, channel=s.fulfillment_channel_code, mode="patch")
                patches = [quantity_patch(0, s.fulfillment_channel_code)]
                writes.append(self._patch_write(index, key, mp, sku, product_type, patches, expect))
        return writes

    @staticmethod
    def _read_result(
        key: OfferKey, sku: str, mp: AmazonMarketplace, item: Item, ref: RemoteRef
    ) -> ItemResult:
        """Return the status result of a listing a read found in store ``mp``."""
        summary = summary_of(item, mp)
        state = listing_state(item, mp) or "pending"
        issues = tuple(
            item_issue(issue)
            for issue in item.issues
            if not issue.marketplaceIds or mp.marketplace_id in issue.marketplaceIds
        )
        remote = ref.with_ids(
            sku=sku,
            marketplaceId=mp.marketplace_id,
            asin=summary.asin if summary is not None else None,
            productType=summary.productType if summary is not None else None,
        )
        return ItemResult(key, "ok", remote=remote, issues=issues, state=state)

    # -- status ------------------------------------------------------------------------------------

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Read what Amazon holds for ``keys`` (``ItemResult.state``).

        One ``getListingsItem`` for a single SKU of a store, ``searchListingsItems`` for up
        to 20 at once. A key Amazon does not list whose RemoteRef names a feed
        (``feedId``, ``messageId``) is resolved from that feed: still in progress →
        ``pending``; refused in its report → ``failed`` with the report's issues.
        """
        self._need_token()
        s = self._settings
        results: list[ItemResult | None] = [None] * len(keys)
        by_store: dict[str, list[tuple[int, OfferKey, AmazonMarketplace, str]]] = {}
        for index, key in enumerate(keys):
            found = self._store(key)
            if isinstance(found, ItemResult):
                results[index] = found
                continue
            ref = known.get(key)
            sku = (ref.get("sku") if ref else None) or key.sku
            by_store.setdefault(found.market, []).append((index, key, found, sku))
        unresolved: dict[tuple[str, str], list[FeedEntry]] = {}
        for group in by_store.values():
            mp = group[0][2]
            reads = yield from read_items(s, mp, [sku for *_, sku in group])
            for index, key, _, sku in group:
                ref = known.get(key) or RemoteRef()
                if sku in reads.failed:
                    results[index] = ItemResult(
                        key,
                        "failed",
                        remote=known.get(key),
                        issues=reads.failed[sku],
                        retry_after=reads.retry_after.get(sku),
                    )
                    continue
                item = reads.items.get(sku)
                summary = summary_of(item, mp) if item is not None else None
                if item is None or summary is None:
                    feed_id, message = ref.get("feedId"), ref.get("messageId")
                    if feed_id and message and message.isdigit():
                        entry = FeedEntry(
                            index,
                            key,
                            sku,
                            int(message),
                            b"",
                            Expect(mode="listing"),
                            ref.get("productType"),
                        )
                        unresolved.setdefault((mp.market, feed_id), []).append(entry)
                        continue
                    results[index] = ItemResult(key, "ok", remote=known.get(key), state="absent")
                    continue
                results[index] = self._read_result(key, sku, mp, item, ref)
        confirmed: dict[str, list[FeedEntry]] = {}
        for (market, feed_id), entries in unresolved.items():
            job = FeedJob(MARKETPLACES[market], entries, b"", feed_id=feed_id)
            yield from finish(s, job, polls=1)
            for entry in entries:
                found_result = job.results.get(entry.index)
                ref = known.get(entry.key)
                if found_result is None or found_result.ok:
                    # The report says the listing exists now; read it (the report may be
                    # older than the listing, or newer than the read above).
                    confirmed.setdefault(market, []).append(entry)
                elif found_result.failed:
                    results[entry.index] = ItemResult(
                        entry.key,
                        "failed",
                        remote=found_result.remote or ref,
                        issues=found_result.issues,
                        state="absent",
                        retry_after=found_result.retry_after,
                    )
                else:
                    results[entry.index] = ItemResult(
                        entry.key,
                        "pending",
                        remote=found_result.remote or ref,
                        issues=found_result.issues,
                        state="pending",
                    )
        for market, entries in confirmed.items():
            mp = MARKETPLACES[market]
            reads = yield from read_items(s, mp, [entry.sku for entry in entries])
            for entry in entries:
                ref = known.get(entry.key) or RemoteRef()
                item = reads.items.get(entry.sku)
                if entry.sku in reads.failed:
                    results[entry.index] = ItemResult(
                        entry.key,
                        "failed",
                        remote=known.get(entry.key),
                        issues=reads.failed[entry.sku],
                        retry_after=reads.retry_after.get(entry.sku),
                    )
                elif item is None or summary_of(item, mp) is None:
                    results[entry.index] = ItemResult(
                        entry.key, "ok", remote=known.get(entry.key), state="absent"
                    )
                else:
                    results[entry.index] = self._read_result(entry.key, entry.sku, mp, item, ref)
        return self._done(results)
