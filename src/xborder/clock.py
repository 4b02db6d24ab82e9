"""The one place xborder reads the time.

Everything that needs "now" or "today" takes a :class:`Clock`; the default is
:class:`SystemClock`. Tests inject :class:`xborder.testing.FakeClock`, which never sleeps.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock", "today"]


@runtime_checkable
class Clock(Protocol):
    """Source of wall-clock time, monotonic time and sleeping."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware (UTC)."""
        ...

    def monotonic(self) -> float:
        """Return seconds from an arbitrary origin that never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Wait ``seconds`` without blocking the event loop."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return :func:`time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Sleep for real with :func:`asyncio.sleep`."""
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


def today(clock: Clock | None = None) -> date:
    """Return today's date in UTC from ``clock`` (default: the system clock).

    This is the only default for ``on=`` parameters in xborder.
    """
    return (clock or SystemClock()).now().date()
