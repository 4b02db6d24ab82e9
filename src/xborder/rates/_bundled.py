"""The ECB reference rates shipped with xborder (package data), plus the pegs.

``data/eurofxref.csv`` is the ECB history CSV layout (``Date,USD,JPY,…``, newest day
first, ``N/A`` where a currency was not published), cut to the days since the start of
``data/eurofxref.json``'s ``first``; every value is the ECB's own text, digit for digit.
``scripts/update_rates.py`` regenerates both files. The data is parsed once per process,
on first use, straight into Decimal.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterable
from datetime import date, timedelta
from importlib.resources import files
from typing import Any, Final

from xborder.clock import Clock
from xborder.errors import StaleRatesWarning
from xborder.rates._pegs import Peg
from xborder.rates._snapshot import RateSnapshot
from xborder.rates._table import DEFAULT_MAX_AGE, ECB_NAME, TableSource, external_stacklevel

__all__ = ["BundledRates", "bundled", "bundled_metadata", "bundled_snapshot"]

DATA_FILE: Final = "eurofxref.csv"
METADATA_FILE: Final = "eurofxref.json"

_lock = threading.Lock()
_loaded: RateSnapshot | None = None
_metadata: dict[str, Any] | None = None


def bundled_metadata() -> dict[str, Any]:
    """Return the metadata of the shipped data (as_of, source, currencies, rows, sha256, …)."""
    global _metadata
    if _metadata is None:
        text = files("xborder.rates").joinpath("data", METADATA_FILE).read_text("utf-8")
        _metadata = json.loads(text)
    return dict(_metadata)


def bundled_snapshot() -> RateSnapshot:
    """Return the shipped ECB data as a :class:`RateSnapshot` (parsed on first call only)."""
    global _loaded
    snapshot = _loaded
    if snapshot is None:
        with _lock:
            if _loaded is None:
                text = files("xborder.rates").joinpath("data", DATA_FILE).read_text("utf-8")
                _loaded = RateSnapshot.from_csv(text, source=f"xborder/rates/data/{DATA_FILE}")
            snapshot = _loaded
    return snapshot


class BundledRates(TableSource):
    """The offline source: the ECB snapshot shipped with xborder, plus pegged currencies.

    It is a *dated* snapshot. Asked for a date more than ``max_age`` after the data it
    uses, it still answers but warns (:class:`~xborder.errors.StaleRatesWarning`, naming
    the snapshot's date) — once per date asked for, not once per call.
    """

    name = "ecb-bundled"

    def __init__(
        self,
        *,
        max_age: timedelta | None = DEFAULT_MAX_AGE,
        clock: Clock | None = None,
        pegs: bool | Iterable[Peg] = True,
    ) -> None:
        super().__init__(max_age=max_age, clock=clock, pegs=pegs)
        self._data = bundled_snapshot()
        self._warned: set[date] = set()
        self._source = f"{ECB_NAME} (bundled snapshot of {self._data.as_of.isoformat()})"

    @property
    def as_of(self) -> date:
        """The last ECB day in the shipped data."""
        return self._data.as_of

    @property
    def source(self) -> str:
        """E.g. ``"ECB euro foreign exchange reference rates (bundled snapshot of …)"``."""
        return self._source

    @property
    def snapshot(self) -> RateSnapshot:
        """The shipped data."""
        return self._data

    @property
    def metadata(self) -> dict[str, Any]:
        """Facts about the shipped data: as_of, first, source, generated_at, currencies, …."""
        return bundled_metadata()

    def _snapshot(self, base: str, quote: str, on: date) -> RateSnapshot:
        return self._data

    def _too_old(self, as_of: date, on: date, max_age: timedelta) -> None:
        if on in self._warned:
            return
        self._warned.add(on)
        warnings.warn(
            f"{self.name}: rates for {on.isoformat()} come from the bundled ECB snapshot of "
            f"{self.as_of.isoformat()}; the rate used is of {as_of.isoformat()}, "
            f"{(on - as_of).days} days earlier (max_age is {max_age.days} days). Update "
            f"xborder, run scripts/update_rates.py, or use xborder.rates.ECB for live rates",
            StaleRatesWarning,
            stacklevel=external_stacklevel(),
        )

    def __repr__(self) -> str:
        return f"BundledRates(as_of={self.as_of.isoformat()}, max_age={self.max_age!r})"


def bundled(
    *,
    max_age: timedelta | None = DEFAULT_MAX_AGE,
    clock: Clock | None = None,
    pegs: bool | Iterable[Peg] = True,
) -> BundledRates:
    """Return the offline rate source: the ECB snapshot shipped with xborder, plus pegs.

    >>> rates = bundled()
    >>> rates.rate("USD", "JPY", on=date(2026, 10, 30)).value   # 175.68 / 1.1172
    Decimal('157.2502685284640171858216971')

    The data is parsed once per process; each call returns a new source with its own
    cache and its own record of staleness warnings, so create it once and pass it around.
    ``max_age=None`` turns the staleness warning off; ``pegs=False`` leaves pegs out.
    """
    return BundledRates(max_age=max_age, clock=clock, pegs=pegs)
