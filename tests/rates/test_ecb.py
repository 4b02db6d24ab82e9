"""The live ECB source: XML parsing, the sans-I/O flow, run_flow with respx, TTL, staleness."""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
import respx

from xborder.errors import RateFetchError, RateUnavailableError, StaleRatesError
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.rates import (
    ECB,
    ECB_90D_URL,
    ECB_DAILY_URL,
    ECB_HIST_URL,
    RateSnapshot,
    refresh_flow,
)
from xborder.testing import FakeClock

from ._helpers import fixture_bytes

DAILY = fixture_bytes("eurofxref-daily.xml")
NINETY = fixture_bytes("eurofxref-hist-90d.xml")
LAST = date(2026, 10, 30)
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    b'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
    b"<gesmes:subject>Reference rates</gesmes:subject>"
)


def envelope(cubes: str) -> bytes:
    return HEAD + f"<Cube>{cubes}</Cube></gesmes:Envelope>".encode()


def drive(flow: Flow[RateSnapshot], response: HttpResponse) -> tuple[HttpRequest, RateSnapshot]:
    """Run a flow by hand: take its request, send the response, return both ends."""
    request = next(flow)
    with pytest.raises(StopIteration) as done:
        flow.send(response)
    result: RateSnapshot = done.value.value
    return request, result


def loaded(clock: FakeClock | None = None, body: bytes = DAILY, **kwargs: object) -> ECB:
    ecb = ECB(clock=clock, **kwargs)  # type: ignore[arg-type]
    ecb.load(RateSnapshot.from_xml(body, source=ECB_DAILY_URL))
    return ecb


class TestParsing:
    def test_daily_single_quotes_and_trailing_zeros(self) -> None:
        snapshot = RateSnapshot.from_xml(DAILY, source="daily")
        assert snapshot.days == (LAST,)
        rates = snapshot.rates_on(LAST)
        assert len(rates) == 29
        assert str(rates["GBP"]) == "0.83380"  # kept exactly as published
        assert str(rates["ISK"]) == "136.00"
        assert rates["USD"] == Decimal("1.1172")
        assert rates["IDR"] == Decimal("20275.17")

    def test_ninety_days_double_quotes_newest_first(self) -> None:
        snapshot = RateSnapshot.from_xml(NINETY, source="90d")
        assert snapshot.days == (
            date(2024, 3, 27),
            date(2024, 3, 28),
            date(2024, 4, 2),
            date(2024, 4, 3),
        )
        assert str(snapshot.rates_on(date(2024, 4, 3))["HUF"]) == "393.2"
        assert snapshot.rates_on(date(2024, 3, 27))["GBP"] == Decimal("0.85768")

    def test_quote_style_and_zeros_do_not_matter(self) -> None:
        single = envelope("<Cube time='2026-10-30'><Cube currency='ISK' rate='136.00'/></Cube>")
        double = envelope('<Cube time="2026-10-30"><Cube currency="ISK" rate="136"/></Cube>')
        a = RateSnapshot.from_xml(single, source="a").rates_on(LAST)["ISK"]
        b = RateSnapshot.from_xml(double, source="b").rates_on(LAST)["ISK"]
        assert a == b == Decimal(136)

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "HTML"),
            (b"<html><head><title>502</title></head></html>", "HTML"),
            (b"<?xml version='1.0'?><rss><channel/></rss>", "gesmes:Envelope"),
            (b"not xml at all", "well-formed"),
            (HEAD + b"<Cube><Cube time='2026-10-30'>", "well-formed"),
            (envelope(""), "no <Cube time"),
            (envelope("<Cube time='2026-10-30'></Cube>"), "has no rates"),
            (
                envelope("<Cube time='2026-10-30'><Cube currency='USD' rate='-1.1'/></Cube>"),
                r"USD: rate '-1.1' is not a positive decimal number",
            ),
            (
                envelope("<Cube time='2026-10-30'><Cube currency='USD' rate='0.0000'/></Cube>"),
                r"USD: rate '0.0000' is zero",
            ),
            (
                envelope("<Cube time='2026-10-30'><Cube currency='USD' rate='abc'/></Cube>"),
                "not a positive decimal",
            ),
            (
                envelope("<Cube time='2026-10-30'><Cube currency='USD' rate='NaN'/></Cube>"),
                "not a positive decimal",
            ),
            (
                envelope("<Cube time='2026-10-30'><Cube currency='USD'/></Cube>"),
                "both currency and rate",
            ),
            (
                envelope("<Cube time='2026-10-30'><Cube currency='usd' rate='1'/></Cube>"),
                "not a currency code",
            ),
            (
                envelope(
                    "<Cube time='2026-10-30'><Cube currency='USD' rate='1'/>"
                    "<Cube currency='USD' rate='2'/></Cube>"
                ),
                "USD appears twice",
            ),
            (envelope("<Cube time='30.10.2026'><Cube currency='USD' rate='1'/></Cube>"), "date"),
            (
                envelope(
                    "<Cube time='2026-10-30'><Cube currency='USD' rate='1'/></Cube>"
                    "<Cube time='2026-10-30'><Cube currency='USD' rate='1'/></Cube>"
                ),
                "appears twice",
            ),
            (envelope("<Cube currency='USD' rate='1'/>"), "outside a <Cube time"),
        ],
    )
    def test_malformed_bodies(self, body: bytes, message: str) -> None:
        with pytest.raises(RateFetchError, match=message):
            RateSnapshot.from_xml(body, source="ecb")

    def test_dtd_and_entities_are_refused(self) -> None:
        laughs = (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01">&lol2;'
            b"</gesmes:Envelope>"
        )
        with pytest.raises(RateFetchError, match="DTD"):
            RateSnapshot.from_xml(laughs, source="ecb")
        external = (
            b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd">'
            b'<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"/>'
        )
        with pytest.raises(RateFetchError, match="DTD"):
            RateSnapshot.from_xml(external, source="ecb")
        undeclared = envelope("<Cube time='2026-10-30'>&x;</Cube>")
        with pytest.raises(RateFetchError, match="well-formed"):
            RateSnapshot.from_xml(undeclared, source="ecb")


