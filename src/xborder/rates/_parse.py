"""Parsers for the ECB euro foreign exchange reference rate files, straight into Decimal.

Formats (ECB, "Euro foreign exchange reference rates",
https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html):

* XML (``eurofxref-daily.xml``, ``eurofxref-hist-90d.xml``, ``eurofxref-hist.xml``): a
  ``gesmes:Envelope`` (namespace ``http://www.gesmes.org/xml/2002-08-01``) holding
  ``<Cube><Cube time="YYYY-MM-DD"><Cube currency="USD" rate="1.1172"/>…`` in the default
  namespace ``http://www.ecb.int/vocabulary/2002-08-01/eurofxref``. The daily file uses
  single-quoted attributes and keeps trailing zeros (``'136.00'``); the 90-day and history
  files use double quotes and drop them (``"136"``). A currency not published on a day is
  simply absent.
* CSV (``eurofxref-hist.csv`` in ``eurofxref-hist.zip``): header ``Date,USD,JPY,…,`` with a
  trailing comma, ISO dates newest first, ``N/A`` for a currency not published that day.
  The single-day ``eurofxref.csv`` separates fields with ``", "`` and writes the date as
  ``30 October 2026``; both are accepted.

Every rate means 1 EUR = rate × currency and is kept exactly as written (``Decimal(text)``).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Final
from xml.parsers import expat

from xborder.errors import RateFetchError

__all__ = ["Days", "parse_ecb_csv", "parse_ecb_xml"]

#: {ECB day: {currency: units of currency per 1 EUR}}
Days = dict[date, dict[str, Decimal]]

GESMES_NS: Final = "http://www.gesmes.org/xml/2002-08-01"
EUROFXREF_NS: Final = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"

_ENVELOPE: Final = f"{GESMES_NS} Envelope"
_CUBE: Final = f"{EUROFXREF_NS} Cube"
_RATE_RE: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CODE_RE: Final = re.compile(r"[A-Z]{3}")
_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


def parse_rate(text: str, *, where: str) -> Decimal:
    """Parse one published rate: a plain positive decimal such as ``1.1172`` or ``136``."""
    if not _RATE_RE.fullmatch(text):
        raise RateFetchError(f"{where}: rate {text!r} is not a positive decimal number")
    value = Decimal(text)
    if not value:
        raise RateFetchError(f"{where}: rate {text!r} is zero")
    return value


def parse_code(text: str, *, where: str) -> str:
    """Check a currency code as written in the ECB files (three upper-case letters)."""
    if not _CODE_RE.fullmatch(text):
        raise RateFetchError(f"{where}: {text!r} is not a currency code")
    return text


def parse_day(text: str, *, where: str) -> date:
    """Parse an ECB date: ISO ``2026-10-30`` or the single-day CSV's ``30 October 2026``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.split()
    if len(parts) == 3 and parts[1].lower() in _MONTHS:
        try:
            return date(int(parts[2]), _MONTHS[parts[1].lower()], int(parts[0]))
        except ValueError:
            pass
    raise RateFetchError(f"{where}: {text!r} is not a date")


class _RefusedError(Exception):
    """Raised from inside expat handlers; turned into RateFetchError by the caller."""


