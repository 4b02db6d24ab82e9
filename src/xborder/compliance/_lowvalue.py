"""The low-value import assessment shared by the ``tax`` rule and landed cost.

Where one unit's goods value stands against a market's dated facts on a date: the duty and
tax de minimis, the point-of-sale collection scheme (EU IOSS, UK, AU LVIG, NO VOEC, ...), the
EU flat duty per tariff line and national parcel fees; and who charges VAT/GST on the order.
Every number comes from the facts (:mod:`xborder.markets`); a limit the facts do not give, or
a price that cannot be converted, is unknown (``None``), never zero. Private: the public faces
are :mod:`xborder.compliance.rules.tax` and :mod:`xborder.compliance.landed`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from xborder.clock import today
from xborder.errors import XborderError
from xborder.listing import Seller
from xborder.markets import Collection, Market, Period
from xborder.money import Money, is_currency
from xborder.rates import RateSource, convert

__all__ = [
    "Assessment",
    "Collect",
    "Standing",
    "Threshold",
    "assess",
    "excerpt",
    "fmt",
    "limit_in_notes",
    "on_tax_amount",
    "parse_threshold",
    "previous_period",
    "to_currency",
    "who_collects",
]

_AMOUNT: Final = re.compile(r"(?P<op><=|<|≤)?\s*(?P<cur>[A-Z]{3})\s*(?P<amt>\d[\d,]*(?:\.\d+)?)")
# A segment of a threshold text that is a registration or turnover test, not an order value.
_REGISTRATION: Final = re.compile(r"turnover|regist|annual|per year|12 months|sales to", re.I)
_CODE_ALIASES: Final = {"RMB": "CNY"}  # the facts write Chinese yuan as RMB


@dataclass(frozen=True, slots=True)
class Threshold:
    """A limit a value is compared with: ``value <= amount``, or ``value < amount`` if strict."""

    amount: Decimal
    currency: str
    strict: bool = False

    @property
    def money(self) -> Money:
        """The limit as Money."""
        return Money(self.amount, self.currency)

    def admits(self, value: Money) -> bool:
        """Return whether ``value`` (in the threshold's currency) is within the limit."""
        if value.currency != self.currency:
            raise ValueError(f"compare in {self.currency}, got {value.currency}")
        return value.amount < self.amount if self.strict else value.amount <= self.amount

    def __str__(self) -> str:
        return ("under " if self.strict else "up to ") + fmt(self.money)


def _amounts(text: str) -> Iterator[tuple[str | None, str, Decimal]]:
    for match in _AMOUNT.finditer(text):
        code = _CODE_ALIASES.get(match["cur"], match["cur"])
        if is_currency(code):
            yield match["op"], code, Decimal(match["amt"].replace(",", ""))


def parse_threshold(text: str | None) -> Threshold | None:
    """Return the per-order limit in a collection scheme's ``threshold`` text, or None.

    >>> parse_threshold("< NOK 3,000 per item (not per invoice)")
    Threshold(amount=Decimal('3000'), currency='NOK', strict=True)
    >>> parse_threshold("CHF 100,000 annual turnover from small consignments") is None
    True

    Parts that are registration or turnover tests (``"registration at AUD 75,000"``) are
    skipped; None means the text gives no order-value limit xborder can compare with.
    """
    for segment in (text or "").split(";"):
        if not _REGISTRATION.search(segment):
            for op, code, amount in _amounts(segment):
                return Threshold(amount, code, op == "<")
    return None


def limit_in_notes(notes: str | None) -> Threshold | None:
    """Return the first comparison (``< EUR 150``, ``<= EUR 150``) written in a fact's notes."""
    for op, code, amount in _amounts(notes or ""):
        if op:
            return Threshold(amount, code, op == "<")
    return None


def _registration_text(text: str | None) -> str:
    return "; ".join(s.strip() for s in (text or "").split(";") if _REGISTRATION.search(s))


def fmt(money: Money) -> str:
    """Format an amount for a message: ``EUR 150``, ``USD 38.00``, ``NOK 3,000``."""
    amount = money.amount
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return f"{money.currency} {int(amount):,}"
    return f"{money.currency} {money.quantize().amount:,}"


def excerpt(text: str | None, limit: int = 240) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the goods value stands against one dated fact of a market on a date.

    ``period`` is the fact's period in force (None: none covers the date); ``threshold`` the
    limit read from it; ``value`` the goods value converted into the limit's currency;
    ``within`` True/False, or None when unknown; ``reason`` explains an unknown.
    """

    fact: str
    period: Period[Any] | None
    threshold: Threshold | None
    value: Money | None
    within: bool | None
    reason: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """The low-value import facts of one market on one date, against one goods value.

    ``imported`` is False for a domestic sale (shipped from the market's own country) or a
    sale inside the EU, None when the ship-from country is unknown (then treated as an
    import: nothing is relaxed). ``goods`` is the goods value in the market's currency (None
    when it cannot be converted).
    """

    market: Market
    on: date
    origin: str | None
    ship_from: str | None
    imported: bool | None
    goods: Money | None
    duty: Standing
    tax: Standing
    collection: Standing
    flat_duty: Standing
    parcel_fee: Standing

    def unverified(self, fact: str) -> tuple[str, ...]:
        """Return the facts' unverified notes for ``fact`` in this market."""
        facts = self.market.facts
        return facts[fact].unverified if fact in facts else ()


def to_currency(value: Money, currency: str, rates: RateSource, on: date) -> Money | None:
    """Convert ``value`` into ``currency`` at ``on``; None when the rate is unavailable."""
    if value.currency == currency:
        return value
    try:
        return convert(value, currency, rates=rates, on=on)
    except XborderError:
        return None


def _standing(
    fact: str,
    market: Market,
    origin: str | None,
    threshold_of: Callable[[Period[Any]], Threshold | None],
    goods: Money,
    rates: RateSource,
) -> Standing:
    on = market.on or today()
    found = market.lookup(fact, origin=origin)
    period = found.period
    threshold = threshold_of(period) if period is not None and period.value is not None else None
    if threshold is None:
        return Standing(fact, period, None, None, None, found.reason)
    value = to_currency(goods, threshold.currency, rates, on)
    if value is None:
        reason = f"no {goods.currency}->{threshold.currency} exchange rate for {on}"
        return Standing(fact, period, threshold, None, None, reason)
    return Standing(fact, period, threshold, value, threshold.admits(value), found.reason)


def _value_threshold(period: Period[Any]) -> Threshold | None:
    if period.currency is None or not isinstance(period.value, Decimal):
        return None
    strict = any(
        op == "<" and code == period.currency and amount == period.value
        for op, code, amount in _amounts(period.notes or "")
    )
    return Threshold(period.value, period.currency, strict)


def _collection_threshold(period: Period[Any]) -> Threshold | None:
    value = period.value
    return parse_threshold(value.threshold) if isinstance(value, Collection) else None


def _notes_limit(period: Period[Any]) -> Threshold | None:
    return limit_in_notes(period.notes)


def on_tax_amount(period: Period[Any] | None) -> bool:
    """Whether a de minimis is on the tax amount (CH CHF 5, CN RMB 50), not the goods value."""
    return bool(period and re.search(r"tax[- ]amount", period.notes or "", re.I))


def assess(
    market: Market,
    goods: Money,
    *,
    origin: str | None,
    ship_from: str | None,
    rates: RateSource,
) -> Assessment:
    """Place the goods value of one unit against ``market``'s dated thresholds on its date."""
    on = market.on or today()
    if ship_from is None:
        imported: bool | None = None
    elif ship_from == market.country:
        imported = False
    else:
        try:
            both_eu = market.eu_member and Market.for_country(ship_from, on=on).eu_member
        except XborderError:
            both_eu = False
        imported = not both_eu
    args = (market, origin)
    return Assessment(
        market=market,
        on=on,
        origin=origin,
        ship_from=ship_from,
        imported=imported,
        goods=to_currency(goods, market.currency, rates, on),
        duty=_standing("duty_de_minimis", *args, _value_threshold, goods, rates),
        tax=_standing("tax_de_minimis", *args, _value_threshold, goods, rates),
        collection=_standing("collection", *args, _collection_threshold, goods, rates),
        flat_duty=_standing("flat_duty_per_tariff_line", *args, _notes_limit, goods, rates),
        parcel_fee=_standing("parcel_fee", *args, _notes_limit, goods, rates),
    )


def previous_period(market: Market, fact: str, period: Period[Any]) -> Period[Any] | None:
    """Return the general period of ``fact`` that ended the day before ``period`` began."""
    if fact not in market.facts or period.effective_from is None:
        return None
    for candidate in market.facts[fact].periods:
        end = candidate.effective_to
        if end is not None and (period.effective_from - end).days == 1:
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class Collect:
    """Who charges VAT/GST on one order: at sale (``at_sale`` True), at import (False), or unknown.

    ``by`` is ``"seller"``, ``"marketplace"`` or ``"buyer"`` (import VAT at delivery);
    ``number`` the seller's IOSS number or VAT registration used; ``why`` plain words;
    ``must_register`` True where the facts say tax is due at the point of sale with no border
    alternative (GB) and the seller has no registration; ``kind`` and ``field`` name the
    registration (``IOSS number``, ``seller.ioss_number``).
    """

    at_sale: bool | None
    by: str
    number: str | None
    why: str
    kind: str
    field: str
    must_register: bool = False


def who_collects(found: Assessment, seller: Seller | None, *, marketplace: bool) -> Collect:
    """Decide who charges VAT/GST on this order, from the collection scheme in the facts.

    Within a scheme's limit the seller charges it with its registration (an IOSS number for
    EU markets, ``vat_registrations[country]`` elsewhere), else a marketplace as deemed
    supplier. Without either: where the facts call the scheme optional (EU IOSS) or give no
    registration rule, VAT is charged at import; where they name a registration threshold
    (AU, NZ, SG, MY) it depends on the seller's turnover (unknown); where the tax de minimis
    notes say VAT is due at the point of sale (GB), the seller must register.
    """
    market = found.market
    eu = market.eu_member
    kind = "IOSS number" if eu else f"{market.country} VAT/GST registration"
    field = "seller.ioss_number" if eu else f"seller.vat_registrations.{market.country}"
    period = found.collection.period
    scheme = period.value if period is not None else None

    def answer(at_sale: bool | None, by: str, why: str, number: str | None = None) -> Collect:
        return Collect(at_sale, by, number, why, kind, field)

    st = found.collection
    if not isinstance(scheme, Collection) or scheme.scheme is None:
        return answer(False, "buyer", "there is no point-of-sale scheme")
    if st.threshold is not None and st.within is None:
        return answer(None, "buyer", f"it is unknown whether the scheme applies: {st.reason}")
    if st.threshold is not None and not st.within:
        return answer(False, "buyer", f"the order is above the scheme's limit ({st.threshold})")
    number = None
    if seller is not None:
        number = seller.ioss_number if eu else seller.vat_registrations.get(market.country)
    if number:
        why = f"you collect it with your {kind} {number}; the parcel clears without import VAT"
        return answer(True, "seller", why, number)
    if marketplace:
        return answer(True, "marketplace", "the marketplace collects it as the deemed supplier")
    if st.threshold is None:  # CH: a turnover test, not an order value
        why = (
            f"the scheme's limit is not an order value ({scheme.threshold}) and you have no {kind}"
        )
        return answer(False, "buyer", why)
    registration = _registration_text(scheme.threshold)
    tax_notes = (found.tax.period.notes if found.tax.period else None) or ""
    if "optional" in (scheme.collected_by or "").casefold():
        return answer(False, "buyer", f"you have no {kind} and no marketplace was named")
    if registration:
        why = (
            f"{scheme.collected_by} charge it; with no {kind} on record and no marketplace "
            f"named, it depends on whether you must register ({registration})"
        )
        return answer(None, "seller", why)
    if "point of sale" in tax_notes.casefold():
        why = (
            f"the seller or marketplace must charge it (facts: {excerpt(tax_notes, 160)}); you "
            f"have no {kind} on record and no marketplace was named: register or sell through "
            f"a marketplace"
        )
        return Collect(True, "seller", None, why, kind, field, must_register=True)
    return answer(False, "buyer", f"you have no {kind} and no marketplace was named")
