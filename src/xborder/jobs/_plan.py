"""The planner: what each target needs, item by item, against what was last confirmed.

For every listing of the catalog (in the run's shard), every target and every market, the
planner prepares the offer (:func:`xborder.prepare`), splits the stock (:mod:`._stock`) and
compares the result with the item's :class:`~xborder.jobs.ItemState`:

========================  ==================================================================
``create``                not listed yet (or withdrawn, or its create failed)
``update``                listed, but the content fingerprint changed (or is unknown)
``price_quantity``        listed, same content; the price and/or the quantity changed
``withdraw``              listed, but gone from the catalog, out of stock, blocked by
                          compliance, or its market is no longer a target
``unchanged``             nothing to send
``blocked``               cannot be listed: compliance errors, or no price (with reasons)
``deferred``              not now: awaiting confirmation, the marketplace said when to come
                          back, or a daily cap (eBay's 250 revisions) is reached
========================  ==================================================================

**Prices** are not resent for a move below the FX drift threshold (default 1 %) when the home
price, the pricing policy and the market's facts are unchanged (the *price basis*); a price
whose last confirmed value is below the floor (the policy's minimum price or margin) is
always sent. The planner streams: it holds one chunk of listings at a time, so memory does
not grow with the catalog.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

from xborder.errors import XborderError
from xborder.http import Flow
from xborder.jobs._price import needs_price, policy_key, price_basis, price_floor
from xborder.jobs._shard import Shard
from xborder.jobs._state import ItemState, StateStore
from xborder.jobs._stock import allocate, weights
from xborder.jobs._target import Target
from xborder.listing import Listing, Seller
from xborder.localize import translation_target
from xborder.localize.content import UNTRANSLATED, LocalizedText
from xborder.localize.translate import TranslationCache, TranslationRun, Translator, translate_flow
from xborder.marketplaces import OfferKey
from xborder.money import Money
from xborder.offer import Offer, prepare
from xborder.pricing import PricingPolicy
from xborder.rates import ECB, RateSnapshot, RateSource

__all__ = ["OPERATIONS", "WRITES", "Decision", "Operation", "PlanContext", "Planner", "RunFlow"]

Operation = Literal[
    "create", "update", "price_quantity", "withdraw", "unchanged", "blocked", "deferred"
]
OPERATIONS: Final[tuple[Operation, ...]] = (
    "create",
    "update",
    "price_quantity",
    "withdraw",
    "unchanged",
    "blocked",
    "deferred",
)
#: The operations that write to a marketplace.
WRITES: Final[frozenset[Operation]] = frozenset({"create", "update", "price_quantity", "withdraw"})


@dataclass(slots=True)
class Decision:
    """What one item needs: the operation, why, and what to send.

    ``offer`` is set for ``create``/``update``/``price_quantity``; ``price`` and
    ``quantity`` are what a ``price_quantity`` update sends (``None``: unchanged);
    ``row`` is the item's state before the run.
    """

    target: Target
    key: OfferKey
    operation: Operation
    reasons: tuple[str, ...] = ()
    offer: Offer | None = None
    row: ItemState | None = None
    price: Money | None = None
    quantity: int | None = None
    basis: str | None = None

    @property
    def writes(self) -> bool:
        """Whether the decision sends something to the marketplace."""
        return self.operation in WRITES


@dataclass(frozen=True, slots=True)
class RunFlow:
    """An action for the driver: run ``flow`` (a plain flow, no adapter), send back its result.

    ``purpose`` is ``"translation"`` or ``"rates"``; when the flow fails the driver notes it
    in the report and sends back ``None``.
    """

    flow: Flow[Any]
    purpose: Literal["translation", "rates"] = "translation"


Step = Decision | RunFlow


# -- the planner --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    """One (target, market) of one listing, prepared."""

    target: int
    market: str
    offer: Offer | None
    error: str | None
    basis: str | None = None


@dataclass(slots=True)
class PlanContext:
    """What the planner reads: the job's inputs for one run."""

    targets: Sequence[Target]
    store: StateStore
    shard: Shard
    rates: RateSource
    policy: PricingPolicy
    seller: Seller | None
    on: date
    now: datetime
    cache: TranslationCache | None
    translator: Translator | None
    drift_percent: Decimal
    chunk_size: int = 256
    withdraw_gone: bool = True
    live_rates: Sequence[ECB] = ()


