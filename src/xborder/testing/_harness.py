"""What the conformance checks share: running an adapter's flows against its fake.

A :class:`Harness` holds the adapter, its fake and the author's offers, runs flows through a
real :class:`~xborder.client.Client` (or :class:`~xborder.client.AsyncClient`) whose
``httpx`` client answers from the fake's transport and whose clock is the fake's, and keeps
everything a secret could leak into (requests, results, errors, events, log lines).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from xborder.client import AsyncClient, Client, Event, RetryPolicy
from xborder.http import Flow, HttpRequest
from xborder.marketplaces._model import ItemResult, OfferKey
from xborder.marketplaces._protocol import Adapter
from xborder.offer import Offer
from xborder.testing._fake import FakeMarketplace
from xborder.testing._routing import Call

__all__ = [
    "Failed",
    "Harness",
    "Skipped",
    "describe",
    "fail",
    "one_per_key",
    "results_ok",
    "skip",
]

T = TypeVar("T")


class Failed(AssertionError):  # noqa: N818 - a check outcome, read as "the check failed"
    """A conformance check failed; the message says what and how to fix it."""


class Skipped(Exception):  # noqa: N818 - a check outcome, not an error
    """A conformance check does not apply to this adapter or fake."""


def fail(message: str) -> NoReturn:
    """Fail the running check with ``message``."""
    raise Failed(message)


def skip(reason: str) -> NoReturn:
    """Skip the running check, saying why."""
    raise Skipped(reason)


class _Lines(logging.Handler):
    def __init__(self, sink: list[tuple[str, str]]) -> None:
        super().__init__(logging.DEBUG)
        self._sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self._sink.append((f"log line of {record.name}", text))


class Harness:
    """The adapter, its fake and the offers of one conformance run (see the module docs)."""

    def __init__(
        self, adapter: Adapter, fake: FakeMarketplace, offers: Sequence[Offer], *, max_items: int
    ) -> None:
        self.adapter = adapter
        self.fake = fake
        self.offers = list(offers)
        self.max_items = max_items
        self.clock = fake.clock
        #: (where, text) pairs a secret must never appear in.
        self.texts: list[tuple[str, str]] = []
        self.requests: list[HttpRequest] = []

    # -- running flows

    def _policy(self) -> RetryPolicy:
        # Seeded jitter: a failing run replays the same waits.
        return RetryPolicy(seed=0)

    def _event(self, event: Event) -> None:
        self.texts.append(("an event", repr(event)))

    def run(self, flow: Flow[T]) -> T:
        """Run ``flow`` with the adapter through a fresh :class:`Client` on the fake."""
        with (
            self._logs(),
            self.fake.http_client() as http,
            Client(http=http, clock=self.clock, retry=self._policy(), on_event=self._event) as c,
        ):
            try:
                return c.run(self._recorded(flow), adapter=self.adapter)
            except Exception as error:
                self.note_error(error)
                raise

    def run_async(self, flow: Flow[T]) -> T:
        """Run ``flow`` through a fresh :class:`AsyncClient` on the fake (``asyncio.run``)."""

        async def drive() -> T:
            async with (
                self.fake.async_http_client() as http,
                AsyncClient(
                    http=http, clock=self.clock, retry=self._policy(), on_event=self._event
                ) as client,
            ):
                return await client.run(self._recorded(flow), adapter=self.adapter)

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            with self._logs():
                return asyncio.run(drive())
        flow.close()
        skip("an event loop is already running here; run the kit from a synchronous test")

    def attempt(self, flow: Flow[T]) -> tuple[T | None, Exception | None]:
        """Run ``flow``; return its result or the exception it raised."""
        try:
            return self.run(flow), None
        except Exception as error:
            return None, error

    def _recorded(self, flow: Flow[T]) -> Flow[T]:
        # Forward requests and responses unchanged, keeping each request for the checks.
        try:
            request = next(flow)
            while True:
                self.requests.append(request)
                self.texts.append(
                    (f"repr() of the {request.operation or 'a'} request", repr(request))
                )
                request = flow.send((yield request))
        except StopIteration as done:
            result: T = done.value
            for item in result if isinstance(result, list) else ():
                self.texts.append(("an ItemResult", repr(item)))
            return result
        finally:
            flow.close()

    @contextmanager
    def _logs(self) -> Iterator[None]:
        root = logging.getLogger()
        handler, level = _Lines(self.texts), root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            yield
        finally:
            root.removeHandler(handler)
            root.setLevel(level)

    def note_error(self, error: BaseException) -> None:
        """Keep the text of ``error`` and of every exception it chains to."""
        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            name = type(current).__name__
            self.texts.append((f"str() of {name}", str(current)))
            self.texts.append((f"repr() of {name}", repr(current)))
            current = current.__cause__ or current.__context__

    # -- the adapter's operations

    def upsert(self, offers: Sequence[Offer]) -> list[ItemResult]:
        """Upsert ``offers``; check there is one result per offer."""
        results = self.run(self.adapter.upsert(offers))
        return one_per_key(results, [offer.key for offer in offers], "upsert")

    def status(self, keys: Sequence[OfferKey]) -> list[ItemResult]:
        """Read the status of ``keys``; check there is one result per key."""
        return one_per_key(self.run(self.adapter.status(keys)), keys, "status")

    # -- offers and calls

    def derive(self, tag: str, count: int) -> list[Offer]:
        """Return ``count`` copies of the author's offers under fresh SKUs (``<sku>-<tag><n>``).

        Each check writes its own items, so checks that share one fake do not meet.
        """
        if not self.offers:
            fail("no offers given: the kit needs at least one offer prepared for the adapter")
        made = []
        for index in range(count):
            base = self.offers[index % len(self.offers)]
            sku = f"{base.key.sku}-{tag}{index}"
            made.append(
                dataclasses.replace(
                    base,
                    key=base.key._replace(sku=sku),
                    listing=base.listing.model_copy(update={"sku": sku}),
                    content=base.content._replace(sku=sku),
                )
            )
        return made

    def mark(self) -> int:
        """Return a position in the fake's call log, for :meth:`calls_since`."""
        return len(self.fake.calls)

    def calls_since(self, mark: int) -> list[Call]:
        """Return the calls the fake received since ``mark``."""
        return self.fake.calls[mark:]

    def write_operation(self, calls: Sequence[Call]) -> str:
        """Return the first authenticated operation among ``calls`` (the adapter's write)."""
        for call in calls:
            if call.route is not None and call.route.auth:
                return call.operation
        fail("the adapter sent no authenticated request to the fake")

    def state(self) -> dict[str, dict[str, Any]]:
        """Return the fake's observable state."""
        return self.fake.state()


