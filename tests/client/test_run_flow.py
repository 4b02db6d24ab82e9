"""xborder.http.run_flow: the one-off driver, now a short-lived Client."""

from __future__ import annotations

import httpx
import pytest
import respx

from xborder.http import HttpRequest, run_flow

from ._shop import BASE, one


@respx.mock
def test_run_flow_hands_every_answer_over_and_never_retries() -> None:
    route = respx.get(f"{BASE}/rates").mock(return_value=httpx.Response(503, text="later"))
    response = run_flow(one(HttpRequest("GET", f"{BASE}/rates")))
    assert (response.status_code, response.content) == (503, b"later")
    assert route.call_count == 1


@respx.mock
def test_run_flow_raises_the_httpx_exception_as_before() -> None:
    route = respx.get(f"{BASE}/rates").mock(side_effect=httpx.ConnectError("no route"))
    with pytest.raises(httpx.ConnectError, match="no route"):
        run_flow(one(HttpRequest("GET", f"{BASE}/rates")))
    assert route.call_count == 1


@respx.mock
def test_run_flow_timeout() -> None:
    route = respx.get(f"{BASE}/rates").mock(return_value=httpx.Response(200))
    run_flow(one(HttpRequest("GET", f"{BASE}/rates")), timeout=3)
    assert route.calls.last.request.extensions["timeout"] == httpx.Timeout(3).as_dict()
