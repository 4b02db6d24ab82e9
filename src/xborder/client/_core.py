"""What both clients decide, written once: the per-request pipeline as pure logic.

:class:`Engine` holds what a client shares across all its flows (the clock, the retry
policy and its random generator, the token buckets, the token cache, the event callback)
and decides everything about a request. The only code written twice is the I/O loop in
``_sync.py`` and ``_async.py``, which carries out the :data:`Action` values an attempt
yields:

* :class:`Pause`: sleep on the clock (the rate limiter holds the request back);
* :class:`NeedToken`: get an access token (cached, or fetched once under a lock);
* :class:`Transmit`: send the request with httpx and send back the
  :class:`~xborder.http.HttpResponse` (or the mapped transport error).

Pipeline of one attempt (:meth:`Engine.attempt`): rate limiter → token → send →
classify (the adapter's :meth:`~xborder.marketplaces.Adapter.classify`) → feed the bucket →
re-authenticate and send once more on ``auth_expired`` → decide: hand the answer to the
flow, ask tenacity for another attempt (:class:`~xborder.client._retry.RetryableError`), or
raise the error. Without an adapter (a "plain" flow such as the ECB refresh), every answer
goes to the flow unchanged and only transport errors are mapped and retried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
from tenacity import RetryCallState

from xborder.clock import Clock
from xborder.errors import (
    ConfigurationError,
    MarketplaceError,
    MarketplaceTransportError,
    UnexpectedResponseError,
)
from xborder.http import Flow, HttpRequest, HttpResponse, redact_url, require_https, safe_text
from xborder.marketplaces._auth import AccessToken, TokenProvider
from xborder.marketplaces._model import Classification
from xborder.marketplaces._protocol import Adapter
from xborder.marketplaces._tokens import provider_secrets

from ._errors import (
    error_for_response,
    http_reason,
    is_retryable_transport,
    request_id_from,
    request_secrets,
    scrub,
    scrub_response,
    settings_secrets,
    url_secrets,
)
from ._events import Event, EventHandler, EventKind, deliver
from ._ratelimit import TokenBucket
from ._retry import RetryableError, RetryPolicy, retry_kwargs
from ._tokens import NeedToken, TokenCache
from ._transport import BodyReader, Transmit

__all__ = ["PLAIN", "Action", "Call", "Engine", "Pause", "Session", "TokenFetch"]

logger = logging.getLogger("xborder.client")

#: The marketplace name of flows run without an adapter.
PLAIN: Final = "http"


# -- actions an attempt asks its driver to carry out ------------------------------------------


@dataclass(frozen=True, slots=True)
class Pause:
    """Sleep ``seconds`` on the client's clock."""

    seconds: float


Action = Pause | NeedToken | Transmit


# -- one run of a flow, and one request of it --------------------------------------------------


