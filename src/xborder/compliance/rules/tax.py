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

from collections.abc import Iterable, Iterator
from typing import Any, Final

from xborder.compliance._context import Context
from xborder.compliance._lowvalue import (
    Assessment,
    Standing,
    assess,
    excerpt,
    fmt,
    on_tax_amount,
    previous_period,
    who_collects,
)
from xborder.findings import Finding, Severity
from xborder.markets import Collection, Market, Period
from xborder.money import Money
from xborder.rates import RateSource, bundled

__all__ = ["RULE", "TaxRule"]


class TaxRule:
    """The ``tax`` rule: point-of-sale collection and de minimis, as info findings.

    ``rates`` converts the listing's price for the threshold tests; the default is
    ``xborder.rates.bundled(max_age=None)`` (created on first use), read at the check date.
    """

    name: Final = "tax"

    def __init__(self, rates: RateSource | None = None) -> None:
        self._rates = rates

    @property
    def rates(self) -> RateSource:
        """The rate source used to convert prices."""
        if self._rates is None:
            self._rates = bundled(max_age=None)
        return self._rates

    def check(self, context: Context) -> Iterable[Finding]:
        """Return the tax findings for the listing in ``context.market`` on ``context.on``."""
        market = context.market
        if market.on != context.on:
            market = Market.for_country(market.country, on=context.on, currency=market.currency)
        if not market.facts:
            return [_unknown(f"xborder has no sourced tax facts for {market.name}.", None)]
        seller = context.seller
        listing = context.listing
        found = assess(
            market,
            listing.price,
            origin=listing.origin_country,
            ship_from=seller.country if seller is not None else None,
            rates=self.rates,
        )
        return list(_Messages(found, context).run())

    def __repr__(self) -> str:
        return f"TaxRule(rates={self._rates!r})"


def _finding(
    code: str,
    message: str,
    period: Period[Any] | None,
    field: str = "price",
    severity: Severity = "info",
) -> Finding:
    return Finding(
        code=f"tax.{code}",
        severity=severity,
        message=message,
        field=field,
        source=period.source[0] if period is not None and period.source else None,
        effective_from=period.effective_from if period is not None else None,
    )


def _unknown(message: str, period: Period[Any] | None) -> Finding:
    return _finding("threshold_unknown", message, period)


