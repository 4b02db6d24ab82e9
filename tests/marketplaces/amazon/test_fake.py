"""The fake SP-API on its own: LWA, Listings Items, Feeds, validation, quotas, faults."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from marketplaces.amazon._support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SELLER_ID,
    adapter,
    client,
    compliant,
    fake,
    models,
    offer,
)
from xborder.http import HttpResponse
from xborder.marketplaces import OfferKey
from xborder.marketplaces.amazon import MARKETPLACES, build, dumps
from xborder.testing import FakeClock
from xborder.testing.amazon import FakeAmazon, JsonSchema

EU = "https://sellingpartnerapi-eu.amazon.com"
NA = "https://sellingpartnerapi-na.amazon.com"
DE = MARKETPLACES["DE"]
ITEM = f"{EU}/listings/2021-08-01/items/{SELLER_ID}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 1, 9, tzinfo=UTC))


@pytest.fixture
def amazon(clock: FakeClock) -> Iterator[FakeAmazon]:
    with fake(clock) as store:
        yield store


@pytest.fixture
def http(amazon: FakeAmazon) -> Iterator[httpx.Client]:
    token = amazon.issue_token(client_id=CLIENT_ID)
    with amazon.http_client(headers={"x-amz-access-token": token}) as c:
        yield c


def put_body(**overrides: Any) -> dict[str, Any]:
    payload = build(offer(compliant()), adapter().settings, DE, "DRINKING_CUP")
    body = json.loads(dumps(payload.put_body()))
    body["attributes"].update(overrides)
    return body


def put(http: httpx.Client, sku: str, body: Any, **params: str) -> httpx.Response:
    query = {"marketplaceIds": DE.marketplace_id, **params}
    return http.put(
        f"{ITEM}/{sku}",
        params=query,
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )


def codes(response: httpx.Response) -> list[str]:
    return [issue["code"] for issue in response.json()["issues"]]


# -- LWA -------------------------------------------------------------------------------------------


def token(amazon: FakeAmazon, **form: str) -> httpx.Response:
    with amazon.http_client() as c:
        return c.post("https://api.amazon.com/auth/o2/token", data=form)


def test_lwa_refresh_grant(amazon: FakeAmazon) -> None:
    good = token(
        amazon,
        grant_type="refresh_token",
        refresh_token=REFRESH_TOKEN,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert good.status_code == 200
    assert good.json()["expires_in"] == 3600
    wrong = token(
        amazon,
        grant_type="refresh_token",
        refresh_token=REFRESH_TOKEN,
        client_id=CLIENT_ID,
        client_secret="nope",
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    unknown = token(
        amazon,
        grant_type="refresh_token",
        refresh_token="Atzr|other",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert unknown.json()["error"] == "invalid_grant"
    grantless = token(
        amazon, grant_type="client_credentials", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    assert grantless.json()["error"] == "invalid_scope"


def test_calls_need_the_access_token_header(amazon: FakeAmazon) -> None:
    with amazon.http_client() as c:
        response = c.get(f"{ITEM}/MUG-01", params={"marketplaceIds": DE.marketplace_id})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "Unauthorized"
    found = adapter().classify(HttpResponse(403, {}, response.content))
    assert found.verdict == "auth_expired"


# -- Listings Items --------------------------------------------------------------------------------


def test_put_get_and_region_routing(http: httpx.Client, amazon: FakeAmazon) -> None:
    accepted = put(http, "MUG-01", put_body())
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "ACCEPTED"
    assert accepted.headers["x-amzn-RateLimit-Limit"] == "5.0"
    assert accepted.headers["x-amzn-RequestId"].startswith("amazon-")
    got = http.get(
        f"{ITEM}/MUG-01",
        params={"marketplaceIds": DE.marketplace_id, "includedData": "summaries,offers"},
    )
    summary = got.json()["summaries"][0]
    assert summary["status"] == ["BUYABLE", "DISCOVERABLE"]
    assert got.json()["offers"][0]["price"]["currencyCode"] == "EUR"
    wrong_host = http.put(
        f"{NA}/listings/2021-08-01/items/{SELLER_ID}/MUG-01",
        params={"marketplaceIds": DE.marketplace_id},
        content=json.dumps(put_body()),
        headers={"content-type": "application/json"},
    )
    assert wrong_host.status_code == 400
    assert wrong_host.json()["errors"][0]["details"] == "marketplaceIds"
    two = http.put(
        f"{ITEM}/MUG-01",
        params={"marketplaceIds": f"{DE.marketplace_id},A13V1IB3VIYZZH"},
        content=json.dumps(put_body()),
        headers={"content-type": "application/json"},
    )
    assert two.status_code == 400


def test_bodies_are_checked_against_the_models(http: httpx.Client) -> None:
    extra = put(http, "MUG-01", {**put_body(), "sku": "MUG-01"})
    assert extra.status_code == 400
    assert "not a known property" in extra.json()["errors"][0]["message"]
    missing = put(http, "MUG-01", {"attributes": {}})
    assert missing.status_code == 400


@pytest.mark.parametrize(
    ("attribute", "value", "code"),
    [
        ("brand", None, "90220"),
        ("fake_attribute", [{"value": "x", "marketplace_id": "A1PA6795UKMFR9"}], "90000900"),
        (
            "item_name",
            [{"value": "Tasse", "language_tag": "en_US", "marketplace_id": "A1PA6795UKMFR9"}],
            "100720",
        ),
        (
            "item_name",
            [{"value": "Tasse", "language_tag": "de_DE", "marketplace_id": "ATVPDKIKX0DER"}],
            "99010",
        ),
        (
            "purchasable_offer",
            [
                {
                    "marketplace_id": "A1PA6795UKMFR9",
                    "currency": "EUR",
                    "audience": "ALL",
                    "our_price": [{"schedule": [{"value_with_tax": "25.28"}]}],
                }
            ],
            "99010",
        ),
        (
            "fulfillment_availability",
            [{"fulfillment_channel_code": "DEFAULT", "quantity": 1.5}],
            "99010",
        ),
    ],
)
def test_attribute_values_are_checked(
    http: httpx.Client, amazon: FakeAmazon, attribute: str, value: Any, code: str
) -> None:
    body = put_body()
    if value is None:
        del body["attributes"][attribute]
    else:
        body["attributes"][attribute] = value
    response = put(http, "MUG-01", body)
    assert response.status_code == 200
    assert response.json()["status"] == "INVALID"
    assert code in codes(response)
    assert amazon.listings() == []


def test_preview_validates_without_storing(http: httpx.Client, amazon: FakeAmazon) -> None:
    response = put(http, "MUG-01", put_body(), mode="VALIDATION_PREVIEW")
    assert response.json()["status"] == "VALID"
    assert amazon.listings() == []
    assert put(http, "MUG-01", put_body(), mode="LIVE").status_code == 400


def test_the_golden_asin_listing_is_accepted(http: httpx.Client) -> None:
    body = {
        "productType": "LUGGAGE",
        "requirements": "LISTING",
        "attributes": {
            "condition_type": [{"value": "new_new", "marketplace_id": DE.marketplace_id}],
            "merchant_suggested_asin": [
                {"value": "BXXXXXXXXX", "marketplace_id": DE.marketplace_id}
            ],
        },
    }
    assert put(http, "ABC123", body).json()["status"] == "ACCEPTED"


def test_patches_merge_replace_delete_and_unknown_skus(
    http: httpx.Client, amazon: FakeAmazon
) -> None:
    put(http, "MUG-01", put_body())

    def patch(sku: str, *patches: dict[str, Any]) -> httpx.Response:
        return http.patch(
            f"{ITEM}/{sku}",
            params={"marketplaceIds": DE.marketplace_id},
            content=json.dumps({"productType": "PRODUCT", "patches": list(patches)}),
            headers={"content-type": "application/json"},
        )

    merged = patch(
        "MUG-01",
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [
                {
                    "fulfillment_channel_code": "DEFAULT",
                    "quantity": 0,
                    "lead_time_to_ship_max_days": 3,
                }
            ],
        },
    )
    assert merged.json()["status"] == "ACCEPTED"
    held = amazon.listing("MUG-01", "DE")
    assert held is not None
    assert held["attributes"]["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 0, "lead_time_to_ship_max_days": 3}
    ]
    assert held["productType"] == "DRINKING_CUP"
    patch("MUG-01", {"op": "delete", "path": "/attributes/bullet_point"})
    nested = patch(
        "MUG-01", {"op": "replace", "path": "/attributes/purchasable_offer/0", "value": []}
    )
    assert codes(nested) == ["90000900"]
    ghost = patch(
        "GHOST",
        {
            "op": "replace",
            "path": "/attributes/purchasable_offer",
            "value": put_body()["attributes"]["purchasable_offer"],
        },
    )
    assert ghost.json()["status"] == "ACCEPTED"
    got = http.get(
        f"{ITEM}/GHOST",
        params={"marketplaceIds": DE.marketplace_id, "includedData": "summaries,offers"},
    )
    assert got.json()["summaries"] == []
    sent = put_body()["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]
    assert got.json()["offers"][0]["price"]["amount"] == str(sent["value_with_tax"])


def test_delete_and_search(http: httpx.Client, amazon: FakeAmazon) -> None:
    for sku in ("A", "B", "C"):
        put(http, sku, put_body())
    assert http.delete(f"{ITEM}/B", params={"marketplaceIds": DE.marketplace_id}).status_code == 200
    assert http.delete(f"{ITEM}/B", params={"marketplaceIds": DE.marketplace_id}).status_code == 404
    query = {
        "marketplaceIds": DE.marketplace_id,
        "identifiers": "A,B,C",
        "identifiersType": "SKU",
        "pageSize": "1",
    }
    first = http.get(ITEM, params=query).json()
    assert (first["numberOfResults"], [i["sku"] for i in first["items"]]) == (2, ["A"])
    second = http.get(ITEM, params={**query, "pageToken": first["pagination"]["nextToken"]})
    assert [i["sku"] for i in second.json()["items"]] == ["C"]
    many = ",".join(f"S{n}" for n in range(21))
    assert http.get(ITEM, params={**query, "identifiers": many}).status_code == 400
    assert http.get(ITEM, params={**query, "pageSize": "21"}).status_code == 400


def test_throttled_answers_carry_the_rate(http: httpx.Client, amazon: FakeAmazon) -> None:
    amazon.inject("throttle", operation="put_listings_item")
    response = put(http, "MUG-01", put_body())
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "QuotaExceeded"
    assert response.headers["x-amzn-RateLimit-Limit"] == "5.0"
    assert "retry-after" not in response.headers


def test_issues_and_unknown_states(
    http: httpx.Client, amazon: FakeAmazon, clock: FakeClock
) -> None:
    put(http, "MUG-01", put_body())
    amazon.set_issues(
        "MUG-01",
        "DE",
        [
            {
                "code": "18155",
                "message": "min price",
                "severity": "ERROR",
                "categories": ["INVALID_PRICE"],
            }
        ],
    )
    key = OfferKey("amazon", "DE", "MUG-01")
    with client(amazon, clock) as c:
        (read,) = c.marketplace(adapter()).status([key])
    assert (read.state, read.issues[0].code) == ("rejected", "18155")
    assert amazon.force_unknown_state(key)
    assert not amazon.force_unknown_state(OfferKey("amazon", "DE", "NOPE"))


def test_state_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "amazon.sqlite"
    with fake(clock, persist_to=path) as first, client(first, clock) as c:
        c.marketplace(adapter()).upsert([offer(compliant())])
    with FakeAmazon(clock=clock, persist_to=path, models=models()) as second:
        assert second.listing("MUG-01", "DE") is not None


# -- Feeds -----------------------------------------------------------------------------------------


def document(messages: list[dict[str, Any]], **header: Any) -> bytes:
    head = {
        "sellerId": SELLER_ID,
        "version": "2.0",
        "report": {"includedData": ["summaries", "issues"], "apiVersion": "2021-08-01"},
        **header,
    }
    return json.dumps({"header": head, "messages": messages}).encode()


def submit(http: httpx.Client, content: bytes) -> str:
    created = http.post(
        f"{EU}/feeds/2021-06-30/documents", json={"contentType": "application/json; charset=UTF-8"}
    )
    assert created.status_code == 201
    url = created.json()["url"]
    assert "X-Amz-Signature=" in url
    upload = http.put(
        url, content=content, headers={"content-type": "application/json; charset=UTF-8"}
    )
    assert upload.status_code == 200
    feed = http.post(
        f"{EU}/feeds/2021-06-30/feeds",
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [DE.marketplace_id],
            "inputFeedDocumentId": created.json()["feedDocumentId"],
        },
    )
    assert feed.status_code == 202, feed.text
    return str(feed.json()["feedId"])


def wait(http: httpx.Client, feed_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    statuses = []
    for _ in range(5):
        feed = http.get(f"{EU}/feeds/2021-06-30/feeds/{feed_id}").json()
        statuses.append(feed["processingStatus"])
        if feed["processingStatus"] in ("DONE", "FATAL"):
            break
    assert statuses[:2] == ["IN_QUEUE", statuses[1]]
    where = http.get(f"{EU}/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}").json()
    assert where["compressionAlgorithm"] == "GZIP"
    raw = http.get(where["url"]).content
    return feed, json.loads(gzip.decompress(raw))


def update(message_id: int, sku: str, **attributes: Any) -> dict[str, Any]:
    body = put_body(**attributes)
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "UPDATE",
        "productType": body["productType"],
        "requirements": "LISTING",
        "attributes": body["attributes"],
    }


def test_a_feed_is_processed_and_reported(http: httpx.Client, amazon: FakeAmazon) -> None:
    no_brand = update(2, "B")
    del no_brand["attributes"]["brand"]
    messages = [
        update(1, "A"),
        no_brand,
        {"messageId": 3, "sku": "C", "operationType": "UPDATE"},  # no productType/attributes
        {
            "messageId": 4,
            "sku": "A",
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [
                {
                    "op": "merge",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}],
                }
            ],
        },
    ]
    feed, report = wait(http, submit(http, document(messages)))
    assert feed["processingStatus"] == "DONE"
    assert [(i["messageId"], i["code"]) for i in report["issues"]] == [(2, "90220"), (3, "4000003")]
    assert report["issues"][0]["attributeName"] == "brand"
    assert report["summary"]["messagesAccepted"] == 2
    assert [item["sku"] for item in report["items"]] == ["A", "A"]
    held = amazon.listing("A", "DE")
    assert held is not None
    assert held["attributes"]["fulfillment_availability"][0]["quantity"] == 9


def test_an_invalid_header_makes_the_feed_fatal(http: httpx.Client) -> None:
    feed, report = wait(http, submit(http, document([update(1, "A")], version="1.0")))
    assert feed["processingStatus"] == "FATAL"
    assert "messageId" not in report["issues"][0]
    assert "version" in report["issues"][0]["message"]


def test_presigned_urls_expire_after_five_minutes(http: httpx.Client, clock: FakeClock) -> None:
    created = http.post(
        f"{EU}/feeds/2021-06-30/documents", json={"contentType": "application/json; charset=UTF-8"}
    ).json()
    clock.advance(301)
    late = http.put(
        created["url"], content=b"{}", headers={"content-type": "application/json; charset=UTF-8"}
    )
    assert late.status_code == 403
    assert b"Request has expired" in late.content


def test_five_feeds_per_five_minutes_per_region(http: httpx.Client, clock: FakeClock) -> None:
    content = document([update(1, "A")])
    for _ in range(5):
        submit(http, content)
    created = http.post(
        f"{EU}/feeds/2021-06-30/documents", json={"contentType": "application/json; charset=UTF-8"}
    ).json()
    http.put(
        created["url"], content=content, headers={"content-type": "application/json; charset=UTF-8"}
    )
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [DE.marketplace_id],
        "inputFeedDocumentId": created["feedDocumentId"],
    }
    refused = http.post(f"{EU}/feeds/2021-06-30/feeds", json=spec)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "QuotaExceeded"
    clock.advance(60)
    assert http.post(f"{EU}/feeds/2021-06-30/feeds", json=spec).status_code == 202


def test_feed_faults(http: httpx.Client, amazon: FakeAmazon) -> None:
    amazon.inject("partial_batch", operation="create_feed", every=2)
    _, report = wait(http, submit(http, document([update(n, f"S{n}") for n in range(1, 5)])))
    assert [i["messageId"] for i in report["issues"]] == [1, 3]
    amazon.inject("never_finishes", operation="create_feed")
    feed_id = submit(http, document([update(1, "A")]))
    for _ in range(5):
        status = http.get(f"{EU}/feeds/2021-06-30/feeds/{feed_id}").json()["processingStatus"]
    assert status == "IN_PROGRESS"
    assert http.get(f"{EU}/feeds/2021-06-30/feeds/999").status_code == 404


# -- the schema validator --------------------------------------------------------------------------


def test_json_schema_keywords() -> None:
    schema = JsonSchema(
        {
            "definitions": {"n": {"type": "integer", "minimum": 1}},
            "type": "object",
            "properties": {"a": {"$ref": "#/definitions/n"}, "b": {"const": "x"}, "c": False},
            "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
        }
    )
    assert schema.problems({"a": 2}) == []
    assert [p.keyword for p in schema.problems({"a": 0})] == ["minimum"]
    assert [p.keyword for p in schema.problems({"a": 1, "b": "x"})] == ["oneOf"]
    assert [p.keyword for p in schema.problems({})] == ["required"]
    assert [p.keyword for p in schema.problems({"a": 1, "c": 1})] == ["false"]
    assert [p.keyword for p in schema.problems({"a": True})] == ["type"]
    closed = JsonSchema({"type": "object", "properties": {"a": {}}}, closed=True)
    assert [p.name for p in closed.problems({"z": 1})] == ["z"]
    with pytest.raises(ValueError, match="local"):
        JsonSchema({"$ref": "other.json#/x"}).problems(1)


def test_the_vendored_examples_validate() -> None:
    from marketplaces.amazon._support import spec

    example = spec("listings-feed-schema-v2.example.json")
    assert models().feed_header(example["header"]) == []
    assert all(models().feed_message(m, i) == [] for i, m in enumerate(example["messages"]))
    report_schema = JsonSchema(spec("listings-feed-processing-report-schema-v2.json"))
    assert (
        report_schema.problems(spec("listings-feed-processing-report-schema-v2.example.json")) == []
    )
