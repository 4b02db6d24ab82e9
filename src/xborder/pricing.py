"""Pricing: from a home price to the price a buyer abroad sees, one recorded step at a time.

:func:`quote` is pure and deterministic: the same price, market, rates, policy and date give
the same :class:`PriceQuote`, whose ``steps`` show every amount on the way (conversion, FX
buffer, markup, fixed fee, tax, rounding, ending, floor, override). The order is::

    home price (+ fixed fee when it is in the home currency)
      → converted at the dated rate
      → × (1 + FX buffer %)   → × (1 + markup %)   (+ fixed fee in the target currency)
      → × (1 + VAT %) when the market shows prices tax-inclusive
      → rounded half-up to the currency's digits → price ending → floor → override
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation, Overflow, localcontext
from functools import cache
from types import MappingProxyType
from typing import Final, Literal

from xborder.errors import InvalidAmountError, PricingError
from xborder.markets import Market
from xborder.money import Money, currency_digits, to_decimal, validate_currency
from xborder.rates import RATE_CONTEXT, ExchangeRate, RateSource

__all__ = [
    "Ending",
    "PriceQuote",
    "PriceStep",
    "PricingPolicy",
    "StepKind",
    "policy_floor",
    "quote",
]

StepKind = Literal[
    "source",
    "fixed_fee",
    "converted",
    "fx_buffer",
    "markup",
    "tax",
    "rounded",
    "ending",
    "floor",
    "override",
]

_HUNDRED: Final = Decimal(100)
_ONE: Final = Decimal(1)

_PRESETS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        ".99": ("1", "-0.01"),
        ".95": ("1", "-0.05"),
        ".90": ("1", "-0.10"),
        ".00": ("1", "0"),
        "whole": ("1", "0"),
        "0.10": ("0.10", "0"),
        "10": ("10", "0"),
        "100": ("100", "0"),
        "1000": ("1000", "0"),
        "x99": ("100", "-1"),
        "x990": ("1000", "-10"),
    }
)


@dataclass(frozen=True, slots=True)
class Ending:
    """A price ending: prices land on ``k × step + offset`` for a whole number ``k``.

    ``Ending(step=Decimal(1), offset=Decimal("-0.01"))`` makes every price end in .99;
    ``Ending(step=Decimal(100))`` rounds JPY to whole hundreds. ``direction="up"`` picks the
    smallest such price at or above the amount (the buyer never pays less than the policy
    computed); ``"nearest"`` picks the closest one (ties go up). Prices never drop to zero or
    below: the next step up is taken instead. Use :meth:`of` for the common presets.
    """

    step: Decimal
    offset: Decimal = Decimal(0)
    direction: Literal["up", "nearest"] = "up"

    def __post_init__(self) -> None:
        step = to_decimal(self.step, field="ending.step")
        offset = to_decimal(self.offset, field="ending.offset")
        if step <= 0:
            raise PricingError(f"ending.step: must be greater than zero, got {step}")
        if not -step < offset <= 0:
            raise PricingError(
                f"ending.offset: must be in (-step, 0], got {offset} with step {step}"
            )
        if self.direction not in ("up", "nearest"):
            raise PricingError(f"ending.direction: 'up' or 'nearest', got {self.direction!r}")
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "offset", offset)

    @classmethod
    def of(cls, spec: str, *, direction: Literal["up", "nearest"] = "up") -> Ending:
        """Build a preset ending by name.

        Presets: ``".99"``, ``".95"``, ``".90"``, ``".00"``/``"whole"``, ``"0.10"``, ``"10"``,
        ``"100"``, ``"1000"`` (zero-digit currencies such as JPY, KRW, HUF), ``"x99"`` (…99 in
        whole units: ¥1,299) and ``"x990"`` (…990).
        """
        try:
            step, offset = _PRESETS[spec]
        except KeyError:
            known = ", ".join(repr(k) for k in _PRESETS)
            raise PricingError(f"ending: unknown preset {spec!r}; known: {known}") from None
        return cls(Decimal(step), Decimal(offset), direction)

    def check(self, currency: str) -> None:
        """Raise :class:`PricingError` if this ending needs finer digits than ``currency`` has."""
        digits = currency_digits(currency)
        for name, value in (("step", self.step), ("offset", self.offset)):
            if value != value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):
                raise PricingError(
                    f"endings[{currency!r}]: {name} {value} needs more than the {digits} "
                    f"fraction digits {currency} has"
                )

    def apply(self, amount: Decimal) -> Decimal:
        """Return ``amount`` moved onto this ending (see the class docstring)."""
        return self._apply(amount, self.direction)

    def ceil(self, amount: Decimal) -> Decimal:
        """Return the smallest price on this ending at or above ``amount`` (any direction)."""
        return self._apply(amount, "up")

    def _apply(self, amount: Decimal, direction: str) -> Decimal:
        step, offset = self.step, self.offset
        k = ((amount - offset) / step).to_integral_value(rounding=ROUND_CEILING)
        up = k * step + offset
        if direction == "nearest":
            down = up - step
            if down > 0 and amount - down < up - amount:
                up = down
        while up <= 0:
            up += step
        return up


def _decimal_map(
    values: Mapping[str, Decimal | int | str], name: str, key_check: str
) -> Mapping[str, Decimal]:
    out: dict[str, Decimal] = {}
    for key, value in values.items():
        if key_check == "country":
            from xborder.markets import is_country

            if not is_country(key):
                raise PricingError(f"{name}: {key!r} is not a country code such as 'DE'")
        out[key] = to_decimal(value, field=f"{name}[{key!r}]")
    return MappingProxyType(out)


OverrideKey = str | tuple[str, str]


@dataclass(frozen=True, slots=True)
class PricingPolicy:
    """How a home price becomes a foreign price. Immutable; checked when built.

    - ``markup_percent``, ``fx_buffer_percent``: percentages (``Decimal("10")`` = 10 %).
    - ``fixed_fee``: added in its own currency: before conversion when it is in the home
      currency, after conversion when it is in the target currency (other currencies are
      converted at the same date's rate).
    - ``include_tax``: add the market's VAT when the market shows prices tax-inclusive;
      ``vat_overrides`` (country → percent) replaces the shipped rate.
    - ``endings``: currency → :class:`Ending` or preset name (``{"EUR": ".99", "JPY": "100"}``).
    - ``min_prices``: currency → the lowest price allowed in that currency.
    - ``min_margin_percent``: the price net of tax must exceed the listing's cost (converted at
      the same rate) by at least this much.
    - ``overrides``: a fixed final price per market (``"DE"``) or per SKU and market
      (``("MUG-01", "DE")``). An override below that currency's ``min_prices`` is refused here.
    """

    markup_percent: Decimal = Decimal(0)
    fx_buffer_percent: Decimal = Decimal(0)
    fixed_fee: Money | None = None
    include_tax: bool = True
    vat_overrides: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    endings: Mapping[str, Ending | str] = field(default_factory=lambda: MappingProxyType({}))
    min_prices: Mapping[str, Money] = field(default_factory=lambda: MappingProxyType({}))
    min_margin_percent: Decimal | None = None
    overrides: Mapping[OverrideKey, Money] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "markup_percent", self._percent(self.markup_percent, "markup_percent"))
        buffer = self._percent(self.fx_buffer_percent, "fx_buffer_percent")
        setattr_(self, "fx_buffer_percent", buffer)
        if self.min_margin_percent is not None:
            margin = self._percent(self.min_margin_percent, "min_margin_percent")
            setattr_(self, "min_margin_percent", margin)
        if self.fixed_fee is not None and not isinstance(self.fixed_fee, Money):
            raise PricingError(f"fixed_fee: expected Money, got {self.fixed_fee!r}")
        setattr_(
            self, "vat_overrides", _decimal_map(self.vat_overrides, "vat_overrides", "country")
        )
        for country, rate in self.vat_overrides.items():
            if not 0 <= rate < 100:
                raise PricingError(f"vat_overrides[{country!r}]: {rate} is not a percentage")
        setattr_(self, "endings", self._endings(self.endings))
        setattr_(self, "min_prices", self._min_prices(self.min_prices))
        setattr_(self, "overrides", self._overrides(self.overrides))

    def ending_for(self, currency: str) -> Ending | None:
        """Return the :class:`Ending` for ``currency`` (``None``: prices keep their digits)."""
        ending = self.endings.get(currency)
        # __post_init__ replaced every preset name by its Ending.
        return ending if isinstance(ending, Ending) else None

    @staticmethod
    def _percent(value: object, name: str) -> Decimal:
        result = to_decimal(value, field=name)
        if result <= -100:
            raise PricingError(f"{name}: {result} would make prices zero or negative")
        return result

    @staticmethod
    def _endings(values: Mapping[str, Ending | str]) -> Mapping[str, Ending | str]:
        out: dict[str, Ending] = {}
        for currency, ending in values.items():
            validate_currency(currency, field=f"endings[{currency!r}]")
            built = Ending.of(ending) if isinstance(ending, str) else ending
            if not isinstance(built, Ending):
                raise PricingError(
                    f"endings[{currency!r}]: expected Ending or preset, got {ending!r}"
                )
            built.check(currency)
            out[currency] = built
        return MappingProxyType(out)

    @staticmethod
    def _min_prices(values: Mapping[str, Money]) -> Mapping[str, Money]:
        out: dict[str, Money] = {}
        for currency, floor in values.items():
            if not isinstance(floor, Money) or floor.currency != currency:
                raise PricingError(
                    f"min_prices[{currency!r}]: expected Money in {currency}, got {floor!r}"
                )
            if not floor.is_quantized():
                # The floor becomes the price charged: it must be a price the buyer can pay.
                raise PricingError(
                    f"min_prices[{currency!r}]: {floor} has more digits than {currency} allows"
                )
            out[currency] = floor
        return MappingProxyType(out)

    def _overrides(self, values: Mapping[OverrideKey, Money]) -> Mapping[OverrideKey, Money]:
        from xborder.markets import is_country

        out: dict[OverrideKey, Money] = {}
        for key, price in values.items():
            country = key[1] if isinstance(key, tuple) else key
            if not is_country(country):
                raise PricingError(f"overrides[{key!r}]: {country!r} is not a country code")
            if not isinstance(price, Money) or price.amount <= 0:
                raise PricingError(f"overrides[{key!r}]: expected a positive Money, got {price!r}")
            if not price.is_quantized():
                raise PricingError(
                    f"overrides[{key!r}]: {price} has more digits than {price.currency} allows"
                )
            floor = self.min_prices.get(price.currency)
            if floor is not None and price < floor:
                raise PricingError(
                    f"overrides[{key!r}]: the override for market {country} is {price}, "
                    f"below the minimum price {floor}"
                )
            out[key] = price
        return MappingProxyType(out)


@dataclass(frozen=True, slots=True)
class PriceStep:
    """One step of a quote: what was done and the running amount after it."""

    kind: StepKind
    amount: Money
    detail: str


# One recorded step: kind, running amount, currency, and the detail as a format template with
# its arguments. Steps are recorded this way and only turned into PriceStep objects (with
# their text) when read: quoting is on the hot path of every sync, reading steps is not.
_Trace = tuple[tuple[StepKind, Decimal, str, str, tuple[object, ...]], ...]


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """The price for one market, with the rate used and every step that led to it.

    ``price`` is quantized to the currency's digits: it is what the buyer is charged.
    ``rate`` is ``None`` when no conversion was needed. ``steps`` lists every step in order
    (see the module docstring).
    """

    price: Money
    source: Money
    market: str
    on: date
    rate: ExchangeRate | None
    vat_rate: Decimal | None
    tax_included: bool
    trace: _Trace = field(repr=False)

    @property
    def steps(self) -> tuple[PriceStep, ...]:
        """Every step with its running amount and a description, in order."""
        return tuple(
            PriceStep(kind, Money._trusted(amount, currency), template.format(*args))
            for kind, amount, currency, template, args in self.trace
        )


def _market_of(market: Market | str, on: date) -> Market:
    return market if isinstance(market, Market) else Market.for_country(market, on=on)


def quote(
    price: Money,
    market: Market | str,
    *,
    rates: RateSource,
    policy: PricingPolicy | None = None,
    on: date | None = None,
    cost: Money | None = None,
    sku: str | None = None,
) -> PriceQuote:
    """Price ``price`` for ``market`` under ``policy`` with the rates in force ``on``.

    ``cost`` (the listing's cost, any currency) enables the policy's minimum margin; ``sku``
    selects per-SKU overrides. Raises :class:`PricingError` when the market shows prices
    tax-inclusive but its VAT rate is unknown and not overridden,
    :class:`~xborder.errors.InvalidAmountError` for an amount with more digits than 28
    significant digits can price, and the errors of :mod:`xborder.rates` when no rate is
    available. The arithmetic runs in :data:`xborder.rates.RATE_CONTEXT`, whatever decimal
    context the caller has set.
    """
    # Every step runs in the rates' fixed decimal context, not the caller's: the same inputs
    # always give the same quote (an ambient precision of 4 would price HUF 9995, not 9994).
    with localcontext(RATE_CONTEXT):
        try:
            return _quote(price, market, rates=rates, policy=policy, on=on, cost=cost, sku=sku)
        except (InvalidOperation, Overflow):
            raise InvalidAmountError(
                price.amount,
                field="price",
                reason="too many digits to price (28 significant digits)",
            ) from None


def _quote(
    price: Money,
    market: Market | str,
    *,
    rates: RateSource,
    policy: PricingPolicy | None,
    on: date | None,
    cost: Money | None,
    sku: str | None,
) -> PriceQuote:
    if not isinstance(price, Money):
        raise TypeError(f"price: expected Money, got {type(price).__name__}")
    policy = policy or _DEFAULT_POLICY
    if on is None:
        on = _today()
    target = _market_of(market, on)
    to = target.currency
    home = price.currency
    amount = price.amount
    trace: list[tuple[StepKind, Decimal, str, str, tuple[object, ...]]] = [
        ("source", amount, home, "home price", ())
    ]
    step = trace.append

    fee = policy.fixed_fee
    if fee is not None and fee.currency == home:
        amount += fee.amount
        step(("fixed_fee", amount, home, "+ {}", (fee,)))
        fee = None

    rate: ExchangeRate | None = None
    if home != to:
        rate = rates.rate(home, to, on=on)
        amount *= rate.value
        step(
            (
                "converted",
                amount,
                to,
                "× {0.value} ({0.base}→{0.quote}, {0.as_of}, {0.source})",
                (rate,),
            )
        )
        if policy.fx_buffer_percent:
            amount *= _ONE + policy.fx_buffer_percent / _HUNDRED
            step(("fx_buffer", amount, to, "+ {} %", (policy.fx_buffer_percent,)))
    if policy.markup_percent:
        amount *= _ONE + policy.markup_percent / _HUNDRED
        step(("markup", amount, to, "+ {} %", (policy.markup_percent,)))
    if fee is not None:
        fee_amount = fee.amount
        if fee.currency != to:
            fee_amount *= rates.rate(fee.currency, to, on=on).value
        amount += fee_amount
        step(("fixed_fee", amount, to, "+ {}", (fee,)))

    vat = _vat(policy, target)
    tax_factor = _ONE
    if vat is not None:
        tax_factor = _ONE + vat / _HUNDRED
        amount *= tax_factor
        step(("tax", amount, to, "+ {} % VAT ({})", (vat, target.country)))

    quantum = _quantum(to)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    step(("rounded", amount, to, "half-up to {}", (quantum,)))

    ending = policy.ending_for(to)
    if ending is not None:
        amount = ending.apply(amount)
        step(("ending", amount, to, "{0.direction} to k × {0.step} {0.offset:+}", (ending,)))

    if policy.min_prices or policy.min_margin_percent is not None:
        floor, why = _policy_floor(policy, to, cost, rates, on, tax_factor)
        if floor is not None and amount < floor:
            # Re-apply the ending upwards so the floored price still has the ending (and stays
            # at or above the floor whatever the ending's direction).
            amount = ending.ceil(floor) if ending is not None else floor
            step(("floor", amount, to, "{}", (why,)))

    if policy.overrides:
        override = policy.overrides.get((sku, target.country)) if sku is not None else None
        if override is None:
            override = policy.overrides.get(target.country)
        if override is not None:
            if override.currency != to:
                raise PricingError(
                    f"overrides[{target.country!r}]: {override} is not in {to}, the currency "
                    f"of market {target.country}"
                )
            amount = override.amount
            step(("override", amount, to, "fixed price for {}", (target.country,)))

    return PriceQuote(
        price=Money._trusted(amount, to),
        source=price,
        market=target.country,
        on=on,
        rate=rate,
        vat_rate=vat,
        tax_included=vat is not None,
        trace=tuple(trace),
    )


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_digits(currency))


def _today() -> date:
    from xborder.clock import today

    return today()


def _vat(policy: PricingPolicy, market: Market) -> Decimal | None:
    if not policy.include_tax or market.prices_include_tax is not True:
        return None
    vat = policy.vat_overrides.get(market.country, market.vat_rate)
    if vat is None:
        raise PricingError(
            f"market {market.country} shows prices tax-inclusive but its VAT rate is unknown; "
            f"set PricingPolicy(vat_overrides={{{market.country!r}: ...}}) or include_tax=False"
        )
    return vat


def policy_floor(
    policy: PricingPolicy,
    currency: str,
    *,
    cost: Money | None = None,
    rates: RateSource,
    on: date,
    tax_factor: Decimal = _ONE,
) -> tuple[Decimal | None, str]:
    """Return the lowest price ``policy`` allows in ``currency``, and why; ``(None, "")`` if none.

    The floor is the higher of ``policy.min_prices[currency]`` and, with a
    ``min_margin_percent`` and a positive ``cost``, the minimum margin: ``cost`` converted at
    the rate for ``on`` (from ``rates``), times ``1 + min_margin_percent / 100``, times
    ``tax_factor`` (``1 + VAT / 100`` when the market's prices include tax), rounded up to the
    currency's digits. This is the floor step of :func:`quote`, for code that checks a price
    it did not quote itself (a sync job checking a price the marketplace confirmed earlier).
    """
    with localcontext(RATE_CONTEXT):  # as quote(): never the caller's decimal context
        return _policy_floor(policy, currency, cost, rates, on, tax_factor)


def _policy_floor(
    policy: PricingPolicy,
    currency: str,
    cost: Money | None,
    rates: RateSource,
    on: date,
    tax_factor: Decimal,
) -> tuple[Decimal | None, str]:
    floor: Decimal | None = None
    why = ""
    minimum = policy.min_prices.get(currency)
    if minimum is not None:
        floor, why = minimum.amount, f"minimum price {minimum}"
    if policy.min_margin_percent is not None and cost is not None and cost.amount > 0:
        cost_amount = cost.amount
        if cost.currency != currency:
            cost_amount *= rates.rate(cost.currency, currency, on=on).value
        net = cost_amount * (_ONE + policy.min_margin_percent / _HUNDRED)
        margin_floor = (net * tax_factor).quantize(_quantum(currency), rounding=ROUND_CEILING)
        if floor is None or margin_floor > floor:
            floor = margin_floor
            why = f"{policy.min_margin_percent} % margin over cost {cost}"
    return floor, why


_DEFAULT_POLICY: Final = PricingPolicy()
