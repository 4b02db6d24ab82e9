"""The machinery shared by the bundled and the live ECB sources: lookup, pegs, cache, age."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from xborder.clock import Clock, today
from xborder.errors import RateUnavailableError
from xborder.money import validate_currency
from xborder.rates._model import RATE_CONTEXT, ExchangeRate, check_date
from xborder.rates._pegs import Peg, peg_table, resolve_pegged
from xborder.rates._snapshot import NotPublished, RateSnapshot

__all__ = ["DEFAULT_MAX_AGE", "ECB_NAME", "TableSource"]

#: Default max_age: covers the longest TARGET closure (Thursday before Good Friday to the
#: Tuesday after Easter Monday is 5 days, before that Tuesday's 16:00 CET publication).
DEFAULT_MAX_AGE: Final = timedelta(days=5)

#: How the ECB reference rates are named in an ExchangeRate's source.
ECB_NAME: Final = "ECB euro foreign exchange reference rates"

#: Results kept per source before the cache is emptied (bounds memory on long runs).
_CACHE_LIMIT: Final = 65_536
_ONE: Final = Decimal(1)


def check_max_age(max_age: object, *, field: str = "max_age") -> timedelta | None:
    """Validate a ``max_age``/``ttl``-style argument: a timedelta ≥ 0, or None."""
    if max_age is None:
        return None
    if not isinstance(max_age, timedelta) or max_age < timedelta(0):
        raise ValueError(f"{field}: expected a timedelta >= 0 or None, got {max_age!r}")
    return max_age


def external_stacklevel() -> int:
    """Return the ``stacklevel`` that makes a warning point at the first caller outside xborder."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("xborder."):
        frame = frame.f_back
        level += 1
    return level


class TableSource:
    """Base of the ECB-table sources: dated lookups in a :class:`RateSnapshot`, plus pegs.

    Subclasses provide :meth:`_snapshot`, :attr:`source` and :meth:`_too_old`. Results are
    cached per (base, quote, on): a repeated lookup is one dict access.
    """

    name: str = "table"

    def __init__(
        self,
        *,
        max_age: timedelta | None,
        clock: Clock | None,
        pegs: bool | Iterable[Peg],
    ) -> None:
        self._max_age = check_max_age(max_age)
        self._clock = clock
        self._pegs = peg_table(pegs)
        self._cache: dict[tuple[str, str, date], ExchangeRate] = {}

    # -- for subclasses -----------------------------------------------------------------

    def _snapshot(self, base: str, quote: str, on: date) -> RateSnapshot:
        raise NotImplementedError

    @property
    def source(self) -> str:
        """Where the rates come from, as written in each ExchangeRate's ``source``."""
        raise NotImplementedError

    def _too_old(self, as_of: date, on: date, max_age: timedelta) -> None:
        """Raise or warn: the rate used is older than ``max_age`` before ``on``."""
        raise NotImplementedError

    # -- public -------------------------------------------------------------------------

    @property
    def max_age(self) -> timedelta | None:
        """How old (relative to the date asked for) a rate may be; None: no limit."""
        return self._max_age

    @property
    def pegs(self) -> tuple[Peg, ...]:
        """The pegged currencies this source answers for besides the ECB's."""
        return tuple(self._pegs.values())

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        """Return 1 ``base`` in ``quote`` for ``on`` (default: today per the clock).

        Raises :class:`~xborder.errors.RateUnavailableError` naming the pair, the date and
        the reason; :class:`~xborder.errors.UnknownCurrencyError` for a code CLDR does not
        know.
        """
        if on is None:
            on = today(self._clock)
        key = (base, quote, on)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        result = self._resolve(base, quote, on)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = result
        return result

    # -- internals ----------------------------------------------------------------------

    def _resolve(self, base: str, quote: str, on: date) -> ExchangeRate:
        validate_currency(base, field="base")
        validate_currency(quote, field="quote")
        check_date(on)
        if base == quote:
            return ExchangeRate._trusted(base, quote, _ONE, on, self.source)
        pegged = resolve_pegged(base, quote, on, self._pegs, self._direct, name=self.name)
        if pegged is not None:
            return pegged
        return self._direct(base, quote, on)

    def _direct(self, base: str, quote: str, on: date) -> ExchangeRate:
        snapshot = self._snapshot(base, quote, on)
        try:
            base_value, base_day = snapshot.lookup(base, on)
            quote_value, quote_day = snapshot.lookup(quote, on)
            if base_day != quote_day:
                # One currency was not published on the ECB day and came from an earlier
                # one: take both from that earlier day, so the cross rate is one day's.
                older = min(base_day, quote_day)
                base_value, base_day = snapshot.lookup(base, older)
                quote_value, quote_day = snapshot.lookup(quote, older)
        except NotPublished as exc:
            raise RateUnavailableError(
                base, quote, on=on, sources=[self.name], reason=str(exc)
            ) from None
        # ECB: every rate is units of currency per 1 EUR. EUR→X is the published value
        # itself; X→EUR is 1/value; X→Y is value_Y / value_X (one rounding, 28 digits).
        value = quote_value if base == "EUR" else RATE_CONTEXT.divide(quote_value, base_value)
        as_of = min(base_day, quote_day)
        if self._max_age is not None and on - as_of > self._max_age:
            self._too_old(as_of, on, self._max_age)
        return ExchangeRate._trusted(base, quote, value, as_of, self.source)

    def clear_cache(self) -> None:
        """Forget every cached result (done automatically when new data is loaded)."""
        self._cache = {}
