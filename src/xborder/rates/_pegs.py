"""Currencies fixed to an anchor (AED, SAR, QAR, BHD, OMR, JOD to USD) that the ECB lacks.

The table is package data (``data/pegs.json``): for each currency its anchor, the rate per
anchor as a decimal string, the day it applies from, the central bank and the page that
states it. A pegged currency's rate to Q is computed from the anchor's rate to Q in the
underlying source: ``P→Q = (A→Q) / peg`` and ``Q→P = (Q→A) × peg``, in
:data:`~xborder.rates.RATE_CONTEXT`. Two currencies pegged to the same anchor convert at
the ratio of their pegs (AED→SAR = 3.75 / 3.6725) with no lookup at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from typing import Final

from xborder.clock import Clock, today
from xborder.errors import FloatAmountError, RateUnavailableError
from xborder.money import validate_currency
from xborder.rates._model import RATE_CONTEXT, ExchangeRate, RateSource, check_date

__all__ = ["Peg", "Pegged", "peg_table", "pegs", "resolve_pegged"]

Direct = Callable[[str, str, date], ExchangeRate]


@dataclass(frozen=True, slots=True)
class Peg:
    """A currency fixed to an anchor: 1 ``anchor`` = ``rate`` ``currency`` from ``effective_from``.

    ``authority`` is the central bank (e.g. ``"CBUAE"``), ``source`` the URL of its page or
    official statement, ``verified`` whether that page was read and states the rate, and
    ``as_of`` the day the entry was last checked.
    """

    currency: str
    anchor: str
    rate: Decimal
    effective_from: date
    authority: str
    source: str
    verified: bool = False
    note: str = ""
    as_of: date | None = None

    def __post_init__(self) -> None:
        validate_currency(self.currency, field="currency")
        validate_currency(self.anchor, field="anchor")
        if self.currency == self.anchor:
            raise ValueError(f"{self.currency}: a currency cannot be pegged to itself")
        raw: object = self.rate
        if isinstance(raw, float):
            raise FloatAmountError(raw, field="rate")
        if not isinstance(raw, Decimal) or not raw.is_finite() or raw <= 0:
            raise ValueError(f"{self.currency}: rate must be a finite Decimal > 0, got {raw!r}")
        check_date(self.effective_from, field="effective_from")
        if self.as_of is not None:
            check_date(self.as_of, field="as_of")
        if not self.authority or not self.source:
            raise ValueError(f"{self.currency}: a peg needs an authority and a source")

    def describe(self) -> str:
        """Short provenance text, e.g. ``"USD peg (CBUAE)"``."""
        return f"{self.anchor} peg ({self.authority})"


def _parse_rate(text: str) -> Decimal:
    """Read a peg rate: a decimal string, or ``"1/x"`` for a parity set the other way round.

    Oman fixes RO 1 = USD 2.6008, so the rate is 1/2.6008 OMR per USD, not the rounded 0.3845.
    """
    numerator, slash, denominator = text.partition("/")
    if not slash:
        return Decimal(text)
    return RATE_CONTEXT.divide(Decimal(numerator), Decimal(denominator))


@lru_cache(maxsize=1)
def pegs() -> tuple[Peg, ...]:
    """Return the built-in peg table (``xborder/rates/data/pegs.json``), loaded once."""
    raw = json.loads(files("xborder.rates").joinpath("data", "pegs.json").read_text("utf-8"))
    return tuple(
        Peg(
            currency=item["currency"],
            anchor=item["anchor"],
            rate=_parse_rate(item["rate"]),
            effective_from=date.fromisoformat(item["effective_from"]),
            authority=item["authority"],
            source=item["source"],
            verified=bool(item.get("verified", False)),
            note=item.get("note", ""),
            as_of=date.fromisoformat(item["as_of"]) if item.get("as_of") else None,
        )
        for item in raw["pegs"]
    )


def peg_table(choice: bool | Iterable[Peg]) -> dict[str, Peg]:
    """Turn a ``pegs=`` argument (True: built-in, False: none, or Peg objects) into a table.

    A peg's anchor may not itself be pegged, and a currency may appear once.
    """
    if choice is True:
        chosen: Iterable[Peg] = pegs()
    elif choice is False:
        return {}
    else:
        chosen = choice
    table: dict[str, Peg] = {}
    for peg in chosen:
        if not isinstance(peg, Peg):
            raise TypeError(f"pegs: expected Peg objects, got {type(peg).__name__}")
        if peg.currency in table:
            raise ValueError(f"pegs: {peg.currency} appears twice")
        table[peg.currency] = peg
    for peg in table.values():
        if peg.anchor in table:
            raise ValueError(f"pegs: {peg.currency} is pegged to {peg.anchor}, which is pegged")
    return table


def resolve_pegged(
    base: str,
    quote: str,
    on: date,
    table: Mapping[str, Peg],
    direct: Direct,
    *,
    name: str,
) -> ExchangeRate | None:
    """Return the rate for a pair involving a pegged currency, or None if neither is pegged.

    ``base`` and ``quote`` must already be validated and different. ``direct`` answers
    the unpegged pair (the anchor in place of each pegged currency).
    """
    peg_base = table.get(base)
    peg_quote = table.get(quote)
    if peg_base is None and peg_quote is None:
        return None
    for peg in (peg_base, peg_quote):
        if peg is not None and on < peg.effective_from:
            raise RateUnavailableError(
                base,
                quote,
                on=on,
                sources=[name],
                reason=(
                    f"the {peg.currency} {peg.describe()} in xborder's table applies from "
                    f"{peg.effective_from.isoformat()}"
                ),
            )
    left = peg_base.anchor if peg_base is not None else base
    right = peg_quote.anchor if peg_quote is not None else quote
    used = [p for p in (peg_base, peg_quote) if p is not None]
    if left == right:
        # Both sides reduce to the same anchor: the rate is fixed, no data needed.
        value = peg_quote.rate if peg_quote is not None else Decimal(1)
        if peg_base is not None:
            value = RATE_CONTEXT.divide(value, peg_base.rate)
        return ExchangeRate._trusted(base, quote, value, on, _describe(used))
    underlying = direct(left, right, on)
    value = underlying.value
    if peg_base is not None:
        value = RATE_CONTEXT.divide(value, peg_base.rate)
    if peg_quote is not None:
        value = RATE_CONTEXT.multiply(value, peg_quote.rate)
    source = f"{underlying.source} via {_describe(used)}"
    return ExchangeRate._trusted(base, quote, value, underlying.as_of, source)


def _describe(used: list[Peg]) -> str:
    if len(used) == 2 and used[0].anchor == used[1].anchor:
        return f"{used[0].anchor} pegs ({used[0].authority}, {used[1].authority})"
    return " and ".join(peg.describe() for peg in used)


class Pegged:
    """Wrap any :class:`~xborder.rates.RateSource` to add pegged currencies.

    ::

        source = Pegged(my_source)                        # the built-in table
        source.rate("AED", "GBP", on=date(2026, 10, 30))  # (USD→GBP) / 3.6725

    :func:`~xborder.rates.bundled` and :class:`~xborder.rates.ECB` already include the
    built-in pegs; use this for other sources. ``clock`` resolves ``on=None``.
    """

    def __init__(
        self,
        source: RateSource,
        pegs: bool | Iterable[Peg] = True,
        *,
        clock: Clock | None = None,
    ) -> None:
        if not isinstance(source, RateSource):
            raise TypeError(f"source: expected a RateSource, got {type(source).__name__}")
        self.underlying: Final = source
        self.name = f"{source.name}+pegs"
        self._table = peg_table(pegs)
        self._clock = clock

    @property
    def pegs(self) -> tuple[Peg, ...]:
        """The pegs in use."""
        return tuple(self._table.values())

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        """Return the rate, through a peg when either currency is pegged."""
        if base not in self._table and quote not in self._table:
            return self.underlying.rate(base, quote, on=on)
        validate_currency(base, field="base")
        validate_currency(quote, field="quote")
        day = today(self._clock) if on is None else check_date(on)
        if base == quote:
            return ExchangeRate._trusted(base, quote, Decimal(1), day, self.name)
        result = resolve_pegged(
            base,
            quote,
            day,
            self._table,
            lambda b, q, d: self.underlying.rate(b, q, on=d),
            name=self.name,
        )
        assert result is not None
        return result

    def __repr__(self) -> str:
        return f"Pegged({self.underlying!r}, pegs={sorted(self._table)})"