class _Messages:
    def __init__(self, found: Assessment, context: Context) -> None:
        self.a = found
        self.context = context
        self.market = found.market
        self.price = context.listing.price
        goods = found.goods
        local = f" (≈ {fmt(goods)} on {found.on})" if goods and goods != self.price else ""
        self.priced = f"this listing's price is {fmt(self.price)}{local}"
        where = "from outside the EU" if self.market.eu_member else "from abroad"
        self.assumed = (
            f" No seller was given, so the parcel is taken to be imported {where}."
            if found.imported is None
            else ""
        )

    def run(self) -> Iterator[Finding]:
        if self.a.imported is False:
            yield self.not_imported()
            return
        yield from self.de_minimis()
        yield from self.flat_duty()
        yield from self.collection()
        yield from self.parcel_fee()

    def not_imported(self) -> Finding:
        a, name = self.a, self.market.name
        if a.ship_from == self.market.country:
            return _finding(
                "domestic_sale",
                f"You ship from {name} to buyers in {name}: there is no import, so no customs "
                f"duty or import VAT; charge VAT/GST under {name}'s domestic rules.",
                None,
                "seller.country",
            )
        return _finding(
            "intra_eu_sale",
            f"The parcel goes from {a.ship_from} to {self.market.country} inside the EU: no "
            f"customs duty, no IOSS and no import VAT. VAT follows the EU distance-selling "
            f"rules (One-Stop Shop), which this rule does not check.",
            None,
            "seller.country",
        )

    def de_minimis(self) -> Iterator[Finding]:
        parts, first = [], None
        for label, st in (("customs duty", self.a.duty), ("import VAT/GST", self.a.tax)):
            period, threshold = st.period, st.threshold
            if period is None or period.value is None or threshold is None:
                yield _unknown(
                    f"The {label} de minimis for {self.market.name} on {self.a.on} is "
                    f"{st.reason}. xborder does not assume there is none, nor that there is one.",
                    period,
                )
                continue
            first = first or period
            if on_tax_amount(period):
                parts.append(
                    f"{label} is not collected when the tax due is at most "
                    f"{fmt(threshold.money)} (a limit on the tax amount, not the goods value)"
                )
            elif period.value == 0:
                before = previous_period(self.market, st.fact, period)
                was = (
                    f" ({fmt(Money(before.value, before.currency))} until {before.effective_to})"
                    if before is not None and before.value and before.currency
                    else ""
                )
                since = f" since {period.effective_from}" if period.effective_from else ""
                parts.append(f"{label} has no de minimis{since}{was}: due from the first unit")
            elif st.within is None:
                yield _unknown(
                    f"{label.capitalize()} relief in {self.market.name} for goods {threshold}: "
                    f"{st.reason}. If your price in {self.price.currency} is above "
                    f"{fmt(threshold.money)}, {label} is due.",
                    period,
                )
            else:
                verdict = "so none is due at the border" if st.within else "and this price is above"
                parts.append(f"{label} relief for goods {threshold}{self.vs(st)}, {verdict}")
        if parts and first is not None:
            notes = excerpt(first.notes)
            yield _finding(
                "de_minimis",
                f"On {self.a.on} in {self.market.name}, {self.priced}: {'; '.join(parts)}."
                f"{self.assumed} Conditions apply (facts: {notes})"
                + ("" if notes.endswith(".") else "."),
                first,
            )

    def in_(self, st: Standing) -> str:
        """Return the goods value in a threshold's currency, for a message."""
        return f"≈ {fmt(st.value)}" if st.value is not None else "not converted"

    def vs(self, st: Standing) -> str:
        """Return `` (≈ value)`` in the threshold's currency when it is not the market's."""
        return "" if st.value in (None, self.a.goods, self.price) else f" ({self.in_(st)})"

    def flat_duty(self) -> Iterator[Finding]:
        st = self.a.flat_duty
        period = st.period
        if period is None or not period.value or not period.currency:
            return
        per_line = Money(period.value, period.currency)
        end = f" until {period.effective_to}" if period.effective_to else ""
        rule = (
            f"{fmt(per_line)} customs duty per distinct tariff line (HS subheading) on "
            f"distance-sale consignments {st.threshold or '(limit unknown)'}, from "
            f"{period.effective_from}{end}"
        )
        unverified = "".join(f" Unverified: {u}." for u in self.a.unverified(st.fact))
        hs = self.context.listing.hs_code
        line = f"HS {hs}" if hs else "no HS code given: add one, the duty is per subheading"
        if st.within is None:
            yield _unknown(f"{rule}. Whether it applies is unknown: {st.reason}.", period)
        elif st.within:
            yield _finding(
                "flat_duty_per_line",
                f"{rule}. The price is within the limit ({self.in_(st)}): one unit of this "
                f"listing ({line}) carries {fmt(per_line)} of duty instead of the normal tariff."
                f"{unverified}",
                period,
                "hs_code",
            )
        else:
            yield _finding(
                "flat_duty_per_line",
                f"{rule}. The price is above the limit ({self.in_(st)}): the normal tariff "
                f"applies.",
                period,
                "hs_code",
            )

    def collection(self) -> Iterator[Finding]:
        a, market, seller = self.a, self.market, self.context.seller
        st, period = a.collection, a.collection.period
        scheme = period.value if period is not None else None
        who = who_collects(a, seller, marketplace=self.context.channel is not None)
        rate = f"{market.vat_rate}%" if market.vat_rate is not None else "an unknown rate"
        if market.vat_rate is None and a.tax.period is not None:
            rate += f" (the facts give no rate: {excerpt(a.tax.period.notes, 140)})"
        border = (
            f"import VAT/GST at {rate} is charged at import on the goods, shipping and duty: "
            f"the buyer pays it to the carrier at delivery unless you ship DDP."
        )
        if not isinstance(scheme, Collection) or scheme.scheme is None:
            if not a.tax.within:  # below the tax de minimis the de_minimis finding says it
                by = f" ({scheme.collected_by})" if isinstance(scheme, Collection) else ""
                text = f"{market.name} has no point-of-sale scheme for low-value imports{by}: "
                yield _finding("import_vat_due", text + border, period)
            return
        what = f"{scheme.scheme} ({scheme.threshold})"
        if st.threshold is None:
            text = f"{what}, collected by: {scheme.collected_by}. The threshold is not an order"
            text += " value, so xborder cannot tell whether it applies to this listing."
            yield _finding("point_of_sale_collection", text, period)
        elif st.within is None:
            yield _unknown(
                f"{what}: {st.reason}. If your price in {self.price.currency} is above "
                f"{fmt(st.threshold.money)}, {border}",
                period,
            )
        elif not st.within:
            text = f"{what}: the price is above the limit ({self.in_(st)}), so VAT is not "
            yield _finding("import_vat_due", text + f"collected at sale; {border}", period)
        else:
            head = f"{what} covers this order: {self.priced}{self.vs(st)}. VAT/GST at {rate} "
            if who.at_sale is False:
                how = f"can be charged at sale, but {who.why}: {border}"
            else:
                how = f"is charged at sale: {who.why}."
            if seller is None:
                how += (
                    f" No seller was given: with your own {who.kind} you collect it; on a "
                    f"marketplace the marketplace does."
                )
            severity: Severity = "warning" if who.must_register and seller else "info"
            yield _finding("point_of_sale_collection", head + how, period, who.field, severity)

    def parcel_fee(self) -> Iterator[Finding]:
        st = self.a.parcel_fee
        period = st.period
        if period is None:
            return
        unverified = "".join(f" Unverified: {u}." for u in self.a.unverified(st.fact))
        notes = excerpt(period.notes, 320)
        if period.value is None or not period.currency:
            yield _finding(
                "national_parcel_fee",
                f"{self.market.name} has a national fee on low-value parcels from outside the "
                f"EU, but whether and how much it applies on {self.a.on} is unknown: {notes}"
                f"{unverified}",
                period,
            )
            return
        fee = fmt(Money(period.value, period.currency))
        if st.within is None:
            yield _unknown(f"National parcel fee {fee}: {st.reason}. {notes}", period)
        elif st.within:
            yield _finding(
                "national_parcel_fee",
                f"{self.market.name} charges a national fee of {fee} on this parcel, whose "
                f"goods value ({self.in_(st)}) is {st.threshold}: {notes}{unverified}",
                period,
            )


#: The rule instance the ``xborder.rules`` entry point ``tax`` names.
RULE: Final = TaxRule()
