from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pytest

from testing._shop import (
    CLIENT_SECRET,
    SHOP_CHANNEL,
    ShopAdapter,
    ShopFake,
    ShopSettings,
    shop_offers,
)
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.marketplaces import (
    Classification,
    ItemResult,
    ListingState,
    OfferKey,
    RemoteRef,
    batched,
)
from xborder.offer import Offer
from xborder.testing import FakeClock
from xborder.testing.conformance import (
    CHECKS,
    AdapterConformance,
    CheckResult,
    ConformanceError,
    ConformanceReport,
    check_adapter,
    run_check,
)

NO_REFS: Mapping[OfferKey, RemoteRef] = {}


# -- a conforming adapter passes, through the pytest base class ------------------------------


class TestShopConformance(AdapterConformance):
    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock()

    @pytest.fixture
    def fake(self, clock: FakeClock) -> ShopFake:
        return ShopFake(clock=clock)

    @pytest.fixture
    def adapter(self) -> ShopAdapter:
        return ShopAdapter()

    @pytest.fixture
    def offers(self) -> list[Offer]:
        return shop_offers(3)

    def test_update_price_quantity(
        self, adapter: ShopAdapter, fake: ShopFake, offers: list[Offer]
    ) -> None:
        # The shop has no price/quantity updates: the inherited test skips, saying so.
        with pytest.raises(pytest.skip.Exception, match="does not offer update_price_quantity"):
            super().test_update_price_quantity(adapter, fake, offers)  # type: ignore[arg-type]


def run(adapter: ShopAdapter, name: str, offers: list[Offer] | None = None) -> CheckResult:
    with ShopFake() as fake:
        return run_check(name, adapter, fake, offers or shop_offers())


def failure(adapter: ShopAdapter, name: str, offers: list[Offer] | None = None) -> str:
    result = run(adapter, name, offers)
    assert result.outcome == "failed", result
    return result.message


# -- each way of breaking the adapter is caught, with a message that says what to fix --------


def test_results_in_another_order() -> None:
    class Reversed(ShopAdapter):
        def read_batch(self, keys: list[OfferKey], response: HttpResponse) -> list[ItemResult]:
            return super().read_batch(keys, response)[::-1]

    message = failure(Reversed(), "upsert")
    assert "same keys, other order" in message


def test_a_result_missing() -> None:
    class Forgetful(ShopAdapter):
        def read_batch(self, keys: list[OfferKey], response: HttpResponse) -> list[ItemResult]:
            return super().read_batch(keys, response)[:-1]

    assert "upsert of 2 items returned 1 results; missing ['shop/DE/MUG-1']" in failure(
        Forgetful(), "upsert"
    )


def test_not_a_list_of_results() -> None:
    class Lazy(ShopAdapter):
        def upsert(
            self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
        ) -> Flow[list[ItemResult]]:
            yield from ()
            return "done"  # type: ignore[return-value]

    assert "upsert returned str" in failure(Lazy(), "upsert")


def test_items_reported_ok_when_the_batch_failed_them() -> None:
    class Optimist(ShopAdapter):
        def read_batch(self, keys: list[OfferKey], response: HttpResponse) -> list[ItemResult]:
            return [ItemResult(key, "ok") for key in keys]

    message = failure(Optimist(), "per_item_results")
    assert "refused item 0" in message and "read each item's outcome" in message


def test_results_matched_by_position_not_key() -> None:
    class Positional(ShopAdapter):
        def read_batch(self, keys: list[OfferKey], response: HttpResponse) -> list[ItemResult]:
            entries = json.loads(response.content)["results"]
            return [
                ItemResult(key, "ok")
                if entry["ok"]
                else ItemResult(key, "failed", issues=(self.issue(),))
                for key, entry in zip(keys, entries[1:] + entries[:1], strict=True)
            ]

        def issue(self) -> Any:
            from xborder.marketplaces import Issue

            return Issue("shop.refused", "no")

    assert "outcome from the answer, by key" in failure(Positional(), "per_item_results")


def test_batches_not_filled() -> None:
    class OneByOne(ShopAdapter):
        batch_size: ClassVar[int] = 1

    message = failure(OneByOne(), "batch_splitting")
    assert "7 batch_items calls carried 7 items; with a batch limit of 3 the fewest is 3" in message


