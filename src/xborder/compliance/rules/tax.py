"""Tax: who collects VAT/GST at the point of sale, and what de minimis means on the date.

Every threshold, rate, scheme and date comes from the market's dated facts
(:mod:`xborder.markets`: ``duty_de_minimis``, ``tax_de_minimis``, ``collection``,
``flat_duty_per_tariff_line``, ``parcel_fee``): EU IOSS up to EUR 150 (Council Directive
(EU) 2017/2455), UK point-of-sale VAT up to GBP 135, AU LVIG, NZ, NO VOEC, SG OVR, MY LVG...;
the US de minimis suspended since 2025-08-29 (EO 14324); the EU EUR 150 duty relief abolished
on 2026-07-01 and the EUR 3 flat duty per tariff line until 2028-06-30 (Council Reg. (EU)
2026/382). Nothing here hard-codes what the facts hold.

The listing's price is in the seller's currency; thresholds are in theirs. :class:`TaxRule`
converts with a :class:`~xborder.rates.RateSource` (default: the bundled ECB snapshot with
``max_age=None``) at the check date. A threshold the facts do not give, or a price that cannot
be converted, is reported as unknown (``tax.threshold_unknown``), never as zero. One unit per
consignment is assumed; thresholds compare the goods value (shipping excluded, as the EU
"intrinsic value", the UK GBP 135 and the NO VOEC tests do). The assessment and the "who
charges VAT" decision live in :mod:`xborder.compliance._lowvalue`, shared with landed cost.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Final

from xborder.compliance._context import Context
from xborder.compliance._lowvalue import (
    Assessment,
    Limit,
    Plan,
    Threshold,
    default_rates,
    excerpt,
    fmt,
    measure,
    on_tax_amount,
    plan_for,
    previous_period,
    seller_number,
    to_currency,
    who_collects,
)
from xborder.findings import Finding, Severity
from xborder.listing import Listing
from xborder.markets import Collection, Market, Period, is_country
from xborder.money import Money
from xborder.rates import RATE_CONTEXT, BundledRates, RateSource

__all__ = ["RULE", "TaxRule"]


class TaxRule:
    """The ``tax`` rule: point-of-sale collection and de minimis, as info findings.

    ``rates`` converts the listing's price for the threshold tests; the default is
    ``xborder.rates.bundled(max_age=None)`` (one shared source, created on first use), read at
    the check date. A price that is not :class:`~xborder.money.Money` gives the error finding
    ``tax.price_invalid`` and nothing else; a seller's country, IOSS number or VAT
    registration that is not valid gives ``tax.seller_invalid`` and counts as not given.
    """

    name: Final = "tax"

    def __init__(self, rates: RateSource | None = None) -> None:
        self._rates = rates

    @property
    def rates(self) -> RateSource:
        """The rate source used to convert prices."""
        if self._rates is None:
            self._rates = default_rates()
        return self._rates

    def check(self, context: Context) -> Iterable[Finding]:
        """Return the tax findings for the listing in ``context.market`` on ``context.on``."""
        market, on = context.market, context.on
        if market.on != on:
            market = Market.for_country(market.country, on=on, currency=market.currency)
        if not market.facts:
            return [_no_facts(market.name)]
        values = context.values
        price = values["price"]
        if not isinstance(price, Money):
            return [_invalid("price", price, "not an amount of money: xborder cannot place it")]
        origin = values["origin_country"]
        # An origin that is not a country code is unknown (the customs rule reports it).
        plan = plan_for(market, origin if is_country(origin) else None, on)
        texts: _Texts | None = plan.memo.get("tax")
        if texts is None:
            texts = plan.memo["tax"] = _Texts(plan)
        seller = context.seller
        rates = self._rates or self.rates
        if seller is None:
            return _remembered(texts, context, price, None, rates)
        problems: list[Finding] = []
        country = getattr(seller, "country", None)
        ship_from = country if is_country(country) else None
        if ship_from is None:
            problems.append(_seller_country_invalid(country))
        if plan.imported(ship_from) is False:
            problems.append(texts.not_imported(ship_from))
            return problems
        problems.extend(_seller_numbers_invalid(seller, market, texts.has_scheme))
        findings = _remembered(texts, context, price, ship_from, rates)
        return problems + findings if problems else findings

    def __repr__(self) -> str:
        return f"TaxRule(rates={self._rates!r})"


def _finding(
    code: str,
    message: str,
    period: Period[Any] | None,
    field: str = "price",
    severity: Severity = "info",
) -> Finding:
    if period is None:
        return Finding(code, severity, message, field)
    source = period.source[0] if period.source else None
    return Finding(code, severity, message, field, source, period.effective_from)


#: The findings whose message holds the listing's price, interned by their whole content: an
#: equal finding is the same immutable value, so a repeated one is not built and validated again.
_interned: Final = lru_cache(maxsize=4096)(Finding)


def _source(period: Period[Any] | None) -> tuple[str | None, date | None]:
    """Return a finding's ``(source, effective_from)`` for a period of the facts."""
    if period is None:
        return None, None
    return (period.source[0] if period.source else None), period.effective_from