class Planner:
    """Streams :class:`Decision` values (and :class:`RunFlow` actions) for one run.

    :meth:`steps` is a generator: a driver sends back the result of each
    :class:`RunFlow` (the translation step) and ``None`` after each decision.
    """

    def __init__(self, context: PlanContext, catalog: Iterable[Listing]) -> None:
        self.context = context
        self.catalog = catalog
        self._policies = [t.policy or context.policy for t in context.targets]
        self._policy_keys = [policy_key(p) for p in self._policies]
        self.listings = 0
        self.unreadable: list[str] = []  # catalog rows without a SKU: gone detection is off
        self.translation = TranslationRun(0, 0, 0)

    # -- catalog ---------------------------------------------------------------------------

    def note_bad_row(self, sku: str | None, message: str) -> None:
        """Keep the SKU of a catalog row that failed validation as seen (never withdraw it)."""
        if sku is not None:
            self.context.store.mark_seen([sku])
        else:
            self.unreadable.append(message)

    def _chunks(self) -> Iterator[list[Listing]]:
        size, shard = self.context.chunk_size, self.context.shard
        chunk: list[Listing] = []
        for listing in self.catalog:
            if not isinstance(listing, Listing):
                raise TypeError(f"catalog: expected Listing items, got {type(listing).__name__}")
            if not shard.holds(listing.sku):
                continue
            chunk.append(listing)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    # -- steps -----------------------------------------------------------------------------

    def chunks(self) -> Iterator[list[Listing]]:
        """Yield the catalog's listings of the shard in chunks, remembering their SKUs."""
        store = self.context.store
        store.reset_seen()
        for chunk in self._chunks():
            self.listings += len(chunk)
            store.mark_seen(listing.sku for listing in chunk)
            yield chunk

    @property
    def judges_gone(self) -> bool:
        """Whether items missing from the catalog may be withdrawn after this pass."""
        return self.context.withdraw_gone and not self.unreadable and self.listings > 0

    def steps(self) -> Generator[Step, Any, None]:
        """Yield every decision of the run (and translation flows to run first)."""
        context = self.context
        for live in context.live_rates:
            if not live.is_fresh():
                snapshot = yield RunFlow(live.flow(), "rates")
                if isinstance(snapshot, RateSnapshot):
                    live.load(snapshot)
        for chunk in self.chunks():
            slots = self._prepare(chunk)
            if context.translator is not None and context.cache is not None:
                yield from self._translate(chunk, slots)
            rows = self._rows(chunk)
            for listing, listing_slots in zip(chunk, slots, strict=True):
                yield from self._decide_listing(listing, listing_slots, rows)
        if self.judges_gone:
            for target in context.targets:
                for row in context.store.unseen(target.name, context.shard):
                    yield Decision(target, row.key, "withdraw", ("gone from the catalog",), row=row)

    def _prepare_one(self, listing: Listing, target: int, market: str) -> _Slot:
        context = self.context
        spec = context.targets[target]
        try:
            offer = prepare(
                listing,
                market,
                channel=spec.channel_name,
                rates=context.rates,
                policy=self._policies[target],
                seller=context.seller,
                on=context.on,
                cache=context.cache,
            )
        except XborderError as exc:
            return _Slot(target, market, None, f"cannot prepare: {exc}")
        if offer.key.marketplace != spec.name:
            offer = dataclasses.replace(offer, key=offer.key._replace(marketplace=spec.name))
        return _Slot(target, market, offer, None, price_basis(offer, self._policy_keys[target]))

    def _prepare(self, chunk: Sequence[Listing]) -> list[list[_Slot]]:
        targets = self.context.targets
        # A base market first: it gets a unit left over when the stock is split, so the
        # overrides of the other markets always have a base item to hang on.
        markets = [
            sorted(spec.markets, key=lambda market: market != spec.base_market) for spec in targets
        ]
        return [
            [
                self._prepare_one(listing, t, market)
                for t in range(len(targets))
                for market in markets[t]
            ]
            for listing in chunk
        ]

    def _translate(
        self, chunk: Sequence[Listing], slots: list[list[_Slot]]
    ) -> Generator[Step, Any, None]:
        """Machine-translate what the offers of ``chunk`` lack, then prepare them again."""
        wanted: dict[tuple[str, str], dict[str, None]] = {}
        redo: list[tuple[int, int]] = []
        for i, (listing, listing_slots) in enumerate(zip(chunk, slots, strict=True)):
            for j, slot in enumerate(listing_slots):
                if slot.offer is None:
                    continue
                texts = _untranslated(listing, slot.offer)
                if texts:
                    # The tag localize() reads the cache with ("zh-Hant" for Taiwan).
                    pair = (listing.language, translation_target(slot.offer.content.locale))
                    wanted.setdefault(pair, {}).update(dict.fromkeys(texts))
                    redo.append((i, j))
        if not wanted:
            return
        for (source, target), found in wanted.items():
            translator, cache = self.context.translator, self.context.cache
            if translator is None or cache is None:
                return  # the step failed earlier in this run and was turned off
            run = yield RunFlow(translate_flow(list(found), source, target, translator, cache))
            if isinstance(run, TranslationRun):
                done = self.translation
                self.translation = TranslationRun(
                    done.requested + run.requested,
                    done.cache_hits + run.cache_hits,
                    done.translated + run.translated,
                    done.missing + run.missing,
                )
        for i, j in redo:
            slot = slots[i][j]
            slots[i][j] = self._prepare_one(chunk[i], slot.target, slot.market)

    def _rows(self, chunk: Sequence[Listing]) -> dict[OfferKey, ItemState]:
        skus = [listing.sku for listing in chunk]
        found: dict[OfferKey, ItemState] = {}
        for target in self.context.targets:
            for row in self.context.store.rows(target.name, skus):
                found[row.key] = row
        return found

    def _decide_listing(
        self, listing: Listing, slots: Sequence[_Slot], rows: Mapping[OfferKey, ItemState]
    ) -> Iterator[Decision]:
        targets = self.context.targets
        listable = [s for s in slots if s.offer is not None and s.offer.ok]
        per_target = [sum(1 for s in listable if s.target == t) for t in range(len(targets))]
        shares = weights([t.stock for t in targets], per_target)
        quantities = allocate(
            listing.quantity,
            [targets[s.target].stock for s in listable],
            [Fraction(shares[s.target]) for s in listable],
        )
        allocated = {id(s): q for s, q in zip(listable, quantities, strict=True)}
        decisions = []
        for slot in slots:
            spec = targets[slot.target]
            key = OfferKey(spec.name, slot.market, listing.sku)
            decisions.append(self.decide(slot, key, rows.get(key), allocated.get(id(slot), 0)))
        yield from _without_base(decisions, rows)
        # Markets dropped from a target's configuration: take their listings off sale.
        for key, row in rows.items():
            if key.sku != listing.sku or not row.listed:
                continue
            owner = next((t for t in targets if t.name == key.marketplace), None)
            if owner is not None and key.market not in owner.markets:
                yield Decision(owner, key, "withdraw", ("market no longer a target",), row=row)

    def decide(self, slot: _Slot, key: OfferKey, row: ItemState | None, quantity: int) -> Decision:
        """Decide what one item needs (see the module docs)."""
        spec = self.context.targets[slot.target]
        offer = slot.offer
        listed = row is not None and row.listed
        if offer is None or not offer.ok:
            reasons = (
                (slot.error,)
                if slot.error
                else tuple(f"{f.code}: {f.message}" for f in offer.report.errors)
                if offer is not None
                else ()
            )
            if listed:
                return Decision(spec, key, "withdraw", ("blocked", *reasons), row=row)
            return Decision(spec, key, "blocked", reasons, row=row)
        offer = dataclasses.replace(offer, quantity=quantity)
        if quantity == 0 and spec.zero_quantity == "withdraw":
            if listed:
                return Decision(spec, key, "withdraw", ("quantity 0",), row=row, offer=offer)
            return Decision(spec, key, "unchanged", ("quantity 0: not listed",), row=row)
        later = self._later(spec, row)
        if later is not None:
            return Decision(spec, key, "deferred", (later,), row=row, offer=offer)
        if row is None or not row.listed:
            why = "new" if row is None else f"not listed ({row.state or row.status})"
            return Decision(spec, key, "create", (why,), offer=offer, row=row, basis=slot.basis)
        if row.state == "rejected" or row.fingerprint != offer.content_fingerprint:
            why = (
                "rejected by the marketplace"
                if row.state == "rejected"
                else "content not confirmed by xborder"
                if row.fingerprint is None
                else "content changed"
            )
            return self._revise(
                spec,
                row,
                Decision(spec, key, "update", (why,), offer=offer, row=row, basis=slot.basis),
            )
        return self._price_quantity(spec, slot, key, row, offer)

    def _price_quantity(
        self, spec: Target, slot: _Slot, key: OfferKey, row: ItemState, offer: Offer
    ) -> Decision:
        basis = slot.basis or ""
        why = needs_price(
            row,
            offer.price,
            basis,
            drift_percent=self.context.drift_percent,
            floor=lambda: price_floor(offer, self._policies[slot.target], self.context.rates),
        )
        reasons: list[str] = []
        price = offer.price if why is not None else None
        if why is not None:
            reasons.append(why)
        quantity = offer.quantity if offer.quantity != row.quantity else None
        if quantity is not None:
            reasons.append(f"quantity {row.quantity} -> {offer.quantity}")
        if price is None and quantity is None:
            return Decision(spec, key, "unchanged", row=row)
        operation: Operation = (
            "price_quantity" if spec.adapter.capabilities.partial_update else "update"
        )
        decision = Decision(
            spec,
            key,
            operation,
            tuple(reasons),
            offer=offer,
            row=row,
            price=price,
            quantity=quantity,
            basis=basis if price is not None else row.basis,
        )
        return self._revise(spec, row, decision)

    def _later(self, spec: Target, row: ItemState | None) -> str | None:
        if row is None:
            return None
        if row.status == "pending" and row.pending is not None:
            return f"awaiting confirmation of {row.pending.operation}"
        if row.not_before is not None and row.not_before > self.context.now:
            return f"retry after {row.not_before.isoformat()} ({row.last_error or 'as asked'})"
        return None

    def _revise(self, spec: Target, row: ItemState, decision: Decision) -> Decision:
        cap = spec.revision_cap()
        if cap is None:
            return decision
        day = spec.revision_day(self.context.now)
        if row.revision_day == day and row.revisions >= cap:
            return dataclasses.replace(
                decision,
                operation="deferred",
                reasons=(f"daily revision cap reached ({row.revisions} of {cap} on {day})",),
            )
        return decision


