"""The Amazon adapter end to end: xborder's Client, the fake SP-API's transport, a FakeClock."""

from __future__ import annotations

import dataclasses
import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

import xborder as xb
from marketplaces.amazon._support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SELLER_ID,
    adapter,
    client,
    compliant,
    copies,
    fake,
    offer,
)
from xborder.client import AsyncClient, Event
from xborder.marketplaces import ItemResult, OfferKey, PriceQuantityUpdate, RateLimit, RemoteRef
from xborder.marketplaces.amazon import MARKETPLACES, AmazonAdapter
from xborder.testing import FakeClock
from xborder.testing.amazon import FakeAmazon

DE = MARKETPLACES["DE"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 1, 9, tzinfo=UTC))


@pytest.fixture
def amazon(clock: FakeClock) -> Iterator[FakeAmazon]:
    with fake(clock) as store:
        yield store


def refs(results: list[ItemResult]) -> dict[OfferKey, RemoteRef]:
    return {r.key: r.remote for r in results if r.remote is not None}


# -- the issue's scenarios -------------------------------------------------------------------------


def test_ten_offers_via_per_item_calls(amazon: FakeAmazon, clock: FakeClock) -> None:
    offers = [offer(compliant(f"MUG-{n:02d}")) for n in range(10)]
    with client(amazon, clock) as c:
        results = c.marketplace(adapter()).upsert(offers)
    assert [(r.key, r.status, r.state) for r in results] == [(o.key, "ok", "live") for o in offers]
    # One token, one PUT per offer, one read of all ten (searchListingsItems) to confirm.
    assert dict(amazon.counts()) == {
        "token": 1,
        "put_listings_item": 10,
        "search_listings_items": 1,
    }
    held = amazon.listing("MUG-07", "DE")
    assert held is not None
    assert held["productType"] == "DRINKING_CUP"
    price = held["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]
    assert price["value_with_tax"] == offers[7].price.amount
    assert held["attributes"]["item_name"][0]["language_tag"] == "de_DE"
    assert len(amazon.listings()) == 10


def test_three_thousand_offers_via_one_feed_with_seven_invalid(
    amazon: FakeAmazon, clock: FakeClock
) -> None:
    offers = copies(offer(compliant()), 3000)
    invalid = [3, 404, 1000, 1001, 1999, 2500, 2999]
    for index in invalid:  # no brand: Amazon answers 90220 for those messages
        broken = offers[index]
        offers[index] = dataclasses.replace(
            broken, listing=broken.listing.model_copy(update={"brand": None})
        )
    started = clock.monotonic()
    with client(amazon, clock) as c:
        results = c.marketplace(adapter()).upsert(offers, allow_noncompliant=True)
    assert [r.key for r in results] == [o.key for o in offers]
    failed = [index for index, r in enumerate(results) if r.failed]
    assert failed == invalid
    for index in invalid:
        (issue,) = results[index].issues
        assert (issue.code, issue.field) == ("90220", "brand")
        assert results[index].remote is not None
        assert results[index].remote["messageId"] == str(index + 1)
    assert {(r.status, r.state) for r in results if not r.failed} == {("ok", "live")}
    assert dict(amazon.counts()) == {
        "token": 1,
        "create_feed_document": 1,
        "upload_feed_document": 1,
        "create_feed": 1,
        "get_feed": 2,
        "get_feed_document": 1,
        "download_feed_document": 1,
    }
    assert len(amazon.listings()) == 2993
    (feed,) = amazon.feeds()
    document = amazon.feed_document(feed.payload["inputFeedDocumentId"])
    assert document is not None and len(document) < 10 * 1024 * 1024
    assert len(json.loads(document)["messages"]) == 3000
    report = json.loads(gzip.decompress(amazon.feed_document(feed.result["resultFeedDocumentId"])))
    assert report["summary"]["messagesInvalid"] == 7
    # The second poll came one feed_poll_interval (30 s) after the first.
    assert clock.monotonic() - started == pytest.approx(30.0, abs=1.0)


def test_price_only_change_is_a_patch(amazon: FakeAmazon, clock: FakeClock) -> None:
    first = offer(compliant())
    mp = adapter()
    with client(amazon, clock) as c:
        (written,) = c.marketplace(mp).upsert([first])
        before = amazon.listing("MUG-01", "DE")
        amazon.reset_calls()
        update = PriceQuantityUpdate(
            first.key, price=xb.Money("19.99", "EUR"), remote=written.remote
        )
        (result,) = c.marketplace(mp).update_price_quantity([update])
    assert (result.status, result.state) == ("ok", "live")
    assert dict(amazon.counts()) == {"patch_listings_item": 1, "get_listings_item": 1}
    patch = next(call for call in amazon.calls if call.operation == "patch_listings_item")
    sent = json.loads(patch.content)
    assert sent["productType"] == "DRINKING_CUP"  # kept in the RemoteRef of the upsert
    assert [p["path"] for p in sent["patches"]] == ["/attributes/purchasable_offer"]
    after = amazon.listing("MUG-01", "DE")
    assert before is not None and after is not None
    assert after["attributes"]["purchasable_offer"][0]["our_price"] == [
        {"schedule": [{"value_with_tax": xb.Money("19.99", "EUR").amount}]}
    ]
    assert {k: v for k, v in after["attributes"].items() if k != "purchasable_offer"} == {
        k: v for k, v in before["attributes"].items() if k != "purchasable_offer"
    }


def test_quantity_patch_merges(amazon: FakeAmazon, clock: FakeClock) -> None:
    first = offer(compliant())
    with client(amazon, clock) as c:
        c.marketplace(adapter()).upsert([first])
        (result,) = c.marketplace(adapter()).update_price_quantity(
            [PriceQuantityUpdate(first.key, quantity=0)]
        )
        (state,) = c.marketplace(adapter()).status([first.key])
    assert (result.status, result.state) == ("ok", "inactive")
    assert state.state == "inactive"
    held = amazon.listing("MUG-01", "DE")
    assert held is not None
    assert held["attributes"]["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 0}
    ]


def test_a_patch_on_an_unknown_sku_fails_after_the_read(
    amazon: FakeAmazon, clock: FakeClock
) -> None:
    key = OfferKey("amazon", "DE", "NEVER-LISTED")
    with client(amazon, clock) as c:
        (result,) = c.marketplace(adapter()).update_price_quantity(
            [PriceQuantityUpdate(key, price=xb.Money("9.99", "EUR"))]
        )
    assert result.failed
    assert result.issues[0].code == "amazon.no_listing"
    # Amazon kept the offer data alone, as it does.
    held = amazon.listing("NEVER-LISTED", "DE")
    assert held is not None and held["offerOnly"]


def test_invalid_status_is_a_failed_item(amazon: FakeAmazon, clock: FakeClock) -> None:
    offers = [offer(compliant("MUG-01")), offer(compliant("MUG-02", brand=None))]
    with client(amazon, clock) as c:
        results = c.marketplace(adapter()).upsert(offers, allow_noncompliant=True)
    assert results[0].ok
    assert results[1].failed
    assert [(i.code, i.field) for i in results[1].issues] == [("90220", "brand")]
    assert amazon.listing("MUG-02", "DE") is None
    assert dict(amazon.counts()) == {"token": 1, "put_listings_item": 2, "get_listings_item": 1}


def test_preview_stores_nothing(amazon: FakeAmazon, clock: FakeClock) -> None:
    offers = [offer(compliant("MUG-01")), offer(compliant("MUG-02", brand=None))]
    with client(amazon, clock) as c:
        results = c.marketplace(adapter()).run(adapter().preview(offers))
    assert [r.status for r in results] == ["ok", "failed"]
    assert amazon.listings() == []


# -- tokens ----------------------------------------------------------------------------------------


def test_lwa_token_request_and_header(amazon: FakeAmazon, clock: FakeClock) -> None:
    with client(amazon, clock) as c:
        c.marketplace(adapter()).upsert([offer(compliant())])
    token_call = next(call for call in amazon.calls if call.operation == "token")
    assert token_call.url == "https://api.amazon.com/auth/o2/token"
    form = {k: v[0] for k, v in parse_qs(token_call.content.decode()).items()}
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    put = next(call for call in amazon.calls if call.operation == "put_listings_item")
    assert put.headers["x-amz-access-token"].startswith("fake-")
    assert "authorization" not in put.headers


def test_token_refreshed_before_its_hour_is_over(amazon: FakeAmazon, clock: FakeClock) -> None:
    with client(amazon, clock) as c:
        c.marketplace(adapter()).upsert([offer(compliant("A"))])
        clock.advance(3590)
        c.marketplace(adapter()).upsert([offer(compliant("B"))])
    assert amazon.count("token") == 2
    assert amazon.count("put_listings_item", status=403) == 0


def test_expired_token_refreshed_once_and_sent_again(amazon: FakeAmazon, clock: FakeClock) -> None:
    events: list[Event] = []
    amazon.inject("expired_token", operation="put_listings_item")
    with client(amazon, clock, on_event=events.append) as c:
        (result,) = c.marketplace(adapter()).upsert([offer(compliant())])
    assert result.ok
    assert amazon.count("token") == 2
    assert amazon.count("put_listings_item", status=403) == 1
    assert [e.detail for e in events if e.kind == "token"] == ["fetched", "refreshed"]


def test_grantless_token_uses_the_client_credentials_grant(
    amazon: FakeAmazon, clock: FakeClock
) -> None:
    provider = adapter().token_providers()["grantless"]
    with client(amazon, clock) as c:
        token = c.run(provider.token_flow())
    assert token.expires_in == 3600
    call = amazon.calls[-1]
    form = {k: v[0] for k, v in parse_qs(call.content.decode()).items()}
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "sellingpartnerapi::notifications"


# -- throttling ------------------------------------------------------------------------------------


def test_throttling_at_five_per_second_sustained_loses_no_item(clock: FakeClock) -> None:
    # The seller's plan allows 5 PUTs per second with a burst of 5, not the documented 10:
    # the client's first burst is throttled (429 QuotaExceeded + x-amzn-RateLimit-Limit),
    # backs off, follows the announced rate, and every item goes through.
    limits = dict(FakeAmazon.default_rate_limits)
    limits["put_listings_item"] = RateLimit(5, 5)
    amazon = fake(clock, rate_limits=limits)
    offers = copies(offer(compliant()), 100)
    started = clock.monotonic()
    with client(amazon, clock) as c:
        per_item = adapter(feed_threshold=1000)  # one call per item, however many
        results = c.marketplace(per_item).upsert(offers, allow_noncompliant=True)
    assert [r.status for r in results] == ["ok"] * 100
    assert len(amazon.listings()) == 100
    throttled = amazon.count("put_listings_item", status=429)
    assert throttled > 0
    assert amazon.count("put_listings_item", status=200) == 100
    elapsed = clock.monotonic() - started
    assert (100 - 5) / 5 <= elapsed <= 40
    accepted = [
        call.at
        for call in amazon.calls
        if call.operation == "put_listings_item" and call.status == 200
    ]
    # A token bucket of 5/s and burst 5: in any span of t seconds at most 5 + 5·t got in.
    for first, start in enumerate(accepted):
        for last in range(first, len(accepted)):
            span = (accepted[last] - start).total_seconds()
            assert last - first + 1 <= 5 + 5 * span + 1e-6


def test_the_client_follows_the_announced_rate(clock: FakeClock) -> None:
    # The seller's plan is 2/s: the fake says so in x-amzn-RateLimit-Limit on every answer,
    # and after the first answers the client paces itself to it: no 429 after the start.
    limits = dict(FakeAmazon.default_rate_limits)
    limits["put_listings_item"] = RateLimit(2, 2)
    amazon = fake(clock, rate_limits=limits)
    offers = copies(offer(compliant()), 40)
    start = clock.now()
    with client(amazon, clock) as c:
        results = c.marketplace(adapter(feed_threshold=1000)).upsert(
            offers, allow_noncompliant=True
        )
    assert {r.status for r in results} == {"ok"}
    late = [
        call
        for call in amazon.calls
        if call.status == 429 and (call.at - start).total_seconds() > 10
    ]
    assert late == []
    assert (clock.now() - start).total_seconds() >= (40 - 2) / 2


# -- several stores and regions --------------------------------------------------------------------


def test_publish_to_de_gb_and_jp(amazon: FakeAmazon, clock: FakeClock) -> None:
    item = compliant()
    offers = [offer(item, "DE"), offer(item, "GB"), offer(item, "JP")]
    with client(amazon, clock) as c:
        results = c.marketplace(adapter()).upsert(offers)
    assert [(r.status, r.state) for r in results] == [("ok", "live")] * 3
    hosts = {
        call.url.split("/listings")[0]
        for call in amazon.calls
        if call.operation == "put_listings_item"
    }
    assert hosts == {
        "https://sellingpartnerapi-eu.amazon.com",
        "https://sellingpartnerapi-fe.amazon.com",
    }
    gb = amazon.listing("MUG-01", "GB")
    jp = amazon.listing("MUG-01", "JP")
    assert gb is not None and jp is not None
    assert gb["attributes"]["purchasable_offer"][0]["currency"] == "GBP"
    assert gb["attributes"]["item_name"][0]["language_tag"] == "en_GB"
    assert jp["attributes"]["purchasable_offer"][0]["currency"] == "JPY"
    assert jp["attributes"]["item_name"][0]["language_tag"] == "ja_JP"
    assert "gpsr_manufacturer_reference" in gb["attributes"]
    assert "gpsr_manufacturer_reference" not in jp["attributes"]


def test_sandbox_hosts(amazon: FakeAmazon, clock: FakeClock) -> None:
    with client(amazon, clock) as c:
        (result,) = c.marketplace(adapter(sandbox=True)).upsert([offer(compliant())])
    assert result.ok
    put = next(call for call in amazon.calls if call.operation == "put_listings_item")
    assert put.url.startswith("https://sandbox.sellingpartnerapi-eu.amazon.com/")


# -- feeds resolved later --------------------------------------------------------------------------


def test_a_pending_feed_is_resolved_later_from_its_feed_id(
    amazon: FakeAmazon, clock: FakeClock
) -> None:
    offers = copies(offer(compliant()), 4)
    offers[2] = dataclasses.replace(
        offers[2], listing=offers[2].listing.model_copy(update={"brand": None})
    )
    mp = adapter(feed_threshold=2, feed_max_polls=0)
    with client(amazon, clock) as c:
        results = c.marketplace(mp).upsert(offers, allow_noncompliant=True)
        assert {(r.status, r.state) for r in results} == {("pending", "pending")}
        assert "get_feed" not in amazon.counts()
        kept = refs(results)
        keys = [o.key for o in offers]
        first = c.marketplace(mp).status(keys, known=kept)  # one poll: still in progress
        later = c.marketplace(mp).status(keys, known=kept)  # the second poll finishes it
    assert {r.status for r in first} == {"pending"}
    assert [(r.status, r.state) for r in later] == [
        ("ok", "live"),
        ("ok", "live"),
        ("failed", "absent"),
        ("ok", "live"),
    ]
    assert later[2].issues[0].code == "90220"


# -- async -----------------------------------------------------------------------------------------


def test_async_client_gives_the_same_results(amazon: FakeAmazon, clock: FakeClock) -> None:
    import asyncio

    offers = [offer(compliant(f"MUG-{n}")) for n in range(3)]

    async def run() -> list[ItemResult]:
        async with (
            amazon.async_http_client() as http,
            AsyncClient(http=http, clock=clock) as c,
        ):
            return await c.marketplace(adapter()).upsert(offers)

    results = asyncio.run(run())
    assert [(r.status, r.state) for r in results] == [("ok", "live")] * 3
    assert amazon.count("search_listings_items") == 1


def test_seller_and_secret_are_not_in_errors(amazon: FakeAmazon, clock: FakeClock) -> None:
    amazon.inject("bad_request", operation="put_listings_item", field="title")
    with client(amazon, clock) as c:
        (result,) = c.marketplace(adapter()).upsert([offer(compliant())])
    assert result.failed
    assert result.issues[0].field == "title"
    assert CLIENT_SECRET not in repr(result) and REFRESH_TOKEN not in repr(result)
    assert SELLER_ID in amazon.calls[-1].url


def test_the_demo_path_publishes_to_de_gb_and_jp(clock: FakeClock) -> None:
    # What `xborder demo` needs: a fake that makes up its own seller and credentials.
    with FakeAmazon(clock=clock) as amazon:
        settings = amazon.seller_settings(product_types={"home.drinkware": "DRINKING_CUP"})
        offers = [offer(compliant(), market) for market in ("DE", "GB", "JP")]
        with client(amazon, clock) as c:
            results = c.marketplace(AmazonAdapter(settings)).upsert(offers)
        assert [(r.key.market, r.status, r.state) for r in results] == [
            ("DE", "ok", "live"),
            ("GB", "ok", "live"),
            ("JP", "ok", "live"),
        ]
        assert settings.client_secret.get_secret_value() in amazon.tokens.secrets
