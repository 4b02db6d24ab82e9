from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from testing._shop import BASE, CLIENT_ID, CLIENT_SECRET, TOKEN_URL, ShopFake, token_for
from xborder.marketplaces import OfferKey, RateLimit
from xborder.testing import Call, FakeClock, FakeMarketplace, field_path, route


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[ShopFake]:
    with ShopFake(clock=clock) as shop:
        yield shop


@pytest.fixture
def http(fake: ShopFake) -> Iterator[httpx.Client]:
    with fake.http_client(base_url=BASE, headers=token_for(fake)) as client:
        yield client


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# -- routing ---------------------------------------------------------------------------------


def test_routes_by_method_and_pattern_and_decodes_parameters(
    fake: ShopFake, http: httpx.Client
) -> None:
    answer = http.put("/items/MUG%2F01", json={"title": "Mug", "quantity": 2})
    assert answer.status_code == 200
    assert answer.json() == {"sku": "MUG/01", "title": "Mug", "quantity": 2, "status": "active"}
    assert fake.store.get("items", "MUG/01") == {"title": "Mug", "quantity": 2, "status": "active"}
    assert http.get("/items/MUG%2F01").json()["quantity"] == 2
    assert [call.params["sku"] for call in fake.calls] == ["MUG/01", "MUG/01"]


def test_path_parameters_take_the_rest_of_the_path(http: httpx.Client) -> None:
    answer = http.get("/files/reports/2026/10.txt")
    assert answer.status_code == 200 and answer.text == "file reports/2026/10.txt"
    assert answer.headers["content-type"] == "text/plain"


def test_unknown_path_and_wrong_method_answer_in_the_error_shape(
    fake: ShopFake, http: httpx.Client
) -> None:
    missing = http.get("/nothing/here")
    assert missing.status_code == 404 and error(missing)["code"] == "not_found"
    wrong = http.post("/items/MUG-01", json={})
    assert wrong.status_code == 405 and "PUT" in error(wrong)["message"]
    other_host = http.get("https://elsewhere.example/v2/items/MUG-01")
    assert other_host.status_code == 404
    assert [call.operation for call in fake.calls] == ["", "", ""]


