"""The adapter's flows fed by hand: per-item writes, read-backs, feeds, status, refusals."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import xborder as xb
from marketplaces.amazon._support import (
    SELLER_ID,
    adapter,
    answer,
    body,
    compliant,
    copies,
    drive,
    listing,
    offer,
    ops,
)
from xborder.errors import ConfigurationError
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces import OfferKey, PriceQuantityUpdate, RemoteRef
from xborder.marketplaces.amazon import MARKETPLACES
from xborder.marketplaces.amazon._payload import loads

DE = MARKETPLACES["DE"]
S3 = "https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com"


def sku_of(request: HttpRequest) -> str:
    return urlsplit(request.url).path.rsplit("/", 1)[1]


def accepted(request: HttpRequest) -> HttpResponse:
    return answer(200, {"sku": sku_of(request), "status": "ACCEPTED", "submissionId": "sub-1"})


def item(
    sku: str, *, price: str = "25.28", quantity: int = 5, status: Any = None
) -> dict[str, Any]:
    return {
        "sku": sku,
        "summaries": [
            {
                "marketplaceId": DE.marketplace_id,
                "asin": "B0TESTASIN",
                "productType": "DRINKING_CUP",
                "status": ["BUYABLE", "DISCOVERABLE"] if status is None else status,
                "createdDate": "2026-10-01T09:00:00Z",
                "lastUpdatedDate": "2026-10-01T09:00:00Z",
            }
        ],
        "offers": [
            {
                "marketplaceId": DE.marketplace_id,
                "offerType": "B2C",
                "price": {"currencyCode": "EUR", "amount": price},
                "audience": {"value": "ALL"},
            }
        ],
        "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": quantity}],
        "issues": [],
    }


def search(items: list[dict[str, Any]]) -> HttpResponse:
    return answer(200, {"numberOfResults": len(items), "items": items})


def skus_of(request: HttpRequest) -> list[str]:
    return parse_qs(urlsplit(request.url).query)["identifiers"][0].split(",")


# -- per-item writes -------------------------------------------------------------------------------


def test_ten_offers_go_one_call_each_and_one_read_confirms_them() -> None:
    offers = [offer(listing(f"MUG-{n:02d}")) for n in range(10)]
    price = str(offers[0].price.amount)

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "put_listings_item":
            return accepted(request)
        return search([item(sku, price=price) for sku in skus_of(request)])

    results, sent = drive(adapter().upsert(offers), respond)
    assert ops(sent) == ["put_listings_item"] * 10 + ["search_listings_items"]
    assert skus_of(sent[-1]) == [f"MUG-{n:02d}" for n in range(10)]
    assert [(r.key, r.status, r.state) for r in results] == [(o.key, "ok", "live") for o in offers]
    assert results[0].remote == RemoteRef(
        sku="MUG-00",
        marketplaceId=DE.marketplace_id,
        productType="DRINKING_CUP",
        submissionId="sub-1",
        asin="B0TESTASIN",
    )
    assert all(request.auth == "default" and not request.raise_for_status for request in sent)


def test_invalid_is_a_failed_item_with_its_issues() -> None:
    invalid = {
        "sku": "MUG-01",
        "status": "INVALID",
        "submissionId": "sub-2",
        "issues": [
            {
                "code": "90220",
                "message": "'brand' is required but not supplied.",
                "severity": "ERROR",
                "attributeNames": ["brand"],
                "categories": ["MISSING_ATTRIBUTE"],
            },
            {
                "code": "18448",
                "message": "Add item_weight.",
                "severity": "WARNING",
                "categories": [],
            },
        ],
    }
    results, sent = drive(adapter().upsert([offer()]), [answer(200, invalid)])
    assert ops(sent) == ["put_listings_item"]  # nothing to read back
    (result,) = results
    assert result.failed
    assert [(i.code, i.field, i.severity) for i in result.issues] == [
        ("90220", "brand", "error"),
        ("18448", None, "warning"),
    ]


def test_without_read_back_accepted_items_stay_pending() -> None:
    results, sent = drive(adapter(read_back=False).upsert([offer()]), accepted)
    assert ops(sent) == ["put_listings_item"]
    assert (results[0].status, results[0].state) == ("pending", "pending")


def test_a_read_that_shows_the_old_price_leaves_the_item_pending() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "put_listings_item":
            return accepted(request)
        return answer(200, item("MUG-01", price="19.00"))

    results, _ = drive(adapter().upsert([offer()]), respond)
    assert (results[0].status, results[0].state) == ("pending", "live")


def test_a_failed_read_back_leaves_the_item_pending_with_a_warning() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "put_listings_item":
            return accepted(request)
        return answer(500, {"errors": [{"code": "InternalFailure", "message": "boom"}]})

    results, _ = drive(adapter().upsert([offer()]), respond)
    assert results[0].status == "pending"
    assert results[0].issues[-1].code == "amazon.read_back_failed"
    assert results[0].issues[-1].severity == "warning"


def test_a_refused_call_fails_its_item_with_a_retry_hint() -> None:
    throttled = answer(429, {"errors": [{"code": "QuotaExceeded", "message": "slow down"}]})
    results, _ = drive(adapter().upsert([offer()]), [throttled])
    assert results[0].failed
    assert results[0].retry_after == 60.0
    assert results[0].issues[0].code == "QuotaExceeded"


def test_an_unreadable_answer_fails_the_item() -> None:
    results, _ = drive(adapter().upsert([offer()]), [HttpResponse(200, {}, b'{"sku": "MUG')])
    assert results[0].failed
    assert results[0].issues[0].code == "amazon.unreadable_response"


def test_an_unknown_submission_status_is_pending_with_a_warning() -> None:
    odd = {"sku": "MUG-01", "status": "QUEUED_2031", "submissionId": "s"}
    results, _ = drive(adapter(read_back=False).upsert([offer()]), [answer(200, odd)])
    assert results[0].status == "pending"
    assert results[0].issues[0].code == "amazon.unknown_status"


# -- price and quantity ----------------------------------------------------------------------------


def test_a_patch_on_an_unknown_sku_is_never_reported_as_success() -> None:
    key = OfferKey("amazon", "DE", "GHOST-1")
    update = PriceQuantityUpdate(key, price=xb.Money("19.99", "EUR"))

    def absent(request: HttpRequest) -> HttpResponse:
        if request.operation == "patch_listings_item":
            return accepted(request)
        return answer(404, {"errors": [{"code": "NOT_FOUND", "message": "not found"}]})

    results, sent = drive(adapter().update_price_quantity([update]), absent)
    assert ops(sent) == ["patch_listings_item", "get_listings_item"]
    assert results[0].failed
    assert results[0].issues[0].code == "amazon.no_listing"

    offer_only = {"sku": "GHOST-1", "summaries": [], "offers": item("GHOST-1")["offers"]}

    def only_offer(request: HttpRequest) -> HttpResponse:
        if request.operation == "patch_listings_item":
            return accepted(request)
        return answer(200, offer_only)

    results, _ = drive(adapter().update_price_quantity([update]), only_offer)
    assert results[0].failed
    assert results[0].issues[0].code == "amazon.no_listing"
    results, _ = drive(adapter(read_back=False).update_price_quantity([update]), accepted)
    assert results[0].pending


def test_price_and_quantity_in_one_patch_confirmed_by_a_read() -> None:
    key = OfferKey("amazon", "DE", "MUG-01")
    update = PriceQuantityUpdate(key, price=xb.Money("19.99", "EUR"), quantity=7)

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "patch_listings_item":
            return accepted(request)
        return answer(200, item("MUG-01", price="19.99", quantity=7))

    results, sent = drive(adapter().update_price_quantity([update]), respond)
    assert [p["path"] for p in body(sent[0])["patches"]] == [
        "/attributes/purchasable_offer",
        "/attributes/fulfillment_availability",
    ]
    assert sent[0].is_idempotent
    assert (results[0].status, results[0].state) == ("ok", "live")


def test_updates_refused_before_any_call() -> None:
    updates = [
        PriceQuantityUpdate(OfferKey("amazon", "DE", "A"), price=xb.Money("1.00", "USD")),
        PriceQuantityUpdate(OfferKey("amazon", "XX", "B"), quantity=1),
        PriceQuantityUpdate(OfferKey("amazon", "DE", "C" * 41), quantity=1),
        PriceQuantityUpdate(OfferKey("amazon", "US", "D"), quantity=1),
    ]
    results, sent = drive(adapter(region="EU").update_price_quantity(updates), [])
    assert sent == []
    assert [r.issues[0].code for r in results] == [
        "amazon.currency_mismatch",
        "amazon.unsupported_market",
        "amazon.sku_too_long",
        "amazon.region_not_configured",
    ]


# -- configuration ---------------------------------------------------------------------------------


def test_a_listing_without_product_type_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no Amazon product type for MUG-01"):
        drive(adapter(product_types={}).upsert([offer()]), [])
    flow = adapter(product_types={}, default_product_type="PRODUCT").upsert([offer()])
    assert body(next(flow))["productType"] == "PRODUCT"
    flow.close()
    flow = adapter(product_type_overrides={"MUG-01": "MUG"}).upsert([offer()])
    assert body(next(flow))["productType"] == "MUG"
    flow.close()


def test_no_refresh_token_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="XBORDER_AMAZON_REFRESH_TOKEN"):
        drive(adapter(refresh_token=None).status([OfferKey("amazon", "DE", "A")]), [])


# -- feeds -----------------------------------------------------------------------------------------


def report(
    messages: list[tuple[int, str]],
    *,
    refused: dict[int, str] | None = None,
    listed: Callable[[str], dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    refused = refused or {}
    issues = [
        {
            "messageId": n,
            "sku": sku,
            "code": "90220",
            "severity": "ERROR",
            "message": f"'{refused[n]}' is required but not supplied.",
            "attributeName": refused[n],
        }
        for n, sku in messages
        if n in refused
    ]
    items = (
        []
        if listed is None
        else [
            found for n, sku in messages if n not in refused and (found := listed(sku)) is not None
        ]
    )
    return {
        "header": {"sellerId": SELLER_ID, "version": "2.0", "feedId": "5001"},
        "issues": issues,
        "summary": {
            "errors": len(issues),
            "warnings": 0,
            "messagesProcessed": len(messages),
            "messagesAccepted": len(messages) - len(refused),
            "messagesInvalid": len(refused),
        },
        "items": items,
    }


class FeedDesk:
    """Answers the Feeds API by hand: one document store, feeds done after ``polls`` polls."""

    def __init__(
        self,
        *,
        polls: int = 2,
        status: str = "DONE",
        gzipped: bool = True,
        refused: dict[int, str] | None = None,
        listed: Any = "all",
    ) -> None:
        self.polls = polls
        self.status = status
        self.gzipped = gzipped
        self.refused = refused or {}
        self.listed = listed
        self.documents: list[bytes] = []
        self.seen = 0
        self.price = "25.28"

    def messages(self) -> list[tuple[int, str]]:
        document = loads(self.documents[-1])
        return [(m["messageId"], m["sku"]) for m in document["messages"]]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        op = request.operation
        if op == "create_feed_document":
            return answer(
                201,
                {
                    "feedDocumentId": f"doc-{len(self.documents)}",
                    "url": f"{S3}/doc-{len(self.documents)}?X-Amz-Signature=abc",
                },
            )
        if op == "upload_feed_document":
            self.documents.append(request.content)
            return HttpResponse(200)
        if op == "create_feed":
            return answer(202, {"feedId": f"500{len(self.documents)}"})
        if op == "get_feed":
            self.seen += 1
            feed_id = urlsplit(request.url).path.rsplit("/", 1)[1]
            if self.seen < self.polls:
                return answer(
                    200,
                    {
                        "feedId": feed_id,
                        "feedType": "JSON_LISTINGS_FEED",
                        "processingStatus": "IN_PROGRESS",
                        "createdTime": "x",
                    },
                )
            done: dict[str, Any] = {
                "feedId": feed_id,
                "feedType": "JSON_LISTINGS_FEED",
                "processingStatus": self.status,
                "createdTime": "x",
            }
            if self.status != "CANCELLED":
                done["resultFeedDocumentId"] = "report-1"
            return answer(200, done)
        if op == "get_feed_document":
            found = {"feedDocumentId": "report-1", "url": f"{S3}/report-1?X-Amz-Signature=def"}
            if self.gzipped is not None:
                found["compressionAlgorithm"] = "GZIP"
            return answer(200, found)
        if op == "download_feed_document":
            listed = (lambda sku: item(sku, price=self.price)) if self.listed == "all" else None
            content = json.dumps(
                report(self.messages(), refused=self.refused, listed=listed)
            ).encode()
            return HttpResponse(200, {}, gzip.compress(content) if self.gzipped else content)
        if op == "search_listings_items":
            return search([item(sku, price=self.price) for sku in skus_of(request)])
        raise AssertionError(f"unexpected {op}")


def test_a_large_batch_goes_in_one_feed_read_per_message() -> None:
    offers = copies(offer(compliant()), 5)
    desk = FeedDesk(refused={2: "brand", 4: "brand"})
    desk.price = str(offers[0].price.amount)
    results, sent = drive(adapter(feed_threshold=3).upsert(offers), desk)
    assert ops(sent) == [
        "create_feed_document",
        "upload_feed_document",
        "create_feed",
        "get_feed",
        "get_feed",
        "get_feed_document",
        "download_feed_document",
    ]
    create_document, upload, create_feed, *_ = sent
    assert body(create_document) == {"contentType": "application/json; charset=UTF-8"}
    assert upload.auth is None and upload.method == "PUT"
    assert upload.headers == {"Content-Type": "application/json; charset=UTF-8"}
    assert body(create_feed) == {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [DE.marketplace_id],
        "inputFeedDocumentId": "doc-0",
    }
    document = loads(upload.content)
    assert document["header"] == {
        "sellerId": SELLER_ID,
        "version": "2.0",
        "issueLocale": "en_US",
        "report": {
            "includedData": ["summaries", "issues", "offers", "fulfillmentAvailability"],
            "apiVersion": "2021-08-01",
        },
    }
    assert [m["messageId"] for m in document["messages"]] == [1, 2, 3, 4, 5]
    assert {m["operationType"] for m in document["messages"]} == {"UPDATE"}
    assert [r.status for r in results] == ["ok", "failed", "ok", "failed", "ok"]
    assert results[1].issues[0].code == "90220"
    assert results[1].issues[0].field == "brand"
    assert results[0].remote == RemoteRef(
        sku="MUG-00000",
        marketplaceId=DE.marketplace_id,
        productType="DRINKING_CUP",
        feedId="5001",
        messageId="1",
        asin="B0TESTASIN",
    )


def test_a_report_without_the_listing_leaves_the_item_pending() -> None:
    offers = copies(offer(), 3)
    results, _ = drive(adapter(feed_threshold=3).upsert(offers), FeedDesk(listed=None))
    assert {(r.status, r.state) for r in results} == {("pending", "pending")}


def test_a_report_already_unzipped_by_the_transport_is_read() -> None:
    offers = copies(offer(), 3)
    desk = FeedDesk(gzipped=False)
    desk.price = str(offers[0].price.amount)
    results, _ = drive(adapter(feed_threshold=3).upsert(offers), desk)
    assert {r.status for r in results} == {"ok"}


def test_a_feed_still_processing_stays_pending_and_status_resolves_it_later() -> None:
    offers = copies(offer(), 3)
    desk = FeedDesk(polls=100, refused={2: "brand"})
    results, sent = drive(adapter(feed_threshold=3, feed_max_polls=3).upsert(offers), desk)
    assert ops(sent).count("get_feed") == 3
    assert {r.status for r in results} == {"pending"}
    refs = {r.key: r.remote for r in results if r.remote is not None}
    assert refs[offers[1].key] is not None and refs[offers[1].key]["feedId"] == "5001"

    desk.polls = 0  # the feed is done now
    keys = [o.key for o in offers]

    def later(request: HttpRequest) -> HttpResponse:
        if request.operation == "search_listings_items":
            return search([item("MUG-00000")])  # only the first is listed when read
        if request.operation == "get_listings_item":
            return answer(200, item("MUG-00002"))  # listed once the feed is done
        return desk(request)

    found, sent = drive(adapter().status(keys, known=refs), later)
    # Read, resolve the two not found from their feed, read again the one the report lists.
    assert ops(sent) == [
        "search_listings_items",
        "get_feed",
        "get_feed_document",
        "download_feed_document",
        "get_listings_item",
    ]
    assert [(r.status, r.state) for r in found] == [
        ("ok", "live"),
        ("failed", "absent"),
        ("ok", "live"),
    ]
    assert found[1].issues[0].code == "90220"


def test_no_polls_means_no_wait() -> None:
    results, sent = drive(adapter(feed_threshold=1, feed_max_polls=0).upsert([offer()]), FeedDesk())
    assert "get_feed" not in ops(sent)
    assert results[0].pending


@pytest.mark.parametrize(
    ("status", "code"), [("FATAL", "90220"), ("CANCELLED", "amazon.feed_cancelled")]
)
def test_fatal_and_cancelled_feeds_fail_their_items(status: str, code: str) -> None:
    desk = FeedDesk(status=status, refused={1: "brand"})
    results, _ = drive(adapter(feed_threshold=2).upsert(copies(offer(), 2)), desk)
    assert all(r.failed for r in results)
    assert results[0].issues[0].code == code
    if status == "FATAL":
        assert results[1].issues[-1].code == "amazon.feed_fatal"


def test_feeds_split_by_message_count_and_size() -> None:
    offers = copies(offer(), 5)
    desk = FeedDesk(polls=1)
    _, sent = drive(adapter(feed_threshold=2, feed_max_messages=2).upsert(offers), desk)
    assert ops(sent).count("create_feed") == 3
    assert [len(loads(d)["messages"]) for d in desk.documents] == [2, 2, 1]
    # Submitted first, then each waited for.
    assert ops(sent)[:9] == ["create_feed_document", "upload_feed_document", "create_feed"] * 3

    size = len(desk.documents[0])
    desk = FeedDesk(polls=1)
    _, sent = drive(adapter(feed_threshold=2, feed_max_bytes=size + 10).upsert(offers), desk)
    assert all(len(d) < size + 10 for d in desk.documents)
    assert len(desk.documents) == 3


def test_a_message_too_large_for_any_feed_fails_alone() -> None:
    big = offer(compliant(description="x" * 1900))
    offers = [*copies(offer(), 2), big]
    desk = FeedDesk(polls=1)
    desk.price = str(offers[0].price.amount)
    results, _ = drive(adapter(feed_threshold=2, feed_max_bytes=2600).upsert(offers), desk)
    assert results[2].failed
    assert results[2].issues[0].code == "amazon.message_too_large"
    assert [r.status for r in results[:2]] == ["ok", "ok"]


def test_feed_calls_refused_fail_the_items_of_the_feed() -> None:
    def throttled(request: HttpRequest) -> HttpResponse:
        return answer(429, {"errors": [{"code": "QuotaExceeded", "message": "slow down"}]})

    results, sent = drive(adapter(feed_threshold=2).upsert(copies(offer(), 2)), throttled)
    assert ops(sent) == ["create_feed_document"]
    assert all(r.failed and r.retry_after == 60.0 for r in results)

    def expired(request: HttpRequest) -> HttpResponse:
        if request.operation == "upload_feed_document":
            return HttpResponse(403, {}, b"<Error><Code>AccessDenied</Code></Error>")
        return FeedDesk()(request)

    results, sent = drive(adapter(feed_threshold=2).upsert(copies(offer(), 2)), expired)
    assert ops(sent) == ["create_feed_document", "upload_feed_document"]
    assert results[0].issues[0].code == "amazon.upload_failed"


def test_small_and_large_groups_mix() -> None:
    offers = [*copies(offer(), 3), offer(listing("FR-1"), "FR")]
    desk = FeedDesk(polls=1)

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "put_listings_item":
            return accepted(request)
        return desk(request)

    results, sent = drive(adapter(feed_threshold=3, read_back=False).upsert(offers), respond)
    assert ops(sent)[:4] == [
        "create_feed_document",
        "upload_feed_document",
        "create_feed",
        "put_listings_item",
    ]
    assert [r.key for r in results] == [o.key for o in offers]


def test_large_price_updates_and_withdrawals_go_by_feed_too() -> None:
    keys = [OfferKey("amazon", "DE", f"MUG-{n}") for n in range(3)]
    updates = [PriceQuantityUpdate(k, quantity=0) for k in keys]
    desk = FeedDesk(polls=1, listed=None)
    drive(adapter(feed_threshold=3).update_price_quantity(updates), desk)
    messages = loads(desk.documents[-1])["messages"]
    assert messages[0] == {
        "messageId": 1,
        "sku": "MUG-0",
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}],
            }
        ],
    }
    desk = FeedDesk(polls=1, listed=None)
    results, _ = drive(adapter(feed_threshold=3).withdraw(keys), desk)
    assert loads(desk.documents[-1])["messages"][2] == {
        "messageId": 3,
        "sku": "MUG-2",
        "operationType": "DELETE",
    }
    assert [(r.status, r.state) for r in results] == [("ok", "absent")] * 3


# -- withdraw and status ---------------------------------------------------------------------------


def test_withdraw_deletes_and_a_404_means_gone_already() -> None:
    keys = [OfferKey("amazon", "DE", "A"), OfferKey("amazon", "DE", "B")]
    gone = answer(404, {"errors": [{"code": "NOT_FOUND", "message": "not found"}]})

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "delete_listings_item":
            return accepted(request) if sku_of(request) == "A" else gone
        return search([])

    results, sent = drive(adapter().withdraw(keys), respond)
    assert ops(sent) == ["delete_listings_item", "delete_listings_item", "get_listings_item"]
    assert [(r.status, r.state) for r in results] == [("ok", "absent"), ("ok", "absent")]


def test_withdraw_by_zero_quantity_reads_first_and_patches_what_exists() -> None:
    keys = [OfferKey("amazon", "DE", "A"), OfferKey("amazon", "DE", "B")]
    patched: list[str] = []

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "search_listings_items":
            return search(
                [
                    item(
                        "A",
                        quantity=0 if patched else 5,
                        status=["DISCOVERABLE"] if patched else None,
                    )
                ]
            )
        if request.operation == "patch_listings_item":
            patched.append(sku_of(request))
            return accepted(request)
        if request.operation == "get_listings_item":
            return answer(200, item("A", quantity=0, status=["DISCOVERABLE"]))
        raise AssertionError(request.operation)

    results, sent = drive(adapter(withdraw_action="zero_quantity").withdraw(keys), respond)
    assert ops(sent) == ["search_listings_items", "patch_listings_item", "get_listings_item"]
    assert body(sent[1])["productType"] == "DRINKING_CUP"
    assert [(r.status, r.state) for r in results] == [("ok", "inactive"), ("ok", "absent")]


def test_status_reads_twenty_skus_a_call() -> None:
    keys = [OfferKey("amazon", "DE", f"S{n}") for n in range(45)]

    def respond(request: HttpRequest) -> HttpResponse:
        return search([item(sku) for sku in skus_of(request) if sku != "S3"])

    results, sent = drive(adapter().status(keys), respond)
    assert [len(skus_of(r)) for r in sent] == [20, 20, 5]
    assert results[3].state == "absent"
    assert {r.state for i, r in enumerate(results) if i != 3} == {"live"}


def test_status_tolerates_unknown_values() -> None:
    odd = item("A", status=["ARCHIVED_IN_2031"])
    results, _ = drive(adapter().status([OfferKey("amazon", "DE", "A")]), [answer(200, odd)])
    assert (results[0].status, results[0].state) == ("ok", "pending")
    quiet = item("A", status=[])
    results, _ = drive(adapter().status([OfferKey("amazon", "DE", "A")]), [answer(200, quiet)])
    assert results[0].state == "pending"
