"""Shared set-up of the jobs tests: listings, the fake eBay, a job factory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

import xborder as xb
from xborder.jobs import SQLiteStateStore, SyncJob, Target
from xborder.jobs._fakes import transport
from xborder.listing import CATEGORIES
from xborder.marketplaces.ebay import EbayAdapter, EbaySettings
from xborder.testing import FakeClock, FakeMarketplace
from xborder.testing.ebay import FakeEbay

ROOT = Path(__file__).resolve().parents[2]
ON = date(2026, 10, 1)
START = datetime(2026, 10, 1, 9, tzinfo=UTC)
CLIENT_ID = "jobs-app-PRD-1234"
CLIENT_SECRET = "PRD-cert-jobs-canary-9f2e"
REFRESH_TOKEN = "v^1.1#i^1#refresh-jobs-canary-31bb"
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN)


@cache
def rates() -> xb.RateSource:
    return xb.rates.bundled()


@cache
def seller() -> xb.Seller:
    return xb.read_seller(ROOT / "examples" / "seller.json")


@cache
def base_listing() -> xb.Listing:
    """The sample catalog's first listing: ready for eBay DE and GB."""
    return next(iter(xb.read_csv(ROOT / "examples" / "catalog.csv")))


def listing(sku: str, *, price: str = "38.00", quantity: int = 24, **fields: Any) -> xb.Listing:
    update: dict[str, Any] = {
        "sku": sku,
        "price": xb.Money(price, "USD"),
        "quantity": quantity,
        "mpn": None,
        "gtin": None,
        "gtin_exempt": True,
    }
    update.update(fields)
    return base_listing().model_copy(update=update)


def catalog(n: int, *, prefix: str = "SKU", **fields: Any) -> list[xb.Listing]:
    return [listing(f"{prefix}-{i:04d}", **fields) for i in range(n)]


def ebay_settings(**overrides: Any) -> EbaySettings:
    def site(number: str) -> dict[str, Any]:
        return {
            "fulfillment_policy_id": f"{number}1",
            "payment_policy_id": f"{number}2",
            "return_policy_id": f"{number}3",
            "merchant_location_key": "WH-1",
            "categories": {c: str(10000 + n) for n, c in enumerate(sorted(CATEGORIES))},
        }

    data: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": SecretStr(CLIENT_SECRET),
        "refresh_token": SecretStr(REFRESH_TOKEN),
        "sites": {"EBAY_DE": site("600"), "EBAY_GB": site("700")},
        "offer_lookup": "on_conflict",
    }
    data.update(overrides)
    return EbaySettings(**data)


def fake_ebay(clock: FakeClock, **kwargs: Any) -> FakeEbay:
    fake = FakeEbay(clock=clock, clients={CLIENT_ID: CLIENT_SECRET}, **kwargs)
    fake.add_seller(REFRESH_TOKEN, client_id=CLIENT_ID)
    return fake


@dataclass
class World:
    """A fake clock, fake marketplaces behind one transport, and a state store."""

    clock: FakeClock
    fakes: list[FakeMarketplace]
    store: SQLiteStateStore
    _clients: list[Any] = field(default_factory=list)

    @property
    def ebay(self) -> FakeEbay:
        fake = self.fakes[0]
        assert isinstance(fake, FakeEbay)
        return fake

    def http(self) -> httpx.Client:
        client = httpx.Client(transport=transport(self.fakes))
        self._clients.append(client)
        return client

    def async_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=transport(self.fakes))

    def job(
        self,
        listings: Any,
        targets: Sequence[Target] | None = None,
        **kwargs: Any,
    ) -> SyncJob:
        values: dict[str, Any] = {
            "rates": rates(),
            "seller": seller(),
            "state": self.store,
            "clock": self.clock,
            "http": self.http(),
            "async_http": self.async_http(),
            "on": ON,
        }
        values.update(kwargs)
        if targets is None:
            targets = [Target(EbayAdapter(ebay_settings()), ["DE", "GB"])]
        return SyncJob(listings, targets, **values)

    def reset_calls(self) -> None:
        for fake in self.fakes:
            fake.reset_calls()

    def writes(self) -> int:
        return sum(
            1
            for fake in self.fakes
            for call in fake.calls
            if call.method not in ("GET", "HEAD") and call.operation != "token"
        )

    def close(self) -> None:
        for client in self._clients:
            client.close()
        for fake in self.fakes:
            fake.close()
        self.store.close()


def world(path: Path | str = ":memory:", **ebay: Any) -> Iterator[World]:
    clock = FakeClock(START)
    w = World(clock, [fake_ebay(clock, **ebay)], SQLiteStateStore(path))
    try:
        yield w
    finally:
        w.close()


def dec(text: str) -> Decimal:
    return Decimal(text)
