"""What the Acme Bazaar adapter does beyond the kit: its wire format and its marketplace."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from _bazaar import CLIENT_ID, CLIENT_SECRET, listing, make_adapter, prepare
from acme_bazaar import BazaarAdapter
from acme_bazaar.fake import BazaarFake
from hypothesis import given, settings
from hypothesis import strategies as st

import xborder as xb
from xborder.client import Client
from xborder.marketplaces import PriceQuantityUpdate, available
from xborder.testing import FakeClock

BASE = prepare(listing("MUG-00"))


def client(fake: BazaarFake) -> Client:
    return Client(http=fake.http_client(), clock=fake.clock)


def many(count: int) -> list[xb.Offer]:
    return [
        dataclasses.replace(
            BASE,
            key=BASE.key._replace(sku=f"MUG-{index:03d}"),
            listing=BASE.listing.model_copy(update={"sku": f"MUG-{index:03d}"}),
        )
        for index in range(count)
    ]


@settings(max_examples=25, deadline=None)  # no deadline: shared CI machines are noisy
@given(count=st.integers(min_value=0, max_value=160))
def test_any_number_of_offers_fills_batches_of_50(count: int) -> None:
    adapter, offers = make_adapter(), many(count)
    with BazaarFake(clock=FakeClock(), clients={CLIENT_ID: CLIENT_SECRET}) as fake:
        with client(fake) as bazaar:
            results = bazaar.marketplace(adapter).upsert(offers)
        assert [r.key for r in results] == [o.key for o in offers]
        assert fake.count("batch_upsert") == math.ceil(count / 50)
        assert all(call.items is not None and call.items <= 50 for call in fake.calls[1:])
        assert fake.store.count("listings") == count


def test_a_rejected_title_is_a_failed_item(fake: BazaarFake, adapter: BazaarAdapter) -> None:
    offer = prepare(listing("MUG-R", title="Replica stoneware mug"))
    with client(fake) as bazaar:
        (result,) = bazaar.marketplace(adapter).upsert([offer])
    assert result.failed
    assert result.state == "rejected"
    assert result.issues[0].code == "prohibited_item"
    assert result.issues[0].field == "title"


def test_content_goes_live_after_review(
    fake: BazaarFake, adapter: BazaarAdapter, clock: FakeClock, offers: list[xb.Offer]
) -> None:
    with client(fake) as bazaar:
        market = bazaar.marketplace(adapter)
        written = market.upsert(offers)
        assert [r.state for r in written] == ["pending", "pending"]
        clock.advance(60)
        assert [r.state for r in market.status([o.key for o in offers])] == ["live", "live"]
        update = PriceQuantityUpdate(offers[0].key, quantity=0, remote=written[0].remote)
        (changed,) = market.update_price_quantity([update])
    assert changed.ok
    assert changed.state == "live"
    assert written[0].remote is not None
    assert fake.store.get("listings", "DE/MUG-01")["quantity"] == 0


def test_a_wrong_currency_names_the_field(fake: BazaarFake, adapter: BazaarAdapter) -> None:
    offer = prepare(listing("MUG-X"), "DE")
    update = PriceQuantityUpdate(offer.key, price=xb.Money("5.00", "USD"))
    with client(fake) as bazaar:
        market = bazaar.marketplace(adapter)
        market.upsert([offer])
        (result,) = market.update_price_quantity([update])
    assert result.failed
    assert result.issues[0].code == "currency_mismatch"


def test_state_survives_a_crashed_client(tmp_path: Path, adapter: BazaarAdapter) -> None:
    path, clock = tmp_path / "bazaar.sqlite", FakeClock()
    first = BazaarFake(clock=clock, clients={CLIENT_ID: CLIENT_SECRET}, persist_to=path)
    with client(first) as bazaar:
        bazaar.marketplace(adapter).upsert([BASE])
    # The client process "crashes" here; the marketplace outlives it.
    with BazaarFake(clock=clock, clients={CLIENT_ID: CLIENT_SECRET}, persist_to=path) as again:
        assert again.state() == first.state()
        with client(again) as bazaar:
            (status,) = bazaar.marketplace(adapter).status([BASE.key])
        assert status.state == "pending"
        assert again.store.integrity_check() == []
    first.close()


def test_registered_by_entry_point() -> None:
    if "acme_bazaar" not in available():
        pytest.skip("install the package (pip install -e .) to register its entry point")
    loaded = xb.marketplaces.get("acme_bazaar", settings=make_adapter().settings)
    assert isinstance(loaded, BazaarAdapter)
