"""Inside a storefront's request handlers: prepare and check one product for five markets.

``prepare()`` is pure (no I/O, about a millisecond per market), so a request handler can
price, localize and check a product for every market a buyer might come from, and show
what is ready and what is blocked, without calling any marketplace. Two handlers, one per
kind of web framework:

* :func:`product_markets` for sync frameworks (Flask, Django): exchange rates from the
  snapshot shipped with xborder, no network at all;
* :func:`aproduct_markets` for async ones (FastAPI, Starlette): the same, with today's ECB
  rates fetched through an ``AsyncClient`` at most once an hour (``ttl``), the shipped
  snapshot behind them when the fetch fails.

Run ``python examples/storefront.py`` to print the answers for the sample's first product
(the async handler runs with ``--live`` only: it fetches the ECB's daily file).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import xborder as xb
from xborder.errors import XborderError

HERE = Path(__file__).resolve().parent
MARKETS = ("DE", "FR", "GB", "JP", "AU")
POLICY = xb.PricingPolicy(endings={"EUR": ".99", "GBP": ".99", "JPY": "100", "AUD": ".95"})
SELLER = xb.read_seller(HERE / "seller.json")

# Built once per process, shared by every request.
BUNDLED = xb.rates.bundled()
LIVE = xb.rates.ECB()
RATES = xb.rates.Chain(LIVE, BUNDLED)


def _markets(listing: xb.Listing, rates: xb.RateSource, on: date) -> dict[str, Any]:
    answer: dict[str, Any] = {"sku": listing.sku, "on": on.isoformat(), "markets": {}}
    for market in MARKETS:
        try:
            offer = xb.prepare(
                listing, market, channel="ebay", rates=rates, policy=POLICY, seller=SELLER, on=on
            )
        except XborderError as exc:  # no rate for the day, a VAT rate unknown, ...
            answer["markets"][market] = {"ready": False, "problems": [str(exc)]}
            continue
        answer["markets"][market] = {
            "ready": offer.ok,
            "price": str(offer.price.amount),
            "currency": offer.currency,
            "shown": offer.display_price,
            "title": offer.content.title.text,
            "problems": [f"{f.code}: {f.message}" for f in offer.report.errors],
            "warnings": [f.code for f in offer.report.warnings],
        }
    return answer


def product_markets(body: bytes) -> tuple[int, dict[str, Any]]:
    """A sync handler: POST a listing as JSON, get it for five markets (status, body)."""
    try:
        listing = xb.Listing.model_validate(json.loads(body))
    except (ValueError, XborderError) as exc:  # not JSON, or an invalid listing
        return 422, {"error": str(exc)}
    return 200, _markets(listing, BUNDLED, BUNDLED.as_of)


async def aproduct_markets(body: bytes, client: xb.AsyncClient) -> tuple[int, dict[str, Any]]:
    """An async handler: the same, with today's ECB rates when they can be had."""
    try:
        listing = xb.Listing.model_validate(json.loads(body))
    except (ValueError, XborderError) as exc:
        return 422, {"error": str(exc)}
    if not LIVE.is_fresh():
        # When the fetch fails, the Chain falls back to the shipped snapshot.
        with contextlib.suppress(XborderError):
            LIVE.load(await client.run(LIVE.flow()))
    on = LIVE.as_of or BUNDLED.as_of
    return 200, _markets(listing, RATES, on)


def main(argv: list[str]) -> int:
    first = (HERE / "catalog.jsonl").read_text(encoding="utf-8").splitlines()[0]
    status, answer = product_markets(first.encode())
    print(status, json.dumps(answer, indent=2, ensure_ascii=False))
    if "--live" in argv:

        async def live() -> None:
            async with xb.AsyncClient() as client:
                status, answer = await aproduct_markets(first.encode(), client)
                print(status, json.dumps(answer, indent=2, ensure_ascii=False))

        asyncio.run(live())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
