"""Exchange rates: dated, sourced, Decimal throughout.

>>> from datetime import date
>>> from xborder.money import Money
>>> from xborder import rates
>>> source = rates.bundled()                  # the ECB snapshot shipped with xborder + pegs
>>> rates.convert(Money("24.00", "USD"), "EUR", rates=source, on=date(2026, 10, 30))
Money('21.48227712137486573576799141', 'EUR')

Sources: :func:`bundled` (offline, package data), :class:`ECB` (live, fetched by a
sans-I/O flow), :class:`Pegged` and :class:`Chain` (combinators), and any plugin registered
in the ``xborder.rates`` entry-point group (:func:`get`, :func:`available`). See
docs/rates.md.
"""

from __future__ import annotations

from xborder.rates._bundled import BundledRates, bundled
from xborder.rates._chain import Chain
from xborder.rates._ecb import ECB, ECB_90D_URL, ECB_DAILY_URL, ECB_HIST_URL, refresh_flow
from xborder.rates._model import RATE_CONTEXT, ExchangeRate, RateSource, convert
from xborder.rates._pegs import Peg, Pegged, pegs
from xborder.rates._registry import available, get
from xborder.rates._snapshot import RateSnapshot

__all__ = [
    "ECB",
    "ECB_90D_URL",
    "ECB_DAILY_URL",
    "ECB_HIST_URL",
    "RATE_CONTEXT",
    "BundledRates",
    "Chain",
    "ExchangeRate",
    "Peg",
    "Pegged",
    "RateSnapshot",
    "RateSource",
    "available",
    "bundled",
    "convert",
    "get",
    "pegs",
    "refresh_flow",
]
