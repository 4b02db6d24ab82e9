from __future__ import annotations

from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, SecretStr

from xborder.errors import ConfigurationError
from xborder.http import HttpResponse
from xborder.marketplaces import (
    MarketplaceSettings,
    batched,
    classify_status,
    parse_retry_after,
)

CANARY = "canary-secret-4f1c"


class ShopSettings(MarketplaceSettings):
    env_prefix: ClassVar[str] = "XBORDER_SHOP_"

    client_id: str
    client_secret: SecretStr
    sandbox: bool = False
    policies: dict[str, str] = Field(default_factory=dict)
    limit: int = 10


def test_from_env_reads_prefixed_variables_and_json() -> None:
    settings = ShopSettings.from_env(
        {
            "XBORDER_SHOP_CLIENT_ID": "app-1",
            "XBORDER_SHOP_CLIENT_SECRET": CANARY,
            "XBORDER_SHOP_SANDBOX": "true",
            "XBORDER_SHOP_POLICIES": '{"DE": "p-1"}',
            "OTHER": "x",
        }
    )
    assert settings.client_id == "app-1" and settings.sandbox is True
    assert settings.client_secret.get_secret_value() == CANARY
    assert settings.policies == {"DE": "p-1"}
    assert CANARY not in repr(settings) and CANARY not in str(settings)
    assert ShopSettings.env_var("client_id") == "XBORDER_SHOP_CLIENT_ID"


def test_from_env_names_every_missing_variable() -> None:
    with pytest.raises(ConfigurationError) as info:
        ShopSettings.from_env({})
    message = str(info.value)
    assert "XBORDER_SHOP_CLIENT_ID is not set" in message
    assert "XBORDER_SHOP_CLIENT_SECRET is not set" in message


def test_from_env_names_an_invalid_value_but_never_a_secret() -> None:
    with pytest.raises(ConfigurationError, match=r"XBORDER_SHOP_LIMIT: .* \(got 'ten'\)") as info:
        ShopSettings.from_env(
            {
                "XBORDER_SHOP_CLIENT_ID": "app-1",
                "XBORDER_SHOP_CLIENT_SECRET": CANARY,
                "XBORDER_SHOP_LIMIT": "ten",
            }
        )
    assert CANARY not in str(info.value)


def test_from_env_bad_json() -> None:
    with pytest.raises(ConfigurationError, match="XBORDER_SHOP_POLICIES: not valid JSON"):
        ShopSettings.from_env({"XBORDER_SHOP_POLICIES": "{nope"})


def test_settings_are_frozen_and_closed() -> None:
    settings = ShopSettings(client_id="a", client_secret=SecretStr("s"))
    with pytest.raises(ValueError, match="frozen"):
        settings.client_id = "b"  # type: ignore[misc]
    with pytest.raises(ValueError, match="extra"):
        ShopSettings(client_id="a", client_secret=SecretStr("s"), typo=1)  # type: ignore[call-arg]


@given(st.lists(st.integers(), max_size=60), st.integers(min_value=1, max_value=30))
def test_batched_splits_in_order_within_the_limit(items: list[int], size: int) -> None:
    batches = list(batched(items, size))
    assert [x for batch in batches for x in batch] == items
    assert all(1 <= len(batch) <= size for batch in batches)
    assert len(batches) == -(-len(items) // size)


@pytest.mark.parametrize("size", [0, -1, True, 2.5])
def test_batched_refuses_bad_sizes(size: object) -> None:
    with pytest.raises(ValueError, match="size: expected an int >= 1"):
        list(batched([1], size))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        (None, None),
        ("-1", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "ok"),
        (204, "ok"),
        (304, "ok"),
        (401, "auth_expired"),
        (429, "throttled"),
        (408, "transient"),
        (500, "transient"),
        (502, "transient"),
        (503, "transient"),
        (504, "transient"),
        (400, "permanent"),
        (403, "permanent"),
        (404, "permanent"),
        (409, "permanent"),
        (501, "permanent"),
    ],
)
def test_classify_status(status: int, verdict: str) -> None:
    assert classify_status(HttpResponse(status)).verdict == verdict


def test_classify_status_reads_retry_after() -> None:
    result = classify_status(HttpResponse(429, {"retry-after": "7"}))
    assert (result.verdict, result.retry_after) == ("throttled", 7.0)
