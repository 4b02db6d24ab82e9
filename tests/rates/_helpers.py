"""Helpers for the xborder.rates tests: fixture files and a scripted rate source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from xborder.errors import RateUnavailableError
from xborder.rates import ExchangeRate

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class StubSource:
    """A RateSource answering from a dict of (base, quote) -> value; records every call."""

    def __init__(
        self,
        name: str,
        values: dict[tuple[str, str], str] | None = None,
        *,
        as_of: date = date(2026, 10, 30),
    ) -> None:
        self.name = name
        self.values = {k: Decimal(v) for k, v in (values or {}).items()}
        self.as_of = as_of
        self.calls: list[tuple[str, str, date | None]] = []

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        self.calls.append((base, quote, on))
        if (base, quote) not in self.values:
            raise RateUnavailableError(
                base, quote, on=on, sources=[self.name], reason=f"{self.name} lacks it"
            )
        return ExchangeRate(base, quote, self.values[(base, quote)], self.as_of, self.name)