def _unknown(message: str, period: Period[Any] | None) -> Finding:
    return _finding("tax.threshold_unknown", message, period)


@lru_cache(maxsize=256)
def _no_facts(name: str) -> Finding:
    return _unknown(f"xborder has no sourced tax facts for {name}.", None)


_REPR: Final = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 2


def _short(value: object) -> str:
    """Return a short repr of a malformed value, for a message."""
    try:
        return _REPR.repr(value)
    except Exception:  # a repr that fails, or an int too long to print
        return f"<{type(value).__name__}>"


def _limit_of(threshold: Threshold | None) -> str:
    return fmt(threshold.money) if threshold is not None else "the limit"


def _invalid(field: str, value: object, why: str) -> Finding:
    code = "price_invalid" if field == "price" else "seller_invalid"
    return Finding(
        code=f"tax.{code}",
        severity="error",
        message=f"{field} is {_short(value)}, {why}.",
        field=field,
    )


def _seller_country_invalid(country: object) -> Finding:
    return _invalid(
        "seller.country",
        country,
        "not a country code (ISO 3166-1 alpha-2, upper case): xborder cannot tell where the "
        "parcel ships from, so it is taken to be imported",
    )


def _seller_numbers_invalid(seller: object, market: Market, has_scheme: bool) -> list[Finding]:
    """Report the seller's IOSS number or VAT registration when it is not text (and matters)."""
    if not has_scheme:
        return []  # no point-of-sale scheme: the numbers are not read
    if market.eu_member:
        number = getattr(seller, "ioss_number", None)
        if number is None or isinstance(number, str):
            return []
        return [_invalid("seller.ioss_number", number, "not text: it counts as no IOSS number")]
    registrations = getattr(seller, "vat_registrations", None)
    if registrations is None:
        return []
    kind = f"{market.country} VAT/GST registration"
    if not isinstance(registrations, Mapping):
        return [_invalid("seller.vat_registrations", registrations, f"not a mapping: no {kind}")]
    if seller_number(seller, market) is None and market.country in registrations:
        field = f"seller.vat_registrations.{market.country}"
        return [_invalid(field, registrations[market.country], f"not text: no {kind}")]
    return []


# -- the messages --------------------------------------------------------------------------------
#
# Most of every message depends only on the market, the date and the goods' origin: it is
# written once per plan (_Texts, kept in Plan.memo) and only the listing's price, the goods
# value against each limit and the seller's registration are filled in per check.

_FINDING: Final = 0  # the de minimis of a fact is a fixed finding (unknown)
_PART: Final = 1  # a fixed part of the de minimis message
_COMPARE: Final = 2  # compared with the goods value on each check


@dataclass(frozen=True, slots=True)
class _DeMinimis:
    kind: int
    label: str
    limit: Limit
    text: str = ""
    finding: Finding | None = None


@dataclass(frozen=True, slots=True)
class _Flat:
    rule: str
    per_line: str
    unverified: str
    period: Period[Any]
    source: tuple[str | None, date | None]


@dataclass(frozen=True, slots=True)
class _Parcel:
    fee: str
    notes: str
    unverified: str
    period: Period[Any]
    source: tuple[str | None, date | None]