class TestFlowByHand:
    def test_daily_request_and_result(self) -> None:
        request, snapshot = drive(refresh_flow(), HttpResponse(200, content=DAILY))
        assert (request.method, request.url) == ("GET", ECB_DAILY_URL)
        assert "xml" in request.headers["Accept"]
        assert snapshot.as_of == LAST
        assert snapshot.source == ECB_DAILY_URL

    @pytest.mark.parametrize(
        ("kind", "url"), [("daily", ECB_DAILY_URL), ("90d", ECB_90D_URL), ("hist", ECB_HIST_URL)]
    )
    def test_kinds(self, kind: str, url: str) -> None:
        request = next(refresh_flow(kind))  # type: ignore[arg-type]
        assert request.url == url

    def test_ninety_days(self) -> None:
        _, snapshot = drive(refresh_flow("90d"), HttpResponse(200, content=NINETY))
        assert len(snapshot) == 4

    def test_url_override_and_validation(self) -> None:
        assert next(refresh_flow(url="https://mirror.example/x.xml")).url == (
            "https://mirror.example/x.xml"
        )
        with pytest.raises(ValueError, match="kind"):
            refresh_flow("weekly")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="url"):
            refresh_flow(url="ftp://example/x.xml")

    @pytest.mark.parametrize(
        ("response", "message"),
        [
            (HttpResponse(404, content=b"<html>Not found</html>"), "HTTP 404"),
            (HttpResponse(503, content=DAILY), "HTTP 503"),
            (HttpResponse(200, content=b""), "empty"),
            (HttpResponse(200, content=b"  \n"), "empty"),
            (HttpResponse(200, content=b"<!doctype html><p>captive portal</p>"), "HTML"),
        ],
    )
    def test_bad_answers(self, response: HttpResponse, message: str) -> None:
        flow = refresh_flow()
        next(flow)
        with pytest.raises(RateFetchError, match=message) as info:
            flow.send(response)
        assert ECB_DAILY_URL in str(info.value)