def one_per_key(results: object, keys: Sequence[OfferKey], operation: str) -> list[ItemResult]:
    """Check that ``results`` holds one :class:`ItemResult` per key, in input order."""
    if not isinstance(results, list) or not all(isinstance(r, ItemResult) for r in results):
        fail(
            f"{operation} returned {type(results).__name__}; an operation's flow returns "
            f"list[ItemResult], one per item"
        )
    got = [result.key for result in results]
    if got != list(keys):
        missing = [str(key) for key in keys if key not in got][:3]
        extra = [str(key) for key in got if key not in keys][:3]
        detail = f"; missing {missing}" if missing else ""
        detail += f"; not asked for {extra}" if extra else ""
        if not missing and not extra:
            detail = "; same keys, other order (results follow the input order)"
        fail(f"{operation} of {len(keys)} items returned {len(got)} results{detail}")
    return results


def results_ok(results: list[ItemResult], operation: str) -> None:
    """Fail when a result is ``failed``: the fake accepted every item of ``operation``."""
    if any(r.failed for r in results):
        fail(
            f"{operation}: the fake accepted every item, but the adapter reported failures: "
            + describe(results, lambda r: r.failed)
        )


def describe(results: Sequence[ItemResult], keep: Callable[[ItemResult], bool]) -> str:
    """Return a short text naming the results ``keep`` selects and their first issue."""
    picked = [r for r in results if keep(r)]
    parts = [f"{r.key} {r.status}" + (f" ({r.issues[0]})" if r.issues else "") for r in picked[:3]]
    more = f" and {len(picked) - 3} more" if len(picked) > 3 else ""
    return ", ".join(parts) + more
