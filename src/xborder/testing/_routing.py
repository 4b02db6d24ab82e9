"""How a fake marketplace is declared and what its handlers see: routes, calls, wire models.

* :func:`route` marks a :class:`~xborder.testing.FakeMarketplace` method as the handler of
  a method and path pattern; :class:`Route` is what it records.
* :class:`Call` is one request as the handler reads it and as tests count it.
* :class:`ClosedModel` is the base of a fake's wire models (unknown fields refused), and
  :class:`Reject` answers at once from anywhere inside a handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict

from xborder.http import redact_url
from xborder.testing._faults import Fault

__all__ = ["Call", "ClosedModel", "Reject", "Route", "field_path", "route"]

F = TypeVar("F", bound=Callable[..., Any])

_PARAM: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(:path)?\}")


class ClosedModel(BaseModel):
    """Base of a fake's wire models: unknown fields refused, no type coercion, immutable.

    Real APIs refuse what they do not know; so does a fake built on these, which catches an
    adapter that misspells a field or sends ``"5"`` for ``5`` before the marketplace does.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Reject(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a handler to answer ``response`` at once; the request's writes roll back."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


@dataclass(frozen=True, slots=True)
class Route:
    """One route of a fake: ``method`` and ``pattern`` answered by the method ``handler``.

    ``operation`` names the wire operation (rate-limit bucket, fault target, call counts);
    ``auth`` whether a token is required; ``batch`` whether the route takes many items
    (``partial_batch`` faults apply to it); ``limited`` whether the rate limit applies.
    """

    method: str
    pattern: str
    handler: str
    operation: str
    auth: bool = True
    batch: bool = False
    limited: bool = True

    def compile(self, base_url: str) -> tuple[str, re.Pattern[str]]:
        """Return the host (``scheme://netloc``) and the path regex the route matches."""
        target = self.pattern if "://" in self.pattern else base_url.rstrip("/") + self.pattern
        parts = urlsplit(target)
        regex = ""
        position = 0
        for match in _PARAM.finditer(parts.path):
            regex += re.escape(parts.path[position : match.start()])
            regex += f"(?P<{match[1]}>.+)" if match[2] else f"(?P<{match[1]}>[^/]+)"
            position = match.end()
        regex += re.escape(parts.path[position:])
        return f"{parts.scheme}://{parts.netloc}", re.compile(regex)


def route(
    method: str,
    pattern: str,
    *,
    operation: str | None = None,
    auth: bool = True,
    batch: bool = False,
    limited: bool = True,
) -> Callable[[F], F]:
    """Mark a :class:`FakeMarketplace` method as the handler of ``method pattern``.

    ``pattern`` is a path under the fake's ``base_url`` (``"/listings/{market}/{sku}"``) or
    an absolute URL (``"https://api.example/oauth/token"``); ``{name}`` matches one path
    segment, ``{name:path}`` the rest of the path; the values reach the handler as keyword
    arguments, percent-decoded. The handler is called as ``handler(call, **params)`` and
    returns an :class:`httpx.Response` (or raises :class:`Reject`). ``operation`` defaults
    to the method's name. One method may carry several routes.
    """

    def mark(function: F) -> F:
        spec = Route(
            method=method.upper(),
            pattern=pattern,
            handler=function.__name__,
            operation=operation or function.__name__,
            auth=auth,
            batch=batch,
            limited=limited,
        )
        routes: tuple[Route, ...] = getattr(function, "_xborder_routes", ())
        setattr(function, "_xborder_routes", (*routes, spec))  # noqa: B010 - typed F stays F
        return function

    return mark


class Call:
    """One request a fake received: what its handler reads and what tests count.

    ``operation`` is the route's operation (``""`` when no route matched), ``params`` the
    path parameters, ``status`` the status answered (``None`` while handling, or when a
    transport fault answered), ``error`` the name of the httpx exception raised instead,
    ``items`` the batch size a handler counted with :meth:`FakeMarketplace.check_batch`,
    ``fault`` the injected fault that hit this request, ``request_id`` the id sent back, and
    ``token_issued`` whether the request got an access token (``oauth_token``).
    """

    __slots__ = (
        "at",
        "error",
        "fault",
        "items",
        "operation",
        "params",
        "request",
        "request_id",
        "route",
        "status",
        "token_issued",
    )

    def __init__(
        self,
        request: httpx.Request,
        *,
        route: Route | None,
        params: Mapping[str, str],
        at: datetime,
        request_id: str,
    ) -> None:
        self.request = request
        self.route = route
        self.operation = route.operation if route is not None else ""
        self.params = MappingProxyType(dict(params))
        self.at = at
        self.request_id = request_id
        self.status: int | None = None
        self.error: str | None = None
        self.items: int | None = None
        self.fault: Fault | None = None
        self.token_issued = False

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.request.method

    @property
    def url(self) -> str:
        """The full URL."""
        return str(self.request.url)

    @property
    def path(self) -> str:
        """The URL path, percent-decoded."""
        return self.request.url.path

    @property
    def query(self) -> httpx.QueryParams:
        """The query parameters."""
        return self.request.url.params

    @property
    def headers(self) -> httpx.Headers:
        """The request headers (case-insensitive)."""
        return self.request.headers

    @property
    def content(self) -> bytes:
        """The raw request body."""
        return self.request.content

    def fails_item(self, index: int) -> bool:
        """Whether a ``partial_batch`` fault fails the item at ``index`` of this batch."""
        return self.fault is not None and self.fault.fails_item(index)

    def __repr__(self) -> str:
        # The URL is redacted: Graph API calls carry the access token in the query.
        status = self.status if self.status is not None else self.error
        return (
            f"Call({self.method} {redact_url(self.url)} operation={self.operation!r} -> {status})"
        )


def field_path(loc: Sequence[int | str]) -> str:
    """Return a pydantic error location as a field path, as APIs name fields.

    >>> field_path(("listings", 3, "price", "amount"))
    'listings[3].price.amount'
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
