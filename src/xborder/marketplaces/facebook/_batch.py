"""Batches of catalog requests: filling them, and reading their answers and statuses.

A batch call (``items_batch`` or ``localized_items_batch``) answers at once with a handle
and the requests it refused outright (``validation_status``); ingestion then runs on
Meta's side, and ``check_batch_request_status`` says when it finished and which requests
were invalid (``ids_of_invalid_requests`` with ``load_ids_of_invalid_requests=true``; the
``errors`` list is only a sample). Research/marketplace-apis.md §3.3.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from xborder.http import HttpResponse
from xborder.marketplaces._model import Issue, ItemResult, ListingState, OfferKey, RemoteRef
from xborder.marketplaces.facebook import _payload, _wire
from xborder.marketplaces.facebook._classify import classify

__all__ = [
    "Batch",
    "Entry",
    "Request",
    "apply_status",
    "call_issues",
    "read_answer",
    "read_status",
    "split",
]

#: Batch status values (https://developers.facebook.com/docs/marketing-api/reference/
#: check-batch-request-status): Scheduled, Dispatched, Started, Finished ("individual
#: requests with errors were not saved"), Canceled, Error. Any other value: still running.
FINISHED: Final = "finished"
BROKEN: Final = frozenset({"error", "canceled", "cancelled"})


@dataclass(slots=True, eq=False)
class Entry:
    """One input item (key) on its way through the calls, and what happened to it."""

    key: OfferKey
    sku: str
    base: bool
    result: ItemResult | None = None
    handle: str | None = None
    notes: list[Issue] = field(default_factory=list)
    ok_state: ListingState | None = None

    def fail(self, issues: Sequence[Issue], retry_after: float | None = None) -> None:
        """Record the item as refused (the first outcome recorded wins)."""
        if self.result is not None:
            return
        self.result = ItemResult(
            self.key,
            "failed",
            remote=RemoteRef(retailer_id=self.sku, handle=self.handle),
            issues=(*self.notes, *issues),
            retry_after=retry_after,
        )

    def confirm(self) -> None:
        """Record the item as ingested (unless it failed already)."""
        if self.result is None:
            self.result = ItemResult(
                self.key,
                "ok",
                remote=RemoteRef(retailer_id=self.sku),
                issues=tuple(self.notes),
                state=self.ok_state,
            )

    def finish(self) -> ItemResult:
        """Return the outcome: recorded, else ``pending`` with the handle to poll later."""
        if self.result is not None:
            return self.result
        return ItemResult(
            self.key,
            "pending",
            remote=RemoteRef(retailer_id=self.sku, handle=self.handle),
            issues=tuple(self.notes),
            state="pending",
        )


@dataclass(slots=True, eq=False)
class Request:
    """One element of a batch's ``requests`` and the entries whose outcome it decides."""

    sku: str
    body: dict[str, Any]
    entries: list[Entry]
    encoded: bytes = b""

    def __post_init__(self) -> None:
        self.encoded = _payload.encode(self.body)


Edge = Literal["items_batch", "localized_items_batch"]


@dataclass(slots=True, eq=False)
class Batch:
    """One batch call: its requests, its handle, and whether its outcome is known."""

    edge: Edge
    requests: list[Request]
    handle: str | None = None
    done: bool = False
    _by_sku: dict[str, list[Entry]] | None = None

    def entries(self) -> Iterator[Entry]:
        """Yield every entry of the batch, once."""
        for entries in self._index().values():
            yield from entries

    def entries_of(self, sku: str) -> list[Entry]:
        """Return the entries of one product (retailer id)."""
        return self._index().get(sku, [])

    def _index(self) -> dict[str, list[Entry]]:
        if self._by_sku is None:
            index: dict[str, list[Entry]] = {}
            seen: set[int] = set()
            for item in self.requests:
                for entry in item.entries:
                    if id(entry) not in seen:
                        seen.add(id(entry))
                        index.setdefault(item.sku, []).append(entry)
            self._by_sku = index
        return self._by_sku

    def content(self, *, allow_upsert: bool | None) -> bytes:
        """Return the body: ``{[allow_upsert,] item_type, requests}`` (requests encoded once)."""
        head: dict[str, Any] = {}
        if allow_upsert is not None:
            head["allow_upsert"] = allow_upsert
        head["item_type"] = _payload.ITEM_TYPE
        prefix = _payload.encode(head)[:-1] + b',"requests":['
        return prefix + b",".join(r.encoded for r in self.requests) + b"]}"