def parse_ecb_xml(body: bytes, *, where: str) -> Days:
    """Parse an ECB eurofxref XML body (daily, 90-day or history) into ``{day: {cur: rate}}``.

    DTDs and entity declarations are refused outright (the ECB files have neither), so
    entity-expansion and external-entity attacks cannot apply; the stdlib expat parser never
    fetches anything. Raises :class:`~xborder.errors.RateFetchError` naming what was wrong.
    """
    head = body.lstrip()[:512].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        raise RateFetchError(f"{where}: the body is an HTML page, not the ECB XML")
    days: Days = {}
    stack: list[str] = []
    current: dict[str, Decimal] | None = None
    current_day: date | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal current, current_day
        parent = stack[-1] if stack else None
        if parent is None:
            if name != _ENVELOPE:
                raise _RefusedError(
                    f"the root element is <{_local(name)}>, not the ECB gesmes:Envelope"
                )
            stack.append("envelope")
            return
        if name != _CUBE:
            stack.append("other")
            return
        if "currency" in attrs or "rate" in attrs:
            if parent != "day" or current is None or current_day is None:
                raise _RefusedError("a <Cube currency=...> outside a <Cube time=...>")
            at = f"{current_day.isoformat()}"
            code = attrs.get("currency")
            text = attrs.get("rate")
            if code is None or text is None:
                raise _RefusedError(f"{at}: a <Cube> needs both currency and rate, got {attrs!r}")
            try:
                code = parse_code(code, where=at)
                if code in current:
                    raise _RefusedError(f"{at}: {code} appears twice")
                current[code] = parse_rate(text, where=f"{at} {code}")
            except RateFetchError as exc:
                raise _RefusedError(str(exc)) from None
            stack.append("rate")
        elif "time" in attrs:
            if parent != "cubes":
                raise _RefusedError("a <Cube time=...> outside the outer <Cube>")
            try:
                day = parse_day(attrs["time"], where="time")
            except RateFetchError as exc:
                raise _RefusedError(str(exc)) from None
            if day in days:
                raise _RefusedError(f"the day {day.isoformat()} appears twice")
            current_day = day
            current = days.setdefault(day, {})
            stack.append("day")
        else:
            if parent != "envelope":
                raise _RefusedError("an unexpected nested <Cube> without attributes")
            stack.append("cubes")

    def end(name: str) -> None:
        nonlocal current, current_day
        kind = stack.pop()
        if kind == "day":
            if not current:
                assert current_day is not None
                raise _RefusedError(f"the day {current_day.isoformat()} has no rates")
            current = None
            current_day = None

    def refuse_dtd(*_: object) -> None:
        raise _RefusedError("a DTD (<!DOCTYPE ...>) is not allowed in the ECB XML")

    def refuse_entity(*_: object) -> None:
        raise _RefusedError("entity declarations are not allowed in the ECB XML")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(body, True)
    except _RefusedError as exc:
        raise RateFetchError(f"{where}: {exc}") from None
    except expat.ExpatError as exc:
        raise RateFetchError(f"{where}: not well-formed XML ({exc})") from None
    if not days:
        raise RateFetchError(f"{where}: no <Cube time=...> day with rates in the ECB XML")
    return days


def _refuse_external(*_: object) -> int:
    raise _RefusedError("external entities are not allowed in the ECB XML")


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def parse_ecb_csv(text: str, *, where: str) -> Days:
    """Parse an ECB eurofxref CSV (history or single day) into ``{day: {cur: rate}}``.

    Accepts the trailing comma of the ECB files, ``", "`` separators, ``N/A`` or an empty
    field for a currency not published that day, and rows in any order.
    """
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise RateFetchError(f"{where}: empty CSV")
    header = [field.strip() for field in lines[0].split(",")]
    if header and header[-1] == "":
        header.pop()
    if not header or header[0] != "Date":
        raise RateFetchError(f"{where}: the header must start with 'Date', got {lines[0]!r}")
    codes = [parse_code(code, where=f"{where} header") for code in header[1:]]
    if len(set(codes)) != len(codes):
        raise RateFetchError(f"{where}: a currency appears twice in the header")
    days: Days = {}
    width = len(codes) + 1
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) == width + 1 and fields[-1] == "":
            fields.pop()
        at = f"{where} line {number}"
        if len(fields) != width:
            raise RateFetchError(f"{at}: expected {width} fields, got {len(fields)}")
        day = parse_day(fields[0], where=at)
        if day in days:
            raise RateFetchError(f"{at}: the day {day.isoformat()} appears twice")
        rates: dict[str, Decimal] = {}
        for code, cell in zip(codes, fields[1:], strict=True):
            if cell in ("N/A", ""):
                continue
            rates[code] = parse_rate(cell, where=f"{at} {code}")
        if rates:
            days[day] = rates
    if not days:
        raise RateFetchError(f"{where}: no rates in the CSV")
    return days
