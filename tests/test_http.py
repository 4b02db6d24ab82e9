from __future__ import annotations

import httpx
import pytest
import respx

from xborder.http import Flow, HttpRequest, HttpResponse, run_flow


def two_step() -> Flow[list[int]]:
    first = yield HttpRequest("GET", "https://api.example.com/a", {"Accept": "text/plain"})
    second = yield HttpRequest("POST", "https://api.example.com/b", content=first.content)
    return [first.status_code, second.status_code, int(second.headers["x-n"])]


@respx.mock
def test_run_flow_sends_each_request_and_returns_result() -> None:
    a = respx.get("https://api.example.com/a").mock(return_value=httpx.Response(200, text="hi"))
    b = respx.post("https://api.example.com/b", content=b"hi").mock(
        return_value=httpx.Response(201, headers={"X-N": "7"})
    )
    assert run_flow(two_step()) == [200, 201, 7]
    assert a.calls.last.request.headers["accept"] == "text/plain"
    assert b.called


def test_flow_driven_by_hand() -> None:
    flow = two_step()
    request = next(flow)
    assert request.url.endswith("/a")
    request = flow.send(HttpResponse(200, content=b"x"))
    assert request.content == b"x"
    with pytest.raises(StopIteration) as stop:
        flow.send(HttpResponse(202, {"x-n": "1"}))
    assert stop.value.value == [200, 202, 1]


def test_request_repr_hides_credentials() -> None:
    request = HttpRequest(
        "POST",
        "https://api.example.com/v2/translate",
        {"Authorization": "DeepL-Auth-Key s3cr3t:fx", "Content-Type": "application/json"},
        content=b'{"api_key": "s3cr3t"}',
    )
    text = repr(request)
    assert "s3cr3t" not in text
    assert "'Authorization': '***'" in text
    assert "application/json" in text
    assert "<21 bytes>" in text


def test_presigned_s3_urls_are_redacted() -> None:
    from xborder.http import redact_url

    url = (
        "https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com/doc?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAEXAMPLE%2F20261001&X-Amz-Signature=deadbeef&X-Amz-Expires=300"
    )
    redacted = redact_url(url)
    assert "deadbeef" not in redacted and "AKIAEXAMPLE" not in redacted
    assert "X-Amz-Signature=***" in redacted and "X-Amz-Expires=300" in redacted
