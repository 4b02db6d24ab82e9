"""Stock allocation: one physical stock shared by several marketplaces and markets.

A listing's ``quantity`` is the seller's physical stock. Listed in full on every
marketplace and market, the same unit could sell several times over; so each target gets a
:class:`StockRule` and :func:`allocate` splits the stock between the places a listing is
actually offered, never handing out more than there is:

* ``share``: the fraction of the stock given to the target (0 < share ≤ 1), split evenly
  between its markets. Targets without a share split what the others leave. When the
  shares add up to more than 1 they are read as weights.
* ``cap``: at most this many units in any one market of the target.
* ``buffer``: units the target never sees (kept back for the shop, or for returns).

>>> slots = [StockRule(share=Decimal("0.5")), StockRule(share=Decimal("0.5"), cap=3)]
>>> allocate(10, slots)
[5, 3]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

__all__ = ["StockRule", "allocate", "weights"]

_ONE: Final = Fraction(1)


@dataclass(frozen=True, slots=True)
class StockRule:
    """How much of a listing's stock one target may offer (see the module docs).

    ``share`` ``None`` means "an equal part of what targets with a share leave".
    """

    share: Decimal | None = None
    cap: int | None = None
    buffer: int = 0

    def __post_init__(self) -> None:
        if self.share is not None:
            if isinstance(self.share, float | bool) or not isinstance(self.share, Decimal | int):
                raise TypeError(f"StockRule.share: expected a Decimal, got {self.share!r}")
            share = Decimal(self.share)
            if not 0 < share <= 1:
                raise ValueError(f"StockRule.share: expected 0 < share <= 1, got {share}")
            object.__setattr__(self, "share", share)
        for name in ("cap", "buffer"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"StockRule.{name}: expected an int >= 0, got {value!r}")


def weights(rules: Sequence[StockRule], markets: Sequence[int]) -> list[Fraction]:
    """Return each target's weight per market slot: its share split over its ``markets``.

    ``rules[t]`` is target ``t``'s rule and ``markets[t]`` how many of its markets offer the
    listing (targets with 0 get 0). Targets without a share split what the others leave;
    if the explicit shares leave nothing, they get nothing.
    """
    # Fractions, not Decimals: thirds must add up to exactly one, or a unit goes missing.
    explicit = sum(
        (Fraction(r.share) for t, r in enumerate(rules) if r.share is not None and markets[t] > 0),
        Fraction(0),
    )
    open_targets = [t for t, r in enumerate(rules) if r.share is None and markets[t] > 0]
    rest = max(Fraction(0), _ONE - explicit)
    out: list[Fraction] = []
    for t, rule in enumerate(rules):
        if markets[t] <= 0:
            out.append(Fraction(0))
        elif rule.share is not None:
            out.append(Fraction(rule.share) / markets[t])
        else:
            out.append(rest / len(open_targets) / markets[t])
    return out


def allocate(
    stock: int, slots: Sequence[StockRule], shares: Sequence[Fraction] | None = None
) -> list[int]:
    """Split ``stock`` units between ``slots`` (one per market a listing is offered in).

    ``slots[i]`` is the rule of the target that market ``i`` belongs to; ``shares[i]`` its
    share of the stock (default: :func:`weights` with one market per slot). The result never
    adds up to more than ``stock``: each slot gets the whole units of its share (shares
    adding up to more than 1 are scaled down to 1), the units left over go one each to the
    slots with the largest fractions, and no slot gets more than its ``cap`` or more than
    ``stock - buffer``.
    """
    if isinstance(stock, bool) or not isinstance(stock, int):
        raise TypeError(f"stock: expected an int, got {stock!r}")
    if not slots or stock <= 0:
        return [0] * len(slots)
    if shares is None:
        shares = weights(slots, [1] * len(slots))
    total = sum(shares, Fraction(0))
    if total <= 0:
        return [0] * len(slots)
    scale = max(total, _ONE)
    ideal = [stock * Fraction(w) / scale for w in shares]
    limits = [
        min(rule.cap if rule.cap is not None else stock, max(0, stock - rule.buffer))
        for rule in slots
    ]
    out = [min(math.floor(x), lim) for x, lim in zip(ideal, limits, strict=True)]
    # Whole units the shares cover, at most the stock (shares below 1 keep the rest back).
    budget = math.floor(stock * min(total, _ONE))
    left = budget - sum(out)
    order = sorted(range(len(slots)), key=lambda i: (-(ideal[i] - math.floor(ideal[i])), i))
    for i in order:
        if left <= 0:
            break
        if out[i] < limits[i] and ideal[i] > out[i]:
            out[i] += 1
            left -= 1
    return out
