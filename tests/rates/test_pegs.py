"""Pegged currencies (AED, SAR, QAR, BHD, OMR, JOD to USD): table, maths, provenance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from xborder.errors import FloatAmountError, RateUnavailableError, UnknownCurrencyError
from xborder.money import Money
from xborder.rates import Peg, Pegged, bundled, convert, pegs
from xborder.testing import FakeClock

from ._helpers import StubSource

D = Decimal
LAST = date(2026, 10, 30)
USD = D("1.1172")  # EUR→USD on 2026-10-30
ECB_SOURCE = "ECB euro foreign exchange reference rates (bundled snapshot of 2026-10-30)"


class TestTable:
    def test_the_required_pegs(self) -> None:
        table = {p.currency: p for p in pegs()}
        assert {c: (p.anchor, str(p.rate), p.authority) for c, p in table.items()} == {
            "AED": ("USD", "3.6725", "CBUAE"),
            "SAR": ("USD", "3.75", "SAMA"),
            "QAR": ("USD", "3.64", "QCB"),
            "BHD": ("USD", "0.376", "CBB"),
            "OMR": ("USD", str(1 / D("2.6008")), "CBO"),
            "JOD": ("USD", "0.709", "CBJ"),
        }

    def test_every_peg_is_sourced_and_dated(self) -> None:
        for peg in pegs():
            assert peg.source.startswith(("https://", "http://")), peg
            assert peg.effective_from < date(2002, 1, 1)
            assert peg.note
            assert peg.as_of == date(2026, 11, 28)
        assert {p.currency for p in pegs() if p.verified} == {"SAR", "QAR", "BHD"}

    def test_peg_validation(self) -> None:
        good = {
            "currency": "AED",
            "anchor": "USD",
            "rate": D("3.6725"),
            "effective_from": date(1997, 11, 1),
            "authority": "CBUAE",
            "source": "https://www.centralbank.ae/",
        }
        assert Peg(**good).describe() == "USD peg (CBUAE)"  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="itself"):
            Peg(**{**good, "anchor": "AED"})  # type: ignore[arg-type]
        with pytest.raises(FloatAmountError):
            Peg(**{**good, "rate": 3.6725})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="rate"):
            Peg(**{**good, "rate": D(0)})  # type: ignore[arg-type]
        with pytest.raises(UnknownCurrencyError):
            Peg(**{**good, "currency": "XXQ"})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="source"):
            Peg(**{**good, "source": ""})  # type: ignore[arg-type]


class TestBundledWithPegs:
    def test_eur_to_pegged(self) -> None:
        rate = bundled().rate("EUR", "SAR", on=LAST)
        assert rate.value == USD * D("3.75")
        assert rate.as_of == LAST
        assert rate.source == f"{ECB_SOURCE} via USD peg (SAMA)"

    def test_pegged_to_eur(self) -> None:
        rate = bundled().rate("AED", "EUR", on=LAST)
        assert rate.value == (D(1) / USD) / D("3.6725")
        assert abs(rate.value - D(1) / (USD * D("3.6725"))) < D("1e-27")
        assert rate.source == f"{ECB_SOURCE} via USD peg (CBUAE)"

    def test_pegged_to_pegged_needs_no_data(self) -> None:
        rate = bundled().rate("AED", "SAR", on=LAST)
        assert rate.value == D("3.75") / D("3.6725")
        assert rate.as_of == LAST
        assert rate.source == "USD pegs (CBUAE, SAMA)"

    def test_pegged_to_anchor(self) -> None:
        assert bundled().rate("USD", "QAR", on=LAST).value == D("3.64")
        assert bundled().rate("BHD", "USD", on=LAST).value == D(1) / D("0.376")

    def test_pegged_to_a_cross_currency(self) -> None:
        rate = bundled().rate("JOD", "JPY", on=LAST)
        assert rate.value == (D("175.68") / USD) / D("0.709")
        rate = bundled().rate("GBP", "OMR", on=LAST)
        assert rate.value == (USD / D("0.8338")) * (1 / D("2.6008"))

    def test_weekend_uses_the_anchor_date(self) -> None:
        rate = bundled().rate("EUR", "AED", on=date(2026, 10, 25))
        assert rate.as_of == date(2026, 10, 23)
        assert rate.value == D("1.1193") * D("3.6725")

    def test_convert(self) -> None:
        price = convert(Money("100.00", "AED"), "EUR", rates=bundled(), on=LAST)
        assert price.currency == "EUR"
        assert price.quantize() == Money("24.37", "EUR")

    def test_before_the_peg_took_effect(self) -> None:
        with pytest.raises(RateUnavailableError, match="applies from 1997-11-01"):
            bundled().rate("AED", "SAR", on=date(1990, 1, 1))

    def test_underlying_unavailable(self) -> None:
        with pytest.raises(RateUnavailableError, match="before the first day") as info:
            bundled().rate("AED", "EUR", on=date(2020, 1, 1))
        assert info.value.sources == ("ecb-bundled",)


class TestPeggedWrapper:
    def test_wraps_any_source(self) -> None:
        inner = StubSource("fx", {("USD", "GBP"): "0.7463", ("GBP", "USD"): "1.34"})
        source = Pegged(inner)
        assert source.name == "fx+pegs"
        rate = source.rate("AED", "GBP", on=LAST)
        assert rate.value == D("0.7463") / D("3.6725")
        assert rate.source == "fx via USD peg (CBUAE)"
        assert source.rate("GBP", "SAR", on=LAST).value == D("1.34") * D("3.75")
        assert inner.calls == [("USD", "GBP", LAST), ("GBP", "USD", LAST)]

    def test_unpegged_pairs_pass_through(self) -> None:
        inner = StubSource("fx", {("EUR", "USD"): "1.1"})
        assert Pegged(inner).rate("EUR", "USD", on=LAST).source == "fx"
        assert inner.calls == [("EUR", "USD", LAST)]

    def test_fixed_pairs_need_no_lookup_and_use_the_clock(self) -> None:
        inner = StubSource("fx")
        clock = FakeClock(datetime(2026, 11, 2, tzinfo=UTC))
        source = Pegged(inner, clock=clock)
        rate = source.rate("SAR", "QAR")
        assert rate.value == D("3.64") / D("3.75")
        assert rate.as_of == date(2026, 11, 2)
        assert source.rate("SAR", "SAR").value == 1
        assert inner.calls == []

    def test_unavailable_underneath_names_the_inner_source(self) -> None:
        with pytest.raises(RateUnavailableError) as info:
            Pegged(StubSource("fx")).rate("AED", "CHF", on=LAST)
        assert info.value.sources == ("fx",)

    def test_validates_codes(self) -> None:
        with pytest.raises(UnknownCurrencyError):
            Pegged(StubSource("fx")).rate("AED", "chf", on=LAST)

    def test_custom_table(self) -> None:
        peg = Peg(
            currency="BMD",
            anchor="USD",
            rate=D(1),
            effective_from=date(1972, 7, 6),
            authority="BMA",
            source="https://www.bma.bm/",
        )
        source = Pegged(StubSource("fx", {("USD", "EUR"): "0.895"}), [peg])
        assert source.rate("BMD", "EUR", on=LAST).value == D("0.895")
        assert [p.currency for p in source.pegs] == ["BMD"]

    def test_bad_tables(self) -> None:
        aed = pegs()[0]
        with pytest.raises(ValueError, match="twice"):
            Pegged(StubSource("fx"), [aed, aed])
        chained = Peg(
            currency="USD",
            anchor="EUR",
            rate=D("1.1"),
            effective_from=date(2000, 1, 1),
            authority="X",
            source="https://example.org",
        )
        with pytest.raises(ValueError, match="pegged"):
            Pegged(StubSource("fx"), [aed, chained])
        with pytest.raises(TypeError):
            Pegged(StubSource("fx"), ["AED"])  # type: ignore[list-item]
        with pytest.raises(TypeError):
            Pegged(object())  # type: ignore[arg-type]
