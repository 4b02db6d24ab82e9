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
from xborder.http import HttpRequest, HttpResponse

from ._errors import map_httpx_errors, too_large

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "BodyReader",
    "Transmit",
    "http_client_kwargs",
    "request_timeout",
]

#: Connect within 5 s, and at most 30 s for each read, write and pool wait.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: Answers with a larger (decoded) body fail with UnexpectedResponseError: 64 MiB.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024


def request_timeout(
    timeout: float | httpx.Timeout | None, *, http: httpx.Client | httpx.AsyncClient | None
) -> httpx.Timeout:
    """Return the per-request timeout: ``timeout``; else ``http``'s own; else the default."""
    if timeout is None:
        return http.timeout if http is not None else DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < float("inf")
    ):
        raise ValueError(f"timeout: expected seconds > 0 or an httpx.Timeout, got {timeout!r}")
    return httpx.Timeout(float(timeout))


def http_client_kwargs() -> dict[str, Any]:
    """Return the settings of the httpx client a Client creates for itself."""
    try:
        release = version("xborder")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        release = "0"
    return {
        "timeout": DEFAULT_TIMEOUT,
        # The ECB moves its files now and then; httpx drops Authorization on a redirect to
        # another origin, so following is safe for the marketplaces as well.
        "follow_redirects": True,
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
    """Collects an answer's body, failing as soon as it passes ``limit`` bytes.

    Drivers stream the body (``httpx`` ``stream()``), so a huge answer is never held whole.
    """

    __slots__ = ("_chunks", "_headers", "_limit", "_marketplace", "_operation", "_size", "_status")

    def __init__(self, transmit: Transmit, limit: int) -> None:
        self._marketplace = transmit.marketplace
        self._operation = transmit.operation
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._status = 0
        self._headers: dict[str, str] = {}

    def start(self, status_code: int, headers: httpx.Headers) -> None:
        """Take the status line and headers; refuse a declared length above the limit."""
        self._status = status_code
        self._headers = {name.lower(): value for name, value in headers.items()}
        declared = self._headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            raise self._too_large()

    def feed(self, chunk: bytes) -> None:
        """Add one decoded chunk of the body."""
        self._size += len(chunk)
        if self._size > self._limit:
            raise self._too_large()
        self._chunks.append(chunk)

    def response(self, url: str) -> HttpResponse:
        """Return the complete answer."""
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
