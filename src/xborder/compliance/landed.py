"""Landed cost: what one unit costs delivered abroad, line by line, and who pays each line.

>>> from datetime import date
>>> from decimal import Decimal
>>> from xborder import Listing, Market, Money
>>> from xborder.compliance.landed import TableDutyRates, landed_cost
>>> mug = Listing(sku="MUG-01", title="Stoneware mug", price=Money("38.00", "USD"),
...               quantity=1, hs_code="691200", origin_country="US")
>>> cost = landed_cost(mug, Market.for_country("DE", on=date(2026, 7, 1)),
...                    price=Money("33.00", "EUR"), shipping=Money("12.00", "EUR"),
...                    duty_rates=TableDutyRates({"6912": Decimal("6")}, source="my tariff"))
>>> [line.kind for line in cost.lines]
['goods', 'shipping', 'flat_duty', 'import_vat']
>>> [str(line.amount) for line in cost.lines]
['33.00 EUR', '12.00 EUR', '3.00 EUR', '9.12 EUR']
>>> str(cost.total)
'57.12 EUR'

Every number comes from the market's dated facts (:mod:`xborder.markets`) through the shared
assessment of :mod:`xborder.compliance._lowvalue`: the duty and tax de minimis on the date and
for the goods' origin, the EU EUR 3 flat duty per tariff line (2026-07-01 to 2028-06-30,
consignments up to EUR 150), national parcel fees (FR, IT, RO), the point-of-sale schemes
(EU IOSS, UK, AU LVIG...). Customs duty otherwise comes from a :class:`DutyRateSource` the
caller supplies; without one the duty line is **unknown** (``amount=None``), never zero, and
``LandedCost.total`` is None while ``known_total`` adds the known lines. Amounts stay exact
Decimal and each line is rounded half-up to the currency's digits at the end only. See
docs/compliance-gpsr-epr-tax.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from importlib import resources
from typing import Any, Final, Literal, Protocol, runtime_checkable

from xborder.clock import today
from xborder.compliance._lowvalue import (
    Assessment,
    Collect,
    assess,
    default_rates,
    excerpt,
    fmt,
    on_tax_amount,
    to_currency,
    who_collects,
)
from xborder.errors import FieldError, InvalidAmountError, InvalidListingError, XborderError
from xborder.listing import Listing, Seller
from xborder.markets import Market, Period, is_country
from xborder.money import Money, to_decimal
from xborder.rates import RATE_CONTEXT, RateSource

__all__ = [
    "DutyRate",
    "DutyRateSource",
    "Incoterm",
    "LandedCost",
    "LandedCostLine",
    "LineKind",
    "Payer",
    "TableDutyRates",
    "landed_cost",
]

#: Who pays a line: the buyer at checkout, the buyer to the carrier at delivery, or the seller.
Payer = Literal["buyer_at_sale", "buyer_at_delivery", "seller"]
#: The kinds of line, in the order they appear.
LineKind = Literal[
    "goods", "shipping", "duty", "flat_duty", "import_vat", "vat_at_sale", "parcel_fee"
]
#: DAP: the buyer pays import charges at delivery; DDP: the seller pays them.
Incoterm = Literal["DAP", "DDP"]

_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class DutyRate:
    """An ad valorem customs duty rate in percent (``Decimal("6")`` = 6 %), with its source."""

    percent: Decimal
    source: str
    as_of: date

    def __post_init__(self) -> None:
        percent = to_decimal(self.percent, field="percent")
        if percent < 0:
            raise ValueError(f"percent: a duty rate cannot be negative, got {percent}")
        object.__setattr__(self, "percent", percent)


@runtime_checkable
class DutyRateSource(Protocol):
    """Anything that answers the duty rate for an HS code, origin and destination on a date."""

    def rate(
        self, hs_code: str, origin: str | None, destination: str, *, on: date
    ) -> DutyRate | None:
        """Return the rate, or None when the source has none (then duty is unknown)."""
        ...


class TableDutyRates:
    """Duty rates by HS prefix, as the caller looked them up (one trade lane).

    >>> table = TableDutyRates({"6912": Decimal("0"), "420221": "3"}, source="TARIC 2026")
    >>> table.rate("691200", "US", "DE", on=date(2026, 7, 1)).percent
    Decimal('0')

    The longest matching prefix wins; the same rates are used for every origin and
    destination (build one table per lane). ``as_of`` defaults to the date asked for.
    """

    def __init__(
        self, rates: Mapping[str, Decimal | int | str], *, source: str, as_of: date | None = None
    ) -> None:
        table: dict[str, Decimal] = {}
        for prefix, value in rates.items():
            digits = prefix.replace(".", "").replace(" ", "")
            if not (digits.isascii() and digits.isdigit() and 2 <= len(digits) <= 10):
                raise ValueError(f"HS prefix {prefix!r}: use 2 to 10 digits")
            table[digits] = DutyRate(to_decimal(value), source, date.min).percent
        if not source.strip():
            raise ValueError("source: name where the rates come from")
        self._table = table
        self.source = source
        self.as_of = as_of

    def rate(
        self, hs_code: str, origin: str | None, destination: str, *, on: date
    ) -> DutyRate | None:
        """Return the rate of the longest HS prefix in the table matching ``hs_code``."""
        digits = hs_code.replace(".", "").replace(" ", "")
        for size in range(len(digits), 1, -1):
            if digits[:size] in self._table:
                source = f"{self.source} (HS {digits[:size]})"
                return DutyRate(self._table[digits[:size]], source, self.as_of or on)
        return None

    def __repr__(self) -> str:
        return f"TableDutyRates({len(self._table)} prefixes, source={self.source!r})"


@dataclass(frozen=True, slots=True)
class LandedCostLine:
    """One line of a landed cost: ``amount`` None means unknown (never read as zero).

    ``basis`` says in words how the amount was found; ``source`` the URL(s) or name of the
    rate or fact used; ``effective_from`` the first day of the dated fact behind it;
    ``mandatory`` False for lines a total may leave out.
    """

    kind: LineKind
    amount: Money | None
    payer: Payer
    basis: str
    source: str | tuple[str, ...]
    effective_from: date | None = None
    mandatory: bool = True


@dataclass(frozen=True, slots=True)
class LandedCost:
    """The landed cost of one unit in one market on one date.

    ``total`` is None when a mandatory line is unknown; ``known_total`` adds the known lines.
    """

    lines: tuple[LandedCostLine, ...]
    total: Money | None
    known_total: Money
    currency: str
    on: date
    incoterm: Incoterm
    notes: tuple[str, ...] = field(default=())

    def line(self, kind: LineKind) -> LandedCostLine | None:
        """Return the line of ``kind``, or None when there is none."""
        return next((line for line in self.lines if line.kind == kind), None)

    def paid_by(self, payer: Payer) -> Money | None:
        """Return what ``payer`` pays (None when one of its mandatory lines is unknown)."""
        lines = [line for line in self.lines if line.payer == payer]
        if any(line.amount is None and line.mandatory for line in lines):
            return None
        return _sum([line.amount for line in lines if line.amount is not None], self.currency)

    @property
    def unknown(self) -> tuple[LineKind, ...]:
        """The kinds of the lines whose amount is unknown."""
        return tuple(line.kind for line in self.lines if line.amount is None)


def _sum(amounts: list[Money], currency: str) -> Money:
    total = Money(0, currency)
    for amount in amounts:
        total = total + amount
    return total.quantize()


@cache
def _eu_handling_fee() -> str | None:
    # The EU handling fee is not a dated fact yet (amount and start unverified): quote the facts.
    text = resources.files("xborder").joinpath("data/facts/markets.json").read_text("utf-8")
    for market in json.loads(text):
        if market.get("country") == "EU":
            for fee in market.get("handling_fees") or ():
                if fee.get("level") == "EU":
                    return f"{fee['fee']} Status: {fee.get('status')}."
    return None


def landed_cost(
    listing: Listing,
    market: Market | str,
    *,
    price: Money | None = None,
    shipping: Money | None = None,
    on: date | None = None,
    duty_rates: DutyRateSource | None = None,
    seller: Seller | None = None,
    rates: RateSource | None = None,
    incoterm: Incoterm = "DAP",
    marketplace: bool = False,
) -> LandedCost:
    """Return the landed cost of one unit of ``listing`` delivered in ``market`` on ``on``.

    Args:
        listing: the product; its ``price`` (seller's currency), ``hs_code`` and
            ``origin_country`` are used.
        market: the destination, a Market or a country code (its currency is the currency
            of every line).
        price: the goods value as quoted to the buyer, before import VAT (a tax-inclusive
            quote must have its VAT taken out first); default: the listing's price converted.
        shipping: what the buyer pays for delivery; None = unknown (then the VAT base and, in
            the EU, the customs value are unknown too). ``Money("0", ...)`` for free shipping.
        on: the date (default: the market's date, else today).
        duty_rates: where customs duty rates come from; None = duty unknown unless de minimis
            or the EU flat duty decides it.
        seller: who ships (``country`` decides import vs domestic/intra-EU; ``ioss_number``
            and ``vat_registrations`` decide VAT at sale). None = unknown: an import with no
            registrations is assumed (nothing is relaxed).
        rates: converts currencies (default ``xborder.rates.bundled(max_age=None)``, one
            source shared by every call).
        incoterm: ``"DAP"`` (the buyer pays import charges at delivery) or ``"DDP"`` (the
            seller pays them).
        marketplace: True when an online marketplace sells it as deemed supplier of VAT.

    The arithmetic runs in :data:`xborder.rates.RATE_CONTEXT`, whatever decimal context the
    caller has set.

    Raises:
        ValueError: for an incoterm other than DAP or DDP.
        InvalidListingError: a listing or seller field landed cost reads holds a value of the
            wrong kind (a ``price`` that is not Money, an ``hs_code`` that is not text, a
            seller ``country`` that is not a country code...); ``errors`` names each field.
        TypeError: ``price`` or ``shipping`` is neither Money nor None.
        InvalidAmountError: an amount too large to compute with (beyond 28 digits).
    """
    if incoterm not in ("DAP", "DDP"):
        raise ValueError(f"incoterm: expected 'DAP' or 'DDP', got {incoterm!r}")
    for name, value in (("price", price), ("shipping", shipping)):
        if value is not None and not isinstance(value, Money):
            raise TypeError(f"{name}: expected Money or None, got {type(value).__name__}")
    _check_inputs(listing, seller, price_given=price is not None)
    if isinstance(market, str):
        market = Market.for_country(market, on=on)
    day = on or market.on or today()
    if market.on != day:
        market = Market.for_country(market.country, on=day, currency=market.currency)
    builder = _Builder(listing, market, day, rates or default_rates(), incoterm)
    try:
        # Every sum, product and conversion in the rates' fixed decimal context, never the
        # caller's: the same inputs always give the same amounts (an ambient precision of 4
        # would make USD 12.34 at 17.5341 come to MXN 216.40, not 216.37).
        with localcontext(RATE_CONTEXT):
            return builder.build(price, shipping, duty_rates, seller, marketplace)
    except ArithmeticError:  # an amount beyond the decimal precision (e.g. 1E+30)
        given = [("price", price or listing.price), ("shipping", shipping)]
        field, value = max(
            ((name, money) for name, money in given if money is not None),
            key=lambda item: item[1].amount.adjusted(),
        )
        reason = f"too large to work out a landed cost in {market.currency}"
        raise InvalidAmountError(value.amount, field=field, reason=reason) from None


def _check_inputs(listing: object, seller: object, *, price_given: bool) -> None:
    """Raise InvalidListingError naming every field landed cost reads that has a wrong kind.

    Only the kinds are checked (a valid :class:`Listing` and :class:`Seller` always pass): a
    listing built with ``model_construct`` may hold anything.
    """
    errors = []

    def bad(path: str, value: object, expected: str) -> None:
        try:
            repr(value)
        except Exception:  # the error's message shows the value: keep one that prints
            value = f"<{type(value).__name__}>"
        errors.append(FieldError(path, value, f"expected {expected}"))

    if not price_given and not isinstance(getattr(listing, "price", None), Money):
        bad("price", getattr(listing, "price", None), "an amount of Money")
    for name in ("hs_code", "origin_country"):
        value = getattr(listing, name, None)
        if value is not None and not isinstance(value, str):
            bad(name, value, "text or None")
    if seller is not None:
        country = getattr(seller, "country", None)
        if not is_country(country):
            bad("seller.country", country, "an ISO 3166-1 alpha-2 country code")
        number = getattr(seller, "ioss_number", None)
        if number is not None and not isinstance(number, str):
            bad("seller.ioss_number", number, "text or None")
        registrations = getattr(seller, "vat_registrations", None)
        if registrations is not None and not isinstance(registrations, Mapping):
            bad("seller.vat_registrations", registrations, "a mapping of country code to text")
    if errors:
        raise InvalidListingError(errors)


class _Builder:
    def __init__(
        self, listing: Listing, market: Market, on: date, rates: RateSource, incoterm: Incoterm
    ) -> None:
        self.listing, self.market, self.on, self.rates = listing, market, on, rates
        # Read with getattr: a listing built with model_construct may lack a field.
        self.hs_code: str | None = getattr(listing, "hs_code", None)
        self.origin: str | None = getattr(listing, "origin_country", None)
        self.currency = market.currency
        self.import_payer: Payer = "seller" if incoterm == "DDP" else "buyer_at_delivery"
        self.incoterm = incoterm
        self.lines: list[LandedCostLine] = []
        self.notes: list[str] = ["One unit per consignment is assumed."]

    def add(
        self,
        kind: LineKind,
        amount: Money | None,
        payer: Payer,
        basis: str,
        source: str | tuple[str, ...] = (),
        period: Period[Any] | None = None,
    ) -> Money | None:
        start = period.effective_from if period is not None else None
        if period is not None and not source:
            source = period.source
        self.lines.append(LandedCostLine(kind, amount, payer, basis, source, start))
        return amount

    def money(self, value: Money | None, what: str) -> tuple[Money | None, str, str]:
        """Return (value in the market currency, basis, source) for ``value``."""
        if value is None or value.currency == self.currency:
            return value, "as given", "caller"
        try:
            rate = self.rates.rate(value.currency, self.currency, on=self.on)
        except XborderError as exc:
            return None, f"{what} in {value.currency} could not be converted: {exc}", ""
        converted = Money(value.amount * rate.value, self.currency)
        shown = f"1 {rate.base} = {rate.value:.6g} {rate.quote} as of {rate.as_of}"
        return converted, f"{fmt(value)} at {shown}", rate.source

    def build(
        self,
        price: Money | None,
        shipping: Money | None,
        duty_rates: DutyRateSource | None,
        seller: Seller | None,
        marketplace: bool,
    ) -> LandedCost:
        listing = self.listing
        goods, basis, source = self.money(price or listing.price, "the price")
        self.add("goods", goods, "buyer_at_sale", f"goods value: {basis}", source)
        if shipping is None:
            ship: Money | None = None
            self.add("shipping", None, "buyer_at_sale", "not given: pass shipping=", "caller")
        else:
            ship, basis, source = self.money(shipping, "shipping")
            self.add("shipping", ship, "buyer_at_sale", f"delivery charge: {basis}", source)
        found = assess(
            self.market,
            # The price as given, as check() reads it: a threshold in its currency is met
            # exactly (USD 150 converted to KRW and back can come out a hair above USD 150).
            price or listing.price,
            origin=self.origin,
            ship_from=seller.country if seller is not None else None,
            rates=self.rates,
            shipping=ship,
        )
        if found.imported is False:
            self.notes.append(
                "No import: the parcel ships within the country or within the EU, so there is "
                "no customs duty or import VAT; VAT on the sale itself is not included."
            )
            return self.finish()
        if found.imported is None:
            self.notes.append("No seller was given: the parcel is taken to be imported.")
        who = who_collects(found, seller, marketplace=marketplace)
        duty = self.duty(found, goods, ship, duty_rates, who)
        self.vat(found, who, goods, ship, duty)
        self.parcel_fee(found, who)
        if self.market.eu_member and (fee := _eu_handling_fee()):
            self.notes.append(f"Not included: {fee}")
        self.notes.append("Not included: carriers' own clearance or handling fees.")
        return self.finish()

    def duty(
        self,
        found: Assessment,
        goods: Money | None,
        ship: Money | None,
        duty_rates: DutyRateSource | None,
        who: Collect,
    ) -> Money | None:
        flat, dm = found.flat_duty, found.duty
        payer = self.import_payer
        period = flat.period
        if period is not None and period.value and period.currency:
            per_line = Money(period.value, period.currency)
            rule = f"{fmt(per_line)} per distinct tariff line, consignments {flat.threshold}"
            self.notes.extend(f"Unverified (flat duty): {u}." for u in found.unverified(flat.fact))
            if flat.within is None:
                return self.add("flat_duty", None, payer, f"{rule}: {flat.reason}", (), period)
            if flat.within:
                amount = to_currency(per_line, self.currency, self.rates, self.on)
                basis = f"{rule}; one line (HS {self.hs_code or 'unknown'}) replaces "
                return self.add("flat_duty", amount, payer, basis + "the tariff rate", (), period)
        dm_period = dm.period
        on_value = bool(dm_period and dm_period.value and not on_tax_amount(dm_period))
        what = (
            "goods and shipping together"
            if dm.threshold is not None and dm.threshold.with_shipping
            else "goods"
        )
        if on_value and dm.within is None:
            # Whether the relief applies is unknown (SA: no shipping given): never assumed.
            basis = f"unknown: customs duty relief on {what} {dm.threshold}: {dm.reason}"
            return self.add("duty", None, payer, basis, (), dm_period)
        scheme = found.plan.duty_scheme
        relieved = bool(on_value and dm.within)
        if relieved and scheme is not None and who.at_sale is not True:
            # NO: the relief is for sales under VOEC only; other parcels pay from the first unit.
            if who.at_sale is None:
                basis = (
                    f"unknown: customs duty relief on goods {dm.threshold} only for sales "
                    f"under {scheme}, and whether this one is: {who.why}"
                )
                return self.add("duty", None, payer, basis, (), dm_period)
            self.notes.append(
                f"No duty de minimis: the relief on goods {dm.threshold} is only for sales "
                f"under {scheme}, and this one is not ({who.why})."
            )
            relieved = False
        if dm_period is not None and relieved:
            basis = f"no customs duty on {what} {dm.threshold} (de minimis): "
            self.notes.append(f"Duty de minimis conditions: {excerpt(dm_period.notes)}")
            return self.add(
                "duty", Money(0, self.currency), payer, basis + "relieved", (), dm_period
            )
        relief_unknown = dm_period is None or dm_period.value is None
        if relief_unknown:
            self.notes.append(f"Duty de minimis unknown: {dm.reason}.")
        hs = self.hs_code
        if hs is None or duty_rates is None:
            why = "no HS code on the listing" if hs is None else "no duty_rates given"
            return self.add("duty", None, payer, f"unknown: {why}", "caller", dm_period)
        rate = duty_rates.rate(hs, self.origin, self.market.country, on=self.on)
        if rate is None:
            return self.add("duty", None, payer, f"unknown: no rate for HS {hs}", "caller")
        if relief_unknown and rate.percent:
            # Unknown is not "none": whether a relief takes the duty to zero is unknown, so
            # the duty is too (the tariff rate alone would assume there is no relief).
            basis = (
                f"unknown: {rate.percent}% of the customs value unless a duty de minimis "
                f"relieves it, and that is unknown ({dm.reason})"
            )
            return self.add("duty", None, payer, basis, rate.source, dm_period)
        # The EU customs value includes transport to the border; so does the value where the
        # facts set the de minimis on goods and shipping together (MY "CIF", SA "goods +
        # shipping"). Elsewhere the goods value.
        cif = self.market.eu_member or (dm.threshold is not None and dm.threshold.with_shipping)
        parts = [goods, ship] if cif else [goods]
        what = "goods + shipping (CIF)" if cif else "goods value"
        base = _add(parts, self.currency)
        amount = base * (rate.percent / _HUNDRED) if base is not None else None
        basis = f"{rate.percent}% of the customs value ({what}), rate as of {rate.as_of}"
        return self.add("duty", amount, payer, basis, rate.source)

    def vat(
        self,
        found: Assessment,
        who: Collect,
        goods: Money | None,
        ship: Money | None,
        duty: Money | None,
    ) -> None:
        rate = self.market.vat_rate
        collection = found.collection.period
        shown = f"{rate}%" if rate is not None else "the rate (unknown: the facts give none)"
        # Charged at sale when the seller or the marketplace collects it, whatever the
        # scheme's limit is (CH: a seller registered under the mail-order rule sells as a
        # domestic supplier, and the CHF 5 waiver is not for it); unknown only where the
        # scheme has an order-value limit to decide it.
        if who.at_sale or (who.at_sale is None and found.collection.threshold is not None):
            base = _add([goods, ship], self.currency)
            amount = _percent(base, rate) if who.at_sale else None
            basis = f"{shown} of goods + shipping, charged at sale: {who.why}"
            self.add("vat_at_sale", amount, "buyer_at_sale", basis, (), collection)
            return
        st = found.tax
        period = st.period
        if rate == 0:  # a known rate of 0 (HK): nothing to charge, whatever the de minimis
            what = "no import VAT/GST: the facts give a VAT/GST rate of 0%"
            self.add("import_vat", Money(0, self.currency), self.import_payer, what, (), period)
            return
        base = _add([goods, ship, duty], self.currency)
        vat = _percent(base, rate)
        what = f"{rate}% of goods + shipping + duty (import VAT base)"
        if period is None or period.value is None or st.threshold is None:
            self.add("import_vat", None, self.import_payer, f"unknown: {st.reason}", (), period)
        elif on_tax_amount(period):
            limit = to_currency(st.threshold.money, self.currency, self.rates, self.on)
            if vat is not None and limit is not None and vat <= limit:
                vat, what = Money(0, self.currency), f"not levied: tax due is {st.threshold}"
            self.add("import_vat", vat, self.import_payer, what, (), period)
        elif period.value and st.within:
            basis = f"no import VAT/GST on goods {st.threshold} (tax de minimis)"
            self.add("import_vat", Money(0, self.currency), self.import_payer, basis, (), period)
        elif period.value and st.within is None:
            self.add("import_vat", None, self.import_payer, f"unknown: {st.reason}", (), period)
        else:
            if rate is None:
                what = f"unknown: the facts give no VAT/GST rate ({excerpt(period.notes, 160)})"
            elif who.why and found.collection.within:
                what += f"; not charged at sale: {who.why}"
            self.add("import_vat", vat, self.import_payer, what, (), period)

    def parcel_fee(self, found: Assessment, who: Collect) -> None:
        st = found.parcel_fee
        period = st.period
        if period is None:
            return
        payer: Payer = "seller" if who.at_sale or self.incoterm == "DDP" else "buyer_at_delivery"
        self.notes.extend(f"Unverified (parcel fee): {u}." for u in found.unverified(st.fact))
        notes = excerpt(period.notes, 200)
        if period.value is None or not period.currency:
            self.add("parcel_fee", None, payer, f"unknown: {notes}", (), period)
        elif st.within is None:
            self.add("parcel_fee", None, payer, f"unknown: {st.reason}", (), period)
        elif st.within:
            fee = to_currency(
                Money(period.value, period.currency), self.currency, self.rates, self.on
            )
            self.add("parcel_fee", fee, payer, notes, (), period)

    def finish(self) -> LandedCost:
        lines = tuple(
            line
            if line.amount is None
            else LandedCostLine(
                line.kind,
                line.amount.quantize(ROUND_HALF_UP),
                line.payer,
                line.basis,
                line.source,
                line.effective_from,
                line.mandatory,
            )
            for line in self.lines
        )
        known = _sum([line.amount for line in lines if line.amount is not None], self.currency)
        complete = all(line.amount is not None or not line.mandatory for line in lines)
        return LandedCost(
            lines=lines,
            total=known if complete else None,
            known_total=known,
            currency=self.currency,
            on=self.on,
            incoterm=self.incoterm,
            notes=tuple(dict.fromkeys(self.notes)),
        )


def _add(parts: list[Money | None], currency: str) -> Money | None:
    if any(part is None for part in parts):
        return None
    total = Money(0, currency)
    for part in parts:
        if part is not None:
            total = total + part
    return total


def _percent(base: Money | None, rate: Decimal | None) -> Money | None:
    if base is None or rate is None:
        return None
    return base * (rate / _HUNDRED)
