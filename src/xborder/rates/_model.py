"""ExchangeRate, the RateSource protocol and convert().

Precision. Every division or multiplication xborder does with a rate runs in
:data:`RATE_CONTEXT`: 28 significant digits, ROUND_HALF_EVEN (the defaults of
:class:`decimal.Context`), fixed here so that results never depend on the caller's ambient
decimal context. A rate the ECB publishes (EUR→X) is kept exactly as published; X→EUR is
``1 / value`` and a cross rate X→Y is ``value_Y / value_X``, each rounded once to 28
significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Final, Protocol, runtime_checkable

from xborder.errors import FloatAmountError, InvalidAmountError, RateError
from xborder.money import Money, to_decimal, validate_currency

__all__ = ["RATE_CONTEXT", "ExchangeRate", "RateSource", "convert"]

#: The decimal context of every rate computation (cross rates, inverses, conversions).
RATE_CONTEXT: Final = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

_ONE: Final = Decimal(1)


def check_date(on: object, *, field: str = "on") -> date:
    """Return ``on`` if it is a plain :class:`datetime.date` (a datetime is refused)."""
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError(
            f"{field}: expected a datetime.date, got {type(on).__name__} {on!r}"
            + ("; pass .date() of it" if isinstance(on, datetime) else "")
        )
    return on


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """A dated, sourced exchange rate: 1 ``base`` = ``value`` ``quote`` on ``as_of``.

    >>> r = ExchangeRate("EUR", "USD", Decimal("1.1172"), date(2026, 10, 30), "ECB")
    >>> r.inverse().value
    Decimal('0.8950948800572860723236663086')

    ``value`` is a finite, positive :class:`~decimal.Decimal` (a float is refused with
    :class:`~xborder.errors.FloatAmountError`; ``int`` and decimal strings are accepted and
    turned into Decimal). ``as_of`` is the date of the data actually used, which may be
    earlier than the date asked for (weekends, holidays); ``source`` says where it came from.
    """

    base: str
    quote: str
    value: Decimal
    as_of: date
    source: str

    def __post_init__(self) -> None:
        validate_currency(self.base, field="base")
        validate_currency(self.quote, field="quote")
        raw: object = self.value
        if isinstance(raw, float):
            raise FloatAmountError(raw, field="value")
        value = to_decimal(raw, field="value")
        if value <= 0:
            raise InvalidAmountError(raw, field="value", reason="a rate must be greater than 0")
        if self.base == self.quote and value != _ONE:
            raise InvalidAmountError(
                raw, field="value", reason=f"a {self.base}->{self.quote} rate must be 1"
            )
        object.__setattr__(self, "value", value)
        check_date(self.as_of, field="as_of")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError(f"source: expected a non-empty string, got {self.source!r}")

    @classmethod
    def _trusted(
        cls, base: str, quote: str, value: Decimal, as_of: date, source: str
    ) -> ExchangeRate:
        """Build without validation, for values a source has already checked (hot path)."""
        self = object.__new__(cls)
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "quote", quote)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "as_of", as_of)
        object.__setattr__(self, "source", source)
        return self

    def inverse(self) -> ExchangeRate:
        """Return the rate the other way round: 1 ``quote`` = ``1 / value`` ``base``.

        Same ``as_of`` and ``source``; the division runs in :data:`RATE_CONTEXT`.
        """
        return ExchangeRate._trusted(
            self.quote, self.base, RATE_CONTEXT.divide(_ONE, self.value), self.as_of, self.source
        )

    def __str__(self) -> str:
        return (
            f"1 {self.base} = {self.value} {self.quote} "
            f"(as of {self.as_of.isoformat()}, {self.source})"
        )


@runtime_checkable
class RateSource(Protocol):
    """Anything that answers ``rate(base, quote, on=...)`` with an :class:`ExchangeRate`.

    ``rate`` never does I/O: live sources are filled beforehand (see
    :meth:`xborder.rates.ECB.refresh`). ``on=None`` means today per the source's clock.
    A pair the source cannot give raises :class:`~xborder.errors.RateUnavailableError`.
    """

    name: str

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        """Return the rate from ``base`` to ``quote`` in force on ``on``."""
        ...


def convert(money: Money, to: str, *, rates: RateSource, on: date | None = None) -> Money:
    """Convert ``money`` into ``to`` with the rate ``rates`` gives for ``on``; **unrounded**.

    >>> from xborder.rates import bundled
    >>> convert(Money("10.00", "EUR"), "USD", rates=bundled(), on=date(2026, 10, 30))
    Money('11.172000', 'USD')

    The same currency comes back unchanged without a lookup. The product is computed in
    :data:`RATE_CONTEXT` and is not quantized: a pricing policy rounds it later (see
    :meth:`xborder.money.Money.quantize`). ``on=None`` means today per the source's clock.
    """
    if not isinstance(money, Money):
        raise TypeError(f"money: expected a Money, got {type(money).__name__}")
    if money.currency == to:
        return money
    rate = rates.rate(money.currency, to, on=on)
    if rate.base != money.currency or rate.quote != to:
        raise RateError(
            f"{getattr(rates, 'name', rates)!s} answered a {rate.base}->{rate.quote} rate "
            f"when asked for {money.currency}->{to}"
        )
    return Money._trusted(RATE_CONTEXT.multiply(money.amount, rate.value), to)
