"""The conformance kit against AmazonAdapter and FakeAmazon: per-item calls, then feeds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from marketplaces.amazon._support import adapter, compliant, fake, offer
from xborder.marketplaces import RateLimit
from xborder.marketplaces.amazon import AmazonAdapter
from xborder.offer import Offer
from xborder.testing import FakeClock
from xborder.testing.amazon import FakeAmazon
from xborder.testing.conformance import AdapterConformance


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 1, 9, tzinfo=UTC))


class TestPerItemConformance(AdapterConformance):
    """Small batches: one Listings Items call per item, confirmed by a read."""

    @pytest.fixture
    def fake(self, clock: FakeClock) -> Iterator[FakeAmazon]:
        with fake(clock) as amazon:
            yield amazon

    @pytest.fixture
    def adapter(self) -> AmazonAdapter:
        return adapter()

    @pytest.fixture
    def offers(self) -> list[Offer]:
        item = compliant()
        return [offer(item, "DE"), offer(compliant("MUG-02"), "GB"), offer(item, "JP")]


class TestFeedConformance(AdapterConformance):
    """Every write in a JSON_LISTINGS_FEED (``feed_threshold=1``), one store.

    The kit opens a fresh client per check, each with a full createFeed burst, while a
    fake's feed quota outlives them; the quota is left out here (the throttling of feeds
    has its own tests) so that the checks see the adapter, not the quota.
    """

    @pytest.fixture
    def fake(self, clock: FakeClock) -> Iterator[FakeAmazon]:
        limits = dict(FakeAmazon.default_rate_limits)
        limits["create_feed"] = RateLimit(1, 15)
        with fake(clock, rate_limits=limits, feed_type_limit=None) as amazon:
            yield amazon

    @pytest.fixture
    def adapter(self) -> AmazonAdapter:
        return adapter(feed_threshold=1)

    @pytest.fixture
    def offers(self) -> list[Offer]:
        return [offer(compliant("MUG-01")), offer(compliant("MUG-02"))]
