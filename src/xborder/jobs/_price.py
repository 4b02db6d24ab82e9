"""The price rules of the planner: the price basis, the floor, and the FX drift threshold.

A price is resent when it moved by the threshold or more from the last **confirmed**
price, or when anything but the exchange rate changed (the *price basis*: home price, cost,
policy, the market's VAT and tax display), or when the confirmed price is below the floor.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal, localcontext
from typing import Final

from xborder.jobs._state import ItemState
from xborder.money import Money
from xborder.offer import Offer
from xborder.pricing import Ending, PricingPolicy, policy_floor
from xborder.rates import RATE_CONTEXT, RateSource

__all__ = ["needs_price", "policy_key", "price_basis", "price_floor"]

_HUNDRED: Final = Decimal(100)
_ONE: Final = Decimal(1)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Money):
        return [_plain(value.amount), value.currency]
    if isinstance(value, Ending):
        return [_plain(value.step), _plain(value.offset), value.direction]
    if isinstance(value, Mapping):
        return sorted(
            ("|".join(k) if isinstance(k, tuple) else str(k), _plain(v)) for k, v in value.items()
        )
    if value is None or isinstance(value, bool | int | str):
        return value
    return repr(value)


def policy_key(policy: PricingPolicy) -> str:
    """Return a stable fingerprint of ``policy`` (every field, canonical JSON, SHA-256)."""
    data = {f.name: _plain(getattr(policy, f.name)) for f in dataclasses.fields(policy)}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def price_basis(offer: Offer, policy: str) -> str:
    """Fingerprint what ``offer``'s price was computed from, except the exchange rate.

    The home price, the cost, the pricing policy (``policy``, see :func:`policy_key`), the
    market's currency, VAT rate and whether prices there include tax. When this is
    unchanged, a different price can only come from the rate.
    """
    listing, q = offer.listing, offer.quote
    data = [
        _plain(listing.price),
        _plain(listing.cost),
        policy,
        offer.price.currency,
        _plain(q.vat_rate),
        q.tax_included,
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def price_floor(offer: Offer, policy: PricingPolicy, rates: RateSource) -> Decimal | None:
    """Return the lowest price ``policy`` allows for ``offer`` (minimum price or margin)."""
    if not policy.min_prices and policy.min_margin_percent is None:
        return None
    vat = offer.quote.vat_rate
    factor: Decimal | int = 1
    if vat is not None and offer.quote.tax_included:
        # As quote() works it out: in RATE_CONTEXT, never the caller's decimal context.
        factor = RATE_CONTEXT.add(_ONE, RATE_CONTEXT.divide(vat, _HUNDRED))
    floor, _ = policy_floor(
        policy,
        offer.price.currency,
        cost=offer.listing.cost,
        rates=rates,
        on=offer.on,
        tax_factor=Decimal(factor),
    )
    return floor


def needs_price(
    row: ItemState,
    price: Money,
    basis: str,
    *,
    drift_percent: Decimal,
    floor: Callable[[], Decimal | None],
) -> str | None:
    """Return why ``price`` must be sent to replace the confirmed ``row.price``, or None.

    Sent when: nothing was confirmed, the currency changed, the confirmed price is below
    the floor (``floor()``, called only then), the basis changed (home price, policy, facts),
    or it moved by the drift threshold or more. Otherwise (a rate move below the threshold)
    the confirmed price stays.
    """
    last = row.price
    if last is None:
        return "no confirmed price"
    if last.currency != price.currency:
        return f"currency {last.currency} -> {price.currency}"
    if last.amount == price.amount:
        return None
    lowest = floor()
    if lowest is not None and last.amount < lowest:
        return f"confirmed price {last} is below the floor {lowest}"
    if row.basis != basis:
        return f"price {last} -> {price} (home price, policy or facts changed)"
    if last.amount <= 0:
        return f"price {last} -> {price}"
    # In RATE_CONTEXT, as the prices were computed: under a caller's low precision the
    # ratio could round onto the threshold (or an Inexact trap could raise).
    with localcontext(RATE_CONTEXT):
        drift = abs(price.amount - last.amount) / last.amount * _HUNDRED
    if drift >= drift_percent:
        return f"price {last} -> {price} (FX drift {drift:.2f} %)"
    return None