def _without_base(decisions: list[Decision], rows: Mapping[OfferKey, ItemState]) -> list[Decision]:
    """Block creates in other markets of a product whose base market item cannot exist.

    Meta makes the other markets overrides of the base market's item and never creates an
    item from an override: without a base item (listed already, or created in this run)
    the other markets cannot be created either.
    """
    out = list(decisions)
    for index, decision in enumerate(decisions):
        base = decision.target.base_market
        if base is None or decision.operation != "create" or decision.key.market == base:
            continue
        base_key = decision.key._replace(market=base)
        row = rows.get(base_key)
        ours = next((d for d in decisions if d.key == base_key), None)
        if (row is not None and row.listed) or (ours is not None and ours.operation == "create"):
            continue
        why = ours.reasons if ours is not None else ()
        out[index] = dataclasses.replace(
            decision,
            operation="blocked",
            offer=None,
            reasons=(f"no item in the base market {base} to hang this market on", *why),
        )
    return out


def _untranslated(listing: Listing, offer: Offer) -> list[str]:
    """Return the source texts of ``offer``'s content that nobody translated."""
    content = offer.content
    texts: list[str] = []

    def add(part: LocalizedText, source: str | None = None) -> None:
        if part.provenance == UNTRANSLATED and part.text.strip():
            # Title and description are fitted to the channel afterwards: translate the source.
            texts.append(source if source is not None else part.text)

    add(content.title, listing.title)
    add(content.description, listing.description)
    add(content.condition)
    for attribute in content.attributes:
        add(attribute.name)
        for value in attribute.values:
            add(value)
    return texts