class TestLiveSource:
    def test_not_loaded_says_to_refresh(self) -> None:
        with pytest.raises(RateUnavailableError, match=r"refresh\(\)") as info:
            ECB().rate("EUR", "USD", on=LAST)
        assert info.value.sources == ("ecb",)
        assert ECB().as_of is None
        assert ECB().snapshot is None

    def test_load_and_rate(self) -> None:
        ecb = loaded()
        rate = ecb.rate("USD", "JPY", on=LAST)
        assert rate.value == Decimal("175.68") / Decimal("1.1172")
        assert rate.source == f"ECB euro foreign exchange reference rates ({ECB_DAILY_URL})"
        assert str(ecb.rate("EUR", "GBP", on=LAST).value) == "0.83380"
        assert ecb.as_of == LAST

    def test_pegs_included(self) -> None:
        rate = loaded().rate("AED", "EUR", on=LAST)
        assert "via USD peg (CBUAE)" in rate.source

    def test_before_the_snapshot(self) -> None:
        with pytest.raises(RateUnavailableError, match="before the first day"):
            loaded().rate("EUR", "USD", on=date(2026, 10, 29))

    def test_stale_raises_measured_against_on(self) -> None:
        ecb = loaded()
        # Thu 2026-10-30 data still fine on Wed 2026-11-04 (5 days, the default max_age)
        assert ecb.rate("EUR", "USD", on=date(2026, 11, 4)).as_of == LAST
        with pytest.raises(StaleRatesError, match="2026-10-30") as info:
            ecb.rate("EUR", "USD", on=date(2026, 11, 5))
        assert (info.value.as_of, info.value.on) == (LAST, date(2026, 11, 5))
        with pytest.raises(StaleRatesError):  # also through a peg
            ecb.rate("EUR", "SAR", on=date(2026, 11, 5))

    def test_easter_weekend_is_within_the_default_max_age(self) -> None:
        ecb = ECB()
        # 2024: Thu 28 Mar, then Good Friday and Easter Monday closed; Tue 2 Apr morning
        # (before that day's publication) still uses Thursday's rates: 5 days.
        snapshot = RateSnapshot.from_xml(NINETY, source=ECB_90D_URL).between(
            None, date(2024, 3, 28)
        )
        ecb.load(snapshot)
        assert ecb.rate("EUR", "USD", on=date(2024, 4, 2)).as_of == date(2024, 3, 28)
        with pytest.raises(StaleRatesError):
            ecb.rate("EUR", "USD", on=date(2024, 4, 3))

    def test_stale_with_on_none_uses_the_clock(self) -> None:
        clock = FakeClock(datetime(2026, 11, 9, 8, tzinfo=UTC))
        with pytest.raises(StaleRatesError):
            loaded(clock).rate("EUR", "USD")
        clock = FakeClock(datetime(2026, 11, 2, 8, tzinfo=UTC))
        assert loaded(clock).rate("EUR", "USD").as_of == LAST

    def test_load_replaces_and_clears_the_cache(self) -> None:
        ecb = loaded()
        before = ecb.rate("EUR", "USD", on=LAST)
        other = envelope("<Cube time='2026-10-30'><Cube currency='USD' rate='1.2'/></Cube>")
        ecb.load(RateSnapshot.from_xml(other, source="x"))
        assert ecb.rate("EUR", "USD", on=LAST).value == Decimal("1.2") != before.value
        with pytest.raises(TypeError):
            ecb.load(b"<xml/>")  # type: ignore[arg-type]

    def test_bad_arguments(self) -> None:
        with pytest.raises(ValueError, match="ttl"):
            ECB(ttl=timedelta(seconds=-1))
        with pytest.raises(ValueError, match="url"):
            ECB(url="eurofxref-daily.xml")