class Session:
    """One flow being run: with an adapter (the full pipeline) or plain."""

    __slots__ = ("_providers", "_secrets", "adapter", "marketplace")

    def __init__(self, adapter: Adapter | None, *, marketplace: str | None = None) -> None:
        self.adapter = adapter
        self.marketplace = marketplace or (adapter.name if adapter is not None else PLAIN)
        self._providers: Mapping[str, TokenProvider] | None = None
        self._secrets: tuple[str, ...] | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The credentials the adapter holds: its providers' and its settings' secrets.

        Answers are scrubbed of them before the adapter reads them, and so is every message
        made from an answer: a marketplace that echoes a credential must not make xborder
        log it or raise it.
        """
        if self._secrets is None:
            found: list[str] = []
            if self.adapter is not None:
                if self._providers is None:
                    self._providers = dict(self.adapter.token_providers())
                for provider in self._providers.values():
                    found.extend(provider_secrets(provider))
                found.extend(settings_secrets(getattr(self.adapter, "settings", None)))
            self._secrets = tuple(dict.fromkeys(s for s in found if s))
        return self._secrets

    def provider_for(self, request: HttpRequest) -> TokenProvider | None:
        """Return the token provider that signs ``request``, or None for no auth.

        ``auth=None`` and a missing ``"default"`` provider mean no auth; any other name the
        adapter does not have is a :class:`~xborder.errors.ConfigurationError`.
        """
        if self.adapter is None or request.auth is None:
            return None
        if self._providers is None:
            self._providers = dict(self.adapter.token_providers())
        provider = self._providers.get(request.auth)
        if provider is None and request.auth != "default":
            have = ", ".join(sorted(self._providers)) or "none"
            raise ConfigurationError(
                f"{self.marketplace}: the request {request.operation or request.method!r} "
                f"asks for the token provider {request.auth!r}; the adapter has: {have}"
            )
        return provider


@dataclass(slots=True)
class Call:
    """One request of a flow, across its attempts."""

    session: Session
    request: HttpRequest
    provider: TokenProvider | None
    started: float
    attempt: int = 0
    hidden: tuple[str, ...] = field(default=())

    @property
    def marketplace(self) -> str:
        """The adapter's name, or ``"http"``."""
        return self.session.marketplace

    @property
    def operation(self) -> str:
        """The wire operation (may be empty)."""
        return self.request.operation

    @property
    def bucket_key(self) -> tuple[str, str]:
        """The rate-limit bucket of this request: (marketplace, operation or ``"*"``)."""
        return (self.session.marketplace, self.request.operation or "*")

    def label(self) -> str:
        """``"ebay bulk_create_offer"`` for log lines."""
        return f"{self.marketplace} {self.operation}" if self.operation else self.marketplace