def test_absolute_routes_serve_other_hosts(fake: ShopFake) -> None:
    with fake.http_client() as http:
        answer = http.post(
            TOKEN_URL,
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
    assert answer.status_code == 200
    assert fake.calls[-1].operation == "token"


def test_every_answer_carries_a_request_id(fake: ShopFake, http: httpx.Client) -> None:
    first = http.get("/items/none")
    second = http.get("/nothing")
    assert first.headers["x-request-id"] == "shop-000001" == fake.calls[0].request_id
    assert second.headers["x-request-id"] == "shop-000002"


def test_subclass_overriding_a_handler_replaces_its_routes(clock: FakeClock) -> None:
    class Quieter(ShopFake):
        @route("GET", "/items/{sku}/v2")
        def get_item(self, call: Call, sku: str) -> httpx.Response:
            return httpx.Response(200, json={"sku": sku})

    with Quieter(clock=clock) as fake, fake.http_client(base_url=BASE) as http:
        http.headers.update(token_for(fake))
        assert http.get("/items/A/v2").json() == {"sku": "A"}
        assert http.get("/items/A").status_code == 405  # DELETE and PUT still match
        assert "put_item" in fake.operations and "get_item" in fake.operations
        assert fake.batch_operations == ["batch_items"]


def test_handler_exceptions_propagate(clock: FakeClock) -> None:
    class Broken(FakeMarketplace):
        @route("GET", "/boom", auth=False)
        def boom(self, call: Call) -> httpx.Response:
            raise RuntimeError("bug in the fake")

    with (
        Broken(clock=clock) as fake,
        fake.http_client() as http,
        pytest.raises(RuntimeError, match="bug in the fake"),
    ):
        http.get(fake.url("/boom"))


def test_async_clients_use_the_same_transport(fake: ShopFake) -> None:
    async def scenario() -> list[int]:
        async with fake.async_http_client(base_url=BASE, headers=token_for(fake)) as http:
            first = await http.put("/items/A", json={"title": "A", "quantity": 1})
            second = await http.get("/items/A")
            return [first.status_code, second.status_code]

    assert asyncio.run(scenario()) == [200, 200]
    assert fake.counts() == {"put_item": 1, "get_item": 1}


def test_reject_rolls_back_the_writes_of_the_request(fake: ShopFake, http: httpx.Client) -> None:
    http.put("/items/A", json={"title": "A", "quantity": 1})
    refused = http.delete("/items/A", params={"refuse": "1"})
    assert refused.status_code == 409
    assert fake.store.get("items", "A") is not None
    assert http.delete("/items/A").status_code == 204
    assert fake.store.get("items", "A") is None


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "A", "quantity": 1, "colour": "red"}, "colour"),  # closed object
        ({"title": "A"}, "quantity"),  # required field
        ({"title": "A", "quantity": "1"}, "quantity"),  # no coercion
        ({"title": "A", "quantity": 1, "status": "sleeping"}, "status"),  # enum
        ({"title": "", "quantity": 1}, "title"),
    ],
)
def test_bodies_are_validated_like_the_real_api(
    http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    answer = http.put("/items/A", json=body)
    assert answer.status_code == 400
    assert error(answer)["code"] == "invalid_field" and error(answer)["field"] == field


def test_nested_errors_name_the_item(http: httpx.Client) -> None:
    answer = http.post("/items:batch", json={"items": [{"sku": "A", "title": "A"}]})
    assert error(answer)["field"] == "items[0].quantity"


def test_malformed_json_and_wrong_content_type(http: httpx.Client) -> None:
    headers = {"content-type": "application/json"}
    malformed = http.put("/items/A", content=b'{"title": ', headers=headers)
    assert malformed.status_code == 400 and error(malformed)["code"] == "malformed_body"
    plain = http.put("/items/A", content=b"{}", headers={"content-type": "text/plain"})
    assert plain.status_code == 415 and "text/plain" in error(plain)["message"]
    feed = http.post("/feeds", content=b"[1,", headers=headers)
    assert feed.status_code == 400 and error(feed)["code"] == "malformed_body"


def test_field_path_reads_like_an_api_field() -> None:
    assert field_path(("items", 0, "price", "amount")) == "items[0].price.amount"
    assert field_path((3, "sku")) == "[3].sku"
    assert field_path(()) == ""


# -- batches -----------------------------------------------------------------------------------


def test_batches_past_the_limit_are_refused_and_counted(fake: ShopFake, http: httpx.Client) -> None:
    items = [{"sku": f"S{i}", "title": "t", "quantity": 1} for i in range(4)]
    refused = http.post("/items:batch", json={"items": items})
    assert refused.status_code == 400 and error(refused)["code"] == "batch_too_large"
    assert fake.calls[-1].items == 4
    assert fake.store.count("items") == 0
    assert http.post("/items:batch", json={"items": items[:3]}).status_code == 200
    assert fake.calls[-1].items == 3 and fake.store.count("items") == 3


# -- tokens ------------------------------------------------------------------------------------


def test_requests_need_a_token_the_fake_issued(fake: ShopFake) -> None:
    with fake.http_client(base_url=BASE) as http:
        assert error(http.get("/items/A"))["code"] == "unauthorized"
        http.headers["authorization"] = "Bearer made-up"
        assert error(http.get("/items/A"))["code"] == "invalid_token"
        http.headers["authorization"] = "Basic Zm9vOmJhcg=="
        assert error(http.get("/items/A"))["code"] == "unauthorized"


def test_tokens_expire_on_the_clock(fake: ShopFake, clock: FakeClock) -> None:
    token = fake.issue_token(lifetime=60)
    with fake.http_client(base_url=BASE, headers={"authorization": f"Bearer {token}"}) as http:
        assert http.get("/items/A").status_code == 404
        clock.advance(59)
        assert http.get("/items/A").status_code == 404
        clock.advance(1)
        answer = http.get("/items/A")
    assert answer.status_code == 401 and error(answer)["code"] == "token_expired"


def test_static_tokens_and_expiring_them(fake: ShopFake, clock: FakeClock) -> None:
    fake.tokens.add("static-token")
    with fake.http_client(base_url=BASE, headers={"authorization": "Bearer static-token"}) as h:
        clock.advance(10**7)
        assert h.get("/items/A").status_code == 404
        fake.tokens.expire_all()
        assert error(h.get("/items/A"))["code"] == "token_expired"


def test_token_endpoint_issues_tokens_that_work(fake: ShopFake, clock: FakeClock) -> None:
    with fake.http_client() as http:
        answer = http.post(
            TOKEN_URL,
            data={"grant_type": "client_credentials", "scope": "items"},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        body = answer.json()
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert body["scope"] == "items"
        headers = {"authorization": f"Bearer {body['access_token']}"}
        assert http.get(f"{BASE}/items/A", headers=headers).status_code == 404
        clock.advance(3600)
        assert http.get(f"{BASE}/items/A", headers=headers).status_code == 401
    assert body["access_token"] in fake.tokens.secrets and CLIENT_SECRET in fake.tokens.secrets


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "client_secret": "wrong"}, 401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": ""}, 401, "invalid_client"),
        ({"grant_type": "refresh_token", "refresh_token": "nope"}, 400, "invalid_grant"),
    ],
)
def test_token_endpoint_refuses_in_the_oauth_shape(
    fake: ShopFake, form: dict[str, str], status: int, code: str
) -> None:
    data = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **form}
    with fake.http_client() as http:
        answer = http.post(TOKEN_URL, data=data)
    assert answer.status_code == status
    assert answer.json()["error"] == code and answer.json()["error_description"]


