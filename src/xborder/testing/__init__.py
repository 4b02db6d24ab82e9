"""Helpers for testing code that uses xborder.

* :class:`FakeClock`: a clock that never sleeps, for clients, rate limiters and pollers.
"""

from __future__ import annotations

from xborder.testing._clock import FakeClock

__all__ = ["FakeClock"]
