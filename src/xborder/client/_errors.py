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

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from typing import Final
from urllib.parse import parse_qsl, urlsplit

import httpx
from pydantic import BaseModel, SecretBytes, SecretStr

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
from xborder.http import (
    SENSITIVE_HEADERS,
    SENSITIVE_PARAMS,
    HttpRequest,
    HttpResponse,
    redact_url,
    safe_text,
)
from xborder.marketplaces._model import Classification

__all__ = [
    "REQUEST_ID_HEADERS",
    "error_for_response",
    "http_reason",
    "is_retryable_transport",
    "map_httpx_errors",
    "request_id_from",
    "request_secrets",
    "scrub",
    "scrub_response",
    "settings_secrets",
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

#: Credentials shorter than this are not looked for in answers: no real key or token is this
#: short, and hiding a value like ``"t"`` would mangle every message.
MIN_SECRET: Final = 8

# Transport errors where sending again cannot help: the URL or the local set-up is wrong.
_NOT_RETRYABLE: Final = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """Return the first request-id header in ``headers`` (keys lower case), or None.

    The value is the server's text: it comes back cleaned by :func:`~xborder.http.safe_text`.
    """
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return safe_text(value, limit=200)
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


def request_secrets(request: HttpRequest, *, body: bool = True) -> tuple[str, ...]:
    """Return the credentials ``request`` carries, wherever a flow put them.

    The values of sensitive headers (and their credential after a scheme such as ``Bearer``),
    credential query parameters, and (with ``body``) credential fields of a form or top-level
    JSON body (an OAuth ``client_secret``, LibreTranslate's ``api_key``). Whatever the flow,
    text made from a failed send is scrubbed of them.
    """
    found = list(url_secrets(request.url))
    for name, value in request.headers.items():
        if name.lower() in SENSITIVE_HEADERS and value:
            found.append(value)
            _scheme, _, credential = value.partition(" ")
            if credential.strip():
                found.append(credential.strip())
    content = request.content
    if body and content and len(content) <= _MAX_SCANNED_BODY:
        found.extend(_body_secrets(content))
    return tuple(s for s in found if len(s) >= MIN_SECRET)


# Bodies larger than this are feeds and listings, not credential exchanges: not parsed.
_MAX_SCANNED_BODY: Final = 64 * 1024


def _body_secrets(content: bytes) -> list[str]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if text.lstrip().startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            return []
        if not isinstance(body, dict):
            return []
        return [
            value
            for name, value in body.items()
            if isinstance(name, str) and name.lower() in SENSITIVE_PARAMS and isinstance(value, str)
        ]
    return [
        value
        for name, value in parse_qsl(text, keep_blank_values=False)
        if name.lower() in SENSITIVE_PARAMS and value
    ]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every one of ``secrets`` replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def scrub_response(response: HttpResponse, secrets: Iterable[str]) -> HttpResponse:
    """Return ``response`` with every one of ``secrets`` in its body and headers made ``***``.

    A marketplace may echo a credential back (an error body quoting the request it refused);
    hiding it here, before the adapter reads the answer, keeps it out of every message,
    issue, log line and report built from the answer, and out of any cut made in them.
    """
    hidden = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)
    if not hidden:
        return response
    content = response.content
    for secret in hidden:
        content = content.replace(secret.encode("utf-8"), b"***")
    headers = {name: scrub(value, hidden) for name, value in response.headers.items()}
    if content == response.content and headers == dict(response.headers):
        return response
    return HttpResponse(
        status_code=response.status_code, headers=headers, content=content, url=response.url
    )


def settings_secrets(settings: object, *, _depth: int = 0) -> tuple[str, ...]:
    """Return every ``SecretStr``/``SecretBytes`` value inside a pydantic ``settings`` model."""
    if not isinstance(settings, BaseModel) or _depth > 4:
        return ()
    found: list[str] = []
    for name in type(settings).model_fields:
        found.extend(_secrets_in(getattr(settings, name, None), _depth))
    return tuple(found)


def _secrets_in(value: object, depth: int) -> list[str]:
    if isinstance(value, SecretStr):
        return [value.get_secret_value()]
    if isinstance(value, SecretBytes):
        return [value.get_secret_value().decode("utf-8", "replace")]
    if isinstance(value, BaseModel):
        return list(settings_secrets(value, _depth=depth + 1))
    if isinstance(value, Mapping):
        return [s for item in value.values() for s in _secrets_in(item, depth + 1)]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for item in value for s in _secrets_in(item, depth + 1)]
    return []


def error_for_response(
    marketplace: str,
    response: HttpResponse,
    classification: Classification,
    *,
    operation: str = "",
    secrets: Iterable[str] = (),
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
    message is the classification's, else the HTTP reason. Every text taken from the answer
    is cleaned with :func:`~xborder.http.safe_text` and scrubbed of ``secrets``.
    """
    hidden = tuple(s for s in secrets if len(s) >= MIN_SECRET)
    request_id = classification.request_id or request_id_from(response.headers)
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
        scrub(classification.message, hidden) or http_reason(status),
        marketplace=marketplace,
        operation=operation,
        status_code=status,
        request_id=scrub(request_id, hidden) if request_id else None,
        retry_after=classification.retry_after,
        field_errors=[
            FieldError(scrub(name, hidden), None, scrub(message, hidden))
            for name, message in classification.field_errors.items()
        ],
        code=scrub(classification.code, hidden) if classification.code is not None else None,
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
        scrubbed = scrub(str(exc), hidden)
        if scrubbed != str(exc) and exc.args:
            # The httpx exception stays the __cause__ (its type and request help debugging),
            # but not with a credential in its message: tracebacks print it.
            exc.args = (scrubbed, *exc.args[1:])
        # httpx quotes the server's text at times (a bad status line, a broken chunk).
        detail = safe_text(scrubbed) or "no detail"
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
            f"invalid URL {redact_url(url)!r}: {safe_text(scrub(str(exc), url_secrets(url)))}",
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
