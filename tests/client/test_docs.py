"""docs/client.md states the defaults the code has."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import httpx

from xborder.client import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REFRESH_MARGIN,
    DEFAULT_TIMEOUT,
    AsyncClient,
    Client,
    RetryPolicy,
)

DOC = (Path(__file__).resolve().parents[2] / "docs" / "client.md").read_text(encoding="utf-8")


def row(name: str) -> str:
    match = re.search(rf"^\| `{name}` \| ([^|]+) \|", DOC, flags=re.M)
    assert match, f"no table row for {name}"
    return match.group(1).strip()


def test_client_defaults() -> None:
    assert httpx.Timeout(30, connect=5) == DEFAULT_TIMEOUT
    assert "`httpx.Timeout(30, connect=5)`" in row("timeout")
    assert DEFAULT_MAX_RESPONSE_BYTES == 64 * 1024 * 1024 and row("max_response_bytes") == "64 MiB"
    assert DEFAULT_REFRESH_MARGIN == 60 and row("refresh_margin") == "60 s"
    assert row("rate_limiting") == "`True`"
    for cls in (Client, AsyncClient):
        params = inspect.signature(cls).parameters
        assert params["max_response_bytes"].default == DEFAULT_MAX_RESPONSE_BYTES
        assert params["refresh_margin"].default == DEFAULT_REFRESH_MARGIN
        assert params["rate_limiting"].default is True


def test_retry_policy_defaults() -> None:
    policy = RetryPolicy()
    assert row("max_attempts") == str(policy.max_attempts)
    assert row("max_elapsed") == f"{policy.max_elapsed:g} s"
    assert row("max_retry_after") == f"{policy.max_retry_after:g} s"
    assert row("backoff_initial") == f"{policy.backoff_initial:g} s"
    assert row("backoff_max") == f"{policy.backoff_max:g} s"
    assert row("backoff_jitter") == f"{policy.backoff_jitter:g} s"
    assert row("seed") == "`None`" and policy.seed is None
