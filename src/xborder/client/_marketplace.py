"""What the bound marketplaces (sync and async) share, written once.

:class:`~xborder.client.Marketplace` and :class:`~xborder.client.AsyncMarketplace` check the
input, keep offers that fail compliance back, and check that the adapter answered for
exactly the items it was given (DESIGN decision 7: per-item truth).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from xborder.errors import UnexpectedResponseError, UnsupportedOperationError
from xborder.marketplaces._capabilities import Operation
from xborder.marketplaces._model import Issue, ItemResult, OfferKey, RemoteRef
from xborder.marketplaces._protocol import Adapter

if TYPE_CHECKING:
    from xborder.offer import Offer

__all__ = ["NO_REFS", "Plan", "plan_keys", "plan_upsert", "resolve_adapter"]

#: The default of ``known=``: no remote ids kept from earlier results.
NO_REFS: Final[Mapping[OfferKey, RemoteRef]] = MappingProxyType({})


def resolve_adapter(adapter_or_name: Adapter | str, settings: Any) -> Adapter:
    """Return the adapter given, or load the one registered under the name given."""
    if isinstance(adapter_or_name, str):
        from xborder import marketplaces

        if settings is None:
            return marketplaces.get(adapter_or_name)
        return marketplaces.get(adapter_or_name, settings=settings)
    if settings is not None:
        raise TypeError("settings= applies to a marketplace name, not to an adapter instance")
    if not isinstance(adapter_or_name, Adapter):
        raise TypeError(
            f"expected a marketplace name or an Adapter, got {type(adapter_or_name).__name__}"
        )
    return adapter_or_name


def _supported(adapter: Adapter, operation: Operation) -> None:
    if operation not in adapter.capabilities.operations:
        raise UnsupportedOperationError(
            f"{adapter.name}: the adapter does not offer {operation}() "
            f"(it offers: {', '.join(sorted(adapter.capabilities.operations)) or 'nothing'})"
        )


def _own(adapter: Adapter, key: object, what: str) -> OfferKey:
    if not isinstance(key, OfferKey):
        raise TypeError(f"{adapter.name}: expected {what} with an OfferKey, got {key!r}")
    names = {adapter.name, *adapter.aliases}
    if key.marketplace not in names:
        raise ValueError(
            f"{adapter.name}: {key} is for the marketplace {key.marketplace!r}, "
            f"not {adapter.name!r}"
        )
    return key


class Plan:
    """The items of one call: which go to the adapter, and results known beforehand."""

    __slots__ = ("_adapter", "_keys", "_ready", "_sent")

    def __init__(self, adapter: Adapter, keys: Sequence[OfferKey]) -> None:
        self._adapter = adapter
        self._keys = list(keys)
        self._ready: dict[int, ItemResult] = {}
        self._sent: list[int] = list(range(len(self._keys)))

    def hold_back(self, index: int, result: ItemResult) -> None:
        """Answer item ``index`` with ``result`` without sending it."""
        self._ready[index] = result
        self._sent.remove(index)

    @property
    def sent(self) -> list[int]:
        """Indexes of the input items that go to the adapter, in input order."""
        return self._sent

    def merge(self, results: object) -> list[ItemResult]:
        """Return one result per input item, in input order.

        ``results`` are the adapter's, for the items sent. Raises
        :class:`~xborder.errors.UnexpectedResponseError` naming the keys missing from them
        or not asked for.
        """
        name = self._adapter.name
        if not isinstance(results, list | tuple) or not all(
            isinstance(r, ItemResult) for r in results
        ):
            raise UnexpectedResponseError(
                f"the adapter returned {type(results).__name__}, not a list of ItemResult",
                marketplace=name,
            )
        expected = Counter(self._keys[i] for i in self._sent)
        got = Counter(r.key for r in results)
        if expected != got:
            missing = sorted(str(k) for k in (expected - got).elements())
            extra = sorted(str(k) for k in (got - expected).elements())
            parts = []
            if missing:
                parts.append(f"no result for {', '.join(missing)}")
            if extra:
                parts.append(f"results not asked for: {', '.join(extra)}")
            raise UnexpectedResponseError(
                "the adapter did not return exactly one result per item: " + "; ".join(parts),
                marketplace=name,
            )
        by_key: dict[OfferKey, list[ItemResult]] = {}
        for result in results:
            by_key.setdefault(result.key, []).append(result)
        merged: list[ItemResult] = []
        for index, key in enumerate(self._keys):
            ready = self._ready.get(index)
            merged.append(ready if ready is not None else by_key[key].pop(0))
        return merged


def plan_keys(adapter: Adapter, operation: Operation, items: Sequence[Any]) -> Plan:
    """Check ``items`` (keys, or values with a ``.key``) for ``operation``; return the plan."""
    _supported(adapter, operation)
    keys = [
        _own(adapter, item if isinstance(item, OfferKey) else getattr(item, "key", item), "an item")
        for item in items
    ]
    return Plan(adapter, keys)


def plan_upsert(
    adapter: Adapter, offers: Sequence[Offer], *, allow_noncompliant: bool
) -> tuple[Plan, list[Offer]]:
    """Check ``offers``; hold back those whose compliance report has errors.

    A held-back offer gets ``ItemResult(status="failed")`` with one
    :class:`~xborder.marketplaces.Issue` per error finding (its code, field and message),
    unless ``allow_noncompliant``.
    """
    _supported(adapter, "upsert")
    keys = [_own(adapter, getattr(offer, "key", None), "an offer") for offer in offers]
    plan = Plan(adapter, keys)
    if not allow_noncompliant:
        for index, offer in enumerate(offers):
            report = offer.report
            if report.ok:
                continue
            issues = tuple(
                Issue(code=finding.code, message=finding.message, field=finding.field)
                for finding in report.errors
            )
            plan.hold_back(index, ItemResult(keys[index], "failed", issues=issues))
    return plan, [offers[i] for i in plan.sent]
