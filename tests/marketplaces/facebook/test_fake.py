"""The fake Meta catalog on its own: what it accepts, refuses and answers."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from marketplaces.facebook._support import APP_SECRET, CATALOG, CATALOG_ID, GRAPH, TOKEN
from xborder.marketplaces import OfferKey
from xborder.testing import FakeClock
from xborder.testing.facebook import REQUIRED_FOR_NEW, FakeFacebookCatalog

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def item(sku: str = "A", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": sku,
        "title": "Mug",
        "description": "A mug",
        "availability": "in stock",
        "condition": "new",
        "price": "24.99 EUR",
        "link": "https://shop.example.com/a",
        "image_link": "https://images.example.com/a.jpg",
        "brand": "Ridgeline",
    }
    data.update(fields)
    return data


@pytest.fixture
def fake() -> Iterator[FakeFacebookCatalog]:
    clock = FakeClock(datetime(2026, 10, 1, tzinfo=UTC))
    with FakeFacebookCatalog(clock=clock, catalog_id=CATALOG_ID, access_token=TOKEN) as catalog:
        yield catalog


@pytest.fixture
def http(fake: FakeFacebookCatalog) -> Iterator[httpx.Client]:
    with fake.http_client(headers=AUTH) as client:
        yield client


def batch(http: httpx.Client, edge: str, requests: list[Any], **top: Any) -> dict[str, Any]:
    payload = {"item_type": "PRODUCT_ITEM", "requests": requests, **top}
    response = http.post(f"{CATALOG}/{edge}", json=payload)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def poll(http: httpx.Client, handle: str, ids: bool = True) -> dict[str, Any]:
    params = {"handle": handle}
    if ids:
        params["load_ids_of_invalid_requests"] = "true"
    response = http.get(f"{CATALOG}/check_batch_request_status", params=params)
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()["data"][0]
    return status


def ingest(http: httpx.Client, edge: str, requests: list[Any], **top: Any) -> dict[str, Any]:
    handle = batch(http, edge, requests, **top)["handles"][0]
    assert poll(http, handle)["status"] == "started"
    return poll(http, handle)


def test_handles_finish_after_two_polls_and_then_the_items_exist(
    fake: FakeFacebookCatalog, http: httpx.Client
) -> None:
    answer = batch(http, "items_batch", [{"method": "UPDATE", "data": item()}])
    assert answer == {"handles": ["AcxB0000000001"]}
    assert fake.item("A") is None  # ingestion is asynchronous
    assert poll(http, "AcxB0000000001")["status"] == "started"
    status = poll(http, "AcxB0000000001")
    assert status["status"] == "finished" and status["ids_of_invalid_requests"] == []
    assert fake.item("A")["fields"]["price"] == "24.99 EUR"
    assert "ids_of_invalid_requests" not in poll(http, "AcxB0000000001", ids=False)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (item(availability="In Stock"), "availability: 'In Stock' is not one of"),
        (item(condition="mint"), "condition: 'mint' is not one of"),
        (item(price="24.99"), "price: '24.99' is not an amount and a currency"),
        (item(price="24.999 EUR"), "more than the 2 decimals of EUR"),
        (item(price="24 XXQ"), "'XXQ' is not a currency"),
        (item(price=2499), "expected a string"),
        (item(name="Mug"), "name: a /products field name; items_batch takes 'title'"),
        (item(retailer_id="A"), "retailer_id: a /products field name"),
        (item(url="https://x.example"), "items_batch takes 'link'"),
        (item(colour="red"), "colour: not a field of PRODUCT_ITEM items"),
        (item(additional_image_link="https://x.example/1.jpg"), "a list of strings"),
        (item(quantity_to_sell_on_facebook=-1), "a whole number >= 0"),
        (item(visibility="hidden"), "visibility: 'hidden' is not one of"),
    ],
)
def test_items_are_validated_one_by_one(http: httpx.Client, data: Any, needle: str) -> None:
    answer = batch(
        http,
        "items_batch",
        [{"method": "UPDATE", "data": data}, {"method": "UPDATE", "data": item("B")}],
    )
    assert len(answer["handles"]) == 1  # the valid one is ingested
    (refused,) = answer["validation_status"]
    assert refused["retailer_id"] == "A"
    assert any(needle in error["message"] for error in refused["errors"]), refused


def test_a_batch_with_nothing_valid_has_no_handle(http: httpx.Client) -> None:
    answer = batch(http, "items_batch", [{"method": "PATCH", "data": item()}, {"data": {}}])
    assert answer["handles"] == [] and len(answer["validation_status"]) == 2


def test_new_items_need_every_required_field(fake: FakeFacebookCatalog, http: httpx.Client) -> None:
    status = ingest(http, "items_batch", [{"method": "UPDATE", "data": {"id": "A", "title": "x"}}])
    assert status["ids_of_invalid_requests"] == ["A"]
    message = status["errors"][0]["message"]
    assert all(field in message for field in REQUIRED_FOR_NEW if field not in ("id", "title"))
    assert fake.item("A") is None


def test_update_without_upsert_never_creates(http: httpx.Client) -> None:
    status = ingest(http, "items_batch", [{"method": "UPDATE", "data": item()}], allow_upsert=False)
    assert status["ids_of_invalid_requests"] == ["A"]
    assert "does not exist" in status["errors"][0]["message"]


def test_create_of_an_existing_item_and_delete(
    fake: FakeFacebookCatalog, http: httpx.Client
) -> None:
    ingest(http, "items_batch", [{"method": "CREATE", "data": item()}])
    status = ingest(http, "items_batch", [{"method": "CREATE", "data": item()}])
    assert status["ids_of_invalid_requests"] == ["A"]
    ingest(http, "items_batch", [{"method": "DELETE", "data": {"id": "A"}}])
    assert fake.item("A") is None and fake.items() == {}


def test_errors_are_a_sample_and_ids_are_complete(http: httpx.Client) -> None:
    broken = [{"method": "UPDATE", "data": {"id": f"S{n}"}} for n in range(25)]
    status = ingest(http, "items_batch", broken)
    assert status["errors_total_count"] == 25 and len(status["errors"]) == 10
    assert len(status["ids_of_invalid_requests"]) == 25


def test_overrides(fake: FakeFacebookCatalog, http: httpx.Client) -> None:
    ingest(http, "items_batch", [{"method": "UPDATE", "data": item()}])
    requests = [
        {
            "method": "UPDATE",
            "localization": {"type": "COUNTRY", "value": "DE"},
            "data": {"id": "A", "price": "25.00 EUR", "availability": "in stock"},
        },
        {
            "method": "UPDATE",
            "localization": {"type": "LANGUAGE", "value": "de_XX"},
            "data": {"id": "A", "title": "Tasse"},
        },
        {
            "method": "UPDATE",
            "localization": {"type": "COUNTRY", "value": "FR"},
            "data": {"id": "MISSING", "price": "25.00 EUR"},
        },
    ]
    status = ingest(http, "localized_items_batch", requests)
    assert status["ids_of_invalid_requests"] == ["MISSING"]
    assert fake.overrides("A") == {
        "COUNTRY|DE": {"price": "25.00 EUR", "availability": "in stock"},
        "LANGUAGE|de_XX": {"title": "Tasse"},
    }
    item_id = fake.item("A")["id"]
    details = http.get(f"{GRAPH}/{item_id}/override_details", params={"type": "COUNTRY"})
    assert details.json() == {
        "data": [
            {
                "key": "DE",
                "type": "country",
                "values": {"price": "25.00 EUR", "availability": "in stock"},
            }
        ]
    }
    keyed = http.get(f"{GRAPH}/{item_id}/override_details", params={"keys": "de_XX,FR"})
    assert [d["key"] for d in keyed.json()["data"]] == ["de_XX"]
    assert http.get(f"{GRAPH}/404/override_details").status_code == 400


@pytest.mark.parametrize(
    ("request_", "needle"),
    [
        (
            {"localization": {"type": "LANGUAGE", "value": "de_XX"}, "data": {"price": "1 EUR"}},
            "price: a country-only field; set it in a COUNTRY override, not a LANGUAGE one",
        ),
        (
            {
                "localization": {"type": "LANGUAGE", "value": "de_XX"},
                "data": {"availability": "in stock"},
            },
            "availability: a country-only field",
        ),
        (
            {"localization": {"type": "COUNTRY", "value": "DE"}, "data": {"title": "x"}},
            "title: cannot be set in a COUNTRY override",
        ),
        (
            {"localization": {"type": "COUNTRY", "value": "Germany"}, "data": {}},
            "'Germany' is not a valid COUNTRY value",
        ),
        (
            {"localization": {"type": "LANGUAGE", "value": "de"}, "data": {}},
            "'de' is not a valid LANGUAGE value",
        ),
        ({"localization": {"type": "REGION", "value": "EU"}, "data": {}}, "localization.type"),
        (
            {"localization": {"type": "COUNTRY", "value": "DE"}, "data": {"availability": "sold"}},
            "availability: 'sold' is not one of",
        ),
    ],
)
def test_override_rules(http: httpx.Client, request_: dict[str, Any], needle: str) -> None:
    element = {"method": "UPDATE", **request_, "data": {"id": "A", **request_["data"]}}
    answer = batch(http, "localized_items_batch", [element])
    assert answer["handles"] == []
    assert any(needle in e["message"] for e in answer["validation_status"][0]["errors"])


def test_batch_shapes_and_limits(fake: FakeFacebookCatalog, http: httpx.Client) -> None:
    def post(edge: str, payload: Any) -> httpx.Response:
        return http.post(f"{CATALOG}/{edge}", json=payload)

    too_many = [{"method": "UPDATE", "data": item(f"S{n}")} for n in range(5001)]
    refused = post("items_batch", {"item_type": "PRODUCT_ITEM", "requests": too_many})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 100
    assert "at most 5000" in refused.json()["error"]["message"]
    overrides = [
        {
            "method": "UPDATE",
            "localization": {"type": "COUNTRY", "value": "DE"},
            "data": {"id": "A"},
        }
    ] * 1001
    assert (
        post(
            "localized_items_batch", {"item_type": "PRODUCT_ITEM", "requests": overrides}
        ).status_code
        == 400
    )
    assert post("items_batch", {"requests": too_many[:1]}).json()["error"]["error_data"] == {
        "blame_field_specs": [["item_type"]]
    }
    assert post("items_batch", {"item_type": "PRODUCT_ITEM", "requests": []}).status_code == 400
    assert (
        post("items_batch", {"item_type": "PRODUCT_ITEM", "requests": [], "x": 1}).status_code
        == 400
    )
    assert post("items_batch", [1]).status_code == 400
    form = http.post(f"{CATALOG}/items_batch", data={"item_type": "PRODUCT_ITEM"})
    assert form.status_code == 415
    other = http.post(
        f"{GRAPH}/999/items_batch", json={"item_type": "PRODUCT_ITEM", "requests": [1]}
    )
    assert other.status_code == 400 and other.json()["error"]["error_subcode"] == 33
    bad_version = http.get(f"https://graph.facebook.com/25/{CATALOG_ID}/products")
    assert bad_version.status_code == 400
    assert http.get(f"{CATALOG}/check_batch_request_status").status_code == 400
    assert (
        http.get(f"{CATALOG}/check_batch_request_status", params={"handle": "nope"}).status_code
        == 400
    )


def test_payloads_of_28_mb_are_refused(fake: FakeFacebookCatalog, http: httpx.Client) -> None:
    fake.max_bytes = 1000  # type: ignore[misc]
    response = http.post(
        f"{CATALOG}/items_batch",
        json={
            "item_type": "PRODUCT_ITEM",
            "requests": [{"method": "UPDATE", "data": item(description="x" * 2000)}],
        },
    )
    assert response.status_code == 400 and "send < 28 MB" in response.json()["error"]["message"]


def test_tokens(fake: FakeFacebookCatalog) -> None:
    with fake.http_client() as http:
        missing = http.get(f"{CATALOG}/products", params={"filter": "{}"})
        assert missing.status_code == 400 and missing.json()["error"]["code"] == 104
        in_url = http.get(f"{CATALOG}/products", params={"access_token": TOKEN})
        assert in_url.json()["error"]["code"] == 104 and fake.tokens_in_urls == 1
        assert "Authorization header" in in_url.json()["error"]["message"]
        wrong = http.get(f"{CATALOG}/products", headers={"Authorization": "Bearer nope"})
        assert wrong.json()["error"]["code"] == 190
        fake.expire_tokens()
        expired = http.get(f"{CATALOG}/products", headers=AUTH)
        error = expired.json()["error"]
        assert (expired.status_code, error["code"], error["error_subcode"]) == (400, 190, 463)
        assert error["fbtrace_id"] == expired.headers["x-fb-trace-id"]


def test_appsecret_proof() -> None:
    fake = FakeFacebookCatalog(catalog_id=CATALOG_ID, access_token=TOKEN, app_secret=APP_SECRET)
    proof = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    query = {"filter": json.dumps({"retailer_id": {"eq": "A"}})}
    with fake.http_client(headers=AUTH) as http:
        without = http.get(f"{CATALOG}/products", params=query)
        assert "require an appsecret_proof" in without.json()["error"]["message"]
        wrong = http.get(f"{CATALOG}/products", params={**query, "appsecret_proof": "00"})
        assert "Invalid appsecret_proof" in wrong.json()["error"]["message"]
        right = http.get(f"{CATALOG}/products", params={**query, "appsecret_proof": proof})
        assert right.status_code == 200 and right.json() == {"data": []}
    assert APP_SECRET in fake.tokens.secrets


def test_throttles_and_usage(fake: FakeFacebookCatalog, http: httpx.Client) -> None:
    fake.inject("throttle", operation="items_batch", retry_after=90)
    response = http.post(f"{CATALOG}/items_batch", json={})
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["is_transient"]) == (400, 80014, True)
    usage = json.loads(response.headers["x-business-use-case-usage"])
    assert usage[CATALOG_ID][0]["estimated_time_to_regain_access"] == 2
    fake.throttle_code = 613
    fake.inject("throttle", operation="products")
    assert http.get(f"{CATALOG}/products").json()["error"]["code"] == 613
    fake.usage = 85
    ok = http.get(f"{CATALOG}/products", params={"filter": '{"retailer_id":{"eq":"A"}}'})
    assert json.loads(ok.headers["x-business-use-case-usage"])[CATALOG_ID][0]["call_count"] == 85
    fake.inject("server_error", operation="products", status=503)
    failed = http.get(f"{CATALOG}/products")
    assert failed.status_code == 503 and failed.json()["error"]["is_transient"] is True


def test_products_reads_fields_and_pages(fake: FakeFacebookCatalog, http: httpx.Client) -> None:
    ingest(http, "items_batch", [{"method": "UPDATE", "data": item(f"S{n}")} for n in range(3)])
    params = {
        "filter": json.dumps({"retailer_id": {"is_any": ["S0", "S1", "S2", "NONE"]}}),
        "fields": "id,retailer_id,name,price,currency,availability,review_status,url",
        "limit": "2",
    }
    first = http.get(f"{CATALOG}/products", params=params).json()
    assert [r["retailer_id"] for r in first["data"]] == ["S0", "S1"]
    assert first["data"][0]["name"] == "Mug" and first["data"][0]["currency"] == "EUR"
    assert first["data"][0]["url"] == "https://shop.example.com/a"
    assert "access_token" not in first["paging"]["next"]
    second = http.get(
        f"{CATALOG}/products", params={**params, "after": first["paging"]["cursors"]["after"]}
    ).json()
    assert [r["retailer_id"] for r in second["data"]] == ["S2"] and "paging" not in second
    assert http.get(f"{CATALOG}/products", params={"filter": "[1"}).status_code == 400
    assert http.get(f"{CATALOG}/products", params={"filter": "{}"}).status_code == 400


def test_review_and_unknown_states(fake: FakeFacebookCatalog, http: httpx.Client) -> None:
    ingest(http, "items_batch", [{"method": "UPDATE", "data": item()}])
    assert fake.item("A")["review_status"] == "approved"
    fake.set_review("A", "rejected", errors=[{"title": "Policy", "description": "Not allowed"}])
    assert fake.item("A")["errors"][0]["title"] == "Policy"
    assert fake.force_unknown_state(OfferKey("facebook", "GB", "A"))
    assert fake.item("A")["review_status"] == "in_appeal_2031"
    assert not fake.force_unknown_state(OfferKey("facebook", "GB", "NONE"))
    with pytest.raises(KeyError):
        fake.set_review("NONE", "approved")


def test_partial_batch_faults_fail_items_at_ingestion(
    fake: FakeFacebookCatalog, http: httpx.Client
) -> None:
    fake.inject("partial_batch", every=2)
    status = ingest(
        http, "items_batch", [{"method": "UPDATE", "data": item(f"S{n}")} for n in range(4)]
    )
    assert status["ids_of_invalid_requests"] == ["S0", "S2"]
    assert sorted(fake.items()) == ["S1", "S3"]


def test_state_persists_in_a_file(tmp_path: Any) -> None:
    path = tmp_path / "catalog.sqlite"
    with (
        FakeFacebookCatalog(persist_to=path, access_token=TOKEN) as first,
        first.http_client(headers=AUTH) as http,
    ):
        ingest(http, "items_batch", [{"method": "UPDATE", "data": item()}])
    with FakeFacebookCatalog(persist_to=path) as again:
        assert again.item("A") is not None
