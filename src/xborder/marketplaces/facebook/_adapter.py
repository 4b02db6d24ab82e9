"""The Facebook (Meta) adapter: the Graph API catalog batch endpoints behind the protocol.

One catalog item per product (``id`` = the SKU). What each operation sends:

* ``upsert``: ``POST /{catalog}/items_batch`` (``item_type=PRODUCT_ITEM``, ``UPDATE`` with
  ``allow_upsert``) for the offers of the base market, ≤ 5,000 requests and < 28 MB per
  call; polls ``GET /{catalog}/check_batch_request_status?handle=…&
  load_ids_of_invalid_requests=true`` until each handle finished; then ``POST
  /{catalog}/localized_items_batch`` with a COUNTRY override (price, availability) per
  other market and a LANGUAGE override (title, description) per other language (1,000
  requests per call by default), and polls those handles.
* ``update_price_quantity``: ``UPDATE`` of price and availability (and the quantity field)
  on the base item for the base market; of the COUNTRY override only for other markets.
* ``withdraw``: ``availability: "out of stock"`` the same way.
* ``status``: the handles kept in ``RemoteRef`` (``check_batch_request_status``), then
  ``GET /{catalog}/products?filter=…`` and ``GET /{item}/override_details``.

Ingestion is asynchronous (research/marketplace-apis.md §3.3): a write is ``ok`` once its
handle finished without the item among ``ids_of_invalid_requests``, ``failed`` when it is
there (or ``validation_status`` refused it at once), and ``pending`` with its handle in
``RemoteRef`` when the handle has not finished after ``poll_attempts`` polls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final
from urllib.parse import quote, urlencode

from xborder.errors import ConfigurationError, UnexpectedResponseError
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
from xborder.marketplaces.facebook import _payload, _status, _wire
from xborder.marketplaces.facebook._batch import (
    Batch,
    Edge,
    Entry,
    Request,
    apply_status,
    read_answer,
    read_status,
    split,
)
from xborder.marketplaces.facebook._classify import classify
from xborder.marketplaces.facebook._settings import ITEMS_BATCH_LIMIT, FacebookSettings
from xborder.marketplaces.facebook._token import GraphToken
from xborder.markets import Market

if TYPE_CHECKING:
    from xborder.offer import Offer

__all__ = ["CAPABILITIES", "STATUS_BATCH", "FacebookAdapter"]

#: Retailer ids per ``GET /{catalog}/products`` read (one page: ``limit`` is set to it).
STATUS_BATCH: Final = 100
#: Seconds an item whose base item is still being ingested waits before it is sent again.
BASE_PENDING_RETRY: Final = 60.0

_RATE_SOURCE: Final = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting/"
_NO_REFS: Final[Mapping[OfferKey, RemoteRef]] = MappingProxyType({})

CAPABILITIES: Final = Capabilities(
    name="facebook",
    batch_limits={
        "upsert": ITEMS_BATCH_LIMIT,
        "update_price_quantity": ITEMS_BATCH_LIMIT,
        "withdraw": ITEMS_BATCH_LIMIT,
        "status": STATUS_BATCH,
    },
    # Meta documents no per-second rates: calls count against the business-use-case quota
    # that X-Business-Use-Case-Usage reports. These seed the client's buckets, which then
    # follow those headers and the throttle codes.
    rate_limits={
        "items_batch": RateLimit(1.0, burst=10, source=_RATE_SOURCE),
        "localized_items_batch": RateLimit(1.0, burst=10, source=_RATE_SOURCE),
        "check_batch_request_status": RateLimit(0.5, burst=10, source=_RATE_SOURCE),
        "*": RateLimit(5.0, burst=20, source=_RATE_SOURCE),
    },
    partial_update=True,
    asynchronous=True,
    channel="facebook",
    settings=(
        Setting("catalog_id", "the product catalog's id (XBORDER_FACEBOOK_CATALOG_ID)"),
        Setting(
            "access_token",
            "a system-user token with catalog_management (XBORDER_FACEBOOK_ACCESS_TOKEN)",
        ),
        Setting(
            "base_market",
            "the country the catalog's default (base) item represents "
            "(XBORDER_FACEBOOK_BASE_MARKET)",
        ),
        Setting("app_secret", "the app secret, for appsecret_proof", required=False),
    ),
    sources=(
        "https://developers.facebook.com/documentation/ads-commerce/marketing-api/reference/"
        "product-catalog/items_batch",
        "https://developers.facebook.com/docs/marketing-api/catalog-batch/guides/"
        "send-localized-items-batch/",
        "https://developers.facebook.com/docs/marketing-api/reference/check-batch-request-status",
        _RATE_SOURCE,
    ),
)


# -- the adapter --------------------------------------------------------------------------------


class FacebookAdapter:
    """The Facebook (Meta) marketplace adapter (Graph API catalog batches); docs/facebook.md.

    ::

        adapter = FacebookAdapter()               # settings from XBORDER_FACEBOOK_* variables
        adapter = FacebookAdapter(FacebookSettings(catalog_id=..., access_token=...,
                                                   base_market="DE"))
    """

    name: ClassVar[str] = "facebook"
    api_version: ClassVar[int] = API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ("meta",)

    def __init__(self, settings: FacebookSettings | None = None) -> None:
        if settings is not None and not isinstance(settings, FacebookSettings):
            raise TypeError(f"settings: expected FacebookSettings, got {type(settings).__name__}")
        self._settings = settings if settings is not None else FacebookSettings.from_env()
        self._providers: Mapping[str, TokenProvider] | None = None

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"FacebookAdapter(catalog_id={s.catalog_id!r}, base_market={s.base_market!r}, "
            f"api_version={s.api_version!r})"
        )

    @property
    def settings(self) -> FacebookSettings:
        """The adapter's settings."""
        return self._settings

    @property
    def capabilities(self) -> Capabilities:
        """Operations, batch limits and the starting rates of the client's buckets."""
        return CAPABILITIES

    def token_providers(self) -> Mapping[str, TokenProvider]:
        """Return ``default``: the system-user token (with ``appsecret_proof`` when set)."""
        if self._providers is None:
            s = self._settings
            self._providers = MappingProxyType(
                {"default": GraphToken(s.access_token, app_secret=s.app_secret)}
            )
        return self._providers

    def classify(self, response: HttpResponse) -> Classification:
        """Say what a Graph API answer means (:func:`~xborder.marketplaces.facebook.classify`)."""
        return classify(response)

    # -- batches ------------------------------------------------------------------------------

    def _batches(
        self, groups: Sequence[Sequence[Request]], edge: Edge, *, allow_upsert: bool | None
    ) -> list[Batch]:
        s = self._settings
        return split(
            groups,
            edge,
            limit=s.items_batch_size if edge == "items_batch" else s.localized_batch_size,
            max_bytes=s.max_request_bytes,
            allow_upsert=allow_upsert,
        )

    def _send(self, batches: Sequence[Batch], *, allow_upsert: bool | None) -> Flow[None]:
        """Send each batch; read its handle and the requests it refused at once."""
        for batch in batches:
            response = yield HttpRequest(
                "POST",
                f"{self._settings.catalog_url}/{batch.edge}",
                headers={"Content-Type": "application/json"},
                content=batch.content(allow_upsert=allow_upsert),
                operation=batch.edge,
                # UPDATE is keyed by retailer id: sending a batch twice writes the same
                # values once more (research/marketplace-apis.md §3.5).
                idempotent=True,
                # The items' outcomes are in the body; a refused call fails its items only.
                raise_for_status=False,
            )
            read_answer(batch, response)

    def _poll_request(self, handle: str) -> HttpRequest:
        query = urlencode({"handle": handle, "load_ids_of_invalid_requests": "true"})
        return HttpRequest(
            "GET",
            f"{self._settings.catalog_url}/check_batch_request_status?{query}",
            operation="check_batch_request_status",
            # A failed poll leaves the items pending with their handle.
            raise_for_status=False,
        )

    def _poll(self, batches: Sequence[Batch]) -> Flow[None]:
        """Poll the handles a round at a time until each finished or the attempts run out.

        The client's bucket for ``check_batch_request_status`` paces the rounds.
        """
        waiting = [b for b in batches if b.handle is not None and not b.done]
        for _ in range(self._settings.poll_attempts):
            if not waiting:
                return
            for batch in waiting:
                assert batch.handle is not None
                response = yield self._poll_request(batch.handle)
                status = read_status(response)
                if status is not None:
                    apply_status(batch, status)
            waiting = [b for b in waiting if not b.done]

    # -- upsert -------------------------------------------------------------------------------

    def _base_language(self) -> str:
        """Return the LANGUAGE override value of the base market's language (``en_XX``)."""
        base = self._settings.base_market
        try:
            locale = Market.for_country(base).locale
        except ValueError as exc:  # UnknownMarketError, UnknownLocaleError
            raise ConfigurationError(
                f"facebook: {FacebookSettings.env_var('base_market')}={base!r} is not a market "
                f"xborder knows ({exc})"
            ) from None
        return _payload.language_value(locale)

    def _check_targets(self, offers: Sequence[Offer], known: Mapping[OfferKey, RemoteRef]) -> None:
        base = self._settings.base_market
        if not offers or any(offer.key.market == base for offer in offers):
            return
        known_skus = {key.sku for key in known}
        unknown = sorted({o.key.sku for o in offers if o.key.sku not in known_skus})
        if not unknown:
            return
        markets = ", ".join(sorted({offer.key.market for offer in offers}))
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ConfigurationError(
            f"facebook: the base market is {base} ({FacebookSettings.env_var('base_market')}), "
            f"but these offers target {markets} only. Each product's base item carries the "
            f"{base} price and text, and the other markets are overrides of it, which Meta "
            f"never creates on their own: include the {base} offers, or set base_market to the "
            f"catalog's default country (Commerce Manager > Catalog > Settings). Products "
            f"without a base item in this call: {', '.join(unknown[:5])}{more}"
        )

    def upsert(
        self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Create or replace ``offers``: base items first, then COUNTRY and LANGUAGE overrides.

        Raises :class:`~xborder.errors.ConfigurationError` when no offer is for
        ``base_market`` and the products are not known to exist (an override needs its
        base item). Offers without what Meta requires (link, image, brand, a price above 0)
        fail before any call.
        """
        self._check_targets(offers, known)
        s = self._settings
        entries = [Entry(o.key, o.key.sku, o.key.market == s.base_market) for o in offers]
        by_sku: dict[str, list[tuple[Offer, Entry]]] = {}
        for offer, entry in zip(offers, entries, strict=True):
            by_sku.setdefault(entry.sku, []).append((offer, entry))

        # Stage 1: the base items (items_batch, UPDATE with allow_upsert).
        base_data: dict[str, dict[str, Any]] = {}
        groups: list[list[Request]] = []
        for offer, entry in zip(offers, entries, strict=True):
            if not entry.base:
                continue
            data, issues = _payload.base_item(offer, quantity_field=s.quantity_field)
            entry.notes.extend(i for i in issues if i.severity == "warning")
            errors = [i for i in issues if i.severity == "error"]
            if errors:
                entry.fail(errors)
                continue
            base_data[entry.sku] = data
            groups.append([Request(entry.sku, _payload.request("UPDATE", data), [entry])])
        batches = self._batches(groups, "items_batch", allow_upsert=True)
        yield from self._send(batches, allow_upsert=True)
        yield from self._poll(batches)

        # Stage 2: the other markets (localized_items_batch): overrides need the base item.
        base_language = self._base_language()
        # Refs of confirmed writes (no open handle) or of status reads (an item id).
        existing = {k.sku for k, ref in known.items() if "id" in ref or "handle" not in ref}
        groups = []
        for sku, members in by_sku.items():
            exists = sku in existing
            group = self._overrides(sku, members, base_data.get(sku), base_language, exists)
            if group:
                groups.append(group)
        batches = self._batches(groups, "localized_items_batch", allow_upsert=None)
        yield from self._send(batches, allow_upsert=None)
        yield from self._poll(batches)
        return [entry.finish() for entry in entries]

    def _overrides(
        self,
        sku: str,
        members: Sequence[tuple[Offer, Entry]],
        base: Mapping[str, Any] | None,
        base_language: str,
        exists: bool,
    ) -> list[Request]:
        """Return the override requests of one product's offers for the other markets."""
        others = [(offer, entry) for offer, entry in members if not entry.base]
        if not others:
            return []
        base_entry = next((entry for _, entry in members if entry.base), None)
        if base_entry is None and not exists:
            # No base item in this call and none known: Meta never creates an item from an
            # override, and would refuse each of them (a compliance block in the base market
            # is the usual cause).
            home = self._settings.base_market
            missing = Issue(
                "facebook.no_base_item",
                f"there is no {home} offer of {sku} in this call, and {sku} is not known to "
                f"exist in the catalog: overrides of other markets need its base item. Include "
                f"the {home} offer, or pass known= with its reference if it exists",
            )
            for _, entry in others:
                entry.fail((missing,))
            return []
        if base_entry is not None and base_entry.result is None and not exists:
            # A new item still being ingested after every poll: Meta would refuse an override
            # of an item it does not hold yet. Nothing is sent for these markets. (An item
            # ``known`` from an earlier write exists already: its overrides go out.)
            waiting = Issue(
                "facebook.base_item_pending",
                f"the base item of {sku} is still being ingested (handle {base_entry.handle}); "
                f"upsert the other markets again later",
            )
            for _, entry in others:
                entry.fail((waiting,), BASE_PENDING_RETRY)
            return []
        if base_entry is not None and base_entry.result is not None and base_entry.result.failed:
            refused = Issue(
                "facebook.base_item_failed",
                f"the base item ({self._settings.base_market}) of {sku} was refused, so the "
                f"overrides of the other markets were not sent",
            )
            for _, entry in others:
                entry.fail((refused,))
            return []
        texts: list[Request] = []
        countries: list[Request] = []
        languages: dict[str, Request] = {}
        for offer, entry in others:
            market = offer.key.market
            country = _payload.request(
                "UPDATE", _payload.country_override(offer), ("COUNTRY", market)
            )
            countries.append(Request(sku, country, [entry]))
            data = _payload.text_override(offer, base)
            if data is None:
                continue  # same title and description as the base item
            language = _payload.language_value(offer.content.language)
            claimed = languages.get(language)
            if claimed is None and language != base_language:
                body = _payload.request("UPDATE", data, ("LANGUAGE", language))
                languages[language] = Request(sku, body, [entry])
                texts.append(languages[language])
            elif claimed is not None and claimed.body["data"] == data:
                claimed.entries.append(entry)
            else:
                # The base language, or a language another market already wrote otherwise:
                # a LANGUAGE_AND_COUNTRY override ("en_XX|US") keeps the two apart.
                value = f"{language}|{market}"
                body = _payload.request("UPDATE", data, ("LANGUAGE_AND_COUNTRY", value))
                texts.append(Request(sku, body, [entry]))
        return [*texts, *countries]

    # -- price/quantity and withdraw ----------------------------------------------------------

    def _write(self, work: Sequence[tuple[Entry, dict[str, Any]]]) -> Flow[None]:
        """UPDATE without upsert: the base item (items_batch) or the COUNTRY override."""
        base: list[list[Request]] = []
        overrides: list[list[Request]] = []
        for entry, data in work:
            if entry.base:
                base.append([Request(entry.sku, _payload.request("UPDATE", data), [entry])])
            else:
                body = _payload.request("UPDATE", data, ("COUNTRY", entry.key.market))
                overrides.append([Request(entry.sku, body, [entry])])
        # allow_upsert false: an UPDATE of a price must never create a bare item.
        base_batches = self._batches(base, "items_batch", allow_upsert=False)
        override_batches = self._batches(overrides, "localized_items_batch", allow_upsert=None)
        yield from self._send(base_batches, allow_upsert=False)
        yield from self._send(override_batches, allow_upsert=None)
        yield from self._poll([*base_batches, *override_batches])

    def update_price_quantity(
        self, updates: Sequence[PriceQuantityUpdate]
    ) -> Flow[list[ItemResult]]:
        """Change price and/or availability: on the base item, or in the COUNTRY override.

        Only these fields are sent (``UPDATE`` without ``allow_upsert``): the texts and the
        other markets stay as they are. The quantity field goes on the base item only.
        """
        s = self._settings
        entries: list[Entry] = []
        work: list[tuple[Entry, dict[str, Any]]] = []
        for update in updates:
            key = update.key
            entry = Entry(key, key.sku, key.market == s.base_market)
            entries.append(entry)
            if update.price is not None and update.price.amount <= 0:
                message = f"the price must be above 0, got {update.price}"
                entry.fail((Issue("facebook.invalid_price", message, "price"),))
                continue
            data = _payload.price_quantity_data(
                key.sku,
                price=update.price,
                quantity=update.quantity,
                base=entry.base,
                quantity_field=s.quantity_field,
            )
            work.append((entry, data))
        yield from self._write(work)
        return [entry.finish() for entry in entries]

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Take items off sale in their market: ``availability: "out of stock"``.

        On the base item for the base market, in the COUNTRY override otherwise; the item
        and its other markets stay. Withdrawn items read ``inactive``.
        """
        s = self._settings
        entries: list[Entry] = []
        work: list[tuple[Entry, dict[str, Any]]] = []
        for key in keys:
            entry = Entry(key, key.sku, key.market == s.base_market, ok_state="inactive")
            entries.append(entry)
            work.append((entry, {"id": key.sku, "availability": _payload.OUT_OF_STOCK}))
        yield from self._write(work)
        return [entry.finish() for entry in entries]

    # -- status -------------------------------------------------------------------------------

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = _NO_REFS
    ) -> Flow[list[ItemResult]]:
        """Read what the catalog holds for ``keys``.

        Keys whose ``RemoteRef`` holds a batch handle are resolved from it first (one
        ``check_batch_request_status`` per handle): a batch still running reads
        ``pending``, an item it refused ``failed`` with Meta's errors. The others come from
        the items (``GET /{catalog}/products``, 100 per call) and, for other markets than
        the base, the item's COUNTRY overrides (``GET /{item}/override_details``, one call
        per item).
        """
        base_market = self._settings.base_market
        results: list[ItemResult | None] = [None] * len(keys)
        handles = {ref.get("handle") for key in keys if (ref := known.get(key)) is not None}
        statuses: dict[str, _wire.BatchStatus] = {}
        for handle in sorted(h for h in handles if h):
            found = read_status((yield self._poll_request(handle)))
            if found is not None:
                statuses[handle] = found
        for index, key in enumerate(keys):
            ref = known.get(key)
            kept = ref.get("handle") if ref is not None else None
            status = statuses.get(kept) if kept is not None else None
            if status is None:
                continue
            entry = Entry(key, key.sku, key.market == base_market, handle=kept)
            batch = Batch("items_batch", [Request(key.sku, {}, [entry])], handle=kept)
            apply_status(batch, status)
            if not batch.done or (entry.result is not None and entry.result.failed):
                results[index] = entry.finish()

        remaining = [i for i, r in enumerate(results) if r is None]
        skus = list(dict.fromkeys(keys[i].sku for i in remaining))
        records: dict[str, _wire.ProductRecord] = {}
        for start in range(0, len(skus), STATUS_BATCH):
            records.update((yield from self._read_products(skus[start : start + STATUS_BATCH])))
        markets: dict[str, set[str]] = {}
        for i in remaining:
            key = keys[i]
            if key.market != base_market and key.sku in records:
                markets.setdefault(key.sku, set()).add(key.market)
        overrides: dict[str, dict[str, dict[str, Any]]] = {}
        for sku, wanted in markets.items():
            item_id = records[sku].id
            if item_id:
                overrides[sku] = yield from self._read_overrides(item_id, sorted(wanted))
        for i in remaining:
            key = keys[i]
            results[i] = _status.state_of(
                key,
                records.get(key.sku),
                overrides.get(key.sku, {}).get(key.market),
                base=key.market == base_market,
            )
        return [result for result in results if result is not None]

    def _read_products(self, skus: Sequence[str]) -> Flow[dict[str, _wire.ProductRecord]]:
        found: dict[str, _wire.ProductRecord] = {}
        after: str | None = None
        for _ in range(len(skus) + 1):  # one page normally; a bounded walk otherwise
            query = _status.products_query(skus, after=after)
            response = yield HttpRequest(
                "GET",
                f"{self._settings.catalog_url}/products?{query}",
                operation="products",
            )
            page = _wire.parse(_wire.ProductPage, response.content)
            if page is None:
                raise UnexpectedResponseError(
                    "GET products: the answer is not a page of product items",
                    marketplace=self.name,
                    operation="products",
                    status_code=response.status_code,
                )
            for record in page.data:
                if record.retailer_id is not None:
                    found[record.retailer_id] = record
            paging = page.paging
            after = paging.cursors.after if paging and paging.cursors else None
            if not page.data or paging is None or paging.next is None or after is None:
                break
        return found

    def _read_overrides(
        self, item_id: str, markets: Sequence[str]
    ) -> Flow[dict[str, dict[str, Any]]]:
        response = yield HttpRequest(
            "GET",
            f"{self._settings.version_url}/{quote(item_id, safe='')}/override_details?"
            f"{_status.overrides_query(markets)}",
            operation="override_details",
        )
        page = _wire.parse(_wire.OverrideDetailsPage, response.content)
        if page is None:
            raise UnexpectedResponseError(
                "GET override_details: the answer is not a list of overrides",
                marketplace=self.name,
                operation="override_details",
                status_code=response.status_code,
            )
        return {d.key.upper(): d.values for d in page.data if d.type.upper() == "COUNTRY"}
