"""What SP-API answers mean: throttling, expired tokens, passing failures, request ids."""

from __future__ import annotations

import pytest

from marketplaces.amazon._support import adapter, answer
from xborder.http import HttpResponse
from xborder.marketplaces.amazon import classify
from xborder.marketplaces.amazon._classify import (
    error_issues,
    field_of_attribute,
    item_issue,
    report_issue,
)
from xborder.marketplaces.amazon._wire import ItemIssue, ReportIssue


def errors(code: str, message: str = "m", details: str = "") -> dict[str, object]:
    return {"errors": [{"code": code, "message": message, "details": details}]}


def test_ok_carries_the_announced_rate_and_the_request_id() -> None:
    found = classify(answer(200, {}, x_amzn_RateLimit_Limit="5.0", x_amzn_RequestId="f6f8a0e1-req"))
    assert found.verdict == "ok"
    assert found.rate_limit == 5.0
    assert found.request_id == "f6f8a0e1-req"


def test_a_feed_poll_does_not_announce_its_rate() -> None:
    # The adapter paces getFeed itself (one poll per feed_poll_interval).
    poll = HttpResponse(
        200,
        {"x-amzn-ratelimit-limit": "2.0"},
        b"{}",
        url="https://sellingpartnerapi-eu.amazon.com/feeds/2021-06-30/feeds/5001",
    )
    assert classify(poll).rate_limit is None
    other = HttpResponse(
        200,
        {"x-amzn-ratelimit-limit": "0.0222"},
        b"{}",
        url="https://sellingpartnerapi-eu.amazon.com/feeds/2021-06-30/documents/amzn1.x",
    )
    assert classify(other).rate_limit == 0.0222


def test_429_is_throttled_with_the_rate_and_no_retry_after() -> None:
    found = classify(
        answer(
            429,
            errors("QuotaExceeded", "You exceeded your quota for the requested resource."),
            x_amzn_RateLimit_Limit="0.5",
        )
    )
    assert found.verdict == "throttled"
    assert found.rate_limit == 0.5
    assert found.retry_after is None
    assert found.code == "QuotaExceeded"


def test_quota_exceeded_is_throttled_whatever_the_status() -> None:
    assert classify(answer(400, errors("QuotaExceeded"))).verdict == "throttled"
    assert classify(answer(503, errors("QuotaExceeded"))).verdict == "throttled"


@pytest.mark.parametrize(
    "details",
    [
        "The access token you provided has expired.",
        "The access token you provided is revoked, malformed or invalid.",
    ],
)
def test_403_refusing_the_token_is_auth_expired(details: str) -> None:
    found = classify(
        answer(403, errors("Unauthorized", "Access to requested resource is denied.", details))
    )
    assert found.verdict == "auth_expired"
    assert "expired" in found.message or "invalid" in found.message


def test_other_403_and_401() -> None:
    assert classify(answer(403, errors("AccessDenied", "Forbidden"))).verdict == "permanent"
    assert classify(answer(401, {})).verdict == "auth_expired"


def test_5xx_is_transient_and_400_permanent_with_the_field() -> None:
    assert classify(answer(500, errors("InternalFailure"))).verdict == "transient"
    assert classify(answer(503, None)).verdict == "transient"
    found = classify(
        answer(400, errors("InvalidInput", "Invalid 'marketplaceIds'", "marketplaceIds"))
    )
    assert found.verdict == "permanent"
    assert found.code == "InvalidInput"
    assert dict(found.field_errors) == {"marketplaceIds": "Invalid 'marketplaceIds'"}


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(200),
        HttpResponse(200, {"x-amzn-ratelimit-limit": "lots"}, b"[1, 2"),
        HttpResponse(500, {"content-type": "text/html"}, b"<html>oops</html>"),
        HttpResponse(429, {"retry-after": "soon"}, b"\xff\xfe"),
        HttpResponse(400, {}, b'{"errors": [null, 1, "x"]}'),
        HttpResponse(403, {}, b'{"errors": {"code": 1}}'),
        HttpResponse(403, {"x-amzn-ratelimit-limit": "-1"}, b"<Error>Request has expired</Error>"),
    ],
)
def test_junk_never_raises(response: HttpResponse) -> None:
    found = classify(response)
    assert found.verdict in ("ok", "throttled", "transient", "permanent", "auth_expired")


def test_the_adapter_classifies_with_the_same_function() -> None:
    response = answer(429, errors("QuotaExceeded"))
    assert adapter().classify(response) == classify(response)


def test_error_issues_name_the_code_and_the_field() -> None:
    found = error_issues(
        answer(400, errors("BAD_REQUEST", "Invalid input", "Invalid input")), what="putListingsItem"
    )
    assert [(i.code, i.message, i.field) for i in found] == [("BAD_REQUEST", "Invalid input", None)]
    bare = error_issues(HttpResponse(418, {}, b"<html/>"), what="putListingsItem")
    assert bare[0].code == "amazon.http_418"


def test_attributes_map_to_listing_fields() -> None:
    assert field_of_attribute("purchasable_offer.our_price") == "price"
    assert field_of_attribute("fulfillment_availability") == "quantity"
    assert field_of_attribute("other_product_image_locator_3") == "images"
    assert field_of_attribute("item_name") == "title"
    assert field_of_attribute("size") == "size"
    assert field_of_attribute(None) is None


def test_item_and_report_issues() -> None:
    issue = item_issue(
        ItemIssue(
            code="90220",
            message="'brand' is required but not supplied.",
            severity="ERROR",
            attributeNames=["brand"],
        )
    )
    assert (issue.code, issue.field, issue.severity) == ("90220", "brand", "error")
    info = item_issue(ItemIssue(code="18448", message="x", severity="INFO"))
    assert info.severity == "warning"
    unknown = item_issue(ItemIssue(severity="SOMETHING_NEW"))
    assert (unknown.code, unknown.severity) == ("amazon.issue", "warning")
    report = report_issue(
        ReportIssue(
            messageId=5,
            code="99022",
            severity="ERROR",
            message="m",
            attributeName="purchasable_offer.our_price",
        )
    )
    assert (report.field, report.severity) == ("price", "error")
