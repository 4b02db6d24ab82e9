"""The ``x-amzn-api-sandbox`` request/response pairs of the vendored Listings Items model.

Amazon's static sandbox answers canned responses keyed on request parameters. Each pair is
fed to the adapter's flows: the requests the adapter builds for the sandbox's SKUs carry the
sandbox's parameters, and the canned answers read as the right per-item results.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import xborder as xb
from marketplaces.amazon._support import ON, adapter, answer, drive, rates, spec
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces import OfferKey, PriceQuantityUpdate
from xborder.marketplaces.amazon import MARKETPLACES

US = MARKETPLACES["US"]
ITEM = "/listings/2021-08-01/items/{sellerId}/{sku}"
ITEMS = "/listings/2021-08-01/items/{sellerId}"


def pairs(path: str, method: str, status: str) -> list[tuple[dict[str, Any], Any]]:
    """The sandbox's (request parameters, response body) pairs of one operation and status."""
    operation = spec("listingsItems_2021-08-01.json")["paths"][path][method]
    static = operation["responses"][status]["x-amzn-api-sandbox"]["static"]
    return [(entry["request"]["parameters"], entry["response"]) for entry in static]


def every_pair() -> Iterator[tuple[str, str, str]]:
    model = spec("listingsItems_2021-08-01.json")
    for path, operations in model["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if "x-amzn-api-sandbox" in response:
                    yield path, method, status


def query(request: HttpRequest) -> dict[str, list[str]]:
    return {k: v[0].split(",") for k, v in parse_qs(urlsplit(request.url).query).items()}


def us_offer(sku: str) -> xb.offer.Offer:
    item = xb.Listing(
        sku=sku,
        title="Hardside carry-on spinner suitcase",
        price=xb.Money("100.00", "USD"),
        quantity=3,
        brand="Ridgeline",
        category="home.drinkware",
        gtin="4006381333931",
    )
    return xb.prepare(item, "US", channel="amazon", rates=rates(), on=ON)


def test_the_model_has_the_sandbox_pairs_the_tests_read() -> None:
    found = set(every_pair())
    assert found == {
        (ITEM, "delete", "200"),
        (ITEM, "delete", "400"),
        (ITEM, "get", "200"),
        (ITEM, "get", "400"),
        (ITEM, "patch", "200"),
        (ITEM, "patch", "400"),
        (ITEM, "put", "200"),
        (ITEM, "put", "400"),
        (ITEMS, "get", "200"),
        (ITEMS, "get", "400"),
    }


@pytest.mark.parametrize(
    ("sku", "status", "codes"),
    [("VALIDATION_VALID", "ok", []), ("VALIDATION_INVALID", "failed", ["90220", "90000900"])],
)
def test_preview_requests_match_the_sandbox_and_its_answers_read_right(
    sku: str, status: str, codes: list[str]
) -> None:
    ((params, response),) = [
        (p, r) for p, r in pairs(ITEM, "put", "200") if p.get("sku", {}).get("value") == sku
    ]
    results, sent = drive(adapter().preview([us_offer(sku)]), [answer(200, response)])
    (request,) = sent
    asked = query(request)
    for name in ("marketplaceIds", "includedData"):
        assert sorted(asked[name]) == sorted(params[name]["value"]), name
    assert asked["mode"] == [params["mode"]["value"]]
    assert request.url.split("?")[0].endswith(f"/{sku}")
    (result,) = results
    assert result.status == status
    assert [issue.code for issue in result.issues] == codes
    assert result.remote is not None
    assert result.remote["submissionId"] == response["submissionId"]
    if status == "ok":
        assert result.remote["asin"] == "B07N4M94X4"
    else:
        assert result.issues[0].field == "condition"
        assert result.issues[1].field == "fake_attribute"


def test_put_accepted_is_pending_until_confirmed() -> None:
    (_, response), *_ = pairs(ITEM, "put", "200")
    results, _ = drive(
        adapter(read_back=False).upsert([us_offer("GM-ZDPI-9B4E")]), [answer(200, response)]
    )
    (result,) = results
    assert (result.status, result.state) == ("pending", "pending")
    assert result.remote is not None
    assert result.remote["submissionId"] == "f1dc2914-75dd-11ea-bc55-0242ac130003"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "get"])
def test_bad_sku_answers_fail_the_item(method: str) -> None:
    ((params, response),) = pairs(ITEM, method, "400")
    assert params["sku"]["value"] == "BadSKU"
    key = OfferKey("amazon", "US", "BadSKU")
    flows = {
        "put": lambda: adapter().upsert([us_offer("BadSKU")]),
        "patch": lambda: adapter().update_price_quantity([PriceQuantityUpdate(key, quantity=1)]),
        "delete": lambda: adapter().withdraw([key]),
        "get": lambda: adapter().status([key]),
    }
    results, sent = drive(flows[method](), [answer(400, response)])
    assert sent[0].url.split("?")[0].endswith("/BadSKU")
    (result,) = results
    assert result.failed
    assert [(i.code, i.message) for i in result.issues] == [("BAD_REQUEST", "Invalid input")]
    found = adapter().classify(answer(400, response))
    assert (found.verdict, found.code) == ("permanent", "BAD_REQUEST")


