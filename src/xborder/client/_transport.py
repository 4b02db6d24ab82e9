"""Sending one request: the timeouts, the httpx client a Client creates, the size cap.

The drivers (``_sync.py``, ``_async.py``) carry out a :class:`Transmit` with httpx's
``stream()`` and feed the body to a :class:`BodyReader`, so an answer larger than
``max_response_bytes`` is refused without ever being held whole.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final

import httpx

from xborder.errors import UnexpectedResponseError
from xborder.http import HttpRequest, HttpResponse, is_loopback, redact_url

from ._errors import map_httpx_errors, too_large

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "MAX_ERROR_BODY_BYTES",
    "TIMEOUT_NOT_GIVEN",
    "BodyReader",
    "Transmit",
    "http_client_kwargs",
    "refuse_plain_http",
    "request_timeout",
]

#: Connect within 5 s, and at most 30 s for each read, write and pool wait.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: Answers with a larger (decoded) body fail with UnexpectedResponseError: 64 MiB.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
#: An error answer (HTTP 4xx/5xx) is read up to 1 MiB and the rest is dropped unread: the
#: status says what happened, and no marketplace's error document comes near this size, while
#: a proxy's or an attacker's page may be endless. Truncating (rather than failing) keeps the
#: answer's meaning: a 503 stays a retryable ServerError.
MAX_ERROR_BODY_BYTES: Final = 1024 * 1024


#: The ``timeout`` argument's default: equal to :data:`DEFAULT_TIMEOUT`, but its own object, so
#: that a client told nothing can take a given httpx client's timeout instead.
TIMEOUT_NOT_GIVEN: Final = httpx.Timeout(30.0, connect=5.0)

_TIMEOUT_FIELDS: Final = ("connect", "read", "write", "pool")


def request_timeout(
    timeout: float | httpx.Timeout | None, *, http: httpx.Client | httpx.AsyncClient | None
) -> httpx.Timeout:
    """Return the per-request timeout, finite for connect, read, write and pool.

    ``timeout`` if given; when it was not (:data:`TIMEOUT_NOT_GIVEN`) and ``http`` is, that
    client's own timeout, with :data:`DEFAULT_TIMEOUT`'s value for any phase it leaves
    unlimited; otherwise :data:`DEFAULT_TIMEOUT`. ``None``, a number that is not > 0 and
    finite, or an ``httpx.Timeout`` without a limit for some phase is refused: a call that
    can wait for ever would hang a sync job with it.
    """
    if timeout is TIMEOUT_NOT_GIVEN:
        if http is None:
            return DEFAULT_TIMEOUT
        own = http.timeout.as_dict()
        default = DEFAULT_TIMEOUT.as_dict()
        return httpx.Timeout(
            **{
                name: own[name] if own[name] is not None else default[name]
                for name in _TIMEOUT_FIELDS
            }
        )
    if timeout is None:
        raise ValueError(
            "timeout: None would let a call wait for ever; give seconds > 0 or an "
            "httpx.Timeout with a limit for connect, read, write and pool"
        )
    if isinstance(timeout, httpx.Timeout):
        limits = timeout.as_dict()
        for name in _TIMEOUT_FIELDS:
            value = limits[name]
            if value is None or not 0 < value < float("inf"):
                raise ValueError(
                    f"timeout: the httpx.Timeout has {name}={value!r}; every phase needs a "
                    f"limit in seconds > 0 (connect, read, write, pool)"
                )
        return timeout
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < float("inf")
    ):
        raise ValueError(f"timeout: expected seconds > 0 or an httpx.Timeout, got {timeout!r}")
    return httpx.Timeout(float(timeout))


def refuse_plain_http(request: httpx.Request) -> None:
    """Refuse a request over plain http to another machine (an httpx ``request`` hook).

    Flows are checked before they are sent, but a redirect is followed inside httpx: a
    server (or a network in the way) answering ``302 Location: http://…`` would otherwise
    get the next request, listings included, in clear text.
    """
    if request.url.scheme != "https" and not is_loopback(request.url.host):
        raise httpx.UnsupportedProtocol(
            f"refused to send over plain http to {redact_url(str(request.url))!r} "
            f"(only https, or http to this machine)",
            request=request,
        )


async def _refuse_plain_http_async(request: httpx.Request) -> None:
    refuse_plain_http(request)


def http_client_kwargs(*, asynchronous: bool = False) -> dict[str, Any]:
    """Return the settings of the httpx client a Client (or AsyncClient) creates for itself."""
    try:
        release = version("xborder")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        release = "0"
    hook = _refuse_plain_http_async if asynchronous else refuse_plain_http
    return {
        "timeout": DEFAULT_TIMEOUT,
        # The ECB moves its files now and then; httpx drops Authorization on a redirect to
        # another origin, and the hook refuses a redirect to plain http.
        "follow_redirects": True,
        "event_hooks": {"request": [hook]},
        "headers": {"User-Agent": f"xborder/{release} (+https://github.com/xborder/xborder)"},
    }


@dataclass(frozen=True, slots=True)
class Transmit:
    """Send ``request``; reply with an HttpResponse or the MarketplaceError it raised."""

    request: HttpRequest
    marketplace: str
    operation: str
    secrets: tuple[str, ...] = ()

    def map_errors(self) -> AbstractContextManager[None]:
        """Return the context manager that maps httpx exceptions for this request."""
        return map_httpx_errors(
            marketplace=self.marketplace,
            operation=self.operation,
            method=self.request.method,
            url=self.request.url,
            secrets=self.secrets,
        )


class BodyReader:
    """Collects an answer's body, never holding more than its limit.

    A successful answer fails as soon as it passes ``limit`` bytes (declared or streamed);
    an error answer (status >= 400) keeps its first :data:`MAX_ERROR_BODY_BYTES` (or
    ``limit``, if lower) and :meth:`feed` says when to stop reading. Drivers stream the body
    (``httpx`` ``stream()``) and close the stream when told, so a huge answer is never held
    whole nor read to its end.
    """

    __slots__ = (
        "_chunks",
        "_headers",
        "_limit",
        "_marketplace",
        "_operation",
        "_size",
        "_status",
        "_truncate",
    )

    def __init__(self, transmit: Transmit, limit: int) -> None:
        self._marketplace = transmit.marketplace
        self._operation = transmit.operation
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._status = 0
        self._headers: dict[str, str] = {}
        self._truncate = False

    @property
    def limit(self) -> int:
        """The most bytes of the body this reader keeps (known once :meth:`start` ran)."""
        return self._limit

    def start(self, status_code: int, headers: httpx.Headers) -> None:
        """Take the status line and headers; refuse a success declaring more than the limit."""
        self._status = status_code
        self._headers = {name.lower(): value for name, value in headers.items()}
        if status_code >= 400:
            self._truncate = True
            self._limit = min(self._limit, MAX_ERROR_BODY_BYTES)
            return
        declared = self._headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self._limit:
            raise self._too_large()

    def feed(self, chunk: bytes) -> bool:
        """Add one decoded chunk of the body; return False when no more should be read."""
        room = self._limit - self._size
        if len(chunk) > room:
            if not self._truncate:
                raise self._too_large()
            chunk = chunk[:room]
        self._size += len(chunk)
        self._chunks.append(chunk)
        return not (self._truncate and self._size >= self._limit)

    def response(self, url: str) -> HttpResponse:
        """Return the answer (an error answer's body possibly cut at the limit)."""
        if self._truncate:
            # The body was cut (or may be): its declared length and encoding no longer apply.
            self._headers.pop("content-length", None)
        return HttpResponse(
            status_code=self._status,
            headers=self._headers,
            content=b"".join(self._chunks),
            url=url,
        )

    def _too_large(self) -> UnexpectedResponseError:
        return too_large(
            marketplace=self._marketplace,
            operation=self._operation,
            status_code=self._status,
            limit=self._limit,
            headers=self._headers,
        )
