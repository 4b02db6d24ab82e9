"""What Graph API answers mean: throttle codes on HTTP 400, code 190, usage headers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from marketplaces.facebook._support import TOKEN, answer
from xborder.http import HttpResponse
from xborder.marketplaces.facebook import classify, usage


def graph_error(status: int, code: int, message: str = "boom", **fields: Any) -> HttpResponse:
    return answer(
        status, {"error": {"message": message, "type": "OAuthException", "code": code, **fields}}
    )


def test_ok_answers() -> None:
    found = classify(answer(200, {"handles": ["H"]}, x_fb_trace_id="Ab12"))
    assert found.verdict == "ok" and found.request_id == "Ab12" and found.usage is None


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80000, 80004, 80009, 80014])
def test_throttle_codes_on_http_400_are_throttled(code: int) -> None:
    found = classify(graph_error(400, code, f"(#{code}) limit reached", is_transient=True))
    assert found.verdict == "throttled"
    assert found.code == str(code)


def test_429_is_throttled_and_regain_time_is_the_wait() -> None:
    buc = {
        "1234": [
            {
                "type": "catalog_batch",
                "call_count": 100,
                "total_cputime": 4,
                "total_time": 7,
                "estimated_time_to_regain_access": 3,
            }
        ]
    }
    found = classify(
        answer(
            429,
            {"error": {"code": 80014, "message": "x"}},
            x_business_use_case_usage=json.dumps(buc),
        )
    )
    assert found.verdict == "throttled"
    assert found.retry_after == 180.0
    assert found.usage == 1.0


@pytest.mark.parametrize("subcode", [None, 463, 460, 467])
def test_code_190_is_auth_expired_with_guidance(subcode: int | None) -> None:
    extra = {} if subcode is None else {"error_subcode": subcode}
    found = classify(graph_error(400, 190, "Error validating access token", **extra))
    assert found.verdict == "auth_expired"
    assert "system-user token" in found.message and "no refresh grant" in found.message
    assert "Error validating access token" in found.message
    assert found.code == ("190" if subcode is None else f"190/{subcode}")


def test_401_without_a_body_is_auth_expired() -> None:
    assert classify(answer(401)).verdict == "auth_expired"


@pytest.mark.parametrize(
    ("response", "verdict"),
    [
        (graph_error(400, 100, "x", is_transient=True), "transient"),
        (graph_error(500, 1, "An unknown error occurred"), "transient"),
        (graph_error(503, 2, "Service temporarily unavailable"), "transient"),
        (answer(502), "transient"),
        (graph_error(400, 100, "(#100) Invalid parameter"), "permanent"),
        (graph_error(404, 803, "Some of the aliases you requested do not exist"), "permanent"),
    ],
)
def test_transient_and_permanent(response: HttpResponse, verdict: str) -> None:
    assert classify(response).verdict == verdict


def test_permission_errors_say_what_to_do() -> None:
    found = classify(graph_error(403, 200, "(#200) Permissions error"))
    assert found.verdict == "permanent"
    assert "catalog_management" in found.message


def test_blamed_fields_become_field_errors() -> None:
    found = classify(
        graph_error(
            400,
            100,
            "(#100) price is invalid",
            error_subcode=1815183,
            error_user_msg="Use an amount and a currency",
            error_data={"blame_field_specs": [["requests", "price"], ["title"]]},
            fbtrace_id="Fb77",
        )
    )
    assert dict(found.field_errors) == {
        "requests.price": found.message,
        "title": found.message,
    }
    assert found.code == "100/1815183" and found.request_id == "Fb77"
    assert "Use an amount and a currency" in found.message
    as_text = classify(graph_error(400, 100, "x", error_data='{"blame_field_specs": [["link"]]}'))
    assert list(as_text.field_errors) == ["link"]


def test_usage_headers() -> None:
    app = {"x-app-usage": json.dumps({"call_count": 28, "total_time": 85, "total_cputime": 25})}
    assert usage(app) == (0.85, None)
    buc = {
        "x-business-use-case-usage": json.dumps(
            {
                "99": [
                    {
                        "type": "catalog_management",
                        "call_count": 40,
                        "total_cputime": 5,
                        "total_time": 5,
                        "estimated_time_to_regain_access": 0,
                    }
                ]
            }
        )
    }
    assert usage(buc) == (0.4, None)
    assert usage({**app, **buc})[0] == 0.85
    assert usage({"x-app-usage": "not json"}) == (None, None)
    assert usage({"x-app-usage": '{"call_count": "NaN"}'}) == (None, None)
    assert usage({"x-app-usage": '{"call_count": 250}'}) == (1.0, None)
    found = classify(answer(200, {}, x_app_usage=app["x-app-usage"]))
    assert found.verdict == "ok" and found.usage == 0.85


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(200),
        HttpResponse(200, {}, b"[1, 2"),
        HttpResponse(400, {}, b'{"error": null}'),
        HttpResponse(400, {}, b'{"error": "text"}'),
        HttpResponse(400, {}, b'{"error": {"code": "abc", "is_transient": "yes"}}'),
        HttpResponse(400, {}, b'{"error": {"code": true, "error_data": 5}}'),
        HttpResponse(429, {"x-business-use-case-usage": "[[[]]]"}, b"\xff"),
        HttpResponse(599, {}, b"{" * 1000),
    ],
)
def test_junk_never_raises(response: HttpResponse) -> None:
    assert classify(response).verdict in ("ok", "throttled", "transient", "permanent")


def test_string_codes_are_read() -> None:
    assert classify(answer(400, {"error": {"code": "17", "message": "x"}})).verdict == "throttled"


def test_no_secret_in_messages() -> None:
    found = classify(graph_error(400, 190, "Invalid OAuth access token"))
    assert TOKEN not in found.message