def test_refresh_grant_and_basic_auth(fake: ShopFake) -> None:
    fake.tokens.add_refresh("refresh-1", client_id=CLIENT_ID)
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    with fake.http_client() as http:
        answer = http.post(
            TOKEN_URL,
            data={"grant_type": "refresh_token", "refresh_token": "refresh-1"},
            headers={"authorization": f"Basic {basic}"},
        )
        bad_basic = http.post(
            TOKEN_URL,
            data={"grant_type": "client_credentials"},
            headers={"authorization": "Basic !!!"},
        )
    assert answer.status_code == 200
    assert bad_basic.status_code == 401


def test_token_endpoint_needs_a_form(fake: ShopFake) -> None:
    with fake.http_client() as http:
        answer = http.post(TOKEN_URL, json={"grant_type": "client_credentials"})
        latin = http.post(
            TOKEN_URL,
            content="grant_type=\xe9".encode("latin-1"),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 415
    assert latin.status_code == 400


def test_any_client_is_accepted_when_none_is_configured(clock: FakeClock) -> None:
    with ShopFake(clock=clock, clients={}) as fake, fake.http_client() as http:
        answer = http.post(TOKEN_URL, data={"grant_type": "client_credentials"}, auth=("a", "b"))
    assert answer.status_code == 200


# -- rate limits -------------------------------------------------------------------------------


def test_rate_limit_is_a_token_bucket_on_the_clock(
    fake: ShopFake, http: httpx.Client, clock: FakeClock
) -> None:
    assert [http.get("/items/A").status_code for _ in range(2)] == [404, 404]
    throttled = http.get("/items/A")
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "1"
    assert error(throttled)["code"] == "rate_limited"
    assert http.put("/items/A", json={"title": "A", "quantity": 1}).status_code == 200
    clock.advance(0.5)
    assert http.get("/items/A").status_code == 429
    clock.advance(0.5)
    assert http.get("/items/A").status_code == 200
    assert fake.count("get_item", status=429) == 2


def test_rate_limits_can_be_replaced_or_turned_off(clock: FakeClock) -> None:
    with ShopFake(clock=clock, rate_limits={}) as fake, fake.http_client(base_url=BASE) as http:
        http.headers.update(token_for(fake))
        assert {http.get("/items/A").status_code for _ in range(20)} == {404}
    limits = {"*": RateLimit(2, burst=1)}
    with ShopFake(clock=clock, rate_limits=limits) as fake, fake.http_client(base_url=BASE) as h:
        h.headers.update(token_for(fake))
        assert h.get("/items/A").status_code == 404
        assert h.get("/items/A").status_code == 429
        assert h.put("/items/A", json={"title": "A", "quantity": 1}).status_code == 200


# -- counting ----------------------------------------------------------------------------------


def test_calls_are_counted_per_operation(fake: ShopFake, http: httpx.Client) -> None:
    http.put("/items/A", json={"title": "A", "quantity": 1})
    http.get("/items/A")
    http.get("/items/B")
    assert fake.count() == 3 and fake.count("get_item") == 2
    assert fake.count("get_item", status=404) == 1
    assert fake.counts() == {"put_item": 1, "get_item": 2}
    call = fake.calls[0]
    assert (call.method, call.path, call.status) == ("PUT", "/v2/items/A", 200)
    assert call.content and call.headers["content-type"] == "application/json"
    fake.reset_calls()
    assert fake.count() == 0 and fake.store.count("items") == 1


def test_call_repr_redacts_credentials_in_the_url(fake: ShopFake) -> None:
    with fake.http_client() as http:
        http.get(f"{BASE}/files/a", params={"access_token": "secret-in-url"})
    assert "secret-in-url" not in repr(fake.calls[0])
    assert "operation='get_file'" in repr(fake.calls[0]) and "-> 200" in repr(fake.calls[0])
    assert repr(fake) == "ShopFake(name='shop')"


# -- asynchronous jobs -------------------------------------------------------------------------


def test_jobs_finish_after_polls_and_apply_once(fake: ShopFake, http: httpx.Client) -> None:
    feed_id = http.post("/feeds", json={"skus": ["A", "B"], "polls": 3}).json()["feedId"]
    statuses = [http.get(f"/feeds/{feed_id}").json() for _ in range(4)]
    assert [s["status"] for s in statuses] == ["in_progress", "in_progress", "done", "done"]
    assert statuses[-1]["result"] == {"applied": 2}
    assert fake.completed == 1 and fake.store.count("items") == 2
    job = fake.jobs.get(feed_id)
    assert job is not None and job.done and job.polls == 3 and job.kind == "feed"
    assert http.get("/feeds/999").status_code == 404


def test_jobs_finish_after_seconds_on_the_clock(
    fake: ShopFake, http: httpx.Client, clock: FakeClock
) -> None:
    feed_id = http.post("/feeds", json={"skus": [], "seconds": 30}).json()["feedId"]
    assert http.get(f"/feeds/{feed_id}").json()["status"] == "in_progress"
    clock.advance(30)
    assert http.get(f"/feeds/{feed_id}").json()["status"] == "done"


def test_jobs_default_to_job_polls_and_list_in_order(fake: ShopFake, http: httpx.Client) -> None:
    ids = [http.post("/feeds", json={}).json()["feedId"] for _ in range(11)]
    assert [job.id for job in fake.jobs.all()] == ids
    assert fake.jobs.all("other") == []
    assert [http.get(f"/feeds/{ids[0]}").json()["status"] for _ in range(2)] == [
        "in_progress",
        "done",
    ]
    assert fake.poll_job("missing") is None and fake.jobs.get("missing") is None


# -- properties --------------------------------------------------------------------------------


class Echo(FakeMarketplace):
    require_json_content_type: ClassVar[bool] = False

    @route("PUT", "/echo/{key}", auth=False)
    def echo(self, call: Call, key: str) -> httpx.Response:
        return httpx.Response(200, json={"key": key, "body": self.body(call)})


@given(key=st.text(min_size=1, max_size=30).filter(lambda k: k not in (".", "..")))
def test_any_path_parameter_round_trips(key: str) -> None:
    with Echo() as fake, fake.http_client() as http:
        quoted = httpx.URL(fake.url("/echo/")).copy_with(
            raw_path=b"/echo/" + _quote(key).encode("ascii")
        )
        answer = http.put(quoted, content=b"[1]")
    assert answer.json() == {"key": key, "body": [1]}


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def test_force_unknown_state_defaults_to_unsupported() -> None:
    with Echo() as fake:
        assert fake.force_unknown_state(OfferKey("x", "DE", "A")) is False
        assert fake.state() == {"listings": {}}


def test_public_names_of_xborder_testing() -> None:
    import xborder.testing

    assert xborder.testing.__all__ == [
        "CRASH_EXIT_CODE",
        "FAULT_KINDS",
        "AdapterConformance",
        "AuthProblem",
        "Call",
        "CheckResult",
        "ClosedModel",
        "ConformanceError",
        "ConformanceReport",
        "CrashAfter",
        "FakeClock",
        "FakeMarketplace",
        "Fault",
        "FaultKind",
        "Job",
        "Reject",
        "Route",
        "RouteMatch",
        "Store",
        "check_adapter",
        "field_path",
        "route",
        "run_check",
    ]
    assert all(hasattr(xborder.testing, name) for name in xborder.testing.__all__)
