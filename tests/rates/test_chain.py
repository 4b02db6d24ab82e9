"""Chain: first source that has the pair wins; the error lists every source tried."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xborder.errors import RateUnavailableError, StaleRatesError
from xborder.rates import ECB, Chain, RateSource, bundled

from ._helpers import StubSource

LAST = date(2026, 10, 30)


def test_first_source_with_the_pair_wins() -> None:
    first = StubSource("first", {("EUR", "USD"): "1.2"})
    second = StubSource("second", {("EUR", "USD"): "1.3", ("EUR", "GBP"): "0.8"})
    chain = Chain(first, second)
    assert isinstance(chain, RateSource)
    assert chain.name == "chain(first, second)"
    assert chain.rate("EUR", "USD", on=LAST).source == "first"
    assert chain.rate("EUR", "GBP", on=LAST).value == Decimal("0.8")
    assert second.calls == [("EUR", "GBP", LAST)]


def test_error_lists_every_source_tried_and_why() -> None:
    chain = Chain(StubSource("alpha"), StubSource("beta"), bundled())
    with pytest.raises(RateUnavailableError) as info:
        chain.rate("EUR", "ARS", on=LAST)
    error = info.value
    assert error.sources == ("alpha", "beta", "ecb-bundled")
    assert (error.base, error.quote, error.on) == ("EUR", "ARS", LAST)
    message = str(error)
    assert "EUR->ARS on 2026-10-30" in message
    assert "alpha: alpha lacks it" in message
    assert "ecb-bundled: the ECB reference rates do not include ARS" in message
    assert message.endswith("sources tried: alpha, beta, ecb-bundled")


def test_unloaded_live_source_falls_back_to_the_bundled_snapshot() -> None:
    chain = Chain(ECB(), bundled())
    rate = chain.rate("EUR", "USD", on=LAST)
    assert rate.source.endswith("(bundled snapshot of 2026-10-30)")


def test_stale_live_source_is_not_silently_replaced() -> None:
    ecb = ECB()
    ecb.load(bundled().snapshot.between(None, date(2026, 10, 1)))
    with pytest.raises(StaleRatesError):
        Chain(ecb, bundled()).rate("EUR", "USD", on=LAST)


def test_on_none_is_passed_to_each_source() -> None:
    first = StubSource("first")
    second = StubSource("second", {("EUR", "USD"): "1.2"})
    Chain(first, second).rate("EUR", "USD")
    assert first.calls == second.calls == [("EUR", "USD", None)]


def test_needs_rate_sources() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Chain()
    with pytest.raises(TypeError, match=r"sources\[1\]"):
        Chain(bundled(), object())  # type: ignore[arg-type]
