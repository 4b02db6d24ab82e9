from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from xborder.testing import FakeClock

from ._shop import Driver


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest, clock: FakeClock) -> Driver:
    """Runs each scenario through Client and through AsyncClient."""
    return Driver(request.param, clock)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router
