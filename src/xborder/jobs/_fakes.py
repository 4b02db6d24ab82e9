"""Several fake marketplaces behind one HTTP client, for the demo and for tests of jobs.

A job talks to all its marketplaces through one :class:`~xborder.Client`; with fakes, one
``httpx.MockTransport`` must answer for all of them. :func:`transport` sends each request to
the fake that has a route for it (by host and path).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import httpx

from xborder.rates import ExchangeRate, RateSource
from xborder.testing import FakeMarketplace

__all__ = ["MovedRates", "transport"]


def transport(fakes: Sequence[FakeMarketplace]) -> httpx.MockTransport:
    """Return a transport answering each request from the fake that routes it.

    Works for :class:`httpx.Client` and :class:`httpx.AsyncClient`. A request no fake
    routes is a 404 naming the URL.
    """
    fakes = list(fakes)

    def handle(request: httpx.Request) -> httpx.Response:
        for fake in fakes:
            if fake.match(request).known:
                return fake.handle(request)
        body = {"error": f"no fake marketplace routes {request.method} {request.url}"}
        return httpx.Response(404, content=json.dumps(body).encode())

    return httpx.MockTransport(handle)


class MovedRates:
    """A :class:`~xborder.rates.RateSource` whose currencies moved against another source.

    ``factors`` maps a currency to how much more of it one unit of any other currency buys
    now (``{"EUR": Decimal("1.005")}``: every price in euros rises 0.5 %). For simulating an
    FX move in demos and tests; the rates keep the base source's dates.
    """

    def __init__(self, base: RateSource, factors: Mapping[str, Decimal]) -> None:
        self.base = base
        self.factors = dict(factors)
        self.name = f"{getattr(base, 'name', 'rates')}-moved"

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        """Return the base source's rate, moved by the factors of both currencies."""
        rate = self.base.rate(base, quote, on=on)
        factor = self.factors.get(quote, Decimal(1)) / self.factors.get(base, Decimal(1))
        if factor == 1:
            return rate
        return ExchangeRate(
            rate.base,
            rate.quote,
            rate.value * factor,
            rate.as_of,
            f"{rate.source} (moved ×{factor})",
        )
