"""The one place where answers and httpx exceptions become xborder errors.

* :func:`error_for_response` maps a final, non-ok answer (and the adapter's
  :class:`~xborder.marketplaces.Classification` of it) to the most specific
  :class:`~xborder.errors.ApiError`.
* :func:`map_httpx_errors` translates httpx exceptions (the way httpx's own
  ``map_httpcore_exceptions`` does): timeouts → :class:`~xborder.errors.RequestTimeoutError`,
  other transport failures → :class:`~xborder.errors.MarketplaceTransportError`, a body
  that cannot be decoded → :class:`~xborder.errors.UnexpectedResponseError`.

No message made here contains a credential: URLs go through
:func:`xborder.http.redact_url`, and text from elsewhere through :func:`scrub`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from typing import Final
from urllib.parse import parse_qsl, urlsplit

import httpx

from xborder.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    FieldError,
    InvalidRequestError,
    MarketplaceError,
    MarketplaceTransportError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    UnexpectedResponseError,
)
from xborder.http import SENSITIVE_PARAMS, HttpResponse, redact_url
from xborder.marketplaces._model import Classification

__all__ = [
    "REQUEST_ID_HEADERS",
    "error_for_response",
    "http_reason",
    "is_retryable_transport",
    "map_httpx_errors",
    "request_id_from",
    "scrub",
    "too_large",
    "url_secrets",
]

#: Headers that carry a marketplace's id for a call, in the order they are read: generic,
#: Amazon SP-API (``x-amzn-RequestId``), eBay (``X-EBAY-C-REQUEST-ID``), Meta Graph
#: (``x-fb-trace-id``).
REQUEST_ID_HEADERS: Final = (
    "x-request-id",
    "x-amzn-requestid",
    "x-ebay-c-request-id",
    "x-fb-trace-id",
)

# Transport errors where sending again cannot help: the URL or the local set-up is wrong.
_NOT_RETRYABLE: Final = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """Return the first request-id header in ``headers`` (keys lower case), or None."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def http_reason(status_code: int) -> str:
    """Return ``"HTTP 404 Not Found"`` (or ``"HTTP 599"`` for a code without a phrase)."""
    try:
        return f"HTTP {status_code} {HTTPStatus(status_code).phrase}"
    except ValueError:
        return f"HTTP {status_code}"


def url_secrets(url: str) -> tuple[str, ...]:
    """Return the values of credential query parameters in ``url`` (for :func:`scrub`)."""
    query = urlsplit(url).query
    if not query:
        return ()
    return tuple(
        value
        for name, value in parse_qsl(query, keep_blank_values=False)
        if name.lower() in SENSITIVE_PARAMS and value
    )


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every one of ``secrets`` replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def error_for_response(
    marketplace: str,
    response: HttpResponse,
    classification: Classification,
    *,
    operation: str = "",
) -> ApiError:
    """Return the error for a final, non-ok answer.

    Precedence: a ``throttled`` verdict is a :class:`~xborder.errors.RateLimitError` whatever
    the status (Meta throttles with HTTP 400); ``auth_expired`` an
    :class:`~xborder.errors.AuthenticationError`; then by status: 401/403 authentication,
    404 :class:`~xborder.errors.NotFoundError`, 409 :class:`~xborder.errors.ConflictError`,
    400/422 :class:`~xborder.errors.InvalidRequestError`, 5xx or a ``transient`` verdict
    :class:`~xborder.errors.ServerError`; anything else :class:`~xborder.errors.ApiError`.

    The error carries the status, the request id (the classification's, else a common
    request-id header), ``retry_after``, the adapter's ``code`` and its field errors; its
    message is the classification's, else the HTTP reason.
    """
    status = response.status_code
    verdict = classification.verdict
    cls: type[ApiError]
    if verdict == "throttled":
        cls = RateLimitError
    elif verdict == "auth_expired" or status in (401, 403):
        cls = AuthenticationError
    elif status == 404:
        cls = NotFoundError
    elif status == 409:
        cls = ConflictError
    elif status in (400, 422):
        cls = InvalidRequestError
    elif status >= 500 or verdict == "transient":
        cls = ServerError
    else:
        cls = ApiError
    return cls(
        classification.message or http_reason(status),
        marketplace=marketplace,
        operation=operation,
        status_code=status,
        request_id=classification.request_id or request_id_from(response.headers),
        retry_after=classification.retry_after,
        field_errors=[
            FieldError(name, None, message) for name, message in classification.field_errors.items()
        ],
        code=classification.code,
    )


def is_retryable_transport(error: MarketplaceError) -> bool:
    """Whether a mapped transport error may be retried (for an idempotent request)."""
    if not isinstance(error, MarketplaceTransportError):
        return False
    return not isinstance(error.__cause__, _NOT_RETRYABLE)


@contextmanager
def map_httpx_errors(
    *, marketplace: str, operation: str, method: str, url: str, secrets: Iterable[str] = ()
) -> Iterator[None]:
    """Translate httpx exceptions raised inside the block into xborder errors.

    The message names the exception, the method and the redacted URL; the httpx exception
    is the ``__cause__``. Text from httpx is scrubbed of the URL's credentials and of
    ``secrets`` (the token in use).
    """
    try:
        yield
    except httpx.HTTPError as exc:
        hidden = (*url_secrets(url), *secrets)
        detail = scrub(str(exc), hidden) or "no detail"
        where = f"{method} {redact_url(url)}"
        cls: type[MarketplaceError]
        if isinstance(exc, httpx.TimeoutException):
            cls = RequestTimeoutError
        elif isinstance(exc, httpx.DecodingError):
            cls = UnexpectedResponseError
        else:
            cls = MarketplaceTransportError
        raise cls(
            f"{type(exc).__name__} on {where}: {detail}",
            marketplace=marketplace,
            operation=operation,
        ) from exc
    except httpx.InvalidURL as exc:
        raise MarketplaceTransportError(
            f"invalid URL {redact_url(url)!r}: {scrub(str(exc), url_secrets(url))}",
            marketplace=marketplace,
            operation=operation,
        ) from exc


def too_large(
    *, marketplace: str, operation: str, status_code: int, limit: int, headers: Mapping[str, str]
) -> UnexpectedResponseError:
    """Return the error for an answer whose body exceeds ``limit`` bytes."""
    return UnexpectedResponseError(
        f"the answer's body is larger than max_response_bytes ({limit} bytes)",
        marketplace=marketplace,
        operation=operation,
        status_code=status_code,
        request_id=request_id_from(headers),
    )
