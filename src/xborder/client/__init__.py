"""The only code in xborder that does HTTP: :class:`Client` and :class:`AsyncClient`.

Adapters, rate sources and translators are sans-I/O *flows* (DESIGN decision 1); a client
drives them over httpx::

    with Client() as client:                      # or: async with AsyncClient() as client
        ebay = client.marketplace("ebay", settings=...)
        results = ebay.upsert(offers)             # await ebay.upsert(...) with AsyncClient

With an adapter each request goes through one pipeline, written once and shared by both
clients: a token bucket per (marketplace, operation), access tokens cached and refreshed
once under concurrency, the adapter's classification of each answer, one re-authentication
on ``auth_expired``, retries with tenacity for requests that are safe to repeat, and one
error tree (:mod:`xborder.errors`). Time comes from an injected
:class:`~xborder.clock.Clock`. See docs/client.md.
"""

from __future__ import annotations

from ._async import AsyncClient, AsyncMarketplace
from ._core import PLAIN
from ._errors import REQUEST_ID_HEADERS, error_for_response, map_httpx_errors
from ._events import EVENT_KINDS, Event, EventHandler, EventKind, redact_httpx_logs
from ._ratelimit import TokenBucket
from ._retry import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_ELAPSED,
    DEFAULT_MAX_RETRY_AFTER,
    RetryPolicy,
    retry_kwargs,
)
from ._sync import Client, Marketplace
from ._tokens import DEFAULT_REFRESH_MARGIN
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT

# httpx logs each request's full URL at INFO; keep credentials in query strings out of it.
redact_httpx_logs()

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_ELAPSED",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_REFRESH_MARGIN",
    "DEFAULT_TIMEOUT",
    "EVENT_KINDS",
    "PLAIN",
    "REQUEST_ID_HEADERS",
    "AsyncClient",
    "AsyncMarketplace",
    "Client",
    "Event",
    "EventHandler",
    "EventKind",
    "Marketplace",
    "RetryPolicy",
    "TokenBucket",
    "error_for_response",
    "map_httpx_errors",
    "retry_kwargs",
]
