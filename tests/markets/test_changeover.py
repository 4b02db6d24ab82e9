"""Currency changeovers: while CLDR lists two legal tenders, the newcomer is the market's currency.

babel sorts a territory's currencies by start date, oldest first, so during an overlap
(Bulgaria: BGN until 2026-01-31, EUR from 2026-01-01) its first entry is the outgoing one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from babel.numbers import get_territory_currencies

import xborder as xb
from xborder import Market
from xborder.markets import countries
from xborder.markets._cldr import legal_tender


@pytest.mark.parametrize(
    ("code", "on", "currency"),
    [
        # Bulgaria: EUR from 2026-01-01; CLDR keeps BGN as legal tender until 2026-01-31.
        ("BG", date(2025, 12, 31), "BGN"),
        ("BG", date(2026, 1, 1), "EUR"),
        ("BG", date(2026, 1, 2), "EUR"),
        ("BG", date(2026, 1, 15), "EUR"),
        ("BG", date(2026, 1, 31), "EUR"),
        ("BG", date(2026, 2, 1), "EUR"),
        # Croatia: EUR from 2023-01-01; HRK legal tender until 2023-01-14.
        ("HR", date(2022, 12, 31), "HRK"),
        ("HR", date(2023, 1, 1), "EUR"),
        ("HR", date(2023, 1, 5), "EUR"),
        ("HR", date(2023, 1, 14), "EUR"),
        ("HR", date(2023, 1, 15), "EUR"),
        # Curaçao and Sint Maarten: XCG from 2025-03-31; ANG until 2025-06-30.
        ("CW", date(2025, 3, 30), "ANG"),
        ("CW", date(2025, 3, 31), "XCG"),
        ("CW", date(2025, 5, 1), "XCG"),
        ("SX", date(2025, 5, 1), "XCG"),
        # Sierra Leone: SLE from 2022-07-01; SLL until 2023-12-31.
        ("SL", date(2022, 6, 30), "SLL"),
        ("SL", date(2022, 7, 1), "SLE"),
        ("SL", date(2023, 6, 1), "SLE"),
    ],
)
def test_the_new_currency_wins_from_its_first_day(code: str, on: date, currency: str) -> None:
    assert Market.for_country(code, on=on).currency == currency


def test_the_outgoing_currency_stays_listed_after_the_new_one() -> None:
    assert legal_tender("BG", date(2025, 12, 31)) == ("BGN",)
    assert legal_tender("BG", date(2026, 1, 15)) == ("EUR", "BGN")
    assert legal_tender("BG", date(2026, 2, 1)) == ("EUR",)
    assert legal_tender("HR", date(2023, 1, 5)) == ("EUR", "HRK")


@pytest.mark.parametrize(
    ("code", "currency"),
    # No end date on either currency: nothing is being replaced, so CLDR's order (as babel
    # gives it, oldest first) stands. These answers are unchanged by the changeover rule.
    [("PA", "PAB"), ("HT", "HTG"), ("PS", "ILS"), ("NA", "ZAR"), ("LS", "ZAR"), ("ZW", "USD")],
)
def test_currencies_circulating_side_by_side_keep_cldr_order(code: str, currency: str) -> None:
    on = date(2026, 1, 15)
    assert len(legal_tender(code, on)) == 2
    assert Market.for_country(code, on=on).currency == currency


def test_currency_override_still_wins_during_a_changeover() -> None:
    on = date(2026, 1, 15)
    assert Market.for_country("BG", on=on, currency="BGN").currency == "BGN"


def test_quote_prices_bulgaria_in_euro_during_the_overlap() -> None:
    on = date(2026, 1, 2)
    quote = xb.quote(xb.Money("24.00", "USD"), "BG", rates=xb.rates.bundled(), on=on)
    assert quote.price.currency == "EUR"


def _tenders(code: str, on: date) -> list[dict[str, Any]]:
    """CLDR's legal tenders in ``code`` on ``on``, straight from babel, with their dates."""
    found = get_territory_currencies(code, start_date=on, tender=True, include_details=True)
    return [row for row in found if isinstance(row, dict)]


def _sample_days(code: str) -> list[date]:
    """Every CLDR start and end date of ``code`` ±1 day, plus 1 January every fourth year."""
    days = {date(year, 1, 1) for year in range(1950, 2031, 4)}
    ever = get_territory_currencies(
        code, start_date=date(1, 1, 1), end_date=date(9999, 12, 31), include_details=True
    )
    for row in ever:
        assert isinstance(row, dict)
        for edge in (row["from"], row["to"]):
            if edge is not None and date(1900, 1, 1) <= edge <= date(2100, 1, 1):
                days.update({edge - timedelta(days=1), edge, edge + timedelta(days=1)})
    return sorted(days)


def test_every_changeover_day_of_every_country_answers_the_latest_currency() -> None:
    """Property over every territory: the outgoing currency is never the market's currency.

    On a changeover day (every tender in force but the latest-started one has an end date),
    the currency is the tender in force with the latest start date. On any day, a currency
    with an end date is never chosen while a tender that started after it is in force.
    """
    checked = changeovers = 0
    for code in countries():
        # HM (uninhabited) has legal tender but no language, so no Market: check the choice.
        has_market = code not in ("HM",)
        for on in _sample_days(code):
            rows = _tenders(code, on)
            if not rows:
                assert legal_tender(code, on) == ()
                continue
            chosen = legal_tender(code, on)[0]
            if has_market:
                assert Market.for_country(code, on=on).currency == chosen, (code, on)
            checked += 1
            assert chosen in [row["currency"] for row in rows], (code, on)
            start = {row["currency"]: row["from"] or date.min for row in rows}
            mine = next(row for row in rows if row["currency"] == chosen)
            if mine["to"] is not None:
                assert all(s <= start[chosen] for s in start.values()), (code, on, rows)
            latest = max(start.values())
            newest = [row for row in rows if start[row["currency"]] == latest]
            others = [row for row in rows if start[row["currency"]] != latest]
            if len(newest) == 1 and others and all(row["to"] is not None for row in others):
                changeovers += 1
                assert chosen == newest[0]["currency"], (code, on, rows)
    # The sample reaches the overlaps it is meant to test (BG, HR, CW, SX, SL, the euro...).
    assert checked > 5000 and changeovers > 200
