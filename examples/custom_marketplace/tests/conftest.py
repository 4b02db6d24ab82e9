"""Fixtures for the Acme Bazaar tests: a fake on a fake clock, an adapter, offers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _bazaar import CLIENT_ID, CLIENT_SECRET, listing, make_adapter, prepare
from acme_bazaar import BazaarAdapter
from acme_bazaar.fake import BazaarFake

import xborder as xb
from xborder.testing import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[BazaarFake]:
    with BazaarFake(clock=clock, clients={CLIENT_ID: CLIENT_SECRET}) as bazaar:
        yield bazaar


@pytest.fixture
def adapter() -> BazaarAdapter:
    return make_adapter()


@pytest.fixture
def offers() -> list[xb.Offer]:
    return [prepare(listing("MUG-01"), "DE"), prepare(listing("MUG-02"), "GB")]
