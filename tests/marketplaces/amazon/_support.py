"""Shared helpers of the Amazon adapter tests: listings, offers, settings, the fake, flows."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr

import xborder as xb
from xborder.client import Client
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces.amazon import AmazonAdapter, AmazonSettings
from xborder.offer import Offer
from xborder.testing import FakeClock
from xborder.testing.amazon import AmazonModels, FakeAmazon

from .._flows import Responder as Responder  # re-exported
from .._flows import drive as drive
from .._flows import ops as ops

T = TypeVar("T")

ON = date(2026, 10, 1)
SPECS = Path(__file__).resolve().parents[2] / "specs" / "amazon"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef"
CLIENT_SECRET = "amzn1.oa2-cs.v1.canary-client-secret-7c1d"
REFRESH_TOKEN = "Atzr|IwEBI-canary-refresh-token-55aa"
SELLER_ID = "A2SELLERCANARY1"


@cache
def models() -> AmazonModels:
    return AmazonModels.load(SPECS)


@cache
def spec(name: str) -> Any:
    return json.loads((SPECS / name).read_text(encoding="utf-8"))


@cache
def rates() -> xb.RateSource:
    return xb.rates.bundled()


def listing(sku: str = "MUG-01", **fields: Any) -> xb.Listing:
    data: dict[str, Any] = {
        "sku": sku,
        "title": "Handmade stoneware mug, 350 ml",
        "description": "Wheel-thrown stoneware mug.",
        "price": xb.Money("24.00", "EUR"),
        "quantity": 5,
        "brand": "Ridgeline",
        "category": "home.drinkware",
        "gtin": "4006381333931",
        "images": ("https://images.example.com/mug-1.jpg",),
    }
    data.update(fields)
    return xb.Listing(**data)


def compliant(sku: str = "MUG-01", **fields: Any) -> xb.Listing:
    """A listing with what the EU, GB and JP ask for (GPSR parties, customs data, identifiers)."""
    data: dict[str, Any] = {
        "mpn": f"RK-{sku}",
        "hs_code": "691200",
        "origin_country": "DE",
        "customs_description": "Stoneware mug",
        "weight": {"value": "400", "unit": "g"},
        "dimensions": {"length": "12", "width": "9", "height": "10", "unit": "cm"},
        "manufacturer": {
            "name": "Ridgeline Keramik GmbH",
            "postal_address": "Töpferweg 3, 56203 Höhr-Grenzhausen, Germany",
            "email": "info@ridgeline.example.com",
        },
        "safety_information": {
            "en": "Hot drinks can scald.",
            "de": "Heiße Getränke können verbrühen.",
        },
    }
    data.update(fields)
    return listing(sku, **data)


def offer(item: xb.Listing | None = None, market: str = "DE") -> Offer:
    return xb.prepare(item or listing(), market, channel="amazon", rates=rates(), on=ON)


def copies(base: Offer, count: int, prefix: str = "MUG") -> list[Offer]:
    """``count`` offers like ``base`` under SKUs ``<prefix>-00000`` … (cheap: no prepare)."""
    out = []
    for index in range(count):
        sku = f"{prefix}-{index:05d}"
        out.append(
            dataclasses.replace(
                base,
                key=base.key._replace(sku=sku),
                listing=base.listing.model_copy(update={"sku": sku}),
                content=base.content._replace(sku=sku),
            )
        )
    return out


def settings(**overrides: Any) -> AmazonSettings:
    data: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": SecretStr(CLIENT_SECRET),
        "refresh_token": SecretStr(REFRESH_TOKEN),
        "seller_id": SELLER_ID,
        "product_types": {"home.drinkware": "DRINKING_CUP"},
    }
    data.update(overrides)
    return AmazonSettings(**data)


def adapter(**overrides: Any) -> AmazonAdapter:
    return AmazonAdapter(settings(**overrides))


def fake(clock: FakeClock, **options: Any) -> FakeAmazon:
    options.setdefault("models", models())
    options.setdefault("clients", {CLIENT_ID: CLIENT_SECRET})
    amazon = FakeAmazon(clock=clock, **options)
    amazon.add_seller(REFRESH_TOKEN, seller_id=SELLER_ID, client_id=CLIENT_ID)
    return amazon


@contextmanager
def client(amazon: FakeAmazon, clock: FakeClock, **options: Any) -> Iterator[Client]:
    with amazon.http_client() as http, Client(http=http, clock=clock, **options) as c:
        yield c


def answer(status: int, body: Any = None, **headers: str) -> HttpResponse:
    content = b"" if body is None else json.dumps(body).encode()
    return HttpResponse(
        status,
        headers={k.replace("_", "-").lower(): v for k, v in headers.items()},
        content=content,
    )


def body(request: HttpRequest) -> Any:
    return xb.marketplaces.amazon._payload.loads(request.content) if request.content else None


def counts(calls: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(calls.items()))
