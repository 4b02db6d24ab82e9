"""Sans-I/O HTTP values: what a flow yields and what it is sent back.

A *flow* is a generator that yields :class:`HttpRequest` objects, receives an
:class:`HttpResponse` for each, and finally returns its result (the pattern of httpx's
``Auth.auth_flow``). Flows never do I/O themselves; a driver sends the requests:
:class:`xborder.Client` / :class:`xborder.AsyncClient` (``client.run(flow)``), or
:func:`run_flow` for a one-off fetch. Tests feed responses directly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar
from urllib.parse import unquote_plus, urlsplit

from xborder._text import escape_controls

__all__ = [
    "SENSITIVE_HEADERS",
    "SENSITIVE_PARAMS",
    "Flow",
    "HttpRequest",
    "HttpResponse",
    "is_loopback",
    "redact_url",
    "require_https",
    "run_flow",
    "safe_text",
]

T = TypeVar("T")


#: Headers whose values are credentials: never shown in a repr or a log line.
SENSITIVE_HEADERS: Final = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-amz-access-token",
    }
)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request a flow wants sent.

    Its repr never shows credentials: sensitive header values are masked and the body (which
    may carry an API key, as LibreTranslate's does) is shown only by its length.

    The other fields tell the driver (:class:`xborder.Client`) how to send it:

    * ``operation`` names the marketplace operation (``"bulk_create_offer"``); the client keeps
      one rate-limit bucket per (marketplace, operation) and names it in errors and events.
    * ``idempotent``: whether sending the request twice has the effect of sending it once.
      ``None`` derives it from the method (GET, HEAD, OPTIONS, PUT and DELETE are; POST and
      PATCH are not). Only idempotent requests are ever retried after a transport error or a
      transient answer, so an adapter marks a POST keyed by SKU ``idempotent=True``.
    * ``auth`` names the adapter's token provider that signs the request (``"default"``:
      the adapter's default provider, if it has one; ``None``: no credentials).
    * ``raise_for_status``: with an adapter, an answer classified as a final error raises a
      :class:`~xborder.errors.MarketplaceError`. ``False`` hands it to the flow instead, for
      calls whose errors are per-item results (a 404 on a status read, a 400 on one SKU).
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    operation: str = ""
    idempotent: bool | None = None
    auth: str | None = "default"
    raise_for_status: bool = True

    @property
    def is_idempotent(self) -> bool:
        """Whether the request may be repeated safely (see ``idempotent``)."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in _IDEMPOTENT_METHODS

    def __repr__(self) -> str:
        headers = {
            name: ("***" if name.lower() in SENSITIVE_HEADERS else value)
            for name, value in self.headers.items()
        }
        op = f", operation={self.operation!r}" if self.operation else ""
        return (
            f"HttpRequest(method={self.method!r}, url={redact_url(self.url)!r}, "
            f"headers={headers!r}, content=<{len(self.content)} bytes>{op})"
        )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """The answer to an :class:`HttpRequest`; ``headers`` keys are lower case."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    url: str = ""


Flow = Generator[HttpRequest, HttpResponse, T]

_IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: Query parameters whose values are credentials (Graph API ``access_token`` and
#: ``appsecret_proof``, API keys): masked by :func:`redact_url`.
SENSITIVE_PARAMS: Final = frozenset(
    {
        "access_token",
        "appsecret_proof",
        "auth_key",
        "api_key",
        "apikey",
        "key",
        "client_secret",
        "refresh_token",
        "code",
        "password",
        "token",
        # Presigned S3 URLs (Amazon feed documents): the signature and credential scope.
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
    }
)


def redact_url(url: str) -> str:
    """Return ``url`` with the values of credential query parameters replaced by ``***``.

    >>> redact_url("https://graph.facebook.com/v21.0/me?access_token=EAAB&fields=id")
    'https://graph.facebook.com/v21.0/me?access_token=***&fields=id'
    """
    head, sep, query = url.partition("?")
    if not sep:
        return url
    query, hash_sep, fragment = query.partition("#")
    parts = []
    for part in query.split("&"):
        name, eq, _value = part.partition("=")
        if eq and unquote_plus(name).lower() in SENSITIVE_PARAMS:
            parts.append(f"{name}=***")
        else:
            parts.append(part)
    return head + sep + "&".join(parts) + hash_sep + fragment


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` names this machine: ``localhost``, ``*.localhost``, 127/8 or ``::1``.

    RFC 6761 §6.3 reserves ``localhost`` and its subdomains for the loopback interface.
    """
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_https(url: str, *, field: str) -> str:
    """Return ``url`` if it is an https URL with a host, or plain http to a loopback host.

    Credentials and listings travel in these requests: over plain http anyone on the path
    reads and alters them. Plain http stays possible for this machine only (a self-hosted
    LibreTranslate on ``http://localhost:5000``, a local fake). Anything else raises
    ``ValueError`` naming ``field`` and the (redacted) value.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or not host:
        raise ValueError(f"{field}: expected an https URL with a host, got {redact_url(url)!r}")
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and is_loopback(host)):
        return url
    raise ValueError(
        f"{field}: {redact_url(url)!r} is refused: only https is allowed (plain http only for "
        f"localhost/127.0.0.1/::1)"
    )


#: The longest text from a response that :func:`safe_text` keeps, by default (characters).
SAFE_TEXT_LIMIT: Final = 1000


def safe_text(text: object, *, limit: int = SAFE_TEXT_LIMIT) -> str:
    r"""Return text that came over the wire, fit for a log line, an error or a report.

    Control characters (CR, LF, ESC, NUL, C1, Unicode line separators, bidirectional
    overrides) are shown as ``\xNN``/``\uNNNN`` escapes, so a marketplace's message can neither
    start a forged log line nor drive a terminal; bytes are decoded as UTF-8 with invalid
    sequences shown as ``\xNN``. Text longer than ``limit`` characters is cut, and the cut
    says how much was dropped. The result is never longer than ``limit`` and is unchanged by
    a second pass. HTML is left as text: whoever renders a report as HTML escapes it.

    >>> safe_text("bad\r\nINFO forged")
    'bad\\r\\nINFO forged'
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "backslashreplace")
    elif not isinstance(text, str):
        text = str(text)
    # Control characters, line separators and bidi overrides as escapes (xborder._text).
    text = escape_controls(text.replace("\r", "\\r").replace("\n", "\\n"))
    if len(text) <= limit:
        return text
    # The marker's length depends on the count it shows; sizing it for the whole length
    # first keeps the result within ``limit``.
    keep = limit - len(f"… [{len(text)} more characters]")
    if keep < limit // 2:  # too short a limit for the count: just mark the cut
        return text[: max(0, limit - 1)] + "…"
    return text[:keep] + f"… [{len(text) - keep} more characters]"


def run_flow(flow: Flow[T], *, timeout: float = 30.0) -> T:
    """Drive ``flow`` once with a short-lived :class:`xborder.Client` and return its result.

    For one-off fetches of flows that read their own statuses (refreshing live exchange
    rates, a translation): every HTTP answer goes to the flow unchanged, redirects are
    followed, ``timeout`` seconds apply to each request, and nothing is retried. A network
    failure raises the httpx exception itself (a subclass of ``httpx.HTTPError``), as this
    function always has. For retries, rate limits, auth and xborder's error tree, keep a
    :class:`xborder.Client` and call its ``run(flow)``.
    """
    import httpx

    from xborder.client import Client, RetryPolicy
    from xborder.errors import MarketplaceError

    with Client(timeout=timeout, retry=RetryPolicy(max_attempts=1)) as client:
        try:
            return client.run(flow)
        except MarketplaceError as exc:
            cause = exc.__cause__
            if isinstance(cause, httpx.HTTPError):
                raise cause from None
            raise
