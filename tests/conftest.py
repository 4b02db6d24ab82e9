"""Shared test set-up: a deterministic hypothesis profile and a frozen "today"."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, settings

from xborder.clock import SystemClock

# CI profile: derandomized, bounded, no deadline (machines here are noisy; never time tests).
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The date tests treat as "today": the bundled ECB snapshot's last day.
FROZEN_TODAY = date(2026, 10, 30)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Freeze the system clock: no test can depend on the real date, even by accident.

    xborder reads the time only through ``xborder.clock`` (DESIGN decision 3), so freezing
    ``SystemClock.now`` freezes every default ``on=today``.
    """
    frozen = datetime(FROZEN_TODAY.year, FROZEN_TODAY.month, FROZEN_TODAY.day, 12, tzinfo=UTC)
    monkeypatch.setattr(SystemClock, "now", lambda self: frozen)
    return FROZEN_TODAY
