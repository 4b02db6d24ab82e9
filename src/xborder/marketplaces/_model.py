"""The values every marketplace adapter speaks: keys, remote ids, per-item results, verdicts.

DESIGN decision 7 (per-item truth): bulk calls fail partly, so every write returns one
:class:`ItemResult` per :class:`OfferKey`, carrying the marketplace's ids in a
:class:`RemoteRef` the caller keeps for the next call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, NamedTuple

from xborder.http import safe_text
from xborder.money import Money

__all__ = [
    "ITEM_STATUSES",
    "LISTING_STATES",
    "VERDICTS",
    "Classification",
    "Issue",
    "ItemResult",
    "ItemStatus",
    "ListingState",
    "OfferKey",
    "PriceQuantityUpdate",
    "RemoteRef",
    "Verdict",
]

ItemStatus = Literal["ok", "failed", "pending"]
ITEM_STATUSES: Final[tuple[ItemStatus, ...]] = ("ok", "failed", "pending")

#: What a marketplace holds for a key now (``status()``): ``live`` (buyers see it),
#: ``pending`` (accepted, not yet processed or published), ``rejected`` (refused, see the
#: issues), ``inactive`` (exists but not for sale: withdrawn, ended, quantity 0 by the
#: marketplace's choice), ``absent`` (the marketplace does not know the key).
ListingState = Literal["live", "pending", "rejected", "inactive", "absent"]
LISTING_STATES: Final[tuple[ListingState, ...]] = (
    "live",
    "pending",
    "rejected",
    "inactive",
    "absent",
)

#: What a response means, as the adapter reads it (:meth:`Adapter.classify`).
Verdict = Literal["ok", "auth_expired", "throttled", "transient", "permanent"]
VERDICTS: Final[tuple[Verdict, ...]] = ("ok", "auth_expired", "throttled", "transient", "permanent")


#: The longest code, field name or request id kept from an answer (characters).
SHORT_TEXT: Final = 200
#: Field errors kept from one answer: an error listing every attribute of a huge payload
#: would otherwise make a megabyte-long exception message.
MAX_FIELD_ERRORS: Final = 20


def _text(name: str, value: object, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected str, got {type(value).__name__} {value!r}")
    if not empty and not value.strip():
        raise ValueError(f"{name}: must not be empty, got {value!r}")
    return value


class OfferKey(NamedTuple):
    """Which item a result is about: ``(marketplace, market, sku)``.

    ``marketplace`` is the adapter's registry name (``"ebay"``), ``market`` the country code
    of the market (``"DE"``), ``sku`` the seller's SKU as in the catalog (adapters that need
    another SKU on the wire, such as eBay's one SKU per site, map it themselves and keep the
    key unchanged).
    """

    marketplace: str
    market: str
    sku: str

    def __str__(self) -> str:
        return f"{self.marketplace}/{self.market}/{self.sku}"


class RemoteRef:
    """The marketplace's own ids for one item, to keep and hand back on the next call.

    Names are the marketplace's (``offerId``, ``listingId`` on eBay; ``feedId``,
    ``submissionId`` on Amazon; ``id``, ``handle`` on Meta); values are strings. ``None``
    values are dropped, so ``RemoteRef(offerId=None)`` is empty. Immutable and hashable;
    :meth:`to_json` and :meth:`from_json` round-trip it for a state store.

    >>> ref = RemoteRef(offerId="9001")
    >>> ref.with_ids(listingId="110").to_json()
    '{"listingId":"110","offerId":"9001"}'
    """

    __slots__ = ("_ids",)

    _ids: tuple[tuple[str, str], ...]

    def __init__(self, ids: Mapping[str, str | None] | None = None, /, **more: str | None) -> None:
        merged: dict[str, str] = {}
        for source in (ids or {}), more:
            for name, value in source.items():
                _text("RemoteRef name", name)
                if value is None:
                    continue
                if not isinstance(value, str):
                    raise TypeError(
                        f"RemoteRef.{name}: ids are strings, got {type(value).__name__} "
                        f"{value!r} (use str() for numeric ids)"
                    )
                merged[name] = value
        object.__setattr__(self, "_ids", tuple(sorted(merged.items())))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RemoteRef is immutable; use with_ids()")

    def __reduce__(self) -> tuple[type[RemoteRef], tuple[dict[str, str]]]:
        # Pickle through the constructor: __setattr__ refuses the default slot restore.
        return (RemoteRef, (dict(self._ids),))

    @property
    def ids(self) -> Mapping[str, str]:
        """The ids as a read-only mapping."""
        return MappingProxyType(dict(self._ids))

    def get(self, name: str) -> str | None:
        """Return the id ``name``, or None."""
        for key, value in self._ids:
            if key == name:
                return value
        return None

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(key for key, _ in self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)

    def with_ids(self, **ids: str | None) -> RemoteRef:
        """Return a copy with ``ids`` added or replaced (``None`` removes an id)."""
        merged: dict[str, str | None] = dict(self._ids)
        merged.update(ids)
        return RemoteRef(merged)

    def merge(self, other: RemoteRef | None) -> RemoteRef:
        """Return the ids of both, ``other``'s winning where both have one."""
        if not other:
            return self
        return self.with_ids(**dict(other._ids))

    def to_json(self) -> str:
        """Return the ids as a compact JSON object with sorted keys."""
        return json.dumps(dict(self._ids), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> RemoteRef:
        """Read what :meth:`to_json` wrote; raise ValueError naming the problem otherwise."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"RemoteRef: not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"RemoteRef: expected a JSON object, got {type(data).__name__}")
        return cls(data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RemoteRef):
            return NotImplemented
        return self._ids == other._ids

    def __hash__(self) -> int:
        return hash(self._ids)

    def __repr__(self) -> str:
        inner = ", ".join(f"{key}={value!r}" for key, value in self._ids)
        return f"RemoteRef({inner})"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem the marketplace (or the adapter, before any call) reported for an item.

    ``code`` is the marketplace's code as text (eBay errorId ``"25002"``, Amazon
    ``"90220"``, Meta ``"1815183"``); adapter-made codes use ``<marketplace>.<reason>``.
    ``field`` names the listing field or wire attribute at fault when known.
    """

    code: str
    message: str
    field: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __post_init__(self) -> None:
        _text("Issue.code", self.code)
        _text("Issue.message", self.message, empty=True)
        # Codes, messages and fields mostly come from a marketplace's answer: they reach logs,
        # reports and terminals only with control characters visible and at a bounded length.
        object.__setattr__(self, "code", safe_text(self.code, limit=SHORT_TEXT))
        object.__setattr__(self, "message", safe_text(self.message))
        if self.field is not None:
            object.__setattr__(self, "field", safe_text(self.field, limit=SHORT_TEXT))
        if self.severity not in ("error", "warning"):
            raise ValueError(
                f"Issue.severity: expected 'error' or 'warning', got {self.severity!r}"
            )

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What happened to one item in one call.

    ``status``: ``ok`` (the marketplace confirmed it), ``failed`` (it refused; see
    ``issues``), ``pending`` (accepted but not confirmed yet: an Amazon feed, a Meta batch
    handle; resolve it later with ``status()`` and the ``remote`` kept from here). ``remote``
    holds the marketplace's ids the caller must keep. ``state`` is what the marketplace holds
    now, set by ``status()`` and by writes that read it back. ``retry_after`` (seconds) marks a
    failure worth retrying later, such as a daily revision cap; ``None`` otherwise.
    """

    key: OfferKey
    status: ItemStatus
    remote: RemoteRef | None = None
    issues: tuple[Issue, ...] = ()
    state: ListingState | None = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, OfferKey):
            raise TypeError(f"ItemResult.key: expected OfferKey, got {type(self.key).__name__}")
        if self.status not in ITEM_STATUSES:
            raise ValueError(
                f"ItemResult.status: expected one of {', '.join(ITEM_STATUSES)}, "
                f"got {self.status!r}"
            )
        if self.state is not None and self.state not in LISTING_STATES:
            raise ValueError(
                f"ItemResult.state: expected one of {', '.join(LISTING_STATES)}, got {self.state!r}"
            )
        if self.status == "failed" and not self.issues:
            raise ValueError(f"ItemResult for {self.key}: a failed item needs at least one issue")
        if not isinstance(self.issues, tuple):
            object.__setattr__(self, "issues", tuple(self.issues))

    @property
    def ok(self) -> bool:
        """True when the marketplace confirmed the item."""
        return self.status == "ok"

    @property
    def failed(self) -> bool:
        """True when the marketplace refused the item."""
        return self.status == "failed"

    @property
    def pending(self) -> bool:
        """True when the item is accepted but not confirmed yet."""
        return self.status == "pending"

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues of severity ``error``."""
        return tuple(issue for issue in self.issues if issue.severity == "error")


@dataclass(frozen=True, slots=True)
class PriceQuantityUpdate:
    """A change of price and/or quantity only, for an item the marketplace already has.

    ``price`` is the quantized price in the market's currency (``Offer.price``);
    ``remote`` the ids kept from the item's last result (eBay needs the offerId).
    """

    key: OfferKey
    price: Money | None = None
    quantity: int | None = None
    remote: RemoteRef | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, OfferKey):
            raise TypeError(
                f"PriceQuantityUpdate.key: expected OfferKey, got {type(self.key).__name__}"
            )
        if self.price is None and self.quantity is None:
            raise ValueError(
                f"PriceQuantityUpdate for {self.key}: give a price, a quantity or both"
            )
        if self.price is not None and not isinstance(self.price, Money):
            raise TypeError(
                f"PriceQuantityUpdate.price: expected Money, got {type(self.price).__name__} "
                f"{self.price!r}"
            )
        if self.quantity is not None and (
            isinstance(self.quantity, bool) or not isinstance(self.quantity, int)
        ):
            raise TypeError(
                f"PriceQuantityUpdate.quantity: expected int, got "
                f"{type(self.quantity).__name__} {self.quantity!r}"
            )
        if self.quantity is not None and self.quantity < 0:
            raise ValueError(f"PriceQuantityUpdate.quantity: must be >= 0, got {self.quantity}")
        if self.remote is not None and not isinstance(self.remote, RemoteRef):
            raise TypeError(
                f"PriceQuantityUpdate.remote: expected RemoteRef, got {type(self.remote).__name__}"
            )