def test_patch_answers() -> None:
    key = OfferKey("amazon", "US", "GM-ZDPI-9B4E")
    update = PriceQuantityUpdate(key, price=xb.Money("100.00", "USD"))
    accepted, valid, invalid = (response for _, response in pairs(ITEM, "patch", "200"))
    results, _ = drive(
        adapter(read_back=False).update_price_quantity([update]), [answer(200, accepted)]
    )
    assert results[0].status == "pending"
    results, _ = drive(adapter().update_price_quantity([update]), [answer(200, invalid)])
    assert results[0].failed
    assert [(i.code, i.field) for i in results[0].issues] == [("90000900", "fake_attribute")]
    assert valid["status"] == "VALID"


def test_delete_accepted_is_pending_until_a_read_shows_it_gone() -> None:
    ((_, response),) = pairs(ITEM, "delete", "200")
    key = OfferKey("amazon", "US", "GM-ZDPI-9B4E")
    results, _ = drive(adapter(read_back=False).withdraw([key]), [answer(200, response)])
    assert results[0].status == "pending"
    results, sent = drive(adapter().withdraw([key]), [answer(200, response), answer(404, {})])
    assert [r.operation for r in sent] == ["delete_listings_item", "get_listings_item"]
    assert (results[0].status, results[0].state) == ("ok", "absent")


def test_get_reads_the_state_per_store() -> None:
    ((_, response),) = pairs(ITEM, "get", "200")
    us_key = OfferKey("amazon", "US", "GM-ZDPI-9B4E")
    results, sent = drive(adapter().status([us_key]), [answer(200, response)])
    assert query(sent[0])["includedData"] == [
        "summaries",
        "issues",
        "offers",
        "fulfillmentAvailability",
    ]
    (result,) = results
    # BUYABLE, but 18155 and 18742 enforce LISTING_SUPPRESSED / CATALOG_ITEM_REMOVED.
    assert (result.status, result.state) == ("ok", "rejected")
    assert result.remote is not None and result.remote["asin"] == "B071VG5N9D"
    assert [i.code for i in result.issues] == ["90220", "18027", "99300", "18155", "18742"]
    assert result.issues[0].field == "size"
    ca_key = OfferKey("amazon", "CA", "GM-ZDPI-9B4E")
    results, _ = drive(adapter().status([ca_key]), [answer(200, response)])
    # No status in CA and ERROR issues there: refused, not live.
    assert (results[0].state, [i.code for i in results[0].issues]) == (
        "rejected",
        ["18027", "99300"],
    )


def test_get_without_enforcements_reads_live() -> None:
    ((_, response),) = pairs(ITEM, "get", "200")
    quiet = {**response, "issues": [i for i in response["issues"] if "enforcements" not in i]}
    results, _ = drive(
        adapter().status([OfferKey("amazon", "US", "GM-ZDPI-9B4E")]), [answer(200, quiet)]
    )
    assert results[0].state == "live"


def test_search_answers_follow_the_pages() -> None:
    ((params, response),) = pairs(ITEMS, "get", "200")
    skus = params["identifiers"]["value"]
    keys = [OfferKey("amazon", "US", sku) for sku in skus]
    last = {"numberOfResults": 3, "items": []}
    results, sent = drive(adapter().status(keys), [answer(200, response), answer(200, last)])
    first = query(sent[0])
    assert first["identifiers"] == skus
    assert first["identifiersType"] == ["SKU"]
    assert sorted(first["includedData"]) == sorted(params["includedData"]["value"])
    assert query(sent[1])["pageToken"] == [response["pagination"]["nextToken"]]
    assert [(r.status, r.state) for r in results] == [
        ("ok", "rejected"),
        ("ok", "absent"),
        ("ok", "absent"),
    ]


def test_search_refused_fails_each_item() -> None:
    ((params, response),) = pairs(ITEMS, "get", "400")
    assert params["marketplaceIds"]["value"] == ["invalid"]
    keys = [OfferKey("amazon", "US", "A"), OfferKey("amazon", "US", "B")]
    results, _ = drive(adapter().status(keys), [answer(400, response)])
    assert all(r.failed and r.issues[0].code == "BAD_REQUEST" for r in results)


def test_every_canned_body_parses_without_loss() -> None:
    # Every 200 body reads into the wire models with nothing the adapter relies on dropped.
    from xborder.marketplaces.amazon._wire import Item, ItemSearchResults, SubmissionResponse, parse

    for path, method, status in every_pair():
        for _, response in pairs(path, method, status):
            content = json.dumps(response).encode()
            if status != "200":
                continue
            model = (
                ItemSearchResults
                if path == ITEMS
                else Item
                if method == "get"
                else SubmissionResponse
            )
            read = parse(model, content)
            assert read is not None, (path, method)


def test_responses_feed_through_the_client_shape() -> None:
    # HttpResponse values from the sandbox carry no url; classify still reads them.
    (_, response), *_ = pairs(ITEM, "put", "200")
    found = adapter().classify(HttpResponse(200, {}, json.dumps(response).encode()))
    assert found.verdict == "ok"