class TokenFetch:
    """Fetching one token: the provider's flow, run plain, and what to do with its result."""

    __slots__ = ("_engine", "flow", "key", "need", "refresh", "session", "started")

    def __init__(self, engine: Engine, need: NeedToken) -> None:
        self._engine = engine
        self.need = need
        self.key = need.provider.cache_key
        self.refresh = self.key in engine.tokens
        self.started = engine.clock.monotonic()
        self.session = Session(None, marketplace=need.marketplace)
        self.flow: Flow[AccessToken] = need.provider.token_flow()

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Name the marketplace in errors raised while fetching (providers do not know it)."""
        try:
            yield
        except MarketplaceError as exc:
            exc.marketplace = self.need.marketplace
            if not exc.operation:
                exc.operation = "token"
            raise

    def done(self, token: object) -> AccessToken:
        """Cache the fetched ``token``, report it, and return it."""
        if not isinstance(token, AccessToken):
            raise UnexpectedResponseError(
                f"the token provider {type(self.need.provider).__name__} returned "
                f"{type(token).__name__}, not an AccessToken",
                marketplace=self.need.marketplace,
                operation="token",
            )
        self._engine.tokens.put(self.key, token, fetched_at=self.started)
        refreshed = self.refresh
        lifetime = (
            "no known expiry" if token.expires_in is None else f"valid {token.expires_in:g} s"
        )
        logger.info(
            "%s: access token %s (%s)",
            self.need.marketplace,
            "refreshed" if refreshed else "fetched",
            lifetime,
        )
        self._engine.emit(
            "token",
            self.need.marketplace,
            operation="token",
            detail="refreshed" if refreshed else "fetched",
        )
        return token


def _refuse_plain_http(session: Session, request: HttpRequest) -> None:
    # An adapter's requests carry credentials and listings; a URL may also come from an
    # answer (Amazon's feed document URL). Plain http is allowed to this machine only.
    try:
        require_https(request.url, field="url")
    except ValueError as exc:
        raise MarketplaceTransportError(
            f"not sent: {exc}",
            marketplace=session.marketplace,
            operation=request.operation,
        ) from httpx.UnsupportedProtocol(str(exc))


# -- the engine --------------------------------------------------------------------------------

_NO_BUCKET: Final = object()


class Engine:
    """The state and decisions both clients share; see the module docs."""

    def __init__(
        self,
        *,
        clock: Clock,
        retry: RetryPolicy,
        rate_limiting: bool,
        on_event: EventHandler | None,
        max_response_bytes: int,
        refresh_margin: float,
    ) -> None:
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise ValueError(
                f"max_response_bytes: expected an int >= 1, got {max_response_bytes!r}"
            )
        if (
            isinstance(refresh_margin, bool)
            or not isinstance(refresh_margin, int | float)
            or not 0 <= refresh_margin < float("inf")
        ):
            raise ValueError(f"refresh_margin: expected seconds >= 0, got {refresh_margin!r}")
        if not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry: expected a RetryPolicy, got {type(retry).__name__}")
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event: expected a callable taking an Event")
        self.clock = clock
        self.retry = retry
        self.rng = retry.new_random()
        self.rate_limiting = rate_limiting
        self.on_event = on_event
        self.max_response_bytes = max_response_bytes
        self.tokens = TokenCache(clock, float(refresh_margin))
        self._buckets: dict[tuple[str, str], object] = {}
        self._buckets_guard = threading.Lock()

    # -- sessions and calls

    def session(self, adapter: Adapter | None) -> Session:
        """Start running one flow (with ``adapter``, or plain)."""
        if adapter is not None and not isinstance(adapter, Adapter):
            raise TypeError(
                f"adapter: expected a marketplace Adapter, got {type(adapter).__name__}"
            )
        return Session(adapter)

    def call(self, session: Session, request: object) -> Call:
        """Start one request the flow yielded."""
        if not isinstance(request, HttpRequest):
            raise TypeError(
                f"{session.marketplace}: a flow yielded {type(request).__name__}; flows yield "
                f"xborder.http.HttpRequest objects"
            )
        if session.adapter is not None:
            _refuse_plain_http(session, request)
        return Call(
            session=session,
            request=request,
            provider=session.provider_for(request),
            started=self.clock.monotonic(),
            hidden=url_secrets(request.url),
        )

    def reader(self, transmit: Transmit) -> BodyReader:
        """Return a body reader with this client's size cap."""
        return BodyReader(transmit, self.max_response_bytes)

    # -- buckets

    def bucket(self, call: Call) -> TokenBucket | None:
        """Return the bucket of ``call``'s (marketplace, operation), seeding it on first use."""
        adapter = call.session.adapter
        if not self.rate_limiting or adapter is None:
            return None
        key = call.bucket_key
        with self._buckets_guard:
            found = self._buckets.get(key)
        if found is None:
            limit = adapter.capabilities.rate_limit(call.operation or "*")
            created: object = (
                TokenBucket(limit.rate, limit.burst, now=self.clock.monotonic())
                if limit is not None
                else _NO_BUCKET
            )
            with self._buckets_guard:
                found = self._buckets.setdefault(key, created)
        return found if isinstance(found, TokenBucket) else None

    def _observe(self, call: Call, classification: Classification) -> None:
        if not self.rate_limiting or call.session.adapter is None:
            return
        bucket = self.bucket(call)
        now = self.clock.monotonic()
        if bucket is None and classification.rate_limit:
            # No documented limit, but the marketplace announced one: follow it from now on.
            new = TokenBucket(classification.rate_limit, 1, now=now)
            with self._buckets_guard:
                self._buckets[call.bucket_key] = new
            bucket = new
        if bucket is not None:
            bucket.observe(classification, now=now)

    def _throttle(self, call: Call) -> Generator[Action, Any, None]:
        bucket = self.bucket(call)
        if bucket is None:
            return
        delay = bucket.reserve(self.clock.monotonic())
        if delay <= 0:
            return
        url = redact_url(call.request.url)
        logger.info(
            "%s: %s %s waits %.3f s for the rate limit (%.4g/s)",
            call.label(),
            call.request.method,
            url,
            delay,
            bucket.rate,
        )
        self.emit(
            "wait",
            call.marketplace,
            operation=call.operation,
            method=call.request.method,
            url=url,
            attempt=call.attempt,
            wait=delay,
        )
        yield Pause(delay)

    # -- events

    def emit(
        self,
        kind: EventKind,
        marketplace: str,
        *,
        operation: str = "",
        method: str = "",
        url: str = "",
        status_code: int | None = None,
        attempt: int = 1,
        wait: float | None = None,
        request_id: str | None = None,
        detail: str = "",
    ) -> None:
        """Build an :class:`Event` stamped with the clock and hand it to ``on_event``."""
        if self.on_event is None:
            return
        deliver(
            self.on_event,
            Event(
                kind=kind,
                marketplace=marketplace,
                operation=operation,
                method=method,
                url=url,
                status_code=status_code,
                attempt=attempt,
                wait=wait,
                request_id=request_id,
                at=self.clock.monotonic(),
                detail=detail,
            ),
        )

    # -- retries

    def retry_kwargs(self, call: Call) -> dict[str, Any]:
        """Return tenacity's keyword arguments for ``call`` (the driver adds ``sleep``)."""

        def before_sleep(state: RetryCallState) -> None:
            self._retrying(call, state)

        return retry_kwargs(
            self.retry,
            clock=self.clock,
            rng=self.rng,
            started=call.started,
            before_sleep=before_sleep,
        )

    def _retrying(self, call: Call, state: RetryCallState) -> None:
        outcome = state.outcome
        failure = outcome.exception() if outcome is not None else None
        reason = failure.reason if isinstance(failure, RetryableError) else "retry"
        error = failure.error if isinstance(failure, RetryableError) else None
        url = redact_url(call.request.url)
        logger.info(
            "%s: %s %s failed (%s); attempt %d of %d in %.3f s",
            call.label(),
            call.request.method,
            url,
            reason,
            state.attempt_number + 1,
            self.retry.max_attempts,
            state.upcoming_sleep,
        )
        self.emit(
            "retry",
            call.marketplace,
            operation=call.operation,
            method=call.request.method,
            url=url,
            status_code=error.status_code if error is not None else None,
            attempt=state.attempt_number + 1,
            wait=state.upcoming_sleep,
            request_id=error.request_id if error is not None else None,
            detail=reason,
        )

    def failed(self, call: Call, error: MarketplaceError) -> None:
        """Report a call that failed for good (WARNING log and an ``error`` event)."""
        url = redact_url(call.request.url)
        logger.warning(
            "%s: %s %s failed after %d attempt(s): %s: %s",
            call.label(),
            call.request.method,
            url,
            max(call.attempt, 1),
            type(error).__name__,
            error,
        )
        self.emit(
            "error",
            call.marketplace,
            operation=call.operation,
            method=call.request.method,
            url=url,
            status_code=error.status_code,
            attempt=max(call.attempt, 1),
            request_id=error.request_id,
            detail=f"{type(error).__name__}: {error}",
        )

    # -- one attempt

    def attempt(self, call: Call) -> Generator[Action, Any, HttpResponse]:
        """Run one attempt of ``call``: yields actions, returns the answer for the flow.

        Raises :class:`RetryableError` to ask for another attempt, or the final
        :class:`~xborder.errors.MarketplaceError`.
        """
        call.attempt += 1
        request = call.request
        provider = call.provider
        stale: AccessToken | None = None
        reauthenticated = False
        while True:
            yield from self._throttle(call)
            token: AccessToken | None = None
            sent = request
            if provider is not None:
                token = yield NeedToken(provider, stale, call.marketplace)
                sent = provider.authorize(request, token)
            # An adapter's bodies are listings: its credentials are the session's (providers and
            # settings) and the headers'; only plain flows (token requests, translators) put a
            # credential in the body, and only theirs are parsed for one on every attempt.
            plain = call.session.adapter is None
            secrets = (*call.hidden, *call.session.secrets, *request_secrets(sent, body=plain))
            if token is not None:
                secrets = (*secrets, token.value.get_secret_value())
            url = redact_url(sent.url)
            logger.debug("%s: %s %s (attempt %d)", call.label(), sent.method, url, call.attempt)
            self.emit(
                "request",
                call.marketplace,
                operation=call.operation,
                method=sent.method,
                url=url,
                attempt=call.attempt,
            )
            began = self.clock.monotonic()
            reply = yield Transmit(sent, call.marketplace, call.operation, secrets)
            if isinstance(reply, MarketplaceError):
                logger.debug(
                    "%s: %s %s -> %s (%.3f s)",
                    call.label(),
                    sent.method,
                    url,
                    type(reply).__name__,
                    self.clock.monotonic() - began,
                )
                if is_retryable_transport(reply) and request.is_idempotent:
                    cause = type(reply.__cause__).__name__ if reply.__cause__ else "transport"
                    raise RetryableError(reply, reason=cause)
                raise reply
            response: HttpResponse = reply
            adapter = call.session.adapter
            if adapter is not None:
                # Plain flows (token requests among them) read credentials in answers by
                # design; an adapter's answers never legitimately carry the adapter's own.
                response = scrub_response(response, secrets)
            classification = (
                self._classify(call, adapter, response, secrets) if adapter is not None else None
            )
            request_id = (
                classification.request_id if classification is not None else None
            ) or request_id_from(response.headers)
            logger.debug(
                "%s: %s %s -> %d%s (request_id=%s, %.3f s)",
                call.label(),
                sent.method,
                url,
                response.status_code,
                f" {classification.verdict}" if classification is not None else "",
                request_id,
                self.clock.monotonic() - began,
            )
            self.emit(
                "response",
                call.marketplace,
                operation=call.operation,
                method=sent.method,
                url=url,
                status_code=response.status_code,
                attempt=call.attempt,
                request_id=request_id,
                detail=classification.verdict if classification is not None else "",
            )
            if classification is None:
                return response
            self._observe(call, classification)
            if (
                classification.verdict == "auth_expired"
                and provider is not None
                and not reauthenticated
            ):
                # RFC 6750 §3.1 invalid_token: the token was refused before anything was
                # done, so sending once more with a new token is safe for any method.
                reauthenticated = True
                stale = token
                logger.info("%s: credentials refused or expired; re-authenticating", call.label())
                continue
            return self._decide(call, response, classification, secrets)

    def _classify(
        self, call: Call, adapter: Adapter, response: HttpResponse, secrets: Iterable[str]
    ) -> Classification:
        try:
            classification = adapter.classify(response)
        except Exception as exc:
            raise UnexpectedResponseError(
                f"the adapter could not classify the answer ({http_reason(response.status_code)}): "
                f"{type(exc).__name__}: {safe_text(scrub(str(exc), secrets))}",
                marketplace=call.marketplace,
                operation=call.operation,
                status_code=response.status_code,
                request_id=request_id_from(response.headers),
            ) from exc
        if not isinstance(classification, Classification):
            raise UnexpectedResponseError(
                f"the adapter's classify() returned {type(classification).__name__}, "
                f"not a Classification",
                marketplace=call.marketplace,
                operation=call.operation,
                status_code=response.status_code,
                request_id=request_id_from(response.headers),
            )
        return classification

    def _decide(
        self,
        call: Call,
        response: HttpResponse,
        classification: Classification,
        secrets: Iterable[str],
    ) -> HttpResponse:
        verdict = classification.verdict
        if verdict == "ok":
            return response
        error = error_for_response(
            call.marketplace, response, classification, operation=call.operation, secrets=secrets
        )
        if verdict == "auth_expired":
            # Credentials are a problem of the call, never of one item: always raised.
            raise error
        request = call.request
        if classification.retryable and request.is_idempotent:
            retry_after = classification.retry_after
            if retry_after is None or retry_after <= self.retry.max_retry_after:
                raise RetryableError(
                    error,
                    response=None if request.raise_for_status else response,
                    retry_after=retry_after,
                    reason=f"{http_reason(response.status_code)}, {verdict}",
                )
        if request.raise_for_status:
            raise error
        return response
