"""Money: an exact decimal amount in one ISO 4217 currency.

Currency codes and their digits come from CLDR through babel. CLDR's ``digits`` is meant
for everyday display and may differ from the ISO 4217 "minor unit" (CLDR-18008): in CLDR 49
HUF, IDR and COP have 0 digits where ISO 4217 says 2, and IQD has 0 where ISO says 3.
xborder follows CLDR, so that the amount a buyer is charged is the amount they are shown;
see docs/formatting.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from babel.core import get_global
from babel.numbers import list_currencies

from xborder.errors import (
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    UnknownCurrencyError,
)

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

__all__ = [
    "Money",
    "currency_digits",
    "is_currency",
    "to_decimal",
    "validate_currency",
]

#: Every currency code CLDR knows. Not the codes with an English display name: CLDR 49 has
#: XAD (the Caribbean guilder) without one.
_KNOWN: Final[frozenset[str]] = frozenset(list_currencies())
_FRACTIONS: Final[Mapping[str, tuple[int, int, int, int]]] = get_global("currency_fractions")
#: Significant digits of money arithmetic (Python's default, as xborder.rates.RATE_CONTEXT).
_PRECISION: Final = 28
_DEFAULT_FRACTION: Final = _FRACTIONS["DEFAULT"]


def is_currency(code: object) -> bool:
    """Return whether ``code`` is an ISO 4217 code CLDR knows (exact, upper case)."""
    return isinstance(code, str) and code in _KNOWN


def validate_currency(code: object, *, field: str = "currency") -> str:
    """Return ``code`` if CLDR knows it, else raise :class:`UnknownCurrencyError`."""
    if isinstance(code, str) and code in _KNOWN:
        return code
    raise UnknownCurrencyError(code, field=field)


@cache
def currency_digits(code: str) -> int:
    """Return the number of fraction digits CLDR uses for ``code`` (JPY 0, EUR 2, KWD 3).

    Unlike ``babel.numbers.get_currency_precision``, which answers 2 for any unknown code,
    this raises :class:`UnknownCurrencyError` for a code CLDR does not know.
    """
    validate_currency(code)
    return _FRACTIONS.get(code, _DEFAULT_FRACTION)[0]


class _TooManyDigitsError(InvalidAmountError, ArithmeticError):
    """An amount too long to round: an ArithmeticError too, as decimal's own error was."""


@cache
def _context(rounding: str) -> Context:
    """Return the decimal context of money rounding: fixed precision, never the caller's."""
    return Context(prec=_PRECISION, rounding=rounding, traps=[InvalidOperation])


@cache
def _quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-currency_digits(code))


def to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Turn ``value`` into a finite Decimal: str, int and Decimal are accepted, floats refused.

    Raises :class:`FloatAmountError` (a TypeError) for floats, :class:`InvalidAmountError`
    (a ValueError) for text that is not a number and for NaN or Infinity.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise InvalidAmountError(value, field=field, reason="a bool is not an amount")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise InvalidAmountError(value, field=field, reason="not a decimal number") from None
    elif isinstance(value, float):
        raise FloatAmountError(value, field=field)
    else:
        raise InvalidAmountError(
            value, field=field, reason=f"expected str, int or Decimal, got {type(value).__name__}"
        )
    if not result.is_finite():
        raise InvalidAmountError(value, field=field, reason="must be a finite number")
    return result