def split(
    groups: Sequence[Sequence[Request]],
    edge: Edge,
    *,
    limit: int,
    max_bytes: int,
    allow_upsert: bool | None,
) -> list[Batch]:
    """Fill batches of at most ``limit`` requests and ``max_bytes`` with whole groups.

    A group (one product's requests) stays in one call, so one handle decides all of a
    key's requests; only a group larger than a whole batch is cut.
    """
    room = max_bytes - _payload.envelope_size(allow_upsert=allow_upsert) - 64
    batches: list[Batch] = []
    current: list[Request] = []
    size = 0

    def close() -> None:
        nonlocal current, size
        if current:
            batches.append(Batch(edge, current))
        current, size = [], 0

    for group in groups:
        group_size = sum(len(r.encoded) + 1 for r in group)
        if len(current) + len(group) > limit or size + group_size > room:
            close()
        if len(group) > limit or group_size > room:
            for item in group:
                if len(current) + 1 > limit or size + len(item.encoded) + 1 > room:
                    close()
                current.append(item)
                size += len(item.encoded) + 1
            continue
        current.extend(group)
        size += group_size
    close()
    return batches


def issue(message: _wire.BatchMessage, default: str, *, warning: bool = False) -> Issue:
    """Turn a batch error or warning into an :class:`Issue` (code: Meta's, else ``default``)."""
    return Issue(
        message.code or default,
        message.message or "Meta gave no message",
        None,
        "warning" if warning else "error",
    )


def call_issues(response: HttpResponse) -> tuple[tuple[Issue, ...], float | None]:
    """Return the issues of a call that failed as a whole, and how long to wait."""
    found = classify(response)
    code = found.code or f"http.{response.status_code}"
    message = found.message or "the call failed"
    fields: list[str | None] = [*found.field_errors] or [None]
    issues = tuple(Issue(code, message, name) for name in fields)
    return issues, found.retry_after if found.retryable else None


def read_answer(batch: Batch, response: HttpResponse) -> None:
    """Read a batch call's answer: its handle, or the items it refused."""
    if response.status_code >= 400:
        issues, retry_after = call_issues(response)
        for entry in batch.entries():
            entry.fail(issues, retry_after)
        batch.done = True
        return
    answer = _wire.parse(_wire.BatchAnswer, response.content)
    if answer is None:
        unreadable = Issue(
            "facebook.unreadable_response",
            f"{batch.edge}: Meta's answer could not be read; send it again (it is safe to repeat)",
        )
        for entry in batch.entries():
            entry.fail((unreadable,))
        batch.done = True
        return
    for status in answer.validation_status:
        if status.retailer_id is None:
            continue
        errors = [issue(m, "facebook.validation") for m in status.errors]
        warnings = [issue(m, "facebook.validation", warning=True) for m in status.warnings]
        for entry in batch.entries_of(status.retailer_id):
            entry.notes.extend(warnings)
            if errors:
                entry.fail(errors)
    if not answer.handles:
        nothing = Issue(
            "facebook.not_ingested",
            f"{batch.edge}: Meta returned no handle, so nothing of this batch was ingested",
        )
        for entry in batch.entries():
            entry.fail((nothing,))
        batch.done = True
        return
    batch.handle = answer.handles[0]
    for entry in batch.entries():
        entry.handle = batch.handle


def read_status(response: HttpResponse) -> _wire.BatchStatus | None:
    """Read a ``check_batch_request_status`` answer (None: unreadable or an error)."""
    if response.status_code >= 400:
        return None
    listed = _wire.parse(_wire.BatchStatusList, response.content)
    if listed is not None and listed.data:
        return listed.data[0]
    single = _wire.parse(_wire.BatchStatus, response.content)
    return single if single is not None and single.status else None


def apply_status(batch: Batch, status: _wire.BatchStatus) -> None:
    """Record what a batch status says: nothing yet, every item, or each invalid one."""
    state = status.status.strip().lower()
    if state in BROKEN:
        issues = [issue(m, "facebook.batch_error") for m in status.errors] or [
            Issue("facebook.batch_error", f"Meta's batch {batch.handle} ended: {state}")
        ]
        for entry in batch.entries():
            entry.fail(issues)
        batch.done = True
        return
    if state != FINISHED:
        return
    invalid = set(status.ids_of_invalid_requests)
    found: dict[str, list[Issue]] = {}
    for message in status.errors:
        if message.item is not None:
            invalid.add(message.item)
            found.setdefault(message.item, []).append(issue(message, "facebook.invalid"))
    for message in status.warnings:
        if message.item is not None:
            for entry in batch.entries_of(message.item):
                entry.notes.append(issue(message, "facebook.warning", warning=True))
    for sku in invalid:
        issues = found.get(sku) or [
            Issue(
                "facebook.invalid",
                f"Meta refused this item in batch {batch.handle}; its error is not in the sample "
                f"of {len(status.errors)} Meta listed ({status.errors_total_count} in all)",
            )
        ]
        for entry in batch.entries_of(sku):
            entry.fail(issues)
    for entry in batch.entries():
        entry.confirm()
    batch.done = True