def test_batches_above_the_declared_limit() -> None:
    class Greedy(ShopAdapter):
        batch_size: ClassVar[int] = 2

        @property
        def capabilities(self) -> Any:
            return dataclasses.replace(super().capabilities, batch_limits={"upsert": 1})

    assert "a batch_items call carried 2 items; the limit is 1" in failure(
        Greedy(), "batch_splitting"
    )


def test_a_repeated_upsert_that_changes_the_marketplace() -> None:
    class Counter(ShopAdapter):
        sent = 0

        def wire(self, offer: Offer) -> dict[str, Any]:
            self.sent += 1
            return {**super().wire(offer), "quantity": self.sent}

    assert "upserting the same offers twice changed" in failure(Counter(), "idempotent_upsert")


def test_classify_that_raises_on_junk() -> None:
    class Fragile(ShopAdapter):
        def classify(self, response: HttpResponse) -> Classification:
            json.loads(response.content)
            return super().classify(response)

    message = failure(Fragile(), "classify")
    assert message.startswith("classify() raised JSONDecodeError") and "HTTP 200" in message


def test_classify_that_misreads_throttling() -> None:
    class Stubborn(ShopAdapter):
        def classify(self, response: HttpResponse) -> Classification:
            found = super().classify(response)
            if found.verdict == "throttled":
                return Classification("permanent")
            return found

    assert "calls its throttle answer 'permanent'" in failure(Stubborn(), "classify")


def test_classify_that_misses_expired_tokens() -> None:
    class Forgetful(ShopAdapter):
        def classify(self, response: HttpResponse) -> Classification:
            found = super().classify(response)
            return Classification("permanent") if found.verdict == "auth_expired" else found

    message = failure(Forgetful(), "token_refresh")
    assert "classify() must call that answer 'auth_expired'" in message


def test_raw_exceptions_on_unreadable_bodies() -> None:
    class Careless(ShopAdapter):
        def read_batch(self, keys: list[OfferKey], response: HttpResponse) -> list[ItemResult]:
            json.loads(response.content)
            return super().read_batch(keys, response)

    message = failure(Careless(), "error_mapping")
    assert "meets a malformed_json fault, upsert raised JSONDecodeError" in message


def test_errors_without_the_field_the_marketplace_named() -> None:
    class Vague(ShopAdapter):
        def classify(self, response: HttpResponse) -> Classification:
            found = super().classify(response)
            return dataclasses.replace(found, field_errors={})

    assert "fill Classification.field_errors" in failure(Vague(), "error_mapping")


def test_a_secret_in_a_repr() -> None:
    class Chatty(ShopAdapter):
        def __repr__(self) -> str:
            return f"Chatty({self.settings.client_secret.get_secret_value()})"

    message = failure(Chatty(), "secrets")
    assert message == (
        "settings.client_secret appears in repr() of the adapter "
        "(the secret itself is not repeated here)"
    )
    assert CLIENT_SECRET not in message


def test_a_token_in_a_log_line() -> None:
    class Logging(ShopAdapter):
        def status(
            self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
        ) -> Flow[list[ItemResult]]:
            results: list[ItemResult] = []
            for key in keys:
                response = yield HttpRequest("GET", f"https://api.shop.example/v2/items/{key.sku}")
                logging.getLogger("shop").debug("answer %r", response.content)
                results.append(self.read_status(key, response))
            return results

        def read_status(self, key: OfferKey, response: HttpResponse) -> ItemResult:
            logging.getLogger("shop").info("token %s", self.seen)
            return super().read_status(key, response)

        seen = ""

        def token_providers(self) -> Any:
            adapter = self
            provider = super().token_providers()["default"]

            class Spy:
                cache_key = provider.cache_key
                token_flow = provider.token_flow

                def authorize(self, request: HttpRequest, token: Any) -> HttpRequest:
                    adapter.seen = token.value.get_secret_value()
                    return provider.authorize(request, token)

            return {"default": Spy()}

    message = failure(Logging(), "secrets")
    assert message.startswith("a token or client secret the fake saw appears in log line of shop")


def test_unknown_states_read_as_live() -> None:
    class Hopeful(ShopAdapter):
        def state_of(self, raw: object) -> ListingState:
            return "live" if raw != "paused" else "inactive"

    assert "read it as 'pending'" in failure(Hopeful(), "unknown_state")


