"""The eBay adapter end to end: xborder's Client, the fake eBay's transport, a FakeClock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

import xborder as xb
from marketplaces.ebay._support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    listing,
    offer,
    rules,
    settings,
    site,
)
from xborder.client import Event
from xborder.errors import ConfigurationError
from xborder.marketplaces import ItemResult, OfferKey, PriceQuantityUpdate, RemoteRef
from xborder.marketplaces.ebay import EbayAdapter
from xborder.testing import FakeClock
from xborder.testing.conformance import check_adapter
from xborder.testing.ebay import FakeEbay

BULK = ("bulk_create_or_replace_inventory_item", "bulk_create_offer", "bulk_publish_offer")


def compliant(sku: str) -> xb.Listing:
    """A listing with what DE and GB ask for (GPSR parties, customs data, identifiers)."""
    return listing(
        sku,
        mpn=f"RK-{sku}",
        gtin="4006381333931",
        hs_code="691200",
        origin_country="DE",
        customs_description="Stoneware mug",
        weight={"value": "400", "unit": "g"},
        manufacturer={
            "name": "Ridgeline Keramik GmbH",
            "postal_address": "Töpferweg 3, 56203 Höhr-Grenzhausen, Germany",
            "email": "info@ridgeline.example.com",
        },
        safety_information={
            "en": "Hot drinks can scald.",
            "de": "Heiße Getränke können verbrühen.",
        },
    )


def sixty() -> list[xb.offer.Offer]:
    # 50 for EBAY_DE and 10 for EBAY_GB: 25/25/10 in each stage (one marketplace per
    # bulkCreateOffer call, so the DE and GB items never share a call there).
    de = [offer(compliant(f"MUG-{i:02d}"), "DE") for i in range(50)]
    gb = [offer(compliant(f"MUG-{i:02d}"), "GB") for i in range(10)]
    return de + gb


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 1, 9, tzinfo=UTC))


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeEbay]:
    with FakeEbay(clock=clock, rules=rules(), clients={CLIENT_ID: CLIENT_SECRET}) as ebay:
        ebay.add_seller(REFRESH_TOKEN, client_id=CLIENT_ID)
        yield ebay


@contextmanager
def client(fake: FakeEbay, clock: FakeClock, **options: Any) -> Iterator[xb.Client]:
    with fake.http_client() as http, xb.Client(http=http, clock=clock, **options) as c:
        yield c


def batch_sizes(fake: FakeEbay, operation: str) -> list[int | None]:
    return [call.items for call in fake.calls if call.operation == operation]


def refs(results: list[ItemResult]) -> dict[OfferKey, RemoteRef]:
    return {r.key: r.remote for r in results if r.remote is not None}


# -- publishing 60 offers ----------------------------------------------------------------------


def test_publish_60_offers_to_de_and_gb(fake: FakeEbay, clock: FakeClock) -> None:
    offers = sixty()
    with client(fake, clock) as c:
        results = c.marketplace(EbayAdapter(settings())).upsert(offers)
    assert [r.key for r in results] == [o.key for o in offers]
    assert all(r.ok and r.state == "live" for r in results), [r for r in results if not r.ok]
    # The issue's flow: 3 bulk inventory calls, a lookup per key without a known offerId,
    # 3 bulk offer creations (one marketplace each), 3 bulk publications; one token.
    assert dict(fake.counts()) == {
        "token": 1,
        "bulk_create_or_replace_inventory_item": 3,
        "get_offers": 60,
        "bulk_create_offer": 3,
        "bulk_publish_offer": 3,
    }
    for operation in BULK:
        assert batch_sizes(fake, operation) == [25, 25, 10]
    assert len(fake.offers()) == 60
    assert {o["marketplaceId"] for o in fake.offers()} == {"EBAY_DE", "EBAY_GB"}
    assert {o["status"] for o in fake.offers()} == {"PUBLISHED"}
    assert fake.offers("MUG-07-GB")[0]["pricingSummary"]["price"]["currency"] == "GBP"
    gb_item = fake.inventory_item("MUG-07-GB")
    assert gb_item is not None and gb_item["contentLanguage"] == "en-GB"
    assert results[0].remote == RemoteRef(
        offerId=fake.offers("MUG-00-DE")[0]["offerId"],
        listingId=fake.offers("MUG-00-DE")[0]["listing"]["listingId"],
        sku="MUG-00-DE",
    )


def test_publish_60_offers_in_the_fewest_calls(fake: FakeEbay, clock: FakeClock) -> None:
    # offer_lookup="on_conflict": no lookup for new items; 3 stages x ceil(60 / 25) calls.
    with client(fake, clock) as c:
        results = c.marketplace(EbayAdapter(settings(offer_lookup="on_conflict"))).upsert(sixty())
    assert all(r.ok for r in results)
    assert dict(fake.counts()) == {
        "token": 1,
        "bulk_create_or_replace_inventory_item": 3,
        "bulk_create_offer": 3,
        "bulk_publish_offer": 3,
    }


@pytest.mark.parametrize("lookup", ["before_create", "on_conflict"])
def test_rerunning_the_same_upsert_creates_no_duplicate_offer(
    fake: FakeEbay, clock: FakeClock, lookup: str
) -> None:
    offers = sixty()
    ebay = EbayAdapter(settings(offer_lookup=lookup))
    with client(fake, clock) as c:
        first = c.marketplace(ebay).upsert(offers)
        state = fake.state()
        fake.reset_calls()
        again = c.marketplace(ebay).upsert(offers)
    assert all(r.ok for r in again)
    assert [r.remote for r in again] == [r.remote for r in first]
    assert len(fake.offers()) == 60 and all(len(fake.offers(o["sku"])) == 1 for o in fake.offers())
    assert fake.state() == state
    counts = dict(fake.counts())
    assert counts["update_offer"] == 60 and counts["get_offers"] == 60
    assert "bulk_publish_offer" not in counts  # already live
    assert counts.get("bulk_create_offer", 0) == (3 if lookup == "on_conflict" else 0)


def test_a_rerun_with_remote_refs_skips_the_lookups(fake: FakeEbay, clock: FakeClock) -> None:
    offers = sixty()
    ebay = EbayAdapter(settings())
    with client(fake, clock) as c:
        known = refs(c.marketplace(ebay).upsert(offers))
        fake.reset_calls()
        again = c.marketplace(ebay).upsert(offers, known=known)
    assert all(r.ok for r in again)
    assert dict(fake.counts()) == {"bulk_create_or_replace_inventory_item": 3, "update_offer": 60}


# -- price and quantity --------------------------------------------------------------------------


def reprices(results: list[ItemResult], *, with_refs: bool) -> list[PriceQuantityUpdate]:
    return [
        PriceQuantityUpdate(
            r.key,
            price=xb.Money("31.90", "EUR" if r.key.market == "DE" else "GBP"),
            quantity=9,
            remote=r.remote if with_refs else None,
        )
        for r in results[:30]
    ]


@pytest.mark.parametrize("skus_per_call", [25, 1])
def test_reprice_30_offers_with_their_refs_in_2_calls(clock: FakeClock, skus_per_call: int) -> None:
    with FakeEbay(
        clock=clock,
        rules=rules(),
        clients={CLIENT_ID: CLIENT_SECRET},
        skus_per_price_call=skus_per_call,
    ) as fake:
        fake.add_seller(REFRESH_TOKEN, client_id=CLIENT_ID)
        with client(fake, clock) as c:
            market = c.marketplace(EbayAdapter(settings()))
            published = market.upsert(sixty())
            fake.reset_calls()
            results = market.update_price_quantity(reprices(published, with_refs=True))
        assert all(r.ok for r in results), [r for r in results if not r.ok]
        offer_00 = fake.offers("MUG-00-DE")[0]
        assert offer_00["pricingSummary"]["price"] == {"value": "31.90", "currency": "EUR"}
        assert offer_00["availableQuantity"] == 9
        item = fake.inventory_item("MUG-00-DE")
        assert item is not None
        assert item["availability"]["shipToLocationAvailability"]["quantity"] == 9
        sizes = batch_sizes(fake, "bulk_update_price_quantity")
        if skus_per_call == 25:
            assert sizes == [25, 5]  # exactly 2 calls
        else:
            # A fake that takes one SKU per call (as one sentence of the reference says):
            # the first call of 25 is refused, then one call per SKU.
            assert sizes[0] == 25 and sizes[1:] == [1] * 30


def test_reprice_30_offers_without_refs_looks_them_up(fake: FakeEbay, clock: FakeClock) -> None:
    with client(fake, clock) as c:
        market = c.marketplace(EbayAdapter(settings()))
        published = market.upsert(sixty())
        fake.reset_calls()
        results = market.update_price_quantity(reprices(published, with_refs=False))
    assert all(r.ok for r in results)
    # Without RemoteRefs: one getOffers per item for its offerId, then the same 2 calls.
    assert dict(fake.counts()) == {"get_offers": 30, "bulk_update_price_quantity": 2}
    assert [r.remote for r in results] == [r.remote for r in published[:30]]


# -- failures ----------------------------------------------------------------------------------


def test_partial_failure_in_a_bulk_call(fake: FakeEbay, clock: FakeClock) -> None:
    offers = sixty()[:30]
    fake.inject("partial_batch", operation="bulk_create_offer", every=5, times=2)
    with client(fake, clock) as c:
        results = c.marketplace(EbayAdapter(settings())).upsert(offers)
    # Items 0, 5, 10, 15, 20 of the first create call and 0 of the second are refused.
    failed = [i for i, r in enumerate(results) if r.failed]
    assert failed == [0, 5, 10, 15, 20, 25]
    assert all(r.issues[0].code == "25002" for r in results if r.failed)
    assert all(r.ok and r.state == "live" for r in results if not r.failed)
    assert batch_sizes(fake, "bulk_publish_offer") == [24]
    # Running the same offers again creates only what is missing.
    fake.reset_calls()
    with client(fake, clock) as c:
        again = c.marketplace(EbayAdapter(settings())).upsert(offers, known=refs(results))
    assert all(r.ok for r in again)
    assert batch_sizes(fake, "bulk_create_offer") == [6]
    assert len(fake.offers()) == 30


def test_token_expiry_mid_run_is_refreshed(fake: FakeEbay, clock: FakeClock) -> None:
    # The fake refuses the token once (its expired-token answer, eBay error 1001) ...
    fake.inject("expired_token", operation="bulk_create_offer")

    # ... and the clock runs past the token's two hours while offers are being created.
    def on_event(event: Event) -> None:
        if event.kind == "response" and event.operation == "bulk_create_offer":
            clock.advance(7300)

    with client(fake, clock, on_event=on_event) as c:
        results = c.marketplace(EbayAdapter(settings())).upsert(sixty())
    assert all(r.ok for r in results)
    counts = dict(fake.counts())
    # The first token; a new one after the refusal; and one after each of the 3 accepted
    # bulkCreateOffer answers, since the clock ran past the token's lifetime each time.
    assert counts["token"] == 5
    assert counts["bulk_create_offer"] == 4  # the refused call once more
    assert fake.count("bulk_create_offer", status=401) == 1
    assert len(fake.offers()) == 60


def test_currency_mismatch_is_refused_before_any_call(fake: FakeEbay, clock: FakeClock) -> None:
    gb = offer(compliant("MUG-01"), "GB")
    wrong = dataclasses.replace(gb, key=gb.key._replace(market="DE"))  # GBP on EBAY_DE
    with client(fake, clock) as c:
        [result] = c.marketplace(EbayAdapter(settings())).upsert([wrong])
    assert result.failed and result.issues[0].code == "ebay.currency_mismatch"
    assert fake.calls == []


def test_missing_policies_are_refused_before_any_write(fake: FakeEbay, clock: FakeClock) -> None:
    config = settings(sites={"EBAY_DE": site(return_policy_id=None), "EBAY_GB": site()})
    with client(fake, clock) as c, pytest.raises(ConfigurationError) as info:
        c.marketplace(EbayAdapter(config)).upsert(sixty())
    assert "return_policy_id is not set: create a return business policy for EBAY_DE" in str(
        info.value
    )
    assert fake.calls == []


def test_the_revision_cap_defers_the_item(clock: FakeClock) -> None:
    with FakeEbay(
        clock=clock, rules=rules(), clients={CLIENT_ID: CLIENT_SECRET}, revision_limit=1
    ) as fake:
        fake.add_seller(REFRESH_TOKEN, client_id=CLIENT_ID)
        with client(fake, clock) as c:
            market = c.marketplace(EbayAdapter(settings()))
            [first] = market.upsert([offer(compliant("MUG-01"))])
            update = PriceQuantityUpdate(first.key, quantity=4, remote=first.remote)
            [once] = market.update_price_quantity([update])
            [twice] = market.update_price_quantity([dataclasses.replace(update, quantity=3)])
    assert first.ok and once.ok
    assert twice.failed and twice.issues[0].code == "ebay.revision_limit"
    # 09:00 UTC is 01:00 at UTC-8: eBay's next day starts 23 hours later.
    assert twice.retry_after == 23 * 3600


def test_withdraw_and_status(fake: FakeEbay, clock: FakeClock) -> None:
    offers = sixty()[:3]
    keys = [o.key for o in offers]
    with client(fake, clock) as c:
        market = c.marketplace(EbayAdapter(settings()))
        published = market.upsert(offers)
        assert [r.state for r in market.status(keys)] == ["live"] * 3
        withdrawn = market.withdraw(keys, known=refs(published))
        assert [r.state for r in withdrawn] == ["inactive"] * 3
        assert [r.state for r in market.status(keys)] == ["inactive"] * 3
        # Withdrawing again with the old refs: eBay refuses, the adapter reads it back.
        assert [r.state for r in market.withdraw(keys, known=refs(published))] == ["inactive"] * 3
        # Publishing again brings the listings back.
        again = market.upsert(offers, known=refs(withdrawn))
        assert [r.state for r in again] == ["live"] * 3
        deleted = c.marketplace(EbayAdapter(settings(withdraw_action="delete"))).withdraw(keys)
        assert [r.state for r in deleted] == ["absent"] * 3
        assert [r.state for r in market.status(keys)] == ["absent"] * 3


def test_the_consent_gives_a_refresh_token_that_works(fake: FakeEbay, clock: FakeClock) -> None:
    from xborder.marketplaces.ebay import code_from_redirect, exchange_code

    config = settings(refresh_token=None)
    code = fake.authorize(client_id=CLIENT_ID, redirect_uri=config.ru_name)
    with client(fake, clock) as c:
        # eBay redirects to the accepted URL with the code form-encoded.
        redirect = f"https://x.example/accepted?state=s1&code={quote(code, safe='')}"
        consent = c.run(exchange_code(config, code_from_redirect(redirect, state="s1")))
        ebay = EbayAdapter(config.model_copy(update={"refresh_token": consent.refresh_token}))
        results = c.marketplace(ebay).upsert([offer(compliant("MUG-01"))])
        currency = c.marketplace(ebay).run(ebay.site_currency("GB"))
    assert results[0].ok and currency == "GBP"


# -- the conformance kit -----------------------------------------------------------------------


def test_conformance(fake: FakeEbay) -> None:
    offers = [offer(compliant("MUG-01")), offer(compliant("CUP-02"))]
    report = check_adapter(EbayAdapter(settings()), fake, offers)
    assert report.ok and not report.skipped, str(report)
