"""Faults a fake marketplace injects on request: throttling, 5xx, timeouts, resets and more.

``fake.inject(kind, *, operation=None, times=1, after=0, ...)`` adds a :class:`Fault`; the
fake lets the first ``after`` matching requests through and then answers the next ``times``
of them (``None``: all of them) with the fault instead of (or on top of) its normal answer.
``operation`` limits the fault to requests of one wire operation (a route's ``operation``).

=================  ========================================================================
kind               what the client sees
=================  ========================================================================
throttle           the marketplace's throttle answer (``fake.throttle_response``), with
                   ``retry_after`` seconds when the marketplace sends that
server_error       a 5xx (``status``, default 500) in the marketplace's error shape
timeout            :class:`httpx.ReadTimeout`; with ``processed=True`` the request was applied
                   first (the answer was lost, not the request)
connection_reset   :class:`httpx.RemoteProtocolError` (``processed`` as for timeout), or with
                   ``connect=True`` :class:`httpx.ConnectError` before the request arrived
malformed_json     the normal answer, applied, with its body cut in half
unexpected_status  a status the marketplace does not document (``status``, default 418) with
                   an HTML body, as a proxy in the way would send
expired_token      the marketplace's expired-token answer; the token used is expired for good
bad_request        a 400 naming ``field`` in the marketplace's error shape
partial_batch      a batch route applies the batch but fails every item whose index is a
                   multiple of ``every`` (the fake subclass writes each item's error)
never_finishes     asynchronous jobs started by the request never finish
=================  ========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = ["FAULT_KINDS", "Fault", "FaultKind"]

FaultKind = Literal[
    "throttle",
    "server_error",
    "timeout",
    "connection_reset",
    "malformed_json",
    "unexpected_status",
    "expired_token",
    "bad_request",
    "partial_batch",
    "never_finishes",
]
FAULT_KINDS: Final[tuple[FaultKind, ...]] = get_args(FaultKind)

# Faults answered instead of the handler (unless ``processed``), before auth and rate limits.
_BEFORE: Final = frozenset(
    {"throttle", "server_error", "timeout", "connection_reset", "unexpected_status", "bad_request"}
)
# Faults that may hit after the request was applied: the answer, not the request, is lost.
_PROCESSABLE: Final = frozenset({"server_error", "timeout", "connection_reset"})


@dataclass(slots=True, eq=False)
class Fault:
    """One injected fault and how often it has fired (see the module docs for the kinds).

    ``fired`` counts the requests it answered, ``seen`` the matching requests it saw
    (including the ``after`` it let through). ``active`` is false once it has fired
    ``times`` times.
    """

    kind: FaultKind
    operation: str | None = None
    times: int | None = 1
    after: int = 0
    status: int | None = None
    retry_after: float | None = 1.0
    processed: bool = False
    connect: bool = False
    every: int = 2
    field: str = "title"
    fired: int = 0
    seen: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"fault kind: expected one of {', '.join(FAULT_KINDS)}, got {self.kind!r}"
            )
        if self.times is not None and (not isinstance(self.times, int) or self.times < 1):
            raise ValueError(f"times: expected an int >= 1 or None, got {self.times!r}")
        if not isinstance(self.after, int) or self.after < 0:
            raise ValueError(f"after: expected an int >= 0, got {self.after!r}")
        if not isinstance(self.every, int) or self.every < 1:
            raise ValueError(f"every: expected an int >= 1, got {self.every!r}")
        if self.processed and self.kind not in _PROCESSABLE:
            raise ValueError(
                f"processed=True applies to {', '.join(sorted(_PROCESSABLE))}, not {self.kind!r}"
            )
        if self.connect and (self.processed or self.kind != "connection_reset"):
            raise ValueError("connect=True is a connection_reset before the request arrived")
        if self.kind == "server_error" and self.status is not None and not 500 <= self.status < 600:
            raise ValueError(f"server_error: status must be 5xx, got {self.status!r}")

    @property
    def active(self) -> bool:
        """Whether the fault will still fire."""
        return self.times is None or self.fired < self.times

    @property
    def before(self) -> bool:
        """Whether the fault answers instead of the handler."""
        return self.kind in _BEFORE and not self.processed

    def fails_item(self, index: int) -> bool:
        """For ``partial_batch``: whether the item at ``index`` of the batch fails."""
        return self.kind == "partial_batch" and index % self.every == 0

    def _offer(self, operation: str) -> bool:
        """Count a matching request; return True when the fault fires on it."""
        if not self.active or (self.operation is not None and self.operation != operation):
            return False
        self.seen += 1
        if self.seen <= self.after:
            return False
        self.fired += 1
        return True

    def __repr__(self) -> str:
        on = f", operation={self.operation!r}" if self.operation else ""
        return f"Fault({self.kind!r}{on}, fired={self.fired}, times={self.times})"


def take(faults: Iterable[Fault], operation: str, applies: Callable[[Fault], bool]) -> Fault | None:
    """Return the first active fault that ``applies`` and fires on a request of ``operation``."""
    for fault in faults:
        if applies(fault) and fault._offer(operation):
            return fault
    return None