def test_status_of_unknown_keys_that_fails() -> None:
    class Gloomy(ShopAdapter):
        def read_status(self, key: OfferKey, response: HttpResponse) -> ItemResult:
            if response.status_code == 404:
                from xborder.marketplaces import Issue

                return ItemResult(key, "failed", issues=(Issue("404", "not found"),))
            return super().read_status(key, response)

    assert "expected status 'ok' with state 'absent'" in failure(Gloomy(), "status_absent")


def test_withdraw_that_does_nothing() -> None:
    class Idle(ShopAdapter):
        def withdraw(
            self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
        ) -> Flow[list[ItemResult]]:
            yield from ()
            return [ItemResult(key, "ok") for key in keys]

    assert "after withdraw, status reads" in failure(Idle(), "withdraw")


def test_offers_for_another_channel() -> None:
    offers = [dataclasses.replace(o, key=o.key._replace(marketplace="ebay")) for o in shop_offers()]
    message = failure(ShopAdapter(), "protocol", offers)
    assert "not keyed for 'shop': prepare them with channel='shop'" in message


def test_not_an_adapter() -> None:
    class Half:
        name = "half"

    message = failure(Half(), "protocol")  # type: ignore[arg-type]
    assert "Half does not fit the Adapter protocol; it lacks ['api_version'" in message


def test_wrong_api_version_and_name() -> None:
    class Old(ShopAdapter):
        api_version: ClassVar[int] = 0

    class Shouting(ShopAdapter):
        name: ClassVar[str] = "Shop"

    assert "api_version is 0" in failure(Old(), "protocol")
    assert "name must be lower case" in failure(Shouting(), "protocol")


def test_async_results_that_differ() -> None:
    class Moody(ShopAdapter):
        def upsert(
            self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
        ) -> Flow[list[ItemResult]]:
            results = yield from super().upsert(offers, known=known)
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return results
            return [dataclasses.replace(r, state="pending") for r in results]

    assert "AsyncClient gave" in failure(Moody(), "async_parity")


def test_unexpected_exceptions_are_failures_with_the_error() -> None:
    class Broken(ShopAdapter):
        def upsert(
            self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
        ) -> Flow[list[ItemResult]]:
            for _batch in batched(offers, 3):
                yield HttpRequest("GET", "https://api.shop.example/v2/nothing")
            raise ZeroDivisionError("oops")

    result = run(Broken(), "upsert")
    assert result.outcome == "failed" and result.message.startswith("unexpected ")
    assert isinstance(result.error, Exception)


# -- the function, the report and the base class's plumbing ----------------------------------


def test_check_adapter_runs_every_check_on_one_fake() -> None:
    with ShopFake() as fake:
        report = check_adapter(ShopAdapter(), fake, shop_offers(), raise_on_failure=False)
    assert [r.name for r in report.results] == list(CHECKS)
    assert report.ok and len(report.passed) == len(CHECKS) - 1
    assert [r.name for r in report.skipped] == ["update_price_quantity"]
    assert str(report).splitlines()[0] == "conformance of 'shop': 13 passed, 0 failed, 1 skipped"
    assert "skip update_price_quantity: the adapter does not offer" in str(report)
    assert fake.faults == []


def test_check_adapter_raises_listing_every_failure() -> None:
    class Leaky(ShopAdapter):
        def __repr__(self) -> str:
            return CLIENT_SECRET

    with ShopFake() as fake, pytest.raises(ConformanceError) as info:
        check_adapter(Leaky(), fake, shop_offers(), checks=["protocol", "secrets"])
    assert str(info.value).startswith("'shop' failed 1 conformance check(s):\n  FAIL secrets:")
    assert CLIENT_SECRET not in str(info.value)
    assert isinstance(info.value, AssertionError)
    assert [r.outcome for r in info.value.report.results] == ["passed", "failed"]


def test_check_adapter_skip_and_unknown_names() -> None:
    with ShopFake() as fake:
        report = check_adapter(
            ShopAdapter(), fake, shop_offers(), checks=["upsert"], skip=["upsert"]
        )
        assert report.results == (CheckResult("upsert", "skipped", "left out (skip=)"),)
        with pytest.raises(ValueError, match="unknown conformance checks \\['nope'\\]"):
            check_adapter(ShopAdapter(), fake, shop_offers(), checks=["nope"])
        with pytest.raises(ValueError, match="unknown conformance check 'nope'"):
            run_check("nope", ShopAdapter(), fake, shop_offers())


