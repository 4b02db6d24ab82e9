"""What eBay's answers mean: whole responses and per-item errors (ids from the contract)."""

from __future__ import annotations

from typing import Any

import pytest

from marketplaces.ebay._support import adapter, answer
from xborder.marketplaces.ebay import classify
from xborder.marketplaces.ebay._classify import is_revision_cap, issues, item_retry_after
from xborder.marketplaces.ebay._wire import ErrorDetail


def error(error_id: int, message: str = "", **more: Any) -> dict[str, Any]:
    return {
        "errorId": error_id,
        "domain": "API_INVENTORY",
        "subdomain": "Selling",
        "category": "REQUEST",
        "message": message or f"error {error_id}",
        **more,
    }


def errors(*items: dict[str, Any]) -> dict[str, Any]:
    return {"errors": list(items)}


@pytest.mark.parametrize(
    ("status", "body", "verdict"),
    [
        (200, {"responses": []}, "ok"),
        (207, {"responses": []}, "ok"),
        (204, None, "ok"),
        (401, errors(error(1001, "Invalid access token", category="REQUEST")), "auth_expired"),
        (403, errors(error(1001, "Invalid access token")), "auth_expired"),
        (403, errors(error(1100, "Access denied")), "permanent"),
        (429, errors(error(2001, "Too many requests")), "throttled"),
        (400, errors(error(2001, "Too many requests")), "throttled"),
        (500, errors(error(25001, "System error", category="APPLICATION")), "transient"),
        (503, None, "transient"),
        (400, errors(error(25025, "Concurrent access")), "transient"),
        (400, errors(error(25709, "Invalid value for field price.value")), "permanent"),
        (404, errors(error(25713, "This Offer is not available")), "permanent"),
    ],
)
def test_classify(status: int, body: Any, verdict: str) -> None:
    assert classify(answer(status, body)).verdict == verdict


def test_classify_names_code_message_fields_and_request_id() -> None:
    response = answer(
        400,
        errors(
            error(
                25709,
                "Invalid value for field",
                longMessage="Invalid request. Invalid value for field price.value",
                parameters=[{"name": "additionalInfo", "value": "price.value"}],
            ),
            error(25005, "Invalid category."),
        ),
        x_ebay_c_request_id="rid-42",
    )
    result = classify(response)
    assert (result.verdict, result.code, result.request_id) == ("permanent", "25709", "rid-42")
    assert result.message == "Invalid request. Invalid value for field price.value"
    assert dict(result.field_errors) == {
        "price.value": "Invalid request. Invalid value for field price.value",
        "category": "Invalid category.",
    }
    assert adapter().classify(response) == result


def test_throttled_answers_carry_retry_after_when_sent() -> None:
    result = classify(answer(429, None, retry_after="7"))
    assert (result.verdict, result.retry_after) == ("throttled", 7.0)


def test_an_unreadable_error_body_is_still_classified() -> None:
    result = classify(answer(502, None))
    assert result.verdict == "transient"
    html = classify(answer(418, None))
    assert html.verdict == "permanent" and html.message == "HTTP 418"


def test_oauth_errors() -> None:
    refused = classify(
        answer(400, {"error": "invalid_grant", "error_description": "the refresh token is expired"})
    )
    assert refused.verdict == "permanent" and refused.code == "invalid_grant"
    assert "xborder auth ebay" in refused.message
    busy = classify(answer(400, {"error": "temporarily_unavailable"}))
    assert busy.verdict == "transient"


def detail(error_id: int, message: str = "", **more: Any) -> ErrorDetail:
    return ErrorDetail.model_validate(error(error_id, message, **more))


def test_item_issues_name_the_field_at_fault() -> None:
    found = issues(
        [
            detail(25003, "Invalid price."),
            detail(25008, "Invalid Payment policy information."),
            detail(25002, "User error.", parameters=[{"name": "fieldName", "value": "condition"}]),
            detail(25110, "Manufacturer address information is incomplete."),
        ],
        [detail(25401, "Invalid listing options removed.")],
    )
    assert [(i.code, i.field, i.severity) for i in found] == [
        ("25003", "price", "error"),
        ("25008", "payment_policy_id", "error"),
        ("25002", "condition", "error"),
        ("25110", "manufacturer", "error"),
        ("25401", None, "warning"),
    ]


def test_the_daily_revision_cap_waits_for_ebay_s_next_day() -> None:
    cap = detail(
        25002,
        "User error.",
        longMessage="This listing has been revised 250 times today; the revision limit is reached.",
    )
    assert is_revision_cap(cap)
    found = issues([cap])
    assert [i.code for i in found] == ["ebay.revision_limit"]
    assert "250 revisions" in found[0].message
    # 2026-10-01 10:00 UTC is 02:00 at UTC-8: 22 hours to eBay's next day.
    response = answer(207, None, date="Thu, 01 Oct 2026 10:00:00 GMT")
    assert item_retry_after([cap], response) == 22 * 3600
    assert item_retry_after([cap]) == 86_400  # no server time: a whole day
    assert (
        classify(
            answer(400, errors(error(25002, "Listing revision limit of 250 reached")))
        ).retry_after
        == 86_400
    )


def test_system_errors_and_concurrent_access_are_retried_later() -> None:
    assert item_retry_after([detail(25001), detail(25025)]) == 60.0
    assert item_retry_after([detail(25001), detail(25003)]) is None
    assert item_retry_after([]) is None


def test_unknown_error_shapes_never_raise() -> None:
    assert issues([ErrorDetail()])[0].code == "ebay.error"
    assert classify(answer(400, {"errors": "not a list"})).verdict == "permanent"
