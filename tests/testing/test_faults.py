from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from testing._shop import BASE, ShopFake, token_for
from xborder.testing import FAULT_KINDS, FakeClock, Fault


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[ShopFake]:
    with ShopFake(clock=clock, rate_limits={}) as shop:
        yield shop


@pytest.fixture
def http(fake: ShopFake) -> Iterator[httpx.Client]:
    with fake.http_client(base_url=BASE, headers=token_for(fake)) as client:
        yield client


ITEM = {"title": "A", "quantity": 1}


def put(http: httpx.Client, sku: str = "A") -> httpx.Response:
    return http.put(f"/items/{sku}", json=ITEM)


def test_throttle_answers_with_the_throttle_hook(fake: ShopFake, http: httpx.Client) -> None:
    fault = fake.inject("throttle", retry_after=7)
    answer = put(http)
    assert answer.status_code == 429 and answer.headers["retry-after"] == "7"
    assert put(http).status_code == 200
    assert fault.fired == 1 and not fault.active
    assert fake.store.count("items") == 1


def test_throttle_without_a_delay(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("throttle", retry_after=None)
    assert "retry-after" not in put(http).headers


def test_server_error_status_and_shape(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("server_error", status=503)
    answer = put(http)
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "internal_error"
    assert fake.store.count("items") == 0
    assert fake.calls[0].fault is not None and fake.calls[0].fault.kind == "server_error"


def test_processed_server_error_applies_the_request(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("server_error", processed=True)
    assert put(http).status_code == 500
    assert fake.store.count("items") == 1


def test_timeout_raises_read_timeout(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("timeout")
    with pytest.raises(httpx.ReadTimeout):
        put(http)
    assert fake.store.count("items") == 0
    assert fake.calls[0].status is None and fake.calls[0].error == "ReadTimeout"
    assert "ReadTimeout" in repr(fake.calls[0])


def test_processed_timeout_loses_only_the_answer(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("timeout", processed=True)
    with pytest.raises(httpx.ReadTimeout):
        put(http)
    assert fake.store.count("items") == 1


@pytest.mark.parametrize(
    ("options", "error", "applied"),
    [
        ({}, httpx.RemoteProtocolError, 0),
        ({"processed": True}, httpx.RemoteProtocolError, 1),
        ({"connect": True}, httpx.ConnectError, 0),
    ],
)
def test_connection_reset(
    fake: ShopFake,
    http: httpx.Client,
    options: dict[str, Any],
    error: type[Exception],
    applied: int,
) -> None:
    fake.inject("connection_reset", **options)
    with pytest.raises(error):
        put(http)
    assert fake.store.count("items") == applied


def test_malformed_json_truncates_an_applied_answer(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("malformed_json")
    answer = put(http)
    assert answer.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        answer.json()
    assert fake.store.count("items") == 1


def test_unexpected_status_is_an_html_page(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("unexpected_status")
    answer = put(http)
    assert answer.status_code == 418 and answer.headers["content-type"] == "text/html"
    fake.inject("unexpected_status", status=520)
    assert put(http).status_code == 520


def test_bad_request_names_the_field(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("bad_request", field="quantity")
    answer = put(http)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "quantity"


def test_expired_token_expires_the_token_for_good(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("expired_token")
    assert put(http).json()["error"]["code"] == "token_expired"
    assert put(http).json()["error"]["code"] == "token_expired"
    http.headers.update(token_for(fake))
    assert put(http).status_code == 200


def test_expired_token_only_hits_authenticated_routes(fake: ShopFake, http: httpx.Client) -> None:
    fault = fake.inject("expired_token")
    assert http.get("/files/a").status_code == 200
    assert fault.fired == 0 and fault.active


def test_partial_batch_fails_every_nth_item(fake: ShopFake, http: httpx.Client) -> None:
    fault = fake.inject("partial_batch", every=2)
    assert put(http, "X").status_code == 200  # not a batch: the fault waits
    items = [{"sku": s, **ITEM} for s in "ABC"]
    results = http.post("/items:batch", json={"items": items}).json()["results"]
    assert [r["ok"] for r in results] == [False, True, False]
    assert fake.store.count("items") == 2 and fault.fired == 1
    results = http.post("/items:batch", json={"items": items}).json()["results"]
    assert all(r["ok"] for r in results)


def test_never_finishes_keeps_jobs_running(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("never_finishes", operation="create_feed")
    stuck = http.post("/feeds", json={"polls": 1}).json()["feedId"]
    fine = http.post("/feeds", json={"polls": 1}).json()["feedId"]
    assert [http.get(f"/feeds/{stuck}").json()["status"] for _ in range(5)] == ["in_progress"] * 5
    assert http.get(f"/feeds/{fine}").json()["status"] == "done"


def test_after_and_times_and_operation(fake: ShopFake, http: httpx.Client) -> None:
    fault = fake.inject("server_error", operation="put_item", after=1, times=2)
    http.get("/items/A")  # another operation: not seen
    statuses = [put(http).status_code for _ in range(4)]
    assert statuses == [200, 500, 500, 200]
    assert (fault.seen, fault.fired, fault.active) == (3, 2, False)


def test_times_none_fires_forever_until_cleared(fake: ShopFake, http: httpx.Client) -> None:
    fake.inject("server_error", times=None)
    assert {put(http).status_code for _ in range(10)} == {500}
    fake.clear_faults()
    assert put(http).status_code == 200


def test_first_matching_fault_wins(fake: ShopFake, http: httpx.Client) -> None:
    first = fake.inject("throttle")
    second = fake.inject("server_error")
    assert put(http).status_code == 429
    assert put(http).status_code == 500
    assert (first.fired, second.fired) == (1, 1)


def test_inject_refuses_an_unknown_operation(fake: ShopFake) -> None:
    with pytest.raises(ValueError, match=r"no route has operation 'put_items'.*put_item"):
        fake.inject("throttle", operation="put_items")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "explode"}, "fault kind"),
        ({"kind": "throttle", "times": 0}, "times"),
        ({"kind": "throttle", "after": -1}, "after"),
        ({"kind": "partial_batch", "every": 0}, "every"),
        ({"kind": "throttle", "processed": True}, "processed=True applies to"),
        ({"kind": "timeout", "connect": True}, "connect=True"),
        ({"kind": "connection_reset", "connect": True, "processed": True}, "connect=True"),
        ({"kind": "server_error", "status": 404}, "5xx"),
    ],
)
def test_fault_options_are_checked(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Fault(**kwargs)


def test_fault_repr_and_kinds() -> None:
    assert len(FAULT_KINDS) == 10 and "partial_batch" in FAULT_KINDS
    assert repr(Fault("throttle", operation="x")) == (
        "Fault('throttle', operation='x', fired=0, times=1)"
    )
    assert Fault("partial_batch", every=3).fails_item(3)
    assert not Fault("throttle").fails_item(0)
