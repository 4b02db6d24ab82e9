"""The synchronous driver: :class:`Client` and the :class:`Marketplace` it binds.

Only the I/O loop lives here (``httpx.Client``, ``Clock.sleep``, ``threading.Lock``); every
decision is the shared :class:`~xborder.client._core.Engine`'s.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx
import tenacity

from xborder.clock import Clock, SystemClock
from xborder.errors import MarketplaceError
from xborder.http import Flow, HttpResponse
from xborder.marketplaces._auth import AccessToken
from xborder.marketplaces._capabilities import Capabilities
from xborder.marketplaces._model import ItemResult, OfferKey, PriceQuantityUpdate, RemoteRef
from xborder.marketplaces._protocol import Adapter

from ._core import Call, Engine, Pause, Session, TokenFetch
from ._events import EventHandler
from ._marketplace import NO_REFS, plan_keys, plan_upsert, resolve_adapter
from ._retry import RetryPolicy
from ._tokens import DEFAULT_REFRESH_MARGIN, NeedToken
from ._transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    TIMEOUT_NOT_GIVEN,
    Transmit,
    http_client_kwargs,
    request_timeout,
)

if TYPE_CHECKING:
    from xborder.offer import Offer

__all__ = ["Client", "Marketplace"]

T = TypeVar("T")


class Client:
    """Runs flows over HTTP (httpx) with auth, retries, rate limits and one error tree.

    ::

        with Client() as client:
            ebay = client.marketplace("ebay", settings=...)
            results = ebay.upsert(offers)          # one ItemResult per offer
            snapshot = client.run(ecb.flow())      # any flow, without an adapter

    * ``http``: an ``httpx.Client`` to use (proxies, custom TLS, tests); it stays open when
      this client closes. Without it the client creates one (following redirects) and closes
      it in :meth:`close`.
    * ``clock``: where time comes from and sleeping goes (default: the system clock);
      rate limiting, token expiry, retry waits and the retry time budget all read it.
    * ``retry``: the :class:`RetryPolicy` (default: 4 attempts, 300 s, Retry-After ≤ 120 s).
    * ``timeout``: seconds or an ``httpx.Timeout`` per request, with a limit for connect,
      read, write and pool (``None`` is refused). Not given: ``DEFAULT_TIMEOUT`` (30 s,
      connect 5 s) for a client created here; the given ``http`` client's own timeout, with
      the default for any phase it leaves unlimited.
    * ``rate_limiting``: keep a token bucket per (marketplace, operation) (default True).
    * ``on_event``: called with an :class:`~xborder.client.Event` at every step; what it
      raises is logged and ignored.
    * ``max_response_bytes``: a larger answer body fails with
      :class:`~xborder.errors.UnexpectedResponseError` (default 64 MiB).
    * ``refresh_margin``: refresh a cached token this many seconds before it expires
      (default 60, or 10% of its lifetime when that is shorter).

    Thread-safe: one client may serve many threads; tokens are fetched once under a lock
    per credential, however many threads wait for them.
    """

    def __init__(
        self,
        *,
        http: httpx.Client | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout = TIMEOUT_NOT_GIVEN,
        rate_limiting: bool = True,
        on_event: EventHandler | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        if http is not None and not isinstance(http, httpx.Client):
            raise TypeError(
                f"http: expected an httpx.Client, got {type(http).__name__}"
                + (
                    " (use AsyncClient for httpx.AsyncClient)"
                    if isinstance(http, httpx.AsyncClient)
                    else ""
                )
            )
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._engine = Engine(
            clock=self._clock,
            retry=retry if retry is not None else RetryPolicy(),
            rate_limiting=rate_limiting,
            on_event=on_event,
            max_response_bytes=max_response_bytes,
            refresh_margin=refresh_margin,
        )
        self._timeout = request_timeout(timeout, http=http)
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(**http_client_kwargs())
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- lifecycle

    def close(self) -> None:
        """Close the httpx client if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Client(clock={self._clock!r}, retry={self._engine.retry!r}, "
            f"rate_limiting={self._engine.rate_limiting})"
        )

    # -- public

    @property
    def clock(self) -> Clock:
        """The clock this client reads and sleeps on."""
        return self._clock

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy."""
        return self._engine.retry

    def run(self, flow: Flow[T], *, adapter: Adapter | None = None) -> T:
        """Drive ``flow`` to its end and return its result.

        With ``adapter`` every request goes through the pipeline (rate limit, auth,
        classification, re-authentication, retries, errors; see docs/client.md). Without
        it every answer goes to the flow as it is; only transport errors are mapped and
        retried (for idempotent requests).
        """
        return self._drive(flow, self._engine.session(adapter))

    def marketplace(self, adapter_or_name: Adapter | str, *, settings: Any = None) -> Marketplace:
        """Return ``adapter_or_name`` bound to this client.

        A name is loaded with :func:`xborder.marketplaces.get` (``settings=`` passed when
        given; without it the adapter reads its settings from the environment).
        """
        return Marketplace(self, resolve_adapter(adapter_or_name, settings))

    # -- the I/O loop (the async twin is in _async.py)

    def _drive(self, flow: Flow[T], session: Session) -> T:
        try:
            request = next(flow)
            while True:
                request = flow.send(self._send(self._engine.call(session, request)))
        except StopIteration as done:
            result: T = done.value
            return result
        finally:
            flow.close()

    def _send(self, call: Call) -> HttpResponse:
        retrying = tenacity.Retrying(sleep=self._sleep, **self._engine.retry_kwargs(call))
        try:
            response: HttpResponse = retrying(self._attempt, call)
        except MarketplaceError as error:
            self._engine.failed(call, error)
            raise
        return response

    def _sleep(self, seconds: float) -> None:
        self._clock.sleep(float(seconds))

    def _attempt(self, call: Call) -> HttpResponse:
        steps = self._engine.attempt(call)
        try:
            reply: object = None
            while True:
                try:
                    action = steps.send(reply)
                except StopIteration as done:
                    response: HttpResponse = done.value
                    return response
                if isinstance(action, Pause):
                    self._sleep(action.seconds)
                    reply = None
                elif isinstance(action, NeedToken):
                    reply = self._token(action)
                else:
                    try:
                        reply = self._transmit(action)
                    except MarketplaceError as error:
                        reply = error
        finally:
            steps.close()

    def _transmit(self, transmit: Transmit) -> HttpResponse:
        request = transmit.request
        reader = self._engine.reader(transmit)
        with (
            transmit.map_errors(),
            self._http.stream(
                request.method,
                request.url,
                headers=dict(request.headers),
                content=request.content or None,
                timeout=self._timeout,
            ) as raw,
        ):
            reader.start(raw.status_code, raw.headers, decoded=raw.is_stream_consumed)
            # As received when the reader inflates gzip/deflate itself, in bounded steps.
            chunks = raw.iter_raw() if reader.decodes else raw.iter_bytes()
            for chunk in chunks:
                if not reader.receive(chunk):
                    break  # closing the stream drops the rest unread
            else:
                reader.end()
            return reader.response(str(raw.url))

    def _token(self, need: NeedToken) -> AccessToken:
        tokens = self._engine.tokens
        key = need.provider.cache_key
        cached = tokens.get(key, stale=need.stale)
        if cached is not None:
            return cached
        with self._lock(key):
            cached = tokens.get(key, stale=need.stale)
            if cached is not None:
                return cached
            fetch = TokenFetch(self._engine, need)
            with fetch.errors():
                token = self._drive(fetch.flow, fetch.session)
            return fetch.done(token)

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())


class Marketplace:
    """An adapter bound to a :class:`Client`: its operations, run.

    Every method returns one :class:`~xborder.marketplaces.ItemResult` per input item, in
    input order; an empty input returns ``[]`` without any call. An operation the adapter
    lacks raises :class:`~xborder.errors.UnsupportedOperationError`; an item keyed for
    another marketplace raises ``ValueError``.
    """

    def __init__(self, client: Client, adapter: Adapter) -> None:
        self._client = client
        self._adapter = adapter

    @property
    def adapter(self) -> Adapter:
        """The adapter."""
        return self._adapter

    @property
    def capabilities(self) -> Capabilities:
        """The adapter's capabilities."""
        return self._adapter.capabilities

    def run(self, flow: Flow[T]) -> T:
        """Run one of the adapter's own flows through the client, with the adapter."""
        return self._client.run(flow, adapter=self._adapter)

    def upsert(
        self,
        offers: Sequence[Offer],
        *,
        known: Mapping[OfferKey, RemoteRef] = NO_REFS,
        allow_noncompliant: bool = False,
    ) -> list[ItemResult]:
        """Create or replace ``offers``.

        Offers whose compliance report has errors are not sent: they come back ``failed``
        with one issue per error finding, unless ``allow_noncompliant``.
        """
        plan, sent = plan_upsert(self._adapter, offers, allow_noncompliant=allow_noncompliant)
        if not sent:
            return plan.merge([])
        return plan.merge(self.run(self._adapter.upsert(sent, known=known)))

    def update_price_quantity(self, updates: Sequence[PriceQuantityUpdate]) -> list[ItemResult]:
        """Change only the price and/or quantity of items the marketplace has."""
        plan = plan_keys(self._adapter, "update_price_quantity", updates)
        if not updates:
            return []
        return plan.merge(self.run(self._adapter.update_price_quantity(updates)))

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
    ) -> list[ItemResult]:
        """Take items off sale."""
        plan = plan_keys(self._adapter, "withdraw", keys)
        if not keys:
            return []
        return plan.merge(self.run(self._adapter.withdraw(keys, known=known)))

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
    ) -> list[ItemResult]:
        """Read what the marketplace holds for ``keys`` now."""
        plan = plan_keys(self._adapter, "status", keys)
        if not keys:
            return []
        return plan.merge(self.run(self._adapter.status(keys, known=known)))

    def __repr__(self) -> str:
        return f"Marketplace({self._adapter.name!r})"
