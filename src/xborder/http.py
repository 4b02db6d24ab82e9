"""Sans-I/O HTTP values: what a flow yields and what it is sent back.

A *flow* is a generator that yields :class:`HttpRequest` objects, receives an
:class:`HttpResponse` for each, and finally returns its result (the pattern of httpx's
``Auth.auth_flow``). Flows never do I/O themselves; a driver (:func:`run_flow` now, the
``Client`` of the marketplace layer later) sends the requests. Tests feed responses directly.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

__all__ = ["SENSITIVE_HEADERS", "Flow", "HttpRequest", "HttpResponse", "run_flow"]

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
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    def __repr__(self) -> str:
        headers = {
            name: ("***" if name.lower() in SENSITIVE_HEADERS else value)
            for name, value in self.headers.items()
        }
        return (
            f"HttpRequest(method={self.method!r}, url={self.url!r}, headers={headers!r}, "
            f"content=<{len(self.content)} bytes>)"
        )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """The answer to an :class:`HttpRequest`; ``headers`` keys are lower case."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    url: str = ""


Flow = Generator[HttpRequest, HttpResponse, T]


def run_flow(flow: Flow[T], *, timeout: float = 30.0) -> T:
    """Drive ``flow`` with a short-lived :class:`httpx.Client` and return its result.

    This is the minimal driver for one-off fetches (such as refreshing live exchange rates)
    until a full ``Client`` with retries and rate limits is in use.
    """
    import httpx

    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        try:
            request = next(flow)
            while True:
                raw = client.request(
                    request.method,
                    request.url,
                    headers=dict(request.headers),
                    content=request.content or None,
                )
                response = HttpResponse(
                    status_code=raw.status_code,
                    headers={k.lower(): v for k, v in raw.headers.items()},
                    content=raw.content,
                    url=str(raw.url),
                )
                request = flow.send(response)
        except StopIteration as stop:
            result: T = stop.value
            return result
