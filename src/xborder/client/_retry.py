"""When and how long the clients wait before sending a request again.

:class:`RetryPolicy` is one frozen value; :func:`retry_kwargs` turns it into the ``stop``,
``wait``, ``retry`` and callback objects that both drivers feed to tenacity
(``tenacity.Retrying`` in :class:`~xborder.client.Client`,
``tenacity.AsyncRetrying`` in :class:`~xborder.client.AsyncClient`), so the two never
differ. tenacity reads ``time.monotonic`` itself, so the elapsed-time stop here reads the
client's :class:`~xborder.clock.Clock` instead, and the sleeping goes through it too.

What is retried is decided per answer before tenacity sees it (see ``_core``): transport
errors, ``throttled`` and ``transient`` answers, and only for requests that are safe to
repeat (``HttpRequest.is_idempotent``). ``Retry-After`` (RFC 9110 §10.2.3) is honoured up
to :attr:`RetryPolicy.max_retry_after`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tenacity import RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from xborder.errors import MarketplaceError

if TYPE_CHECKING:
    from xborder.clock import Clock
    from xborder.http import HttpResponse

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_ELAPSED",
    "DEFAULT_MAX_RETRY_AFTER",
    "RetryPolicy",
    "RetryableError",
    "retry_kwargs",
]

DEFAULT_MAX_ATTEMPTS: Final = 4
DEFAULT_MAX_ELAPSED: Final = 300.0
DEFAULT_MAX_RETRY_AFTER: Final = 120.0


def _seconds(name: str, value: float, *, zero: bool = True) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"RetryPolicy.{name}: expected a finite number, got {value!r}")
    if value < 0 or (not zero and value == 0):
        raise ValueError(f"RetryPolicy.{name}: expected a number {'>=' if zero else '>'} 0")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry a request that is safe to repeat.

    * ``max_attempts``: attempts in all, the first included (default 4: three retries);
      ``1`` turns retrying off.
    * ``max_elapsed``: seconds (on the client's clock) after which no new attempt starts;
      a wait that would end past it is not begun (default 300).
    * ``max_retry_after``: a ``Retry-After`` longer than this is not waited for: the call
      fails at once with the error carrying ``retry_after`` (default 120).
    * ``backoff_initial``, ``backoff_max``, ``backoff_jitter``: without ``Retry-After`` the
      wait before attempt *n* + 1 is ``min(backoff_max, backoff_initial * 2**(n-1) +
      uniform(0, backoff_jitter))`` (defaults 1, 30 and 1 s).
    * ``seed``: seeds the client's own :class:`random.Random` for the jitter, so a run can
      be reproduced; ``None`` (default) seeds it from the operating system, so that many
      workers that fail together do not retry in lockstep.
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_elapsed: float = DEFAULT_MAX_ELAPSED
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    backoff_jitter: float = 1.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_attempts, bool)
            or not isinstance(self.max_attempts, int)
            or self.max_attempts < 1
        ):
            raise ValueError(
                f"RetryPolicy.max_attempts: expected an int >= 1, got {self.max_attempts!r}"
            )
        _seconds("max_elapsed", self.max_elapsed)
        _seconds("max_retry_after", self.max_retry_after)
        _seconds("backoff_initial", self.backoff_initial)
        _seconds("backoff_max", self.backoff_max)
        _seconds("backoff_jitter", self.backoff_jitter)
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ValueError(f"RetryPolicy.seed: expected an int or None, got {self.seed!r}")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Return the wait after failed attempt number ``attempt`` (1-based), with jitter."""
        exponential = self.backoff_initial * 2.0 ** max(0, attempt - 1)
        jitter = rng.uniform(0.0, self.backoff_jitter) if self.backoff_jitter else 0.0
        return min(self.backoff_max, exponential + jitter)

    def new_random(self) -> random.Random:
        """Return the :class:`random.Random` a client uses for jitter (seeded by ``seed``)."""
        return random.Random(self.seed)


class RetryableError(Exception):
    """Raised inside an attempt to ask tenacity for another one (never escapes a client).

    ``error`` is what the call fails with if no attempt is left; ``response`` is handed to
    the flow instead when the request said ``raise_for_status=False``; ``retry_after`` the
    wait the marketplace asked for; ``reason`` a short note for logs and events.
    """

    def __init__(
        self,
        error: MarketplaceError,
        *,
        response: HttpResponse | None = None,
        retry_after: float | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(reason or str(error))
        self.error = error
        self.response = response
        self.retry_after = retry_after
        self.reason = reason or type(error).__name__

    def give_up(self) -> HttpResponse:
        """Return the response for the flow, or raise the error (no attempt left)."""
        if self.response is not None:
            return self.response
        raise self.error


class stop_after_clock(stop_base):  # noqa: N801 - named like tenacity's stop conditions
    """Stop when the next wait would end more than ``max_elapsed`` seconds after ``started``.

    Time is read from ``clock`` (tenacity's own ``stop_after_delay`` reads
    ``time.monotonic``, which a :class:`~xborder.testing.FakeClock` does not move).
    """

    def __init__(self, clock: Clock, started: float, max_elapsed: float) -> None:
        self.clock = clock
        self.started = started
        self.max_elapsed = max_elapsed

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Return True when no further attempt may start."""
        elapsed = self.clock.monotonic() - self.started
        return elapsed + retry_state.upcoming_sleep > self.max_elapsed


class wait_retry_after_or_backoff(wait_base):  # noqa: N801 - named like tenacity's waits
    """Wait what the marketplace asked for (``Retry-After``), else back off with jitter."""

    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self.policy = policy
        self.rng = rng

    def __call__(self, retry_state: RetryCallState) -> float:
        """Return the seconds to wait before the next attempt."""
        outcome = retry_state.outcome
        failure = outcome.exception() if outcome is not None else None
        if isinstance(failure, RetryableError) and failure.retry_after is not None:
            return failure.retry_after
        return self.policy.backoff(retry_state.attempt_number, self.rng)


def _give_up(retry_state: RetryCallState) -> HttpResponse:
    outcome = retry_state.outcome
    failure = outcome.exception() if outcome is not None else None
    if isinstance(failure, RetryableError):
        return failure.give_up()
    raise RuntimeError("retries ended without a retryable failure")  # pragma: no cover


def retry_kwargs(
    policy: RetryPolicy,
    *,
    clock: Clock,
    rng: random.Random,
    started: float,
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> dict[str, Any]:
    """Return the keyword arguments for ``tenacity.Retrying``/``AsyncRetrying`` (no ``sleep``).

    Retries only :class:`RetryableError`; stops after ``policy.max_attempts`` attempts or when
    the clock says ``policy.max_elapsed`` would be passed; when it stops, the last
    :class:`RetryableError` gives up (hands its response over or raises its error).
    """
    return {
        "stop": stop_after_attempt(policy.max_attempts)
        | stop_after_clock(clock, started, policy.max_elapsed),
        "wait": wait_retry_after_or_backoff(policy, rng),
        "retry": retry_if_exception_type(RetryableError),
        "before_sleep": before_sleep,
        "retry_error_callback": _give_up,
        "reraise": True,
    }
