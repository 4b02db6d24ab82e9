"""examples/nightly_sync.py, examples/storefront.py and examples/xborder.toml keep working."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType

import httpx
import pytest

import xborder as xb
from xborder.jobs._demo import demo_environ, demo_world
from xborder.testing import FakeClock

from ._support import ROOT, START

EXAMPLES = ROOT / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("xborder.toml", "catalog.jsonl", "seller.json"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    for name, value in demo_environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XBORDER_REPORT_DIR", str(tmp_path))
    return tmp_path


def test_the_nightly_sync_runs_the_example_configuration(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nightly = load("nightly_sync")
    world = demo_world(start=START)
    try:
        args = ["--config", str(folder / "xborder.toml")]
        assert nightly.main(args, clock=world.clock, http=world.http) == 0
        assert nightly.main(args, clock=world.clock, http=world.http) == 0
    finally:
        world.close()
    report = json.loads((folder / "last-sync.json").read_text(encoding="utf-8"))
    assert report["ok"] and report["write_calls"] == 0  # the second night sent nothing
    assert "sync of shard 0/1" in capsys.readouterr().out


def test_the_nightly_sync_offline_and_its_exit_codes(folder: Path) -> None:
    nightly = load("nightly_sync")
    assert nightly.main(["--offline", "--config", str(folder / "xborder.toml")]) == 0
    assert nightly.main(["--offline", "--config", str(folder / "missing.toml")]) == 2


def test_the_storefront_sync_handler() -> None:
    storefront = load("storefront")
    body = (EXAMPLES / "catalog.jsonl").read_text(encoding="utf-8").splitlines()[0].encode()
    status, answer = storefront.product_markets(body)
    assert status == 200 and set(answer["markets"]) == {"DE", "FR", "GB", "JP", "AU"}
    assert answer["markets"]["DE"]["ready"], answer["markets"]["DE"]
    assert answer["markets"]["DE"]["currency"] == "EUR"
    assert answer["markets"]["JP"]["price"].isdigit()
    assert storefront.product_markets(b'{"sku": "X"}')[0] == 422
    assert storefront.product_markets(b"not json")[0] == 422


def test_the_storefront_async_handler_uses_live_rates_or_falls_back() -> None:
    storefront = load("storefront")
    body = (EXAMPLES / "catalog.jsonl").read_text(encoding="utf-8").splitlines()[0].encode()
    daily = (ROOT / "tests" / "rates" / "fixtures" / "eurofxref-daily.xml").read_bytes()

    async def ask(handler: httpx.MockTransport) -> tuple[int, dict[str, object]]:
        # A fake clock: the client's retries of the failed fetch wait on it, not for real.
        async with (
            httpx.AsyncClient(transport=handler) as http,
            xb.AsyncClient(http=http, clock=FakeClock(START)) as client,
        ):
            result: tuple[int, dict[str, object]] = await storefront.aproduct_markets(body, client)
            return result

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network", request=request)

    status, answer = asyncio.run(ask(httpx.MockTransport(down)))
    assert status == 200 and answer["on"] == str(xb.rates.bundled().as_of)
    status, answer = asyncio.run(
        ask(httpx.MockTransport(lambda request: httpx.Response(200, content=daily)))
    )
    assert status == 200 and storefront.LIVE.as_of is not None
    assert answer["on"] == storefront.LIVE.as_of.isoformat()