class TestRefreshWithRunFlow:
    @respx.mock
    def test_refresh_fetches_once_and_loads(self) -> None:
        route = respx.get(ECB_DAILY_URL).mock(return_value=httpx.Response(200, content=DAILY))
        ecb = ECB()
        snapshot = ecb.refresh()
        assert route.call_count == 1
        assert snapshot.as_of == LAST
        assert ecb.rate("EUR", "JPY", on=LAST).value == Decimal("175.68")

    @respx.mock
    def test_ninety_day_url(self) -> None:
        respx.get(ECB_90D_URL).mock(return_value=httpx.Response(200, content=NINETY))
        ecb = ECB(url=ECB_90D_URL)
        ecb.refresh()
        assert ecb.rate("EUR", "USD", on=date(2024, 3, 29)).as_of == date(2024, 3, 28)

    @respx.mock
    def test_non_200(self) -> None:
        respx.get(ECB_DAILY_URL).mock(return_value=httpx.Response(500, text="oops"))
        ecb = ECB()
        with pytest.raises(RateFetchError, match="HTTP 500"):
            ecb.refresh()
        assert ecb.snapshot is None

    @respx.mock
    def test_html_body(self) -> None:
        respx.get(ECB_DAILY_URL).mock(
            return_value=httpx.Response(200, text="<!DOCTYPE html><html>login</html>")
        )
        with pytest.raises(RateFetchError, match="HTML"):
            ECB().refresh()

    @respx.mock
    def test_network_error_keeps_the_previous_snapshot(self) -> None:
        respx.get(ECB_DAILY_URL).mock(side_effect=httpx.ConnectError("no route"))
        ecb = loaded()
        with pytest.raises(RateFetchError, match="ConnectError") as info:
            ecb.refresh()
        assert isinstance(info.value.__cause__, httpx.ConnectError)
        assert ecb.rate("EUR", "USD", on=LAST).value == Decimal("1.1172")

    @respx.mock
    def test_redirect_is_followed(self) -> None:
        respx.get(ECB_DAILY_URL).mock(
            return_value=httpx.Response(301, headers={"location": "https://mirror.example/d.xml"})
        )
        respx.get("https://mirror.example/d.xml").mock(
            return_value=httpx.Response(200, content=DAILY)
        )
        assert ECB().refresh().as_of == LAST


class TestTTL:
    def test_ensure_fresh_fetches_only_when_older_than_ttl(self) -> None:
        clock = FakeClock(datetime(2026, 10, 30, 16, 5, tzinfo=UTC))
        fetched: list[str] = []

        def driver(flow: Generator[HttpRequest, HttpResponse, RateSnapshot]) -> RateSnapshot:
            request = next(flow)
            fetched.append(request.url)
            try:
                flow.send(HttpResponse(200, content=DAILY, url=request.url))
            except StopIteration as done:
                result: RateSnapshot = done.value
                return result
            raise AssertionError("the flow asked for a second request")

        ecb = ECB(ttl=timedelta(hours=1), clock=clock)
        assert not ecb.is_fresh()
        assert ecb.age() is None
        assert ecb.ensure_fresh(driver) is True
        assert ecb.ensure_fresh(driver) is False
        clock.advance(59 * 60)
        assert ecb.ensure_fresh(driver) is False
        assert ecb.age() == timedelta(minutes=59)
        clock.advance(60)
        assert ecb.ensure_fresh(driver) is True
        assert fetched == [ECB_DAILY_URL, ECB_DAILY_URL]
        assert clock.slept == []  # never sleeps

    @respx.mock
    def test_ensure_fresh_defaults_to_run_flow(self) -> None:
        route = respx.get(ECB_DAILY_URL).mock(return_value=httpx.Response(200, content=DAILY))
        clock = FakeClock(datetime(2026, 10, 30, 17, tzinfo=UTC))
        ecb = ECB(clock=clock, ttl=timedelta(minutes=10))
        assert ecb.ensure_fresh() is True
        assert ecb.ensure_fresh() is False
        clock.advance(600)
        assert ecb.ensure_fresh() is True
        assert route.call_count == 2

    def test_refresh_with_a_driver(self) -> None:
        ecb = ECB()

        def driver(flow: Flow[RateSnapshot]) -> RateSnapshot:
            _, snapshot = drive(flow, HttpResponse(200, content=NINETY))
            return snapshot

        assert ecb.refresh_with(driver).as_of == date(2024, 4, 3)
        assert ecb.as_of == date(2024, 4, 3)
