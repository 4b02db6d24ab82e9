"""client.marketplace(...): the adapter's operations, run, one result per item (both clients)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence

import httpx
import pytest
import respx
from pydantic import SecretStr

from _entry_points import FakeEntryPoint, use_entry_points
from xborder.client import AsyncClient, AsyncMarketplace, Client, Marketplace
from xborder.errors import UnexpectedResponseError, UnsupportedOperationError
from xborder.http import Flow
from xborder.marketplaces import (
    GROUP,
    ItemResult,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
    StaticToken,
)
from xborder.money import Money
from xborder.testing import FakeClock

from ._shop import BASE, Driver, Facade, ShopAdapter, ShopSettings, key, offer


def shop(**kwargs: object) -> ShopAdapter:
    return ShopAdapter(providers={"default": StaticToken(SecretStr("t"))}, **kwargs)  # type: ignore[arg-type]


def test_upsert_returns_one_result_per_offer_in_input_order(
    driver: Driver, api: respx.MockRouter
) -> None:
    a = api.put(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    api.put(f"{BASE}/items/C").mock(return_value=httpx.Response(400))
    offers = [offer("A"), offer("B", "gpsr.missing_address", "tax.no_vat_id"), offer("C")]

    async def scenario(c: Facade) -> list[ItemResult]:
        result: list[ItemResult] = await c.call(shop(), "upsert", offers)
        return result

    results = driver.go(scenario)
    assert [r.key.sku for r in results] == ["A", "B", "C"]
    assert [r.status for r in results] == ["ok", "failed", "failed"]
    assert results[0].remote == RemoteRef(id="A")
    held = results[1]
    assert [(i.code, i.field, i.message) for i in held.issues] == [
        ("gpsr.missing_address", "title", "gpsr.missing_address is wrong"),
        ("tax.no_vat_id", "title", "tax.no_vat_id is wrong"),
    ]
    assert json.loads(a.calls.last.request.content) == {"quantity": 5}
    assert [str(call.request.url) for call in api.calls] == [
        f"{BASE}/items/A",
        f"{BASE}/items/C",
    ]  # B was never sent


def test_allow_noncompliant_sends_everything(driver: Driver, api: respx.MockRouter) -> None:
    b = api.put(f"{BASE}/items/B").mock(return_value=httpx.Response(200))

    async def scenario(c: Facade) -> list[ItemResult]:
        result: list[ItemResult] = await c.call(
            shop(), "upsert", [offer("B", "gpsr.missing_address")], allow_noncompliant=True
        )
        return result

    assert [r.status for r in driver.go(scenario)] == ["ok"]
    assert b.call_count == 1


def test_only_noncompliant_offers_make_no_call(driver: Driver, api: respx.MockRouter) -> None:
    async def scenario(c: Facade) -> list[ItemResult]:
        result: list[ItemResult] = await c.call(shop(), "upsert", [offer("B", "epr.missing")])
        return result

    assert [r.status for r in driver.go(scenario)] == ["failed"]
    assert not api.calls


@pytest.mark.parametrize("operation", ["upsert", "update_price_quantity", "withdraw", "status"])
def test_empty_input_makes_no_call(driver: Driver, api: respx.MockRouter, operation: str) -> None:
    async def scenario(c: Facade) -> object:
        return await c.call(shop(), operation, [])

    assert driver.go(scenario) == []
    assert not api.calls


def test_withdraw_status_and_price_quantity(driver: Driver, api: respx.MockRouter) -> None:
    api.delete(f"{BASE}/items/A").mock(return_value=httpx.Response(204))
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    api.get(f"{BASE}/items/Z").mock(return_value=httpx.Response(404))
    prices = api.post(f"{BASE}/prices").mock(return_value=httpx.Response(200))
    adapter = shop()
    update = PriceQuantityUpdate(key("A"), price=Money("9.99", "EUR"))

    async def scenario(c: Facade) -> tuple[object, object, object]:
        return (
            await c.call(adapter, "withdraw", [key("A")]),
            await c.call(
                adapter, "status", [key("A"), key("Z")], known={key("A"): RemoteRef(id="1")}
            ),
            await c.call(adapter, "update_price_quantity", [update]),
        )

    withdrawn, status, updated = driver.go(scenario)
    assert [r.status for r in withdrawn] == ["ok"]  # type: ignore[attr-defined]
    assert [r.state for r in status] == ["live", "absent"]  # type: ignore[attr-defined]
    assert [r.key for r in updated] == [key("A")]  # type: ignore[attr-defined]
    assert json.loads(prices.calls.last.request.content) == ["A"]


def test_keys_of_another_marketplace_are_refused(driver: Driver, api: respx.MockRouter) -> None:
    async def scenario(c: Facade) -> object:
        return await c.call(shop(), "upsert", [offer("A"), offer("X", marketplace="ebay")])

    with pytest.raises(ValueError, match="ebay/DE/X is for the marketplace 'ebay'"):
        driver.go(scenario)

    async def withdraw(c: Facade) -> object:
        return await c.call(shop(), "withdraw", [key("A", "amazon")])

    with pytest.raises(ValueError, match="amazon/DE/A"):
        driver.go(withdraw)
    assert not api.calls


def test_an_alias_is_the_same_marketplace(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))

    async def scenario(c: Facade) -> object:
        return await c.call(shop(), "status", [key("A", "shop-alias")])

    assert [r.state for r in driver.go(scenario)] == ["live"]  # type: ignore[attr-defined]


def test_an_operation_the_adapter_lacks(driver: Driver) -> None:
    adapter = shop(operations=frozenset({"upsert", "status"}))

    async def scenario(c: Facade) -> object:
        return await c.call(adapter, "withdraw", [key("A")])

    with pytest.raises(
        UnsupportedOperationError, match="shop: the adapter does not offer withdraw"
    ):
        driver.go(scenario)

    async def empty(c: Facade) -> object:
        return await c.call(adapter, "update_price_quantity", [])

    with pytest.raises(UnsupportedOperationError):
        driver.go(empty)


class _Sloppy(ShopAdapter):
    """Answers for the wrong items."""

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        return [ItemResult(key("A"), "ok"), ItemResult(key("Q"), "ok")]
        yield  # pragma: no cover


def test_results_not_matching_the_input_are_an_unexpected_response(driver: Driver) -> None:
    async def scenario(c: Facade) -> object:
        return await c.call(_Sloppy(providers={}), "status", [key("A"), key("B")])

    with pytest.raises(
        UnexpectedResponseError,
        match=r"no result for shop/DE/B; results not asked for: shop/DE/Q",
    ):
        driver.go(scenario)


class _Shuffled(ShopAdapter):
    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        return [ItemResult(k, "ok", state="live") for k in reversed(keys)]
        yield  # pragma: no cover


def test_results_come_back_in_input_order(driver: Driver) -> None:
    async def scenario(c: Facade) -> object:
        return await c.call(_Shuffled(providers={}), "status", [key("A"), key("B"), key("A")])

    assert [r.key.sku for r in driver.go(scenario)] == ["A", "B", "A"]  # type: ignore[attr-defined]


def test_bound_object_properties_and_run(api: respx.MockRouter) -> None:
    adapter = shop()
    with Client(clock=FakeClock()) as client:
        bound = client.marketplace(adapter)
        assert isinstance(bound, Marketplace) and bound.adapter is adapter
        assert bound.capabilities.name == "shop"
        assert repr(bound) == "Marketplace('shop')"
        assert bound.run(adapter.status([])) == []

    async def main() -> AsyncMarketplace:
        async with AsyncClient(clock=FakeClock()) as client:
            bound = client.marketplace(adapter)
            assert await bound.run(adapter.status([])) == []
            return bound

    bound_async = asyncio.run(main())
    assert repr(bound_async) == "AsyncMarketplace('shop')" and bound_async.adapter is adapter


def test_a_name_is_loaded_from_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch, GROUP, FakeEntryPoint(GROUP, "shop", "client._shop:ShopAdapter", "shop-dist")
    )
    settings = ShopSettings(shop="outlet")
    with Client(clock=FakeClock()) as client:
        bound = client.marketplace("shop", settings=settings)
        assert isinstance(bound.adapter, ShopAdapter) and bound.adapter.settings is settings
        assert client.marketplace("shop").adapter.settings == ShopSettings()
        with pytest.raises(TypeError, match="settings= applies to a marketplace name"):
            client.marketplace(shop(), settings=settings)
        with pytest.raises(TypeError, match="expected a marketplace name or an Adapter"):
            client.marketplace(42)  # type: ignore[arg-type]
