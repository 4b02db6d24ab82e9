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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, NamedTuple

from xborder.clock import today
from xborder.errors import XborderError
from xborder.listing import Seller
from xborder.markets import Collection, Market, Period, is_country
from xborder.money import Money, is_currency
from xborder.rates import RateSource, bundled, convert

__all__ = [
    "Assessment",
    "Collect",
    "Limit",
    "Plan",
    "Standing",
    "Threshold",
    "assess",
    "default_rates",
    "excerpt",
    "fmt",
    "limit_in_notes",
    "measure",
    "on_tax_amount",
    "parse_threshold",
    "plan_for",
    "previous_period",
    "seller_number",
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
    #: The facts compare goods and shipping together (SA "total value (goods + shipping)",
    #: MY "CIF"), not the goods value alone.
    with_shipping: bool = False

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


@lru_cache(maxsize=1024)
def _amounts(text: str) -> tuple[tuple[str | None, str, Decimal], ...]:
    """Return every ``[op] CUR amount`` written in ``text`` (parsed once per text)."""
    found = []
    for match in _AMOUNT.finditer(text):
        code = _CODE_ALIASES.get(match["cur"], match["cur"])
        if is_currency(code):
            found.append((match["op"], code, Decimal(match["amt"].replace(",", ""))))
    return tuple(found)


@lru_cache(maxsize=1024)
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


@lru_cache(maxsize=1024)
def limit_in_notes(notes: str | None) -> Threshold | None:
    """Return the first comparison (``< EUR 150``, ``<= EUR 150``) written in a fact's notes."""
    for op, code, amount in _amounts(notes or ""):
        if op:
            return Threshold(amount, code, op == "<")
    return None


@lru_cache(maxsize=256)
def _registration_text(text: str | None) -> str:
    """Return the parts of a scheme's threshold text that are a seller's registration test.

    A buyer's quota ("RMB 26,000 per person per year", CN) is neither an order value nor a
    registration test: it is left out of both.
    """
    return "; ".join(
        s.strip()
        for s in (text or "").split(";")
        if _REGISTRATION.search(s) and not _BUYER_QUOTA.search(s)
    )


_BUYER_QUOTA: Final = re.compile(r"per person", re.I)


def fmt(money: Money) -> str:
    """Format an amount for a message: ``EUR 150``, ``USD 38.00``, ``NOK 3,000``.

    An amount too large to round to the currency's digits is written as it is.
    """
    # Keyed by the amount's text: Decimal("38") and Decimal("38.00") are equal but print apart.
    return _fmt(money.currency, str(money.amount))


@lru_cache(maxsize=4096)
def _fmt(currency: str, text: str) -> str:
    amount = Decimal(text)
    if amount.adjusted() > 40:  # no sensible price: not worth an int of that many digits
        return f"{currency} {amount}"
    exponent = amount.as_tuple().exponent
    try:
        if isinstance(exponent, int) and exponent >= 0:
            return f"{currency} {int(amount):,}"
        return f"{currency} {Money(amount, currency).quantize().amount:,}"
    except (ArithmeticError, ValueError):  # beyond the decimal precision or int-to-str limit
        return f"{currency} {amount}"


@lru_cache(maxsize=1024)
def excerpt(text: str | None, limit: int = 240) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters (the facts' notes, mostly)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_default_rates: RateSource | None = None


def default_rates() -> RateSource:
    """Return the default rate source: ``bundled(max_age=None)``, created once, on first use."""
    global _default_rates
    rates = _default_rates
    if rates is None:
        rates = _default_rates = bundled(max_age=None)
    return rates


class Standing(NamedTuple):
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


class Assessment:
    """The low-value import facts of one market on one date, against one goods value.

    ``imported`` is False for a domestic sale (shipped from the market's own country) or a
    sale inside the EU, None when the ship-from country is unknown (then treated as an
    import: nothing is relaxed). ``goods`` is the goods value in the market's currency (None
    when it cannot be converted). ``duty``, ``tax``, ``collection``, ``flat_duty`` and
    ``parcel_fee`` are the :class:`Standing` against each fact, worked out when first read.
    ``shipping`` (in the market's currency; None: not known) counts where the facts set a
    limit on goods and shipping together (SA, MY: :attr:`Threshold.with_shipping`); without
    it such a limit is unknown. ``plan`` holds what does not depend on the goods value.
    Read-only.
    """

    __slots__ = (
        "_rates",
        "_standings",
        "_value",
        "goods",
        "imported",
        "market",
        "on",
        "origin",
        "plan",
        "ship_from",
        "shipping",
    )

    def __init__(
        self,
        plan: Plan,
        value: Money,
        rates: RateSource,
        *,
        origin: str | None,
        ship_from: str | None,
        shipping: Money | None = None,
    ) -> None:
        self.plan = plan
        self.market: Market = plan.market
        self.on: date = plan.on
        self.origin = origin
        self.ship_from = ship_from
        self.imported = plan.imported(ship_from)
        self._value = value
        self._rates = rates
        currency = plan.market.currency
        goods = to_currency(value, currency, rates, plan.on)
        self.goods: Money | None = goods
        self.shipping = shipping
        self._standings: list[Standing | None] = [None] * len(plan.limits)

    def _standing(self, index: int) -> Standing:
        known = self._standings[index]
        if known is not None:
            return known
        limit = self.plan.limits[index]
        if limit.threshold is None:
            found = limit.fixed
        elif limit.threshold.with_shipping:
            found = self._with_shipping(limit)
        else:
            value, within, reason = measure(
                limit, self._value, self.goods, self.market.currency, self._rates, self.on
            )
            found = Standing(limit.fact, limit.period, limit.threshold, value, within, reason)
        self._standings[index] = found
        return found

    def _with_shipping(self, limit: Limit) -> Standing:
        """Place goods and shipping together against a limit the facts set on both."""
        threshold = limit.threshold
        goods, shipping = self.goods, self.shipping
        if shipping is None or goods is None or shipping.currency != goods.currency:
            why = "the facts set this limit on goods and shipping together, and " + (
                "no shipping was given"
                if shipping is None
                else "the price or the shipping could not be converted"
            )
            return Standing(limit.fact, limit.period, threshold, None, None, why)
        total = Money(goods.amount + shipping.amount, goods.currency)
        value, within, reason = measure(
            limit, total, total, self.market.currency, self._rates, self.on
        )
        return Standing(limit.fact, limit.period, threshold, value, within, reason)

    @property
    def duty(self) -> Standing:
        """The goods value against the customs duty de minimis."""
        return self._standing(0)

    @property
    def tax(self) -> Standing:
        """The goods value against the import VAT/GST de minimis."""
        return self._standing(1)

    @property
    def collection(self) -> Standing:
        """The goods value against the point-of-sale collection scheme's limit."""
        return self._standing(2)

    @property
    def flat_duty(self) -> Standing:
        """The goods value against the EU flat duty's consignment limit."""
        return self._standing(3)

    @property
    def parcel_fee(self) -> Standing:
        """The goods value against a national parcel fee's limit."""
        return self._standing(4)

    def unverified(self, fact: str) -> tuple[str, ...]:
        """Return the facts' unverified notes for ``fact`` in this market."""
        return self.plan.unverified(fact)

    def __repr__(self) -> str:
        return (
            f"Assessment({self.market.country}, on={self.on}, goods={self.goods!r}, "
            f"imported={self.imported})"
        )


def to_currency(value: Money, currency: str, rates: RateSource, on: date) -> Money | None:
    """Convert ``value`` into ``currency`` at ``on``; None when the rate is unavailable."""
    if value.currency == currency:
        return value
    try:
        return convert(value, currency, rates=rates, on=on)
    except (XborderError, ArithmeticError):  # no rate; or an amount beyond the precision
        return None


def measure(
    limit: Limit,
    price: Money,
    goods: Money | None,
    currency: str,
    rates: RateSource,
    on: date,
) -> tuple[Money | None, bool | None, str]:
    """Place a price against one limit: ``(value, within, reason)`` as in :class:`Standing`.

    ``goods`` is ``price`` already converted into ``currency`` (the market's; None when it
    could not be). The value is read in the limit's currency: ``goods`` or ``price`` when it
    is theirs, else ``price`` converted at ``on``.
    """
    threshold = limit.threshold
    if threshold is None:
        return None, None, limit.reason
    wanted = threshold.currency
    if wanted == currency:
        value = goods
    elif wanted == price.currency:
        value = price
    else:
        value = to_currency(price, wanted, rates, on)
    if value is None:
        return None, None, f"no {price.currency}->{wanted} exchange rate for {on}"
    amount = value.amount
    within = amount < threshold.amount if threshold.strict else amount <= threshold.amount
    return value, within, limit.reason


def _value_threshold(period: Period[Any]) -> Threshold | None:
    if period.currency is None or not isinstance(period.value, Decimal):
        return None
    # The first comparison written with the limit's own amount decides: MX "<= USD 50 no
    # duty/VAT" is inclusive although its notes later recall "the <USD 50 exemption" of
    # another origin; NO "< NOK 3,000" is strict. None written: inclusive ("up to").
    notes = period.notes or ""
    shipping = _WITH_SHIPPING.search(notes) is not None
    for op, code, amount in _amounts(notes):
        if op is not None and code == period.currency and amount == period.value:
            return Threshold(period.value, period.currency, op == "<", shipping)
    return Threshold(period.value, period.currency, False, shipping)


#: A de minimis on goods and shipping together: "(goods + shipping)", "CIF" (cost, insurance,
#: freight). "goods value excl. shipping" (IL) and "transport/insurance excluded" (AU) do not
#: match.
_WITH_SHIPPING: Final = re.compile(r"goods \+ shipping|\bCIF\b")


def _collection_threshold(period: Period[Any]) -> Threshold | None:
    value = period.value
    return parse_threshold(value.threshold) if isinstance(value, Collection) else None


def _notes_limit(period: Period[Any]) -> Threshold | None:
    return limit_in_notes(period.notes)


@lru_cache(maxsize=256)
def _mentions_tax_amount(notes: str) -> bool:
    return re.search(r"tax[- ]amount", notes, re.I) is not None


def on_tax_amount(period: Period[Any] | None) -> bool:
    """Whether a de minimis is on the tax amount (CH CHF 5, CN RMB 50), not the goods value."""
    return bool(period and _mentions_tax_amount(period.notes or ""))


#: The facts an assessment places the goods value against, each with how its limit is read.
_FACTS: Final[tuple[tuple[str, Callable[[Period[Any]], Threshold | None]], ...]] = (
    ("duty_de_minimis", _value_threshold),
    ("tax_de_minimis", _value_threshold),
    ("collection", _collection_threshold),
    ("flat_duty_per_tariff_line", _notes_limit),
    ("parcel_fee", _notes_limit),
)


@dataclass(frozen=True, slots=True)
class Limit:
    """One fact of a plan: its period in force, the limit read from it, the lookup's reason.

    ``fixed`` is the standing when there is no limit to compare with (``threshold`` None;
    it then does not depend on the goods value).
    """

    fact: str
    period: Period[Any] | None
    threshold: Threshold | None
    reason: str
    fixed: Standing


def _limit(
    fact: str,
    market: Market,
    origin: str | None,
    threshold_of: Callable[[Period[Any]], Threshold | None],
) -> Limit:
    found = market.lookup(fact, origin=origin)
    period = found.period
    threshold = threshold_of(period) if period is not None and period.value is not None else None
    fixed = Standing(fact, period, None, None, None, found.reason)
    return Limit(fact, period, threshold, found.reason, fixed)


class Plan:
    """What an assessment of ``market`` on ``on`` for goods of ``origin`` reads from the facts.

    Everything here is independent of the listing's price: the periods in force, the limits
    parsed from them, the lookups' reasons; also whether a ship-from country makes the sale
    an import (remembered per country). ``memo`` lets the users of a plan (the tax messages)
    keep what they derive from it. Built once per (market object, origin, date): see
    :func:`plan_for`.
    """

    __slots__ = ("_imported", "duty_scheme", "limits", "market", "memo", "on", "origin")

    def __init__(self, market: Market, on: date, origin: str | None) -> None:
        self.market = market
        self.on = on
        self.origin = origin
        self.limits: tuple[Limit, ...] = tuple(
            _limit(fact, market, origin, threshold_of) for fact, threshold_of in _FACTS
        )
        #: The point-of-sale scheme the duty de minimis is reserved for, when the facts say
        #: parcels outside it pay duty from the first unit (NO: "Goods sold through
        #: VOEC-registered sellers ... Non-VOEC parcels: ... duty and VAT from the first
        #: krone"); None otherwise.
        self.duty_scheme: str | None = _duty_scheme(self.limits[0].period, self.limits[2].period)
        self._imported: dict[str, bool] = {}
        self.memo: dict[str, Any] = {}

    def imported(self, ship_from: str | None) -> bool | None:
        """Whether goods shipped from ``ship_from`` are imported (None: country unknown)."""
        if ship_from is None:
            return None
        known = self._imported.get(ship_from)
        if known is None:
            market = self.market
            if ship_from == market.country:
                known = False
            else:
                known = not (market.eu_member and _eu_member(ship_from, self.on))
            if len(self._imported) < 512:
                self._imported[ship_from] = known
        return known

    def unverified(self, fact: str) -> tuple[str, ...]:
        """Return the facts' unverified notes for ``fact`` in this market."""
        key = f"unverified:{fact}"
        notes: tuple[str, ...] | None = self.memo.get(key)
        if notes is None:
            facts = self.market.facts
            notes = self.memo[key] = facts[fact].unverified if fact in facts else ()
        return notes


def _duty_scheme(duty: Period[Any] | None, collection: Period[Any] | None) -> str | None:
    """Return the scheme (its short name) a duty de minimis is reserved for, if the facts say so."""
    scheme = collection.value if collection is not None else None
    if duty is None or not isinstance(scheme, Collection) or not scheme.scheme:
        return None
    name = scheme.scheme.split()[0]
    notes = duty.notes or ""
    return name if re.search(rf"\bNon-{re.escape(name)}\b", notes) else None


@lru_cache(maxsize=1024)
def _eu_member(country: str, on: date) -> bool:
    try:
        return Market.for_country(country, on=on).eu_member
    except XborderError:
        return False


#: Plans by (id of the market, origin, date); each entry keeps its market alive, so an id
#: cannot be reused by another object while the entry exists. Cleared when full.
_PLANS: dict[tuple[int, str | None, date], tuple[Market, Plan]] = {}
_MAX_PLANS: Final = 1024


def plan_for(market: Market, origin: str | None, on: date) -> Plan:
    """Return the :class:`Plan` of ``market`` on ``on`` for goods of ``origin`` (cached)."""
    key = (id(market), origin, on)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is market:
        return hit[1]
    plan = Plan(market, on, origin)
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[key] = (market, plan)
    return plan


def assess(
    market: Market,
    goods: Money,
    *,
    origin: str | None,
    ship_from: str | None,
    rates: RateSource,
    shipping: Money | None = None,
) -> Assessment:
    """Place the goods value of one unit against ``market``'s dated thresholds on its date.

    ``origin`` or ``ship_from`` that is not a country code counts as unknown (None).
    ``shipping``: the delivery charge in the market's currency, for the limits the facts set
    on goods and shipping together.
    """
    on = market.on or today()
    plan = plan_for(market, origin if is_country(origin) else None, on)
    if not is_country(ship_from):
        ship_from = None
    return Assessment(plan, goods, rates, origin=origin, ship_from=ship_from, shipping=shipping)


def previous_period(market: Market, fact: str, period: Period[Any]) -> Period[Any] | None:
    """Return the general period of ``fact`` that ended the day before ``period`` began."""
    if fact not in market.facts or period.effective_from is None:
        return None
    for candidate in market.facts[fact].periods:
        end = candidate.effective_to
        if end is not None and (period.effective_from - end).days == 1:
            return candidate
    return None


class Collect(NamedTuple):
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


def seller_number(seller: object, market: Market) -> str | None:
    """Return the seller's IOSS number (EU markets) or its VAT registration in ``market``.

    None when there is none, or when the seller's value is not text (a malformed seller).
    """
    if seller is None:
        return None
    if market.eu_member:
        number = getattr(seller, "ioss_number", None)
    else:
        registrations = getattr(seller, "vat_registrations", None)
        number = registrations.get(market.country) if isinstance(registrations, Mapping) else None
    return number if isinstance(number, str) else None


@lru_cache(maxsize=512)
def _registration_kind(country: str, eu: bool) -> tuple[str, str]:
    kind = "IOSS number" if eu else f"{country} VAT/GST registration"
    field = "seller.ioss_number" if eu else f"seller.vat_registrations.{country}"
    return kind, field


def who_collects(found: Assessment, seller: Seller | None, *, marketplace: bool) -> Collect:
    """Decide who charges VAT/GST on this order, from the collection scheme in the facts.

    Within a scheme's limit the seller charges it with its registration (an IOSS number for
    EU markets, ``vat_registrations[country]`` elsewhere), else a marketplace as deemed
    supplier. Without either: where the facts call the scheme optional (EU IOSS) or give no
    registration rule, VAT is charged at import; where they name a registration threshold
    (AU, NZ, SG, MY) it depends on the seller's turnover (unknown); where the tax de minimis
    notes say VAT is due at the point of sale (GB), the seller must register. A seller's
    number that is not text counts as none.
    """
    market = found.market
    kind, field = _registration_kind(market.country, market.eu_member)
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
    number = seller_number(seller, market)
    if number:
        why = f"you collect it with your {kind} {number}; the parcel clears without import VAT"
        return answer(True, "seller", why, number)
    if marketplace:
        return answer(True, "marketplace", "the marketplace collects it as the deemed supplier")
    if st.threshold is None:  # CH: a turnover test, not an order value; TH: none given
        limit = (
            f"is not an order value ({scheme.threshold})"
            if scheme.threshold is not None
            else "is unknown (the facts give none)"
        )
        return answer(False, "buyer", f"the scheme's limit {limit} and you have no {kind}")
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