@dataclass(frozen=True, slots=True)
class Classification:
    """What one HTTP response means, as its adapter reads it.

    ``verdict``: ``ok``; ``auth_expired`` (refresh the token and send again, once);
    ``throttled`` (wait ``retry_after`` seconds if given, then send again); ``transient`` (a
    passing failure: send an idempotent request again); ``permanent`` (sending again will
    not help). ``rate_limit`` is the sustained rate in requests per second the marketplace
    announced for this operation (Amazon's ``x-amzn-RateLimit-Limit``), ``usage`` the share
    of a quota already used, 0–1 (Meta's usage headers); the client's rate limiter adapts to
    both. ``message``, ``code``, ``request_id`` and ``field_errors`` (field → message) feed
    the error raised when the verdict is final.
    """

    verdict: Verdict
    retry_after: float | None = None
    rate_limit: float | None = None
    usage: float | None = None
    message: str = ""
    code: str | None = None
    request_id: str | None = None
    field_errors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(
                f"Classification.verdict: expected one of {', '.join(VERDICTS)}, "
                f"got {self.verdict!r}"
            )
        for name in ("retry_after", "rate_limit", "usage"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise ValueError(f"Classification.{name}: expected a number >= 0, got {value!r}")
        # Everything below is read from the answer and ends up in an error message.
        object.__setattr__(self, "message", safe_text(self.message))
        for name in ("code", "request_id"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, safe_text(value, limit=SHORT_TEXT))
        if self.field_errors:
            object.__setattr__(
                self,
                "field_errors",
                MappingProxyType(
                    {
                        safe_text(name, limit=SHORT_TEXT): safe_text(message, limit=300)
                        for name, message in list(self.field_errors.items())[:MAX_FIELD_ERRORS]
                    }
                ),
            )

    @property
    def retryable(self) -> bool:
        """True for ``throttled`` and ``transient``."""
        return self.verdict in ("throttled", "transient")