class Money:
    """An immutable amount of money in one currency.

    >>> Money("24.00", "USD") + Money("1.5", "USD")
    Money('25.50', 'USD')

    ``amount`` is a :class:`~decimal.Decimal` kept exactly as given (no rounding until
    :meth:`quantize`); negatives are allowed. Floats are refused with a :class:`TypeError`.
    Arithmetic and ordering across currencies raise :class:`CurrencyMismatchError`;
    equality across currencies is simply ``False``.
    """

    __slots__ = ("_amount", "_currency")

    _amount: Decimal
    _currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        object.__setattr__(self, "_amount", to_decimal(amount))
        object.__setattr__(self, "_currency", validate_currency(currency))

    @classmethod
    def _trusted(cls, amount: Decimal, currency: str) -> Money:
        """Build without validation, for values already known to be valid (hot paths)."""
        self = object.__new__(cls)
        object.__setattr__(self, "_amount", amount)
        object.__setattr__(self, "_currency", currency)
        return self

    @property
    def amount(self) -> Decimal:
        """The exact amount."""
        return self._amount

    @property
    def currency(self) -> str:
        """The ISO 4217 currency code."""
        return self._currency

    @property
    def digits(self) -> int:
        """Fraction digits of this currency per CLDR."""
        return currency_digits(self._currency)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Money is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Money is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Money, (self._amount, self._currency))

    # -- rounding -----------------------------------------------------------------------

    def quantize(self, rounding: str = ROUND_HALF_UP) -> Money:
        """Round to the currency's CLDR digits (JPY 0, EUR 2, KWD 3).

        ``rounding`` is a :mod:`decimal` rounding mode; the default, ``ROUND_HALF_UP``, is
        how shops round prices (10.005 → 10.01). The result is what the buyer is charged.
        """
        q = _quantum(self._currency)
        # In a fixed context, not the caller's: the same amount always rounds the same way
        # (an ambient precision of 4 would refuse EUR 1234567.891).
        try:
            amount = self._amount.quantize(q, context=_context(rounding))
        except InvalidOperation:
            raise _TooManyDigitsError(
                self._amount,
                reason=f"too many digits to round to {self._currency}'s "
                f"{currency_digits(self._currency)} decimals ({_PRECISION} significant digits)",
            ) from None
        return Money._trusted(amount, self._currency)

    def is_quantized(self) -> bool:
        """Return whether the amount already has no more digits than the currency allows."""
        exponent = self._amount.as_tuple().exponent
        return isinstance(exponent, int) and -exponent <= currency_digits(self._currency)

    # -- formatting ---------------------------------------------------------------------

    def format(self, locale: str) -> str:
        """Format for display in ``locale``; see :func:`xborder.format_price`."""
        from xborder.localize.formatting import format_price

        return format_price(self, locale)

    # -- arithmetic ---------------------------------------------------------------------

    def _same(self, other: Money, operation: str) -> None:
        if other._currency != self._currency:
            raise CurrencyMismatchError(self._currency, other._currency, operation)

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return Money._trusted(self._amount + other._amount, self._currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return Money._trusted(self._amount - other._amount, self._currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, float):
            raise FloatAmountError(factor, field="factor")
        if isinstance(factor, bool) or not isinstance(factor, (Decimal, int)):
            return NotImplemented
        if isinstance(factor, Decimal) and not factor.is_finite():
            raise InvalidAmountError(factor, field="factor", reason="must be a finite number")
        return Money._trusted(self._amount * factor, self._currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money._trusted(-self._amount, self._currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._trusted(abs(self._amount), self._currency)

    def __bool__(self) -> bool:
        return bool(self._amount)

    # -- comparison ---------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._currency == other._currency and self._amount == other._amount

    def __hash__(self) -> int:
        return hash((self._amount, self._currency))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self._amount < other._amount

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self._amount <= other._amount

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self._amount > other._amount

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self._amount >= other._amount

    # -- text ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"Money({str(self._amount)!r}, {self._currency!r})"

    def __str__(self) -> str:
        return f"{self._amount} {self._currency}"

    # -- pydantic -----------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source_type: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Accept a Money, ``{"amount": ..., "currency": ...}`` or ``"24.00 USD"``."""
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            _coerce_money,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _dump_money, when_used="json-unless-none"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Describe Money in JSON Schema as an object with a decimal string and a code."""
        return {
            "type": "object",
            "properties": {
                "amount": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
                "currency": {"type": "string", "pattern": r"^[A-Z]{3}$"},
            },
            "required": ["amount", "currency"],
            "additionalProperties": False,
        }


def _dump_money(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency}


def _coerce_money(value: object) -> Money:
    # pydantic only turns ValueError into a ValidationError with the field's path, so the
    # float refusal (a TypeError outside pydantic) is re-raised as a ValueError here.
    try:
        return _coerce_money_strict(value)
    except FloatAmountError as exc:
        raise ValueError(str(exc)) from None


def _coerce_money_strict(value: object) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, dict):
        unknown = set(value) - {"amount", "currency"}
        if unknown:
            raise ValueError(f"unexpected keys {sorted(unknown)!r}; expected amount and currency")
        if "amount" not in value or "currency" not in value:
            raise ValueError(f"expected both amount and currency, got {value!r}")
        return Money(value["amount"], value["currency"])
    if isinstance(value, str):
        parts = value.split()
        if len(parts) == 2:
            return Money(parts[0], parts[1])
        raise ValueError(f"expected '<amount> <CUR>' such as '24.00 USD', got {value!r}")
    if isinstance(value, float) and not math.isnan(value):
        raise FloatAmountError(value)
    raise ValueError(f"expected Money, a mapping or '<amount> <CUR>', got {value!r}")