def test_check_adapter_needs_offers() -> None:
    with ShopFake() as fake:
        report = check_adapter(
            ShopAdapter(), fake, [], checks=["protocol", "upsert"], raise_on_failure=False
        )
    assert "give at least one" in report.failed[0].message


def test_batch_splitting_skips_limits_above_max_items() -> None:
    with ShopFake() as fake:
        result = run_check("batch_splitting", ShopAdapter(), fake, shop_offers(), max_items=2)
    assert result.outcome == "skipped" and "with 2 items" in result.message


def test_the_base_class_skips_and_fails_like_pytest_does() -> None:
    class Suite(AdapterConformance):
        skip_checks: ClassVar[frozenset[str]] = frozenset({"upsert"})

    suite = Suite()
    with ShopFake() as fake:
        with pytest.raises(pytest.skip.Exception, match=r"in Suite\.skip_checks"):
            suite.test_upsert(ShopAdapter(), fake, shop_offers())
        with pytest.raises(pytest.skip.Exception, match="does not offer update_price_quantity"):
            suite.test_update_price_quantity(ShopAdapter(), fake, shop_offers())

        class Chatty(ShopAdapter):
            def __repr__(self) -> str:
                return CLIENT_SECRET

        with pytest.raises(ConformanceError, match="FAIL secrets"):
            suite.test_secrets(Chatty(), fake, shop_offers())


def test_unexpected_errors_chain_in_the_base_class() -> None:
    class Broken(ShopAdapter):
        def status(
            self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
        ) -> Flow[list[ItemResult]]:
            raise KeyError("status")

    with ShopFake() as fake, pytest.raises(ConformanceError) as info:
        AdapterConformance().test_status_absent(Broken(), fake, shop_offers())
    assert isinstance(info.value.__cause__, KeyError)


def test_async_parity_skips_inside_a_running_loop() -> None:
    async def inside() -> CheckResult:
        with ShopFake() as fake:
            return run_check("async_parity", ShopAdapter(), fake, shop_offers())

    result = asyncio.run(inside())
    assert result.outcome == "skipped" and "event loop is already running" in result.message


def test_report_helpers() -> None:
    report = ConformanceReport("x", (CheckResult("a", "passed"), CheckResult("b", "failed", "m")))
    assert not report.ok and report.failed == (CheckResult("b", "failed", "m"),)
    with pytest.raises(ConformanceError):
        report.raise_for_failures()
    ConformanceReport("x", (CheckResult("a", "passed"),)).raise_for_failures()
    assert str(CheckResult("a", "passed")) == "ok   a"


def test_static_tokens_skip_the_refresh_check() -> None:
    from xborder.marketplaces import StaticToken
    from xborder.testing import FakeMarketplace

    class Static(ShopAdapter):
        def token_providers(self) -> Any:
            return {"default": StaticToken(ShopSettings().client_secret)}

    class NoTokenEndpoint(ShopFake):
        def token(self, call: Any) -> Any:  # no route: overriding drops the parent's
            raise AssertionError("not a route")

    assert issubclass(NoTokenEndpoint, FakeMarketplace)
    with NoTokenEndpoint() as fake:
        assert "token" not in fake.operations
        fake.tokens.add(CLIENT_SECRET)
        result = run_check("token_refresh", Static(), fake, shop_offers())
        assert result.outcome == "skipped" and "tokens are static" in result.message
        assert run_check("upsert", Static(), fake, shop_offers()).outcome == "passed"
    assert SHOP_CHANNEL.name == "shop"


def test_a_channel_nobody_registered() -> None:
    class Unregistered(ShopAdapter):
        @property
        def capabilities(self) -> Any:
            return dataclasses.replace(super().capabilities, channel="shop_nowhere")

    message = failure(Unregistered(), "protocol")
    assert "capabilities.channel 'shop_nowhere' is not a known channel" in message
    assert "register_channel()" in message


def test_offers_that_are_not_offers() -> None:
    message = failure(ShopAdapter(), "protocol", ["MUG-01"])  # type: ignore[list-item]
    assert message == "offers: give at least one xborder.offer.Offer (from xborder.prepare)"
