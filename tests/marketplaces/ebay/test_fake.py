"""The fake eBay on its own: eBay's shapes, limits and refusals, over plain httpx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from marketplaces.ebay._support import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, rules
from xborder.testing import FakeClock
from xborder.testing.ebay import EBAY_BASE, EBAY_TOKEN_URL, FakeEbay

LANG = {"content-language": "de-DE"}


@pytest.fixture
def fake() -> Iterator[FakeEbay]:
    with FakeEbay(clock=FakeClock(), rules=rules(), clients={CLIENT_ID: CLIENT_SECRET}) as ebay:
        ebay.add_seller(REFRESH_TOKEN, client_id=CLIENT_ID)
        yield ebay


@pytest.fixture
def http(fake: FakeEbay) -> Iterator[httpx.Client]:
    token = fake.issue_token()
    with fake.http_client(base_url=EBAY_BASE, headers={"authorization": f"Bearer {token}"}) as c:
        yield c


def item(sku: str, **more: Any) -> dict[str, Any]:
    return {
        "sku": sku,
        "locale": "de_DE",
        "product": {
            "title": "Tasse",
            "description": "Eine Tasse.",
            "imageUrls": ["https://i/1.jpg"],
        },
        "condition": "NEW",
        "availability": {"shipToLocationAvailability": {"quantity": 2}},
        **more,
    }


def offer(sku: str, **more: Any) -> dict[str, Any]:
    return {
        "sku": sku,
        "marketplaceId": "EBAY_DE",
        "format": "FIXED_PRICE",
        "availableQuantity": 2,
        "categoryId": "20625",
        "merchantLocationKey": "WH1",
        "listingPolicies": {
            "fulfillmentPolicyId": "1",
            "paymentPolicyId": "2",
            "returnPolicyId": "3",
        },
        "pricingSummary": {"price": {"value": "9.99", "currency": "EUR"}},
        **more,
    }


def errors(response: httpx.Response) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = response.json()["errors"]
    return found


def test_closed_objects_and_content_language(http: httpx.Client) -> None:
    bad = http.post(
        "/bulk_create_or_replace_inventory_item",
        json={"requests": [item("A", colour="blue")]},
        headers=LANG,
    )
    assert bad.status_code == 400
    assert errors(bad)[0]["errorId"] == 25709
    assert errors(bad)[0]["parameters"] == [{"name": "fieldName", "value": "requests[0].colour"}]
    no_language = http.post(
        "/bulk_create_or_replace_inventory_item", json={"requests": [item("A")]}
    )
    assert errors(no_language)[0]["parameters"][0]["value"] == "Content-Language"
    string_aspects = item("A")
    string_aspects["product"]["aspects"] = {"Marke": "X"}
    refused = http.post(
        "/bulk_create_or_replace_inventory_item", json={"requests": [string_aspects]}, headers=LANG
    )
    assert refused.status_code == 400


def test_bulk_limits_and_multi_status(http: httpx.Client, fake: FakeEbay) -> None:
    many = {"requests": [item(f"S{i}") for i in range(26)]}
    too_many = http.post("/bulk_create_or_replace_inventory_item", json=many, headers=LANG)
    assert too_many.status_code == 400 and errors(too_many)[0]["errorId"] == 25727
    fake.inject("partial_batch", operation="bulk_create_or_replace_inventory_item", every=2)
    mixed = http.post(
        "/bulk_create_or_replace_inventory_item",
        json={"requests": [item("A"), item("B")]},
        headers=LANG,
    )
    assert mixed.status_code == 207
    assert [r["statusCode"] for r in mixed.json()["responses"]] == [400, 200]
    assert fake.inventory_item("A") is None and fake.inventory_item("B") is not None


def test_one_offer_per_sku_marketplace_and_format(http: httpx.Client, fake: FakeEbay) -> None:
    http.post(
        "/bulk_create_or_replace_inventory_item", json={"requests": [item("A")]}, headers=LANG
    )
    created = http.post(
        "/bulk_create_offer", json={"requests": [offer("A"), offer("B")]}, headers=LANG
    )
    assert created.status_code == 207
    first, second = created.json()["responses"]
    assert first["statusCode"] == 200 and first["offerId"]
    assert second["errors"][0]["errorId"] == 25702  # no inventory item B
    again = http.post("/bulk_create_offer", json={"requests": [offer("A")]}, headers=LANG)
    assert again.json()["responses"][0]["errors"][0]["errorId"] == 25729
    mixed = http.post(
        "/bulk_create_offer",
        json={"requests": [offer("A"), offer("A", marketplaceId="EBAY_AT")]},
        headers=LANG,
    )
    assert mixed.status_code == 400
    assert len(fake.offers("A")) == 1


def test_publishing_checks_what_a_listing_needs(http: httpx.Client, fake: FakeEbay) -> None:
    http.post(
        "/bulk_create_or_replace_inventory_item",
        json={"requests": [item("A"), item("B")]},
        headers=LANG,
    )
    null = http.post(
        "/bulk_create_offer", json={"requests": [offer("B", categoryId=None)]}, headers=LANG
    )
    assert null.status_code == 400  # null is not a string: the rules refuse the whole call
    [complete] = http.post(
        "/bulk_create_offer", json={"requests": [offer("A")]}, headers=LANG
    ).json()["responses"]
    lacking = {k: v for k, v in offer("B").items() if k != "categoryId"}
    partial = http.post("/bulk_create_offer", json={"requests": [lacking]}, headers=LANG).json()[
        "responses"
    ][0]
    ids = [complete["offerId"], partial["offerId"]]
    published = http.post("/bulk_publish_offer", json={"requests": [{"offerId": i} for i in ids]})
    assert published.status_code == 207
    ok, refused = published.json()["responses"]
    assert ok["listingId"] and refused["errors"][0]["errorId"] == 25005
    listed = http.get("/offer", params={"sku": "A"}).json()["offers"][0]
    assert listed["status"] == "PUBLISHED" and listed["listing"]["listingStatus"] == "ACTIVE"
    assert http.get("/offer", params={"sku": "nope"}).status_code == 404


def test_a_wrong_language_fails_at_publish(http: httpx.Client) -> None:
    english = {"content-language": "en-GB"}
    http.post(
        "/bulk_create_or_replace_inventory_item", json={"requests": [item("A")]}, headers=english
    )
    [created] = http.post(
        "/bulk_create_offer", json={"requests": [offer("A")]}, headers=english
    ).json()["responses"]
    [answer] = http.post(
        "/bulk_publish_offer", json={"requests": [{"offerId": created["offerId"]}]}
    ).json()["responses"]
    assert answer["errors"][0]["errorId"] == 25604


def test_failures_in_ebay_s_shape(fake: FakeEbay, http: httpx.Client) -> None:
    fake.inject("throttle", operation="get_offers")
    throttled = http.get("/offer", params={"sku": "A"})
    assert throttled.status_code == 429 and errors(throttled)[0]["errorId"] == 2001
    fake.inject("server_error", operation="get_offers")
    assert errors(http.get("/offer", params={"sku": "A"}))[0]["errorId"] == 25001
    unsigned = httpx.Client(transport=fake.transport()).get(f"{EBAY_BASE}/offer?sku=A")
    assert unsigned.status_code == 401 and errors(unsigned)[0]["errorId"] == 1001
    assert unsigned.headers["x-ebay-c-request-id"].startswith("ebay-")
    assert "date" in unsigned.headers


def test_token_endpoint_grants(fake: FakeEbay) -> None:
    with httpx.Client(transport=fake.transport()) as plain:
        auth = (CLIENT_ID, CLIENT_SECRET)
        refreshed = plain.post(
            EBAY_TOKEN_URL,
            auth=auth,
            data={"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN},
        )
        assert refreshed.status_code == 200 and refreshed.json()["expires_in"] == 7200
        wrong = plain.post(
            EBAY_TOKEN_URL, auth=auth, data={"grant_type": "refresh_token", "refresh_token": "x"}
        )
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        code = fake.authorize(client_id=CLIENT_ID, redirect_uri="ru")
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "ru"}
        granted = plain.post(EBAY_TOKEN_URL, auth=auth, data=form)
        assert granted.json()["refresh_token_expires_in"] == 47_304_000
        assert plain.post(EBAY_TOKEN_URL, auth=auth, data=form).status_code == 400  # once only


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "ebay.sqlite"
    with FakeEbay(persist_to=path) as first:
        token = first.issue_token()
        with first.http_client(
            base_url=EBAY_BASE, headers={"authorization": f"Bearer {token}"}
        ) as c:
            c.post(
                "/bulk_create_or_replace_inventory_item",
                json={"requests": [item("A")]},
                headers=LANG,
            )
    with FakeEbay(persist_to=path) as second:
        assert second.inventory_item("A") is not None


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="skus_per_price_call"):
        FakeEbay(skus_per_price_call=0)