class _Texts:
    """The parts of the tax messages that depend only on a plan (market, date, origin)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        market = self.market = plan.market
        name = self.name = market.name
        on = self.day = plan.on
        self.currency = market.currency
        duty, tax, collection, flat, parcel = plan.limits
        self.tax_limit, self.collection_limit = tax, collection
        self.flat_limit, self.parcel_limit = flat, parcel
        where = "from outside the EU" if market.eu_member else "from abroad"
        self.assumed = f" No seller was given, so the parcel is taken to be imported {where}."
        self.assumed_bad_seller = (
            f" The seller's country is not valid, so the parcel is taken to be imported {where}."
        )
        self._not_imported: dict[str, Finding] = {}

        # de minimis: duty and tax
        items, first = [], None
        for label, limit in (("customs duty", duty), ("import VAT/GST", tax)):
            period, threshold = limit.period, limit.threshold
            if period is None or period.value is None or threshold is None:
                message = (
                    f"The {label} de minimis for {name} on {on} is {limit.reason}. xborder does "
                    f"not assume there is none, nor that there is one."
                )
                items.append(_DeMinimis(_FINDING, label, limit, finding=_unknown(message, period)))
                continue
            first = first or period
            if on_tax_amount(period):
                text = (
                    f"{label} is not collected when the tax due is at most "
                    f"{fmt(threshold.money)} (a limit on the tax amount, not the goods value)"
                )
                items.append(_DeMinimis(_PART, label, limit, text))
            elif period.value == 0:
                before = previous_period(market, limit.fact, period)
                was = (
                    f" ({fmt(Money(before.value, before.currency))} until {before.effective_to})"
                    if before is not None and before.value and before.currency
                    else ""
                )
                since = f" since {period.effective_from}" if period.effective_from else ""
                due = "due from the first unit"
                if label == "import VAT/GST" and not market.vat_rate:
                    # No rate in the facts (null: the US has no federal VAT/GST) or a rate
                    # of 0: no tax may be said to be due.
                    due = (
                        "any that applies is due from the first unit (the facts give no rate)"
                        if market.vat_rate is None
                        else f"at the facts' rate of {market.vat_rate}% none is due"
                    )
                text = f"{label} has no de minimis{since}{was}: {due}"
                items.append(_DeMinimis(_PART, label, limit, text))
            else:
                valued = "goods and shipping together" if threshold.with_shipping else "goods"
                text = f"{label} relief for {valued} {threshold}"
                if label == "customs duty" and plan.duty_scheme is not None:
                    text += (
                        f" (only for sales under {plan.duty_scheme}: other parcels pay duty "
                        f"from the first unit)"
                    )
                items.append(_DeMinimis(_COMPARE, label, limit, text))
        self.de_minimis: tuple[_DeMinimis, ...] = tuple(items)
        # With nothing to compare, the de minimis findings and parts are the same every time.
        self.de_minimis_fixed: tuple[Finding, ...] | None = None
        self.de_minimis_parts: list[str] = []
        if all(item.kind != _COMPARE for item in items):
            self.de_minimis_fixed = tuple(i.finding for i in items if i.finding is not None)
            self.de_minimis_parts = [item.text for item in items if item.kind == _PART]
        self.collect: dict[tuple[str | None, bool, bool], tuple[str, str, Severity]] = {}
        self.first = first
        self.first_source = _source(first)
        self.on = str(on)
        self.on_in = f"On {on} in {name}, "
        notes = excerpt(first.notes) if first is not None else ""
        self.conditions = f" Conditions apply (facts: {notes})" + (
            "" if notes.endswith(".") else "."
        )

        # flat duty per tariff line
        period = flat.period
        self.flat: _Flat | None = None
        if period is not None and period.value and period.currency:
            per_line = fmt(Money(period.value, period.currency))
            end = f" until {period.effective_to}" if period.effective_to else ""
            rule = (
                f"{per_line} customs duty per distinct tariff line (HS subheading) on "
                f"distance-sale consignments {flat.threshold or '(limit unknown)'}, from "
                f"{period.effective_from}{end}"
            )
            unverified = "".join(f" Unverified: {u}." for u in plan.unverified(flat.fact))
            self.flat = _Flat(rule, per_line, unverified, period, _source(period))

        # point-of-sale collection
        period = self.collection_period = collection.period
        self.collection_source = _source(period)
        scheme = period.value if period is not None else None
        rate = f"{market.vat_rate}%" if market.vat_rate is not None else "an unknown rate"
        if market.vat_rate is None and tax.period is not None:
            rate += f" (the facts give no rate: {excerpt(tax.period.notes, 140)})"
        self.rate = rate
        # With no rate in the facts (null = unknown; for the US the note says there is no
        # federal VAT/GST) the message must not claim that a tax is charged.
        if market.vat_rate is not None:
            levy = f"import VAT/GST at {rate}"
        else:
            known = f": {excerpt(tax.period.notes, 140)}" if tax.period is not None else ""
            levy = f"any import VAT/GST (the facts give no rate{known})"
        self.border = border = (
            f"{levy} is charged at import on the goods, shipping and duty: "
            f"the buyer pays it to the carrier at delivery unless you ship DDP."
        )
        if market.vat_rate == 0:  # a known rate of 0 (HK): nothing is charged
            self.border = border = (
                f"no import VAT/GST is charged (the facts give a rate of {rate})."
            )
        self.no_scheme: Finding | None = None
        # The same, where the VAT/GST de minimis of the day is unknown (null in the facts:
        # never read as "none"): whether the tax is due at all is then unknown too.
        self.no_scheme_unknown: Finding | None = None
        self.scheme_no_threshold: Finding | None = None
        self.what = ""
        self.has_scheme: bool = isinstance(scheme, Collection) and scheme.scheme is not None
        if not isinstance(scheme, Collection) or scheme.scheme is None:
            by = f" ({scheme.collected_by})" if isinstance(scheme, Collection) else ""
            text = f"{name} has no point-of-sale scheme for low-value imports{by}: "
            self.no_scheme = _finding("tax.import_vat_due", text + border, period)
            unknown = (
                f"{text}unless a VAT/GST de minimis relieves this parcel (whether one applies "
                f"on {on} is unknown: the facts give none for that day), {border}"
            )
            self.no_scheme_unknown = (
                self.no_scheme  # at a rate of 0 the de minimis does not matter
                if market.vat_rate == 0
                else _finding("tax.import_vat_due", unknown, period)
            )
        else:
            # A null threshold is unknown (the facts' rule): never shown as "None".
            shown = scheme.threshold if scheme.threshold is not None else "limit unknown"
            self.what = what = f"{scheme.scheme} ({shown})"
            if collection.threshold is None:
                why = (
                    "The threshold is not an order value"
                    if scheme.threshold is not None
                    else "The facts give no threshold"
                )
                text = f"{what}, collected by: {scheme.collected_by}. {why}, so xborder "
                text += "cannot tell whether it applies to this listing."
                self.scheme_no_threshold = _finding("tax.point_of_sale_collection", text, period)

        # national parcel fee
        period = parcel.period
        self.parcel: _Parcel | None = None
        self.parcel_unknown: Finding | None = None
        if period is not None:
            unverified = "".join(f" Unverified: {u}." for u in plan.unverified(parcel.fact))
            notes = excerpt(period.notes, 320)
            if period.value is None or not period.currency:
                self.parcel_unknown = _finding(
                    "tax.national_parcel_fee",
                    f"{name} has a national fee on low-value parcels from outside the EU, but "
                    f"whether and how much it applies on {on} is unknown: {notes}{unverified}",
                    period,
                )
            else:
                fee = fmt(Money(period.value, period.currency))
                self.parcel = _Parcel(fee, notes, unverified, period, _source(period))

    def not_imported(self, ship_from: str | None) -> Finding:
        """Return the finding for a sale that is no import (domestic, or inside the EU)."""
        key = ship_from or ""
        found = self._not_imported.get(key)
        if found is None:
            found = self._not_imported_finding(ship_from)
            if len(self._not_imported) < 256:
                self._not_imported[key] = found
        return found

    def _not_imported_finding(self, ship_from: str | None) -> Finding:
        name, country = self.name, self.market.country
        if ship_from == country:
            return _finding(
                "tax.domestic_sale",
                f"You ship from {name} to buyers in {name}: there is no import, so no customs "
                f"duty or import VAT; charge VAT/GST under {name}'s domestic rules.",
                None,
                "seller.country",
            )
        return _finding(
            "tax.intra_eu_sale",
            f"The parcel goes from {ship_from} to {country} inside the EU: no "
            f"customs duty, no IOSS and no import VAT. VAT follows the EU distance-selling "
            f"rules (One-Stop Shop), which this rule does not check.",
            None,
            "seller.country",
        )


#: The findings of _messages per case (see _remembered). The key starts with the rate
#: source and the plan's _Texts (both compared by identity), which it keeps alive; the memo
#: starts again when it holds _MAX_CASES cases, so it stays a few megabytes at most.
_CASES: dict[tuple[object, ...], tuple[Finding, ...]] = {}
_MAX_CASES: Final = 8192


def _remembered(
    t: _Texts, context: Context, price: Money, ship_from: str | None, rates: RateSource
) -> list[Finding]:
    """Return :func:`_messages`, remembered per case when the rates cannot change.

    With the bundled ECB snapshot and no ``max_age`` (the default source: its data never
    changes and it never warns) the findings are a pure function of the rate source, the
    plan (``t``: market, date, origin) and the case: the price as written (currency and
    amount text: ``38`` and ``38.00`` print apart), the ship-from country, whether a seller
    was given, the HS code the flat-duty message shows, and what decides who collects VAT
    (the seller's registration number, whether a marketplace sells). Variants of a product
    share a price, and a product is checked for market after market: a repeated case is not
    converted and formatted again.

    Only a genuine :class:`Listing` and :class:`Money` take this path (reading their
    attributes runs no code of the caller's); anything else, and any other rate source
    (live rates change; a source with ``max_age`` warns), is worked out every time.
    """
    listing = context.listing
    if (
        type(price) is not Money
        or type(listing) is not Listing
        or type(rates) is not BundledRates
        or rates._max_age is not None  # max_age, without the property's call
    ):
        return _messages(t, context, price, ship_from, rates)
    seller = context.seller
    # seller_number runs only where check() already ran it (_seller_numbers_invalid), so
    # a seller whose attributes raise fails there, as it does without the memo.
    number = seller_number(seller, t.market) if t.has_scheme and seller is not None else None
    # The flat-duty message shows the HS code text; none and "" read the same.
    hs = context.values["hs_code"] if t.flat is not None else None
    if (
        not (type(number) is str or number is None)
        or not (type(ship_from) is str or ship_from is None)
        or not (type(hs) is str or hs is None)
    ):
        return _messages(t, context, price, ship_from, rates)  # not a plain key: no memo
    key = (
        rates,  # by identity: sources with other pegs convert apart
        t,
        price.currency,
        str(price.amount),
        ship_from,
        seller is None,
        hs or None,
        number,
        context.channel is not None,
    )
    found = _CASES.get(key)
    if found is None:
        found = tuple(_messages(t, context, price, ship_from, rates))
        if len(_CASES) >= _MAX_CASES:
            _CASES.clear()
        _CASES[key] = found
    return list(found)


def _messages(
    t: _Texts, context: Context, price: Money, ship_from: str | None, rates: RateSource
) -> list[Finding]:
    """Return the tax findings of an import (``ship_from`` None: the seller's country unknown).

    The hot path: everything that does not depend on the price is in ``t``; each limit the
    messages need is measured here (:func:`measure`), once.
    """
    on, currency = t.day, t.currency
    goods = to_currency(price, currency, rates, on)
    approx = f"≈ {fmt(goods)}" if goods is not None else "not converted"  # _in(goods)
    local = f" ({approx} on {t.on})" if goods and goods != price else ""
    priced = f"this listing's price is {fmt(price)}{local}"
    out: list[Finding] = []

    # de minimis: customs duty and import VAT/GST
    if t.de_minimis_fixed is not None:  # nothing to compare: the same findings and parts
        out.extend(t.de_minimis_fixed)
        parts = t.de_minimis_parts
    else:
        parts = _de_minimis(t, price, goods, rates, out)
    if parts and t.first is not None:
        if ship_from is not None:
            assumed = ""
        else:
            assumed = t.assumed if context.seller is None else t.assumed_bad_seller
        message = f"{t.on_in}{priced}: {'; '.join(parts)}.{assumed}{t.conditions}"
        out.append(_interned("tax.de_minimis", "info", message, "price", *t.first_source))

    # the EU flat duty per tariff line
    flat = t.flat
    if flat is not None:
        value, within, reason = measure(t.flat_limit, price, goods, currency, rates, on)
        if within is None:
            out.append(
                _unknown(f"{flat.rule}. Whether it applies is unknown: {reason}.", flat.period)
            )
        elif within:
            line = _hs_line(context.values)
            message = (
                f"{flat.rule}. The price is within the limit "
                f"({_in(value, goods, approx, t.flat_limit.threshold)}): one "
                f"unit of this "
                f"listing ({line}) carries {flat.per_line} of duty instead of the normal "
                f"tariff.{flat.unverified}"
            )
            out.append(
                _interned("tax.flat_duty_per_line", "info", message, "hs_code", *flat.source)
            )
        else:
            message = (
                f"{flat.rule}. The price is above the limit "
                f"({_in(value, goods, approx, t.flat_limit.threshold)}): the "
                f"normal tariff "
                f"applies."
            )
            out.append(
                _interned("tax.flat_duty_per_line", "info", message, "hs_code", *flat.source)
            )

    # point-of-sale collection
    if t.no_scheme is not None:
        # Below the tax de minimis the de_minimis finding says it.
        within_tax = measure(t.tax_limit, price, goods, currency, rates, on)[1]
        if within_tax is False:
            out.append(t.no_scheme)
        elif within_tax is None and t.no_scheme_unknown is not None:
            out.append(t.no_scheme_unknown)
    elif t.scheme_no_threshold is not None:
        # The scheme's limit is no order value (CH: a turnover test). A seller registered in
        # the market, or a marketplace, charges VAT at sale whatever it is.
        seller = context.seller
        if seller_number(seller, t.market) is not None or context.channel is not None:
            how, field, severity = _who(t, context, price, ship_from, rates)
            head = f"{t.what} covers this order: VAT/GST at {t.rate} "
            out.append(
                _interned(
                    "tax.point_of_sale_collection",
                    severity,
                    head + how,
                    field,
                    *t.collection_source,
                )
            )
        else:
            out.append(t.scheme_no_threshold)
    else:
        value, within, reason = measure(t.collection_limit, price, goods, currency, rates, on)
        period, what = t.collection_period, t.what
        if within is None:
            out.append(
                _unknown(
                    f"{what}: {reason}. If your price in {price.currency} is above "
                    f"{_limit_of(t.collection_limit.threshold)}, {t.border}",
                    period,
                )
            )
        elif not within:
            shown = _in(value, goods, approx, t.collection_limit.threshold)
            text = f"{what}: the price is above the limit ({shown}), so "
            text += "VAT is not "
            out.append(
                _finding("tax.import_vat_due", text + f"collected at sale; {t.border}", period)
            )
        else:
            how, field, severity = _who(t, context, price, ship_from, rates)
            head = (
                f"{what} covers this order: {priced}{_vs(value, goods, price)}. VAT/GST at "
                f"{t.rate} "
            )
            code = "tax.point_of_sale_collection"
            out.append(_interned(code, severity, head + how, field, *t.collection_source))

    # national parcel fees
    if t.parcel_unknown is not None:
        out.append(t.parcel_unknown)
    elif t.parcel is not None:
        parcel = t.parcel
        value, within, reason = measure(t.parcel_limit, price, goods, currency, rates, on)
        if within is None:
            out.append(
                _unknown(
                    f"National parcel fee {parcel.fee}: {reason}. {parcel.notes}", parcel.period
                )
            )
        elif within:
            message = (
                f"{t.name} charges a national fee of {parcel.fee} on this parcel, whose goods "
                f"value ({_in(value, goods, approx)}) is {t.parcel_limit.threshold}: {parcel.notes}"
                f"{parcel.unverified}"
            )
            out.append(
                _interned("tax.national_parcel_fee", "info", message, "price", *parcel.source)
            )
    return out


def _hs_line(values: Mapping[str, Any]) -> str:
    """Return how the flat-duty message names the listing's tariff line."""
    hs = values["hs_code"]
    if isinstance(hs, str) and hs:
        return f"HS {hs if len(hs) <= 40 else hs[:39] + '…'}"
    return "no HS code given: add one, the duty is per subheading"  # none, or not text


def _de_minimis(
    t: _Texts, price: Money, goods: Money | None, rates: RateSource, out: list[Finding]
) -> list[str]:
    """Add the de minimis findings that need a comparison to ``out``; return the parts."""
    parts: list[str] = []
    for item in t.de_minimis:
        if item.finding is not None:
            out.append(item.finding)
            continue
        if item.kind == _PART:
            parts.append(item.text)
            continue
        limit = item.limit
        value, within, reason = measure(limit, price, goods, t.currency, rates, t.day)
        if within is None:
            out.append(
                _unknown(
                    f"{item.label.capitalize()} relief in {t.name} for goods {limit.threshold}: "
                    f"{reason}. If your price in {price.currency} is above "
                    f"{_limit_of(limit.threshold)}, {item.label} is due.",
                    limit.period,
                )
            )
        elif within and limit.threshold is not None and limit.threshold.with_shipping:
            # check() knows no shipping charge: the price alone is within the limit.
            parts.append(
                f"{item.text}{_vs(value, goods, price)}: this price alone is within it, so none "
                f"is due at the border unless your shipping charge takes the total to the limit"
            )
        else:
            verdict = "so none is due at the border" if within else "and this price is above"
            parts.append(f"{item.text}{_vs(value, goods, price)}, {verdict}")
    return parts


def _who(
    t: _Texts, context: Context, price: Money, ship_from: str | None, rates: RateSource
) -> tuple[str, str, Severity]:
    """Return (how VAT is charged, field, severity) for an order within a point-of-sale scheme.

    Within the scheme's limit who charges VAT depends only on the market, the date, the
    seller's registration and whether a marketplace sells: worked out once per such case.
    """
    seller = context.seller
    marketplace = context.channel is not None
    key = (seller_number(seller, t.market), marketplace, seller is None)
    known = t.collect.get(key)
    if known is None:
        found = Assessment(t.plan, price, rates, origin=t.plan.origin, ship_from=ship_from)
        who = who_collects(found, seller, marketplace=marketplace)
        if who.at_sale is False:
            how = f"can be charged at sale, but {who.why}: {t.border}"
        else:
            how = f"is charged at sale: {who.why}."
        if seller is None:
            how += (
                f" No seller was given: with your own {who.kind} you collect it; on a "
                f"marketplace the marketplace does."
            )
        severity: Severity = "warning" if who.must_register and seller is not None else "info"
        known = (how, who.field, severity)
        if len(t.collect) < 256:
            t.collect[key] = known
    return known


_FOUR_PLACES: Final = Decimal("0.0001")


def _rounds_to(value: Money, amount: Decimal) -> bool:
    """Whether ``value`` rounded to its currency's digits is ``amount`` (never raises)."""
    try:
        return value.quantize().amount == amount
    except ArithmeticError:  # an amount beyond the decimal precision: no limit is near it
        return False


def _in(
    value: Money | None,
    goods: Money | None = None,
    shown: str = "",
    limit: Threshold | None = None,
) -> str:
    """Return the goods value in a threshold's currency, for a message.

    ``shown`` is already that text for ``goods`` (the value in the market's currency). A
    value that rounds to ``limit`` without being it (EUR 150.0044 against EUR 150) is shown
    with four more decimals: "above the limit (≈ EUR 150.00)" would contradict itself.
    """
    if value is None:
        return "not converted"
    if (
        limit is not None
        and value.amount != limit.amount
        and value.currency == limit.currency
        and _rounds_to(value, limit.amount)
    ):
        # In the rates' fixed context, not the caller's (whose precision could refuse it).
        exact = value.amount.quantize(_FOUR_PLACES, ROUND_HALF_UP, RATE_CONTEXT)
        if exact == limit.amount:  # closer still: every digit there is
            exact = value.amount.normalize(RATE_CONTEXT)
        return f"≈ {value.currency} {exact}"
    if value is goods and shown:
        return shown
    return f"≈ {fmt(value)}"


def _vs(value: Money | None, goods: Money | None, price: Money) -> str:
    """Return `` (≈ value)`` in the threshold's currency when it is not the market's."""
    if value is None or value is goods or value is price or value in (goods, price):
        return ""
    return f" ({_in(value)})"


#: The rule instance the ``xborder.rules`` entry point ``tax`` names.
RULE: Final = TaxRule()
