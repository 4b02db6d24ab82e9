"""A token bucket per (marketplace, operation) that adapts to what the marketplace says.

The bucket starts from the documented limit (:class:`~xborder.marketplaces.RateLimit` in
the adapter's :class:`~xborder.marketplaces.Capabilities`) and then follows the
marketplace's own signals, read by the adapter into its
:class:`~xborder.marketplaces.Classification`:

* an announced rate (Amazon's ``x-amzn-RateLimit-Limit``, see the SP-API usage-plans page
  https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits) becomes the
  bucket's ceiling and, unless the bucket is backing off, its rate;
* a usage share of 0.8 or more (Meta's ``X-Business-Use-Case-Usage``/``X-App-Usage``, see
  https://developers.facebook.com/docs/graph-api/overview/rate-limiting/) slows the rate in
  proportion: 0.8 → full rate, 0.9 → half, 1.0 → the floor;
* a ``throttled`` verdict halves the rate (never below 5% of the seeded rate) and each
  ``ok`` answer adds back 5% of the ceiling, up to the ceiling (additive increase,
  multiplicative decrease).

So throttled answers are rare rather than the way the limit is found. The bucket itself
never sleeps or reads a clock: :meth:`TokenBucket.reserve` takes the time and returns how
long the caller must wait, and the client sleeps through its :class:`~xborder.clock.Clock`.
"""

from __future__ import annotations

import math
import threading
from typing import Final

from xborder.marketplaces._model import Classification

__all__ = ["FLOOR_SHARE", "RECOVERY_SHARE", "USAGE_THRESHOLD", "TokenBucket"]

#: The rate never drops below this share of the seeded rate on throttled answers.
FLOOR_SHARE: Final = 0.05
#: Each ok answer raises a lowered rate by this share of the ceiling.
RECOVERY_SHARE: Final = 0.05
#: Usage at or above this share of the quota slows the bucket down.
USAGE_THRESHOLD: Final = 0.8


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{name}: expected a number > 0, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


class TokenBucket:
    """A token bucket: ``rate`` requests per second sustained, ``burst`` at once.

    It starts full. :meth:`reserve` takes one token at time ``now`` and returns the seconds
    to wait before sending (0 when a token was there). Tokens may go negative: each caller
    reserves its own slot, so concurrent callers queue fairly without re-checking, and in
    any span of ``t`` seconds at most ``burst + rate * t`` requests go out.

    Thread-safe: one lock guards the state (it is never held while anyone sleeps).

    >>> bucket = TokenBucket(2.0, burst=1)
    >>> bucket.reserve(0.0), bucket.reserve(0.0), bucket.reserve(0.0)
    (0.0, 0.5, 1.0)
    """

    __slots__ = ("_burst", "_ceiling", "_lock", "_rate", "_seeded", "_stamp", "_tokens")

    def __init__(self, rate: float, burst: int = 1, *, now: float = 0.0) -> None:
        self._seeded = _positive("rate", rate)
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError(f"burst: expected an int >= 1, got {burst!r}")
        self._burst = burst
        self._rate = self._seeded
        self._ceiling = self._seeded
        self._tokens = float(burst)
        self._stamp = float(now)
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        """The current rate, requests per second."""
        return self._rate

    @property
    def burst(self) -> int:
        """How many requests may go out at once."""
        return self._burst

    @property
    def ceiling(self) -> float:
        """The most the rate recovers to: the announced rate, else the seeded one."""
        return self._ceiling

    @property
    def seeded_rate(self) -> float:
        """The rate the bucket was created with."""
        return self._seeded

    @property
    def floor(self) -> float:
        """The least rate throttling can bring the bucket to (5% of the seeded rate)."""
        return min(self._ceiling, FLOOR_SHARE * self._seeded)

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(float(self._burst), self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now

    def reserve(self, now: float) -> float:
        """Take one token at ``now`` (seconds, monotonic); return the seconds to wait."""
        with self._lock:
            self._refill(now)
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            # The slot is at the moment the deficit is paid back, measured from the last
            # refill (which may lie ahead of ``now`` for callers that raced past it).
            return max(0.0, self._stamp - now) + (-self._tokens) / self._rate

    def observe(self, classification: Classification, *, now: float) -> None:
        """Adapt the rate to one classified answer received at ``now``."""
        with self._lock:
            self._refill(now)
            announced = classification.rate_limit
            if announced is not None and announced > 0 and math.isfinite(announced):
                backing_off = self._rate < self._ceiling
                self._ceiling = float(announced)
                self._rate = min(self._rate, self._ceiling) if backing_off else self._ceiling
            verdict = classification.verdict
            if verdict == "throttled":
                self._rate = min(self._ceiling, max(self.floor, self._rate / 2))
            elif verdict == "ok":
                self._rate = min(self._ceiling, self._rate + RECOVERY_SHARE * self._ceiling)
            usage = classification.usage
            if usage is not None and usage >= USAGE_THRESHOLD:
                share = max(0.0, (1.0 - usage) / (1.0 - USAGE_THRESHOLD))
                self._rate = min(self._rate, max(self.floor, self._ceiling * share))

    def __repr__(self) -> str:
        return (
            f"TokenBucket(rate={self._rate:g}, burst={self._burst}, ceiling={self._ceiling:g}, "
            f"seeded_rate={self._seeded:g})"
        )
