"""Shared test set-up: a deterministic hypothesis profile and a frozen "today"."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, settings

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

#: The date tests treat as "today". Nothing in the suite reads the real clock.
FROZEN_TODAY = date(2026, 10, 30)


@pytest.fixture
def frozen_today() -> date:
    """The fixed date tests use wherever code would otherwise default to today."""
    return FROZEN_TODAY
