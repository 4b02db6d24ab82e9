"""RateSnapshot: building, lookup rules (lookback, gaps, dropped currencies), CSV output."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xborder.errors import FloatAmountError, RateFetchError, RateUnavailableError
from xborder.rates import ECB, RateSnapshot

from ._helpers import fixture_bytes

D = Decimal


def hist() -> RateSnapshot:
    return RateSnapshot.from_csv(fixture_bytes("eurofxref-hist.csv").decode(), source="hist.csv")


def source_over(snapshot: RateSnapshot) -> ECB:
    ecb = ECB(max_age=None, pegs=False)
    ecb.load(snapshot)
    return ecb


class TestBuild:
    def test_from_the_ecb_history_csv(self) -> None:
        snapshot = hist()
        assert snapshot.first == date(2008, 12, 9)
        assert snapshot.as_of == date(2026, 1, 2)
        assert len(snapshot) == 6
        assert snapshot.currencies == {"USD", "JPY", "BGN", "GBP", "ISK", "RUB"}
        assert snapshot.rates_on(date(2008, 12, 10)) == {
            "USD": D("1.2925"),
            "JPY": D("119.77"),
            "BGN": D("1.9558"),
            "GBP": D("0.87325"),
            "RUB": D("36.0941"),
        }
        assert snapshot.rates_on(date(2008, 12, 11)) == {}
        assert snapshot.last_published("ISK") == date(2026, 1, 2)
        assert snapshot.last_published("BGN") == date(2025, 12, 31)
        assert snapshot.last_published("AED") is None
        assert "2008-12-09..2026-01-02" in repr(snapshot)

    def test_single_day_csv_with_comma_space_and_english_date(self) -> None:
        text = "Date, USD, JPY, GBP, ISK, \n30 October 2026, 1.1172, 175.68, 0.83380, 136.00, \n"
        snapshot = RateSnapshot.from_csv(text, source="eurofxref.csv")
        assert snapshot.as_of == date(2026, 10, 30)
        assert str(snapshot.rates_on(snapshot.as_of)["GBP"]) == "0.83380"

    def test_rates_are_read_only(self) -> None:
        rates = hist().rates_on(date(2026, 1, 2))
        with pytest.raises(TypeError):
            rates["USD"] = D(1)  # type: ignore[index]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "empty"),
            ("Day,USD\n2026-10-30,1.1\n", "Date"),
            ("Date,USD,USD\n2026-10-30,1.1,1.2\n", "twice"),
            ("Date,usd\n2026-10-30,1.1\n", "currency code"),
            ("Date,USD\n2026-10-30,1.1,2,3\n", "fields"),
            ("Date,USD\n2026-13-30,1.1\n", "not a date"),
            ("Date,USD\n2026-10-30,-1.1\n", "positive"),
            ("Date,USD\n2026-10-30,0\n", "zero"),
            ("Date,USD\n2026-10-30,1e3\n", "positive decimal"),
            ("Date,USD\n2026-10-30,1.1\n2026-10-30,1.2\n", "twice"),
            ("Date,USD\n2026-10-30,N/A\n", "no rates"),
        ],
    )
    def test_bad_csv(self, text: str, message: str) -> None:
        with pytest.raises(RateFetchError, match=message):
            RateSnapshot.from_csv(text, source="bad.csv")

    def test_direct_construction_is_validated(self) -> None:
        day = date(2026, 10, 30)
        with pytest.raises(ValueError, match="at least one day"):
            RateSnapshot({}, source="x")
        with pytest.raises(ValueError, match="source"):
            RateSnapshot({day: {"USD": D(1)}}, source="")
        with pytest.raises(FloatAmountError):
            RateSnapshot({day: {"USD": 1.1}}, source="x")  # type: ignore[dict-item]
        with pytest.raises(ValueError, match="Decimal > 0"):
            RateSnapshot({day: {"USD": D(0)}}, source="x")
        with pytest.raises(RateFetchError, match="currency code"):
            RateSnapshot({day: {"US": D(1)}}, source="x")


class TestLookupRules:
    def test_a_gap_longer_than_the_lookback_is_unavailable(self) -> None:
        # ISK: nothing published between 2008-12-09 and 2018-02-01.
        ecb = source_over(hist())
        with pytest.raises(RateUnavailableError, match="between 2008-12-09 and 2018-02-01"):
            ecb.rate("EUR", "ISK", on=date(2018, 1, 31))
        assert ecb.rate("EUR", "ISK", on=date(2018, 2, 1)).value == D("125.01")
        assert ecb.rate("EUR", "ISK", on=date(2008, 12, 9)).value == D("290")

    def test_a_short_gap_looks_back_and_says_so_in_as_of(self) -> None:
        # ISK missing on 2008-12-10, one day after its last publication: both currencies
        # are then taken from 2008-12-09, so that the cross rate is one ECB day's.
        rate = source_over(hist()).rate("USD", "ISK", on=date(2008, 12, 10))
        assert rate.as_of == date(2008, 12, 9)
        assert rate.value == D("290") / D("1.2838")
        assert source_over(hist()).rate("EUR", "ISK", on=date(2008, 12, 10)).as_of == date(
            2008, 12, 9
        )

    def test_dropped_currencies(self) -> None:
        ecb = source_over(hist())
        assert ecb.rate("EUR", "BGN", on=date(2025, 12, 31)).value == D("1.9558")
        with pytest.raises(RateUnavailableError, match="BGN"):
            ecb.rate("EUR", "BGN", on=date(2026, 1, 1))
        assert ecb.rate("EUR", "RUB", on=date(2018, 2, 1)).value == D("70.122")
        with pytest.raises(RateUnavailableError, match="suspended"):
            ecb.rate("EUR", "RUB", on=date(2025, 12, 31))

    def test_before_a_currency_was_first_published(self) -> None:
        snapshot = RateSnapshot(
            {date(2026, 10, 29): {"USD": D("1.113")}, date(2026, 10, 30): {"ILS": D("3.495")}},
            source="x",
        )
        with pytest.raises(RateUnavailableError, match="first ILS rate"):
            source_over(snapshot).rate("EUR", "ILS", on=date(2026, 10, 29))

    def test_a_currency_missing_on_the_last_day_is_looked_back(self) -> None:
        snapshot = RateSnapshot(
            {
                date(2026, 10, 29): {"USD": D("1.113"), "ZAR": D("18.5218")},
                date(2026, 10, 30): {"USD": D("1.1172")},
            },
            source="x",
        )
        rate = source_over(snapshot).rate("USD", "ZAR", on=date(2026, 10, 30))
        assert rate.as_of == date(2026, 10, 29)
        assert rate.value == D("18.5218") / D("1.113")


class TestOutput:
    def test_csv_round_trip_is_digit_for_digit(self) -> None:
        snapshot = hist()
        text = snapshot.to_csv()
        assert text.splitlines()[0] == "Date,USD,JPY,BGN,GBP,ISK,RUB"  # the ECB's order
        assert text.splitlines()[1] == "2026-01-02,1.1721,183.94,N/A,0.8719,147.4,N/A"
        again = RateSnapshot.from_csv(text, source="again")
        assert again.to_csv() == text
        for day in snapshot.days:
            assert {k: str(v) for k, v in again.rates_on(day).items()} == {
                k: str(v) for k, v in snapshot.rates_on(day).items()
            }

    def test_trailing_zeros_are_kept(self) -> None:
        snapshot = RateSnapshot.from_xml(fixture_bytes("eurofxref-daily.xml"), source="daily")
        assert ",0.83380," in snapshot.to_csv()
        assert ",136.00," in snapshot.to_csv()

    def test_explicit_columns_and_between(self) -> None:
        snapshot = hist().between(date(2018, 1, 1), date(2025, 12, 31))
        assert snapshot.days == (date(2018, 1, 31), date(2018, 2, 1), date(2025, 12, 31))
        assert snapshot.to_csv(["GBP", "USD"]).splitlines() == [
            "Date,GBP,USD",
            "2025-12-31,0.8726,1.175",
            "2018-02-01,0.8752,1.2459",
            "2018-01-31,0.8791,1.2457",
        ]
        with pytest.raises(ValueError, match="no days"):
            hist().between(date(2030, 1, 1))
