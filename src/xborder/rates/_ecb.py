"""The live ECB source: a sans-I/O refresh flow and a source that answers from its snapshot.

Feeds (ECB, "Euro foreign exchange reference rates", updated around 16:00 CET on every
TARGET working day): ``eurofxref-daily.xml`` (the latest day), ``eurofxref-hist-90d.xml``
(the last 90 days) and ``eurofxref-hist.xml`` (every day since 1999-01-04), all under
https://www.ecb.europa.eu/stats/eurofxref/.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from datetime import date, timedelta
from typing import Final, Literal

from xborder.clock import Clock, SystemClock
from xborder.errors import RateFetchError, RateUnavailableError, StaleRatesError
from xborder.http import Flow, HttpRequest, HttpResponse, require_https, run_flow
from xborder.rates._pegs import Peg
from xborder.rates._snapshot import RateSnapshot
from xborder.rates._table import DEFAULT_MAX_AGE, ECB_NAME, TableSource, check_max_age

__all__ = ["ECB", "ECB_90D_URL", "ECB_DAILY_URL", "ECB_HIST_URL", "refresh_flow"]

ECB_DAILY_URL: Final = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
ECB_90D_URL: Final = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
ECB_HIST_URL: Final = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.xml"

Kind = Literal["daily", "90d", "hist"]
_URLS: Final[dict[str, str]] = {"daily": ECB_DAILY_URL, "90d": ECB_90D_URL, "hist": ECB_HIST_URL}

#: A driver runs a flow and returns its result: :func:`xborder.http.run_flow`, or later
#: ``Client.run``.
Driver = Callable[[Flow[RateSnapshot]], RateSnapshot]


def refresh_flow(kind: Kind = "daily", *, url: str | None = None) -> Flow[RateSnapshot]:
    """Return a sans-I/O flow that fetches one ECB XML feed and returns a RateSnapshot.

    The flow yields one :class:`~xborder.http.HttpRequest` and expects the
    :class:`~xborder.http.HttpResponse` sent back; it never does I/O itself::

        flow = refresh_flow("90d")
        request = next(flow)
        try:
            flow.send(HttpResponse(200, content=body))
        except StopIteration as done:
            snapshot = done.value

    ``kind`` picks the feed (``"daily"``, ``"90d"``, ``"hist"``); ``url`` overrides it.
    A non-200 answer, an empty or HTML body, XML that is not the ECB's gesmes envelope, or
    a rate that is not a positive number raise :class:`~xborder.errors.RateFetchError`.
    """
    return _fetch(_feed_url(kind, url))


def _feed_url(kind: str, url: str | None) -> str:
    if url is None:
        if kind not in _URLS:
            raise ValueError(f"kind: expected one of {sorted(_URLS)}, got {kind!r}")
        return _URLS[kind]
    if not isinstance(url, str):
        raise ValueError(f"url: expected an https URL, got {url!r}")
    return require_https(url, field="url")  # plain http only to this machine (a mirror)


def _fetch(url: str) -> Generator[HttpRequest, HttpResponse, RateSnapshot]:
    response = yield HttpRequest("GET", url, headers={"Accept": "application/xml, text/xml;q=0.9"})
    return snapshot_from_response(response, url=url)


def snapshot_from_response(response: HttpResponse, *, url: str) -> RateSnapshot:
    """Check an HTTP answer from the ECB and parse its body (raises RateFetchError)."""
    if not isinstance(response, HttpResponse):
        raise TypeError(f"expected an HttpResponse, got {type(response).__name__}")
    if response.status_code != 200:
        raise RateFetchError(f"{url}: HTTP {response.status_code}, expected 200")
    if not response.content.strip():
        raise RateFetchError(f"{url}: the body is empty")
    return RateSnapshot.from_xml(response.content, source=url)


class ECB(TableSource):
    """Live ECB reference rates: fetched by a flow, then answered from memory.

    ::

        ecb = ECB()
        ecb.refresh()                      # one HTTP GET (xborder.http.run_flow)
        ecb.rate("USD", "JPY", on=date(2026, 10, 30))

    :meth:`rate` never does I/O: before any snapshot is loaded it raises
    :class:`~xborder.errors.RateUnavailableError` asking for :meth:`refresh`. A rate older
    than ``max_age`` relative to the date asked for raises
    :class:`~xborder.errors.StaleRatesError`. :meth:`ensure_fresh` refetches only when the
    snapshot was loaded more than ``ttl`` ago (per ``clock``). Pegged currencies are
    included (``pegs=False`` to leave them out).
    """

    name = "ecb"

    def __init__(
        self,
        *,
        max_age: timedelta | None = DEFAULT_MAX_AGE,
        ttl: timedelta = timedelta(hours=1),
        clock: Clock | None = None,
        url: str = ECB_DAILY_URL,
        pegs: bool | Iterable[Peg] = True,
    ) -> None:
        super().__init__(max_age=max_age, clock=clock, pegs=pegs)
        checked_ttl = check_max_age(ttl, field="ttl")
        if checked_ttl is None:
            raise ValueError("ttl: expected a timedelta >= 0, got None")
        self.url: Final = _feed_url("daily", url)
        self.ttl: Final = checked_ttl
        self._clock_or_system: Clock = clock or SystemClock()
        self._current: RateSnapshot | None = None
        self._loaded_at: float | None = None
        self._source = ECB_NAME

    # -- state --------------------------------------------------------------------------

    @property
    def snapshot(self) -> RateSnapshot | None:
        """The snapshot in use, or None before the first refresh/load."""
        return self._current

    @property
    def as_of(self) -> date | None:
        """The last ECB day of the snapshot in use (None before the first refresh)."""
        return None if self._current is None else self._current.as_of

    @property
    def source(self) -> str:
        """E.g. ``"ECB euro foreign exchange reference rates (https://…/eurofxref-daily.xml)"``."""
        return self._source

    def age(self) -> timedelta | None:
        """How long ago (per the clock) the snapshot was loaded; None if never."""
        if self._loaded_at is None:
            return None
        return timedelta(seconds=self._clock_or_system.monotonic() - self._loaded_at)

    def is_fresh(self) -> bool:
        """Whether a snapshot is loaded and younger than ``ttl``."""
        age = self.age()
        return age is not None and age < self.ttl

    # -- loading ------------------------------------------------------------------------

    def flow(self) -> Flow[RateSnapshot]:
        """Return the refresh flow for this source's URL (see :func:`refresh_flow`)."""
        return refresh_flow(url=self.url)

    def load(self, snapshot: RateSnapshot) -> None:
        """Use ``snapshot`` from now on (e.g. one a Client fetched); clears the cache."""
        if not isinstance(snapshot, RateSnapshot):
            raise TypeError(f"snapshot: expected a RateSnapshot, got {type(snapshot).__name__}")
        self._current = snapshot
        self._loaded_at = self._clock_or_system.monotonic()
        self._source = f"{ECB_NAME} ({snapshot.source})"
        self.clear_cache()

    def refresh_with(self, driver: Driver) -> RateSnapshot:
        """Run :meth:`flow` with ``driver`` (e.g. ``client.run``), load and return the result."""
        snapshot = driver(self.flow())
        self.load(snapshot)
        return snapshot

    def refresh(self, *, timeout: float = 30.0) -> RateSnapshot:
        """Fetch now with :func:`xborder.http.run_flow`, load and return the snapshot.

        Network failures are raised as :class:`~xborder.errors.RateFetchError` (the httpx
        exception is its ``__cause__``); the previous snapshot, if any, stays in use.
        """
        import httpx

        try:
            return self.refresh_with(lambda flow: run_flow(flow, timeout=timeout))
        except httpx.HTTPError as exc:
            raise RateFetchError(f"{self.url}: {type(exc).__name__}: {exc}") from exc

    def ensure_fresh(self, driver: Driver | None = None) -> bool:
        """Refetch only if no snapshot is loaded or it is ``ttl`` old; return whether it did.

        ``driver`` defaults to :func:`xborder.http.run_flow`.
        """
        if self.is_fresh():
            return False
        if driver is None:
            self.refresh()
        else:
            self.refresh_with(driver)
        return True

    # -- TableSource hooks --------------------------------------------------------------

    def _snapshot(self, base: str, quote: str, on: date) -> RateSnapshot:
        if self._current is None:
            raise RateUnavailableError(
                base,
                quote,
                on=on,
                sources=[self.name],
                reason="no ECB rates loaded yet: call ECB.refresh() (or load()/refresh_with())",
            )
        return self._current

    def _too_old(self, as_of: date, on: date, max_age: timedelta) -> None:
        raise StaleRatesError(self.name, as_of=as_of, on=on, max_age_days=max_age.days)

    def __repr__(self) -> str:
        loaded = self.as_of.isoformat() if self.as_of is not None else "not loaded"
        return f"ECB(url={self.url!r}, as_of={loaded})"
