"""A clock whose time only moves when told to: no test sleeps for real."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

__all__ = ["FakeClock"]


class FakeClock:
    """A :class:`xborder.clock.Clock` whose time only moves when told to (or on ``sleep``).

    >>> clock = FakeClock(datetime(2026, 1, 2, tzinfo=UTC))
    >>> clock.sleep(30); clock.now().isoformat()
    '2026-01-02T00:00:30+00:00'
    """

    def __init__(self, start: datetime | date | None = None) -> None:
        if start is None:
            start = datetime(2026, 1, 1, tzinfo=UTC)
        elif not isinstance(start, datetime):
            start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError(f"start: FakeClock needs an aware datetime, got {start!r}")
        self._now = start
        self._mono = 0.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        """Return the fake current time."""
        return self._now

    def monotonic(self) -> float:
        """Return fake monotonic seconds."""
        return self._mono

    def sleep(self, seconds: float) -> None:
        """Advance instantly instead of sleeping, and record the request."""
        if seconds < 0:
            raise ValueError(f"seconds: cannot sleep a negative time ({seconds!r})")
        self.slept.append(seconds)
        self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        """Advance instantly (like :meth:`sleep`), yielding once to the event loop.

        Yielding keeps other tasks running in the order a real wait would let them run.
        """
        self.sleep(seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()})"
