"""What the clients report while they work: :class:`Event` values for a callback.

Callers that are not a terminal (a Celery task, an Airflow operator, a progress bar) pass
``on_event=`` to :class:`~xborder.client.Client` or :class:`~xborder.client.AsyncClient`
and receive one :class:`Event` per step. Events carry no secret: the URL is redacted
(:func:`xborder.http.redact_url`) and no header, body or token is ever part of one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from xborder.http import redact_url

__all__ = [
    "EVENT_KINDS",
    "Event",
    "EventHandler",
    "EventKind",
    "RedactHttpxUrls",
    "deliver",
    "redact_httpx_logs",
]

#: ``request``: about to send; ``response``: an answer arrived; ``retry``: waiting before
#: another attempt; ``wait``: the rate limiter holds the request back; ``token``: an access
#: token was fetched or refreshed; ``error``: the call failed for good.
EventKind = Literal["request", "response", "retry", "wait", "token", "error"]
EVENT_KINDS: Final[tuple[EventKind, ...]] = (
    "request",
    "response",
    "retry",
    "wait",
    "token",
    "error",
)

logger = logging.getLogger("xborder.client")


@dataclass(frozen=True, slots=True)
class Event:
    """One step of a client's work, for an ``on_event`` callback.

    * ``kind``: see :data:`EventKind`.
    * ``marketplace``: the adapter's name (``"http"`` for a flow run without an adapter).
    * ``operation``: the wire operation (``HttpRequest.operation``; ``"token"`` for token
      requests).
    * ``method``, ``url``: the request's method and URL, credentials redacted.
    * ``status_code``: the HTTP status, when there was an answer.
    * ``attempt``: 1 for the first try of a request, 2 for the first retry, …
    * ``wait``: seconds the client is about to wait (``retry`` and ``wait`` events).
    * ``request_id``: the marketplace's id for the call, when it sent one.
    * ``at``: the client clock's ``monotonic()`` when the event happened.
    * ``detail``: a short, secret-free note (the error for ``error`` events, the reason for
      a ``retry``).
    """

    kind: EventKind
    marketplace: str
    operation: str = ""
    method: str = ""
    url: str = ""
    status_code: int | None = None
    attempt: int = 1
    wait: float | None = None
    request_id: str | None = None
    at: float = 0.0
    detail: str = ""


#: The type of an ``on_event`` callback.
EventHandler = Callable[[Event], None]


def deliver(handler: EventHandler | None, event: Event) -> None:
    """Call ``handler`` with ``event``; an exception it raises is logged, never propagated."""
    if handler is None:
        return
    try:
        handler(event)
    except Exception:
        logger.warning(
            "on_event callback raised on a %s event; the call goes on", event.kind, exc_info=True
        )


class RedactHttpxUrls(logging.Filter):
    """Redacts credential query parameters in httpx's own ``HTTP Request: …`` log lines.

    httpx logs every request's full URL at INFO on the ``"httpx"`` logger; a Graph API URL
    carries ``access_token=…`` there. This filter rewrites the URL argument with
    :func:`xborder.http.redact_url` and lets every record through.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the URL argument of the record, if it has one; keep the record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 2 and "?" in str(args[1]):
            record.args = (args[0], redact_url(str(args[1])), *args[2:])
        return True


def redact_httpx_logs() -> None:
    """Attach :class:`RedactHttpxUrls` to the ``"httpx"`` logger (once)."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactHttpxUrls) for f in httpx_logger.filters):
        httpx_logger.addFilter(RedactHttpxUrls())
