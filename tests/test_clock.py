from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from xborder.clock import Clock, SystemClock, today
from xborder.testing import FakeClock


def test_fake_clock_advances_without_sleeping() -> None:
    clock = FakeClock(datetime(2026, 1, 2, 23, 59, 30, tzinfo=UTC))
    clock.sleep(45)
    assert clock.now() == datetime(2026, 1, 3, 0, 0, 15, tzinfo=UTC)
    assert clock.monotonic() == 45
    assert clock.slept == [45]
    assert today(clock) == date(2026, 1, 3)
    assert isinstance(clock, Clock)


def test_fake_clock_from_date_and_errors() -> None:
    assert FakeClock(date(2026, 5, 1)).now() == datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        FakeClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="negative"):
        FakeClock().sleep(-1)


def test_system_clock_is_a_clock() -> None:
    clock = SystemClock()
    assert isinstance(clock, Clock)
    assert clock.now().tzinfo is UTC
    assert clock.monotonic() <= clock.monotonic()


def test_suite_runs_on_a_frozen_today(frozen_today: date) -> None:
    assert today() == frozen_today == date(2026, 10, 30)
