"""FakeMarketplace.match: which route answers a request, without answering or counting it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from testing._shop import BASE, TOKEN_URL, ShopFake
from xborder.testing import FakeClock, RouteMatch


@pytest.fixture
def fake() -> Iterator[ShopFake]:
    with ShopFake(clock=FakeClock()) as shop:
        yield shop


def test_a_routed_request_names_its_route_and_decoded_params(fake: ShopFake) -> None:
    found = fake.match(httpx.Request("GET", f"{BASE}/items/A%2FB"))
    assert isinstance(found, RouteMatch) and found.known
    assert found.route is not None and found.route.handler == "get_item"
    assert found.params == {"sku": "A/B"}
    route, params, allowed = found  # still unpacks as the old private helper did
    assert (route, params, allowed) == (found.route, found.params, found.allowed)
    assert fake.calls == []  # matching is not a call


def test_another_method_on_a_known_path_lists_the_allowed_ones(fake: ShopFake) -> None:
    found = fake.match(httpx.Request("POST", f"{BASE}/items/A"))
    assert found.route is None and found.known
    assert sorted(found.allowed) == ["DELETE", "GET", "PUT"]
    assert fake.handle(httpx.Request("POST", f"{BASE}/items/A")).status_code == 405


@pytest.mark.parametrize(
    "url",
    [f"{BASE}/nowhere", "https://other.example/v2/items/A", TOKEN_URL + "/x"],
)
def test_unknown_paths_and_hosts_are_not_known(fake: ShopFake, url: str) -> None:
    found = fake.match(httpx.Request("GET", url))
    assert found == RouteMatch(None, {}, []) and not found.known


def test_the_token_endpoint_on_its_own_host_is_matched(fake: ShopFake) -> None:
    found = fake.match(httpx.Request("POST", TOKEN_URL))
    assert found.route is not None and found.route.handler == "token"
