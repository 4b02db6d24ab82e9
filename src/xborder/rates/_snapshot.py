"""RateSnapshot: ECB reference rates for one or more days, indexed for dated lookups.

Date rules (ECB, "Euro foreign exchange reference rates": rates are published on every
working day except TARGET closing days — Saturdays, Sundays, 1 January, Good Friday,
Easter Monday, 1 May, 25 and 26 December):

* A date with no publication resolves to the last published ECB day on or before it.
* A currency missing on that day (not published) is taken from its own last publication
  if that is at most :data:`MAX_LOOKBACK` before the ECB day; the rate's ``as_of`` is then
  that earlier date. Longer gaps (ISK, 2008-12-10 to 2018-01-31) are unavailable.
* Currencies the ECB stopped publishing (:data:`DISCONTINUED`: BGN after 2025-12-31, HRK,
  RUB, the pre-euro currencies) are unavailable for any date after their last valid day,
  even where the previous ECB day still carries them, so that no stale rate is used.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from xborder.errors import FloatAmountError
from xborder.rates._parse import parse_code, parse_ecb_csv, parse_ecb_xml

__all__ = ["DISCONTINUED", "MAX_LOOKBACK", "NotPublished", "RateSnapshot"]

#: How far before the ECB day a currency's last publication may be and still be used.
MAX_LOOKBACK: Final = timedelta(days=7)

#: Currencies the ECB no longer publishes: the last day a rate may be used for, and why.
#: Euro conversion rates are the irrevocable rates of Council Regulation (EC) No 2866/98 as
#: amended; the ECB's own notices: BGN removed from the list on 2026-01-01, HRK on
#: 2023-01-01, RUB publication suspended from 2022-03-02.
DISCONTINUED: Final[Mapping[str, tuple[date, str]]] = MappingProxyType(
    {
        "BGN": (
            date(2025, 12, 31),
            "Bulgaria adopted the euro on 2026-01-01 (1 EUR = 1.95583 BGN); the ECB "
            "published BGN until 2025-12-31",
        ),
        "HRK": (
            date(2022, 12, 31),
            "Croatia adopted the euro on 2023-01-01 (1 EUR = 7.53450 HRK); the ECB "
            "published HRK until 2022-12-30",
        ),
        "RUB": (
            date(2022, 3, 1),
            "the ECB suspended the RUB reference rate from 2022-03-02",
        ),
        "LTL": (date(2014, 12, 31), "Lithuania adopted the euro on 2015-01-01"),
        "LVL": (date(2013, 12, 31), "Latvia adopted the euro on 2014-01-01"),
        "EEK": (date(2010, 12, 31), "Estonia adopted the euro on 2011-01-01"),
        "SKK": (date(2008, 12, 31), "Slovakia adopted the euro on 2009-01-01"),
        "CYP": (date(2007, 12, 31), "Cyprus adopted the euro on 2008-01-01"),
        "MTL": (date(2007, 12, 31), "Malta adopted the euro on 2008-01-01"),
        "SIT": (date(2006, 12, 31), "Slovenia adopted the euro on 2007-01-01"),
        "ROL": (date(2005, 6, 30), "the leu was redenominated to RON on 2005-07-01"),
        "TRL": (date(2004, 12, 31), "the lira was redenominated to TRY on 2005-01-01"),
    }
)

_ONE: Final = Decimal(1)


class NotPublished(Exception):  # noqa: N818 - internal signal, never escapes the package
    """Internal: the snapshot has no usable rate; ``args[0]`` says why."""


class RateSnapshot:
    """ECB euro reference rates for one or more days: ``{day: {currency: per 1 EUR}}``.

    Immutable once built. ``source`` says where the data came from (a URL or a file name).
    Lookups by date are O(log n) (bisection over the sorted days).

    >>> snap = RateSnapshot({date(2026, 10, 30): {"USD": Decimal("1.1172")}}, source="x")
    >>> snap.as_of, snap.rates_on(date(2026, 10, 30))["USD"]
    (datetime.date(2026, 10, 30), Decimal('1.1172'))
    """

    __slots__ = ("_by_day", "_days", "_ordinals", "_series", "source")

    source: str
    _days: list[date]
    _ordinals: list[int]
    _by_day: dict[date, Mapping[str, Decimal]]
    _series: dict[str, tuple[list[int], list[date], list[Decimal]]]

    def __init__(self, days: Mapping[date, Mapping[str, Decimal]], *, source: str) -> None:
        if not isinstance(source, str) or not source.strip():
            raise ValueError(f"source: expected a non-empty string, got {source!r}")
        if not days:
            raise ValueError("days: a snapshot needs at least one day of rates")
        self.source = source
        self._days = sorted(days)
        self._ordinals = [d.toordinal() for d in self._days]
        self._by_day = {}
        series: dict[str, tuple[list[int], list[date], list[Decimal]]] = {}
        for day, ordinal in zip(self._days, self._ordinals, strict=True):
            if type(day) is not date:
                raise TypeError(f"days: keys must be datetime.date, got {day!r}")
            rates = days[day]
            for code, value in rates.items():
                entry = series.get(code)
                if entry is None:
                    parse_code(code, where=day.isoformat())
                    entry = series[code] = ([], [], [])
                if type(value) is not Decimal or not value.is_finite() or value <= 0:
                    where = f"{day.isoformat()} {code}"
                    if isinstance(value, float):
                        raise FloatAmountError(value, field=where)
                    raise ValueError(f"{where}: a rate must be a finite Decimal > 0: {value!r}")
                entry[0].append(ordinal)
                entry[1].append(day)
                entry[2].append(value)
            self._by_day[day] = MappingProxyType(dict(rates))
        self._series = series

    # -- construction from the ECB files ------------------------------------------------

    @classmethod
    def from_xml(cls, body: bytes, *, source: str) -> RateSnapshot:
        """Parse an ECB eurofxref XML body (daily, 90-day or history file)."""
        return cls(parse_ecb_xml(body, where=source), source=source)

    @classmethod
    def from_csv(cls, text: str, *, source: str) -> RateSnapshot:
        """Parse an ECB eurofxref CSV (history, single day, or :meth:`to_csv` output)."""
        return cls(parse_ecb_csv(text, where=source), source=source)

    # -- facts --------------------------------------------------------------------------

    @property
    def as_of(self) -> date:
        """The last ECB day in the snapshot."""
        return self._days[-1]

    @property
    def first(self) -> date:
        """The first ECB day in the snapshot."""
        return self._days[0]

    @property
    def days(self) -> tuple[date, ...]:
        """Every ECB day in the snapshot, oldest first."""
        return tuple(self._days)

    @property
    def currencies(self) -> frozenset[str]:
        """Every currency with at least one rate (EUR, the base, is implied)."""
        return frozenset(self._series)

    def rates_on(self, day: date) -> Mapping[str, Decimal]:
        """Return the rates published on exactly ``day`` (empty if the ECB published none)."""
        return self._by_day.get(day, MappingProxyType({}))

    def last_published(self, currency: str) -> date | None:
        """Return the last day ``currency`` has a rate in this snapshot (None if never)."""
        series = self._series.get(currency)
        return series[1][-1] if series else None

    def __len__(self) -> int:
        return len(self._days)

    def __repr__(self) -> str:
        return (
            f"RateSnapshot({self.first.isoformat()}..{self.as_of.isoformat()}, "
            f"{len(self._days)} days, {len(self._series)} currencies, source={self.source!r})"
        )

    # -- lookups ------------------------------------------------------------------------

    def lookup(self, currency: str, on: date) -> tuple[Decimal, date]:
        """Return (units of ``currency`` per 1 EUR, ECB day used) for ``on``.

        Raises :class:`NotPublished` (internal) with the reason when there is no usable rate.
        """
        ended = DISCONTINUED.get(currency)
        if ended is not None and on > ended[0]:
            raise NotPublished(f"{ended[1]}; xborder uses no {currency} rate after {ended[0]}")
        position = bisect_right(self._ordinals, on.toordinal()) - 1
        if position < 0:
            raise NotPublished(
                f"{on.isoformat()} is before the first day of the data ({self.first.isoformat()})"
            )
        ecb_day = self._days[position]
        if currency == "EUR":
            return _ONE, ecb_day
        series = self._series.get(currency)
        if series is None:
            raise NotPublished(f"the ECB reference rates do not include {currency}")
        ordinals, dates, values = series
        index = bisect_right(ordinals, self._ordinals[position]) - 1
        if index < 0:
            raise NotPublished(
                f"the first {currency} rate in the data is of {dates[0].isoformat()}"
            )
        published = dates[index]
        if published == ecb_day:
            return values[index], ecb_day
        if ecb_day - published > MAX_LOOKBACK:
            if index + 1 < len(dates):
                raise NotPublished(
                    f"the ECB published no {currency} rate between "
                    f"{published.isoformat()} and {dates[index + 1].isoformat()}"
                )
            raise NotPublished(
                f"the ECB has published no {currency} rate since {published.isoformat()}"
            )
        return values[index], published

    # -- derived snapshots and output ---------------------------------------------------

    def between(self, first: date | None = None, last: date | None = None) -> RateSnapshot:
        """Return the days from ``first`` to ``last`` (inclusive) as a new snapshot."""
        kept = {
            day: rates
            for day, rates in self._by_day.items()
            if (first is None or day >= first) and (last is None or day <= last)
        }
        if not kept:
            raise ValueError(f"no days between {first} and {last} in {self!r}")
        return RateSnapshot(kept, source=self.source)

    def columns(self) -> list[str]:
        """Currencies in the order the ECB lists them (first appearance, oldest day first)."""
        seen: dict[str, None] = {}
        for day in self._days:
            for code in self._by_day[day]:
                seen.setdefault(code, None)
        return list(seen)

    def to_csv(self, columns: Sequence[str] | None = None) -> str:
        """Write the ECB history CSV layout: ``Date,USD,…``, newest day first, ``N/A`` gaps.

        Values are written exactly as held (``format(value, 'f')``), so a snapshot read
        from the ECB's files round-trips digit for digit. The output is deterministic.
        """
        codes = list(columns) if columns is not None else self.columns()
        lines = [",".join(["Date", *codes])]
        for day in reversed(self._days):
            rates = self._by_day[day]
            cells = [format(rates[c], "f") if c in rates else "N/A" for c in codes]
            lines.append(",".join([day.isoformat(), *cells]))
        return "\n".join(lines) + "\n"
