"""Live listings that no configured target covers any more: found and reported, never withdrawn.

A target removed from the configuration (or a market removed from a target whose items the
run does not withdraw) leaves rows in the state store whose listings stay on sale, and no
run updates them any more. Withdrawing them automatically would let a typo in the
configuration take a whole marketplace down, so a run only says so: one note per
marketplace, naming each market with its count, and what the seller can do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from xborder.jobs._shard import Shard
from xborder.jobs._state import StateStore
from xborder.jobs._target import Target
from xborder.marketplaces import available

__all__ = ["CountsListed", "unconfigured", "unconfigured_notes"]


@runtime_checkable
class CountsListed(Protocol):
    """A state store that counts its listed items per marketplace and market in one query.

    Optional beside :class:`StateStore`: without it, :func:`unconfigured` asks ``select``
    for every installed marketplace name instead (a removed plugin's rows are then missed).
    """

    def listed_counts(self, shard: Shard) -> dict[tuple[str, str], int]:
        """Return ``{(marketplace, market): listed items}`` of ``shard``."""
        ...


def _listed_counts(
    store: StateStore, shard: Shard, skip: Iterable[str]
) -> Counter[tuple[str, str]]:
    counts = Counter[tuple[str, str]]()
    skipped = set(skip)
    if isinstance(store, CountsListed):
        for (marketplace, market), n in store.listed_counts(shard).items():
            if marketplace not in skipped:
                counts[marketplace, market] += n
        return counts
    for marketplace in available():
        if marketplace in skipped:
            continue
        for row in store.select(marketplace, shard, listed=True):
            counts[marketplace, row.key.market] += 1
    return counts


def unconfigured(
    store: StateStore, targets: Sequence[Target], shard: Shard, *, judges_gone: bool
) -> dict[str, dict[str, int]]:
    """Return ``{marketplace: {market: count}}`` of the live items a run leaves unmanaged.

    Counted, in ``shard``: every listed item of a marketplace that no target names; and,
    for a marketplace that has a target, the listed items in markets its target no longer
    lists whose SKU the run's catalog lacks, unless the run withdraws items gone from the
    catalog (``judges_gone``). The others of those markets are withdrawn by the planner
    ("market no longer a target"). Call after the catalog was read (it uses
    ``store.unseen``).
    """
    covered = {target.name: frozenset(target.markets) for target in targets}
    found = _listed_counts(store, shard, covered)
    if not judges_gone:
        for name, markets in covered.items():
            for row in store.unseen(name, shard):
                if row.key.market not in markets:
                    found[name, row.key.market] += 1
    out: dict[str, dict[str, int]] = {}
    for (marketplace, market), count in sorted(found.items()):
        if count:
            out.setdefault(marketplace, {})[market] = count
    return out


def unconfigured_notes(
    found: Mapping[str, Mapping[str, int]], targets: Sequence[Target], shard: Shard
) -> list[str]:
    """Return one report note per marketplace of ``found`` (see :func:`unconfigured`)."""
    configured = {target.name: target for target in targets}
    where = "" if shard.whole else f" of shard {shard}"
    notes = []
    for marketplace, markets in sorted(found.items()):
        total = sum(markets.values())
        counts = ", ".join(f"{market} {n}" for market, n in sorted(markets.items()))
        head = (
            f"{marketplace}: {total} listings{where} live in markets no target covers "
            f"({counts}), per the state store"
        )
        target = configured.get(marketplace)
        if target is None:
            notes.append(
                f"{head}: no target lists {marketplace} any more. They stay on sale and "
                f"xborder no longer updates them (it never withdraws them by itself). Add "
                f"the {marketplace} target back to manage them, or withdraw them: run once "
                f"with that target alone and stock cap 0 (stock = {{ cap = 0 }})"
            )
        else:
            notes.append(
                f"{head}: the {marketplace} target lists {', '.join(target.markets)} only and "
                "their SKUs are not in this run's catalog. They stay on sale and xborder no "
                "longer updates them. Add the markets back to the target to manage them, or "
                "withdraw them: a run with withdraw_gone on and a complete catalog withdraws "
                "them as gone"
            )
    return notes
