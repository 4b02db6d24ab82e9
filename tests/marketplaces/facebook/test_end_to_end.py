"""The Facebook adapter end to end: xborder's Client, the fake Meta catalog, a FakeClock."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

import xborder as xb
from marketplaces.facebook._support import (
    APP_SECRET,
    CATALOG_ID,
    TOKEN,
    adapter,
    clone,
    listing,
    offer,
)
from xborder.client import AsyncClient, Client, Event, RetryPolicy
from xborder.errors import AuthenticationError, ConfigurationError
from xborder.marketplaces import ItemResult, OfferKey, PriceQuantityUpdate, RemoteRef
from xborder.marketplaces.facebook import FacebookAdapter
from xborder.offer import Offer
from xborder.testing import FakeClock
from xborder.testing.conformance import AdapterConformance
from xborder.testing.facebook import FakeFacebookCatalog

MARKETS = ("GB", "DE", "FR")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 1, 9, tzinfo=UTC))


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeFacebookCatalog]:
    with FakeFacebookCatalog(clock=clock, catalog_id=CATALOG_ID, access_token=TOKEN) as catalog:
        yield catalog


@contextmanager
def client(fake: FakeFacebookCatalog, clock: FakeClock, **options: Any) -> Iterator[Client]:
    options.setdefault("retry", RetryPolicy(seed=0))
    with fake.http_client() as http, Client(http=http, clock=clock, **options) as c:
        yield c


def catalog(count: int, markets: tuple[str, ...] = MARKETS) -> list[Offer]:
    """``count`` products in each market: one prepared offer per market, cloned per SKU."""
    templates = {market: offer(listing(), market) for market in markets}
    return [clone(templates[m], f"MUG-{n:05d}") for n in range(count) for m in markets]


def batch_sizes(fake: FakeFacebookCatalog, operation: str) -> list[int | None]:
    return [call.items for call in fake.calls if call.operation == operation]


# -- 6,000 products in three markets -------------------------------------------------------------


def test_6000_products_in_gb_de_fr_with_german_and_french_overrides(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    offers = catalog(6000)
    with client(fake, clock) as c:
        results = c.marketplace(adapter()).upsert(offers, allow_noncompliant=True)
    assert len(results) == 18_000 and [r.key for r in results] == [o.key for o in offers]
    assert Counter(r.status for r in results) == {"ok": 18_000}
    # 6,000 base items in 5,000 + 1,000; 6,000 × (2 COUNTRY + 2 LANGUAGE) = 24,000 overrides
    # in 24 calls of 1,000; every handle polled twice (the fake finishes on the 2nd poll).
    assert dict(fake.counts()) == {
        "items_batch": 2,
        "localized_items_batch": 24,
        "check_batch_request_status": 52,
    }
    assert batch_sizes(fake, "items_batch") == [5000, 1000]
    assert batch_sizes(fake, "localized_items_batch") == [1000] * 24
    assert all(call.status == 200 for call in fake.calls)
    assert fake.tokens_in_urls == 0
    assert len(fake.items()) == 6000
    assert fake.item("MUG-05999")["fields"]["price"] == "24.59 GBP"
    assert fake.overrides("MUG-00042") == {
        "COUNTRY|DE": {"price": "28.56 EUR", "availability": "in stock"},
        "COUNTRY|FR": {"price": "28.80 EUR", "availability": "in stock"},
        "LANGUAGE|de_XX": {
            "title": "Handgemachte Steinzeugtasse, 350 ml",
            "description": "Auf der Scheibe gedrehte Steinzeugtasse.",
        },
        "LANGUAGE|fr_XX": {
            "title": "Tasse artisanale en grès, 350 ml",
            "description": "Tasse en grès tournée à la main.",
        },
    }


def test_a_rerun_writes_nothing_new(fake: FakeFacebookCatalog, clock: FakeClock) -> None:
    offers = catalog(20)
    with client(fake, clock) as c:
        market = c.marketplace(adapter())
        market.upsert(offers, allow_noncompliant=True)
        state = fake.state()
        again = market.upsert(offers, allow_noncompliant=True)
    assert all(r.ok for r in again) and fake.state() == state


# -- per-item outcomes ---------------------------------------------------------------------------


def test_a_batch_with_invalid_items_is_reported_per_item(clock: FakeClock) -> None:
    with FakeFacebookCatalog(
        clock=clock, catalog_id=CATALOG_ID, access_token=TOKEN, error_sample=2
    ) as fake:
        offers = catalog(8, ("GB",))
        offers.insert(3, offer(listing("NO-LINK", url=None), "GB"))
        fake.inject("partial_batch", operation="items_batch", every=3)
        with client(fake, clock) as c:
            results = c.marketplace(adapter()).upsert(offers, allow_noncompliant=True)
        stored = sorted(fake.items())
    by_sku = {r.key.sku: r for r in results}
    # Refused before any call: Meta requires a link.
    assert by_sku["NO-LINK"].failed and by_sku["NO-LINK"].issues[0].field == "url"
    # Refused by Meta at ingestion: items 0, 3 and 6 of the batch that was sent.
    failed = sorted(sku for sku, r in by_sku.items() if r.failed and sku != "NO-LINK")
    assert failed == ["MUG-00000", "MUG-00003", "MUG-00006"]
    for sku in failed[:2]:  # in the sample of errors Meta listed
        assert "partial_batch fault" in by_sku[sku].issues[0].message
    assert "not in the sample" in by_sku["MUG-00006"].issues[0].message
    assert all(by_sku[s].ok for s in by_sku if s not in failed and s != "NO-LINK")
    assert stored == sorted(s for s in by_sku if s not in failed and s != "NO-LINK")


def test_an_override_refused_fails_only_that_product(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    offers = catalog(3)
    fake.inject("partial_batch", operation="localized_items_batch", every=100)
    with client(fake, clock) as c:
        results = c.marketplace(adapter()).upsert(offers, allow_noncompliant=True)
    statuses = {(r.key.market, r.key.sku): r.status for r in results}
    assert statuses[("DE", "MUG-00000")] == "failed" and statuses[("FR", "MUG-00000")] == "failed"
    assert statuses[("GB", "MUG-00000")] == "ok"
    assert all(s == "ok" for (m, sku), s in statuses.items() if sku != "MUG-00000")


# -- throttling, tokens, usage ---------------------------------------------------------------------


def test_throttled_then_ok(fake: FakeFacebookCatalog, clock: FakeClock) -> None:
    events: list[Event] = []
    fake.inject("throttle", operation="items_batch", retry_after=60)
    fake.inject("throttle", operation="check_batch_request_status", retry_after=60)
    with client(fake, clock, on_event=events.append) as c:
        results = c.marketplace(adapter()).upsert(catalog(2), allow_noncompliant=True)
    assert all(r.ok for r in results)
    assert fake.count("items_batch") == 2 and fake.count("items_batch", status=400) == 1
    retries = [e for e in events if e.kind == "retry"]
    assert [e.operation for e in retries] == ["items_batch", "check_batch_request_status"]
    # Meta sends no Retry-After: the wait is estimated_time_to_regain_access (1 minute).
    assert all(e.wait == 60.0 for e in retries)
    assert clock.monotonic() >= 120.0


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_every_throttle_code_is_retried(
    fake: FakeFacebookCatalog, clock: FakeClock, code: int
) -> None:
    fake.throttle_code = code
    fake.inject("throttle", operation="localized_items_batch", retry_after=1)
    with client(fake, clock) as c:
        results = c.marketplace(adapter()).upsert(catalog(1), allow_noncompliant=True)
    assert all(r.ok for r in results) and fake.count("localized_items_batch") == 2


def test_throttled_for_good_fails_the_items_with_the_wait(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    fake.inject("throttle", operation="items_batch", times=None, retry_after=600)
    with client(fake, clock) as c:
        results = c.marketplace(adapter()).upsert(catalog(1), allow_noncompliant=True)
    gb, de, _ = results
    assert gb.failed and gb.retry_after == 600.0 and gb.issues[0].code == "80014"
    assert de.failed and de.issues[0].code == "facebook.base_item_failed"
    assert fake.count("items_batch") == 1  # 10 minutes is longer than the client waits


def test_an_expired_token_is_an_authentication_error_with_guidance(
    fake: FakeFacebookCatalog, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake.expire_tokens()
    caplog.set_level(logging.DEBUG)
    with client(fake, clock) as c, pytest.raises(AuthenticationError) as caught:
        c.marketplace(adapter()).upsert(catalog(1), allow_noncompliant=True)
    error = caught.value
    assert error.code == "190/463" and error.marketplace == "facebook"
    assert "generate a new system-user token" in str(error)
    assert "XBORDER_FACEBOOK_ACCESS_TOKEN" in str(error)
    assert fake.count("items_batch") == 2  # one re-authentication, then the error
    assert TOKEN not in str(error) and TOKEN not in repr(error) and TOKEN not in caplog.text


def test_usage_headers_slow_the_client_before_the_limit(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    events: list[Event] = []
    fake.usage = 95
    with client(fake, clock, on_event=events.append) as c:
        results = c.marketplace(adapter()).upsert(catalog(12, ("GB",)), allow_noncompliant=True)
        market = c.marketplace(adapter(items_batch_size=1))
        market.upsert(catalog(12, ("GB",)), allow_noncompliant=True)
    assert all(r.ok for r in results)
    waits = [e for e in events if e.kind == "wait" and e.operation == "items_batch"]
    assert waits, "usage at 95% should slow the items_batch bucket"
    assert not [e for e in events if e.kind == "retry"]


# -- price and quantity, withdraw, status ----------------------------------------------------------


def test_a_price_change_touches_only_the_override(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    offers = catalog(3)
    with client(fake, clock) as c:
        market = c.marketplace(adapter())
        market.upsert(offers, allow_noncompliant=True)
        before = fake.state()
        fake.reset_calls()
        key = OfferKey("facebook", "DE", "MUG-00001")
        results = market.update_price_quantity(
            [PriceQuantityUpdate(key, price=xb.Money("26.90", "EUR"))]
        )
    assert results[0].ok
    assert dict(fake.counts()) == {"localized_items_batch": 1, "check_batch_request_status": 2}
    after = fake.state()
    assert after["items"] == before["items"]  # the base item is untouched
    changed = {
        sku for sku in after["overrides"] if after["overrides"][sku] != before["overrides"][sku]
    }
    assert changed == {"MUG-00001"}
    assert fake.overrides("MUG-00001")["COUNTRY|DE"] == {
        "price": "26.90 EUR",
        "availability": "in stock",
    }
    assert (
        fake.overrides("MUG-00001")["COUNTRY|FR"] == before["overrides"]["MUG-00001"]["COUNTRY|FR"]
    )


def test_quantity_and_price_of_the_base_market(fake: FakeFacebookCatalog, clock: FakeClock) -> None:
    with client(fake, clock) as c:
        market = c.marketplace(adapter())
        market.upsert(catalog(1), allow_noncompliant=True)
        key = OfferKey("facebook", "GB", "MUG-00000")
        update = PriceQuantityUpdate(key, price=xb.Money("21.00", "GBP"), quantity=0)
        assert market.update_price_quantity([update])[0].ok
        (status,) = market.status([key])
    fields = fake.item("MUG-00000")["fields"]
    assert (fields["price"], fields["availability"], fields["quantity_to_sell_on_facebook"]) == (
        "21.00 GBP",
        "out of stock",
        0,
    )
    assert status.state == "inactive"
    assert fake.overrides("MUG-00000")["COUNTRY|DE"]["availability"] == "in stock"


def test_a_price_update_of_an_unknown_item_fails(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    key = OfferKey("facebook", "GB", "NEVER")
    with client(fake, clock) as c:
        (result,) = c.marketplace(adapter()).update_price_quantity(
            [PriceQuantityUpdate(key, quantity=3)]
        )
    assert result.failed and "does not exist" in result.issues[0].message
    assert fake.items() == {}  # allow_upsert is off: nothing bare was created


def test_withdraw_one_market_and_read_the_states(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    offers = catalog(2)
    keys = [o.key for o in offers]
    with client(fake, clock) as c:
        market = c.marketplace(adapter())
        market.upsert(offers, allow_noncompliant=True)
        fake.set_review("MUG-00001", "rejected", errors=[{"title": "Policy", "description": "No"}])
        withdrawn = market.withdraw([keys[1]])
        states = market.status([*keys, OfferKey("facebook", "DE", "NEVER")])
    assert withdrawn[0].ok and withdrawn[0].state == "inactive"
    assert [s.state for s in states] == [
        "live",
        "inactive",
        "live",
        "rejected",
        "rejected",
        "rejected",
        "absent",
    ]
    assert states[3].issues[0].message == "Policy No"
    assert fake.count("override_details") == 2


def test_pending_writes_are_resolved_later_through_status(clock: FakeClock) -> None:
    with FakeFacebookCatalog(
        clock=clock, catalog_id=CATALOG_ID, access_token=TOKEN, job_polls=4
    ) as fake:
        offers = catalog(2, ("GB",))
        with client(fake, clock) as c:
            market = c.marketplace(adapter(poll_attempts=1))
            written = market.upsert(offers, allow_noncompliant=True)
            assert [r.status for r in written] == ["pending", "pending"]
            known = {r.key: r.remote for r in written if r.remote is not None}
            assert {ref["handle"] for ref in known.values()} == {"AcxB0000000001"}
            first = market.status([o.key for o in offers], known=known)
            assert [r.state for r in first] == ["pending", "pending"]
            later = market.status([o.key for o in offers], known=known)
            assert [r.state for r in later] == ["pending", "pending"]
            done = market.status([o.key for o in offers], known=known)
        item_id = fake.item("MUG-00000")["id"]
    assert [r.state for r in done] == ["live", "live"]
    assert done[0].remote == RemoteRef(id=item_id, retailer_id="MUG-00000")


def test_other_markets_alone_need_the_base_market(
    fake: FakeFacebookCatalog, clock: FakeClock
) -> None:
    with client(fake, clock) as c, pytest.raises(ConfigurationError, match="base market is GB"):
        c.marketplace(adapter()).upsert(catalog(1, ("DE", "FR")), allow_noncompliant=True)
    assert fake.calls == []


# -- appsecret_proof, async, registry ----------------------------------------------------------


def test_appsecret_proof_is_sent_when_the_app_requires_it(clock: FakeClock) -> None:
    with FakeFacebookCatalog(
        clock=clock, catalog_id=CATALOG_ID, access_token=TOKEN, app_secret=APP_SECRET
    ) as fake:
        with client(fake, clock) as c:
            proven = c.marketplace(adapter(app_secret=SecretStr(APP_SECRET)))
            assert all(r.ok for r in proven.upsert(catalog(1), allow_noncompliant=True))
            unproven = c.marketplace(adapter())
            results = unproven.upsert(catalog(1), allow_noncompliant=True)
        assert results[0].failed and "appsecret_proof" in results[0].issues[0].message


def test_async_client_gives_the_same_results(fake: FakeFacebookCatalog, clock: FakeClock) -> None:
    offers = catalog(3)

    async def run() -> list[ItemResult]:
        async with fake.async_http_client() as http, AsyncClient(http=http, clock=clock) as c:
            market = c.marketplace(adapter())
            await market.upsert(offers, allow_noncompliant=True)
            return await market.status([o.key for o in offers])

    states = asyncio.run(run())
    assert [r.state for r in states] == ["live"] * 9


def test_the_meta_alias_through_the_client(
    fake: FakeFacebookCatalog, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "XBORDER_FACEBOOK_CATALOG_ID": CATALOG_ID,
        "XBORDER_FACEBOOK_ACCESS_TOKEN": TOKEN,
        "XBORDER_FACEBOOK_BASE_MARKET": "GB",
    }.items():
        monkeypatch.setenv(name, value)
    with client(fake, clock) as c:
        market = c.marketplace("meta")
        assert isinstance(market.adapter, FacebookAdapter)
        assert market.upsert(catalog(1, ("GB",)), allow_noncompliant=True)[0].ok
        # Channel "meta" is the facebook channel: its offers are keyed "facebook".
        meta_offer = xb.prepare(listing("M-1"), "GB", channel="meta", rates=xb.rates.bundled())
        (result,) = market.upsert([meta_offer], allow_noncompliant=True)
    assert result.ok and result.key.marketplace == "facebook"


# -- the conformance kit -----------------------------------------------------------------------


class TestFacebookConformance(AdapterConformance):
    """Every check of xborder.testing.conformance against FacebookAdapter and the fake."""

    @pytest.fixture
    def fake(self) -> Iterator[FakeFacebookCatalog]:
        clock = FakeClock(datetime(2026, 10, 1, 9, tzinfo=UTC))
        with FakeFacebookCatalog(
            clock=clock, catalog_id=CATALOG_ID, access_token=TOKEN, app_secret=APP_SECRET
        ) as catalog_:
            yield catalog_

    @pytest.fixture
    def adapter(self) -> FacebookAdapter:
        return adapter(app_secret=SecretStr(APP_SECRET))

    @pytest.fixture
    def offers(self) -> list[Offer]:
        return [offer(listing(), "GB"), offer(listing("CUP-02", title="Espresso cup"), "GB")]
