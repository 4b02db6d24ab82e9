"""One listing for one market on one channel: :class:`Offer` and :func:`prepare`.

:func:`prepare` is the per-market pipeline of DESIGN.md: quote the price, localize the
content (formatting the *quoted* price), check compliance, and fingerprint what would be
sent. It is pure: no I/O, and the same inputs give the same offer and the same fingerprint
in any process on any Python version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from xborder.clock import today
from xborder.compliance import Report, check
from xborder.listing import Listing, Seller
from xborder.localize.channels import ChannelRules, channel_rules
from xborder.localize.content import LocalizedContent, localize
from xborder.localize.translate import TranslationCache
from xborder.marketplaces._model import OfferKey
from xborder.markets import Market
from xborder.money import Money
from xborder.pricing import PriceQuote, PricingPolicy, quote
from xborder.rates import RateSource

__all__ = ["FINGERPRINT_VERSION", "Offer", "content_fingerprint", "prepare"]

#: Bumped whenever the fingerprinted content changes shape, so stored fingerprints of an
#: older release differ from new ones (a one-time full update) instead of matching wrongly.
FINGERPRINT_VERSION: Final = 1

# Listing fields that reach the marketplace unchanged (the texts go in localized form).
_SENT_AS_IS: Final = (
    "brand",
    "mpn",
    "gtin",
    "gtin_exempt",
    "category",
    "images",
    "url",
    "hs_code",
    "origin_country",
    "customs_description",
    "manufacturer",
    "eu_responsible_person",
    "safety_information",
    "dangerous_goods",
    "variant_group",
)


@dataclass(frozen=True, slots=True)
class Offer:
    """One listing as it would be published in one market on one channel.

    ``price`` is the quoted price, quantized to the currency's digits, and
    ``display_price`` that same price formatted for the market's locale. ``content`` is the
    localized text (with provenance and findings), ``report`` the compliance report, and
    ``content_fingerprint`` a SHA-256 hex digest of everything that would be sent except
    the price and the quantity (see :func:`content_fingerprint`).
    """

    key: OfferKey
    listing: Listing
    market: Market
    channel: ChannelRules
    on: date
    price: Money
    display_price: str
    quantity: int
    quote: PriceQuote
    content: LocalizedContent
    report: Report
    content_fingerprint: str

    @property
    def ok(self) -> bool:
        """Whether the compliance report has no error (the offer may be published)."""
        return self.report.ok

    @property
    def currency(self) -> str:
        """The currency of the price."""
        return self.price.currency


def prepare(
    listing: Listing,
    market: Market | str,
    *,
    channel: str | ChannelRules,
    rates: RateSource,
    policy: PricingPolicy | None = None,
    seller: Seller | None = None,
    on: date | None = None,
    cache: TranslationCache | None = None,
) -> Offer:
    """Prepare ``listing`` for ``market`` on ``channel``: price, content, report, fingerprint.

    Args:
        listing: the listing as the seller wrote it, in its home currency and language.
        market: a :class:`~xborder.markets.Market` or a country code (``"DE"``).
        channel: a channel name (``"ebay"``, ``"amazon"``, ``"facebook"``/``"meta"``, or one
            added with :func:`~xborder.localize.channels.register_channel`) or its
            :class:`ChannelRules`; its name is the ``marketplace`` of the offer's key.
        rates: where exchange rates come from (``xborder.rates.bundled()`` offline).
        policy: the pricing policy (default: plain conversion, market tax display).
        seller: who sells, for the compliance regimes (see :func:`xborder.check`).
        on: the day whose rates, facts and rules apply (default: today, UTC).
        cache: machine translations filled beforehand by ``translate_flow``.

    Raises the errors of :func:`xborder.quote` (no rate, a policy that cannot apply) and
    :class:`~xborder.errors.ConfigurationError` for an unknown channel. Compliance problems
    do not raise: they are in ``offer.report``.
    """
    if not isinstance(listing, Listing):
        raise TypeError(f"listing: expected Listing, got {type(listing).__name__}")
    day = on if on is not None else today()
    target = market if isinstance(market, Market) else Market.for_country(market, on=day)
    rules = (
        channel_rules(channel, on=day, market=target.country)
        if isinstance(channel, str)
        else channel
    )
    if not isinstance(rules, ChannelRules):
        raise TypeError(f"channel: expected a name or ChannelRules, got {type(channel).__name__}")

    priced = quote(
        listing.price,
        target,
        rates=rates,
        policy=policy,
        on=day,
        cost=listing.cost,
        sku=listing.sku,
    )
    content = localize(listing, target, channel=rules, cache=cache, price=priced.price, on=day)
    report = check(listing, target, channel=rules, on=day, seller=seller)
    key = OfferKey(rules.name, target.country, listing.sku)
    fingerprint = content_fingerprint(key, listing, content, currency=priced.price.currency)
    return Offer(
        key=key,
        listing=listing,
        market=target,
        channel=rules,
        on=day,
        price=priced.price,
        display_price=content.price or "",
        quantity=listing.quantity,
        quote=priced,
        content=content,
        report=report,
        content_fingerprint=fingerprint,
    )


def content_fingerprint(
    key: OfferKey, listing: Listing, content: LocalizedContent, *, currency: str
) -> str:
    """Return the SHA-256 hex digest of what an offer sends, except price and quantity.

    The digest covers the key, the currency, the language and locale, the localized title,
    description, attributes, condition and measures, and the listing fields sent as they
    are (identifiers, category, images, URL, customs data, manufacturer and responsible
    person, safety information, dangerous goods, variant group). It is computed from
    canonical JSON (sorted keys, no whitespace, ASCII, decimals normalised), never from
    Python's ``hash()``, so it is the same in every process and Python version.
    """
    data: dict[str, Any] = {
        "v": FINGERPRINT_VERSION,
        "key": list(key),
        "currency": currency,
        "language": content.language,
        "locale": content.locale,
        "channel": content.channel,
        "title": content.title.text,
        "description": content.description.text,
        "condition": content.condition.text,
        "attributes": [
            [a.key, a.name.text, [v.text for v in a.values]] for a in content.attributes
        ],
        "weight": _measure(content.weight),
        "dimensions": _measure(content.dimensions),
    }
    dumped = listing.model_dump(mode="json", include=set(_SENT_AS_IS))
    for name in _SENT_AS_IS:
        data[name] = dumped.get(name)
    text = json.dumps(_canonical(data), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _measure(measure: Any) -> list[Any] | None:
    if measure is None:
        return None
    return [[_decimal(v) for v in measure.values], measure.unit]


def _decimal(value: Decimal) -> str:
    # "1.50" and "1.5" are the same amount: normalise so equal listings hash equally.
    normal = value.normalize()
    return format(normal, "f")


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value
