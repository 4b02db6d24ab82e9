"""The third-party adapter example: found through its entry point, passes the kit.

The example is not pip-installed here: a synthetic ``xborder_acme_bazaar-0.1.0.dist-info``
(METADATA and entry_points.txt, what an install writes) in a temporary directory goes on
``sys.path`` with the example's ``src``, so ``importlib.metadata`` finds its entry point
exactly as it would find an installed one. Everything is undone afterwards.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import math
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

import xborder as xb
from xborder.client import Client
from xborder.localize.channels import _rules
from xborder.marketplaces import Adapter, available, get
from xborder.offer import Offer
from xborder.testing import FakeClock, FakeMarketplace
from xborder.testing.conformance import AdapterConformance, check_adapter

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_marketplace"
CLIENT_ID, CLIENT_SECRET = "acme-app", "bazaar-secret-77a1"
ON = date(2026, 10, 1)


def write_dist_info(root: Path) -> Path:
    """Write the metadata installing the example would write, from its pyproject.toml."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = project["name"], project["version"]
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    info.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items())
        for group, entries in project["entry-points"].items()
    ]
    info.joinpath("entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    return root


@dataclasses.dataclass
class Installed:
    """The example, importable and registered, while the fixture lasts."""

    root: Path
    adapter_module: ModuleType
    fake_module: ModuleType

    def settings(self) -> Any:
        return self.adapter_module.BazaarSettings(
            client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET)
        )

    def adapter(self) -> Adapter:
        return get("acme_bazaar", settings=self.settings())

    def fake(self, clock: FakeClock | None = None, **kwargs: Any) -> FakeMarketplace:
        fake: FakeMarketplace = self.fake_module.BazaarFake(
            clock=clock or FakeClock(), clients={CLIENT_ID: CLIENT_SECRET}, **kwargs
        )
        return fake

    def offer(self, sku: str = "MUG-01", market: str = "DE") -> Offer:
        listing = xb.Listing(
            sku=sku,
            title="Stoneware coffee mug, 350 ml",
            price=xb.Money("24.00", "USD"),
            quantity=5,
            images=("https://img.example.com/mug-1.jpg",),
        )
        return xb.prepare(listing, market, channel="acme_bazaar", rates=xb.rates.bundled(), on=ON)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = write_dist_info(tmp_path_factory.mktemp("site"))
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    versions = {name: list(v) for name, v in _rules._VERSIONS.items()}
    aliases = dict(_rules._ALIASES)
    sys.path[:0] = [str(root), str(EXAMPLE / "src")]
    importlib.invalidate_caches()
    try:
        assert "acme_bazaar" in available()
        adapter_module = importlib.import_module("acme_bazaar.adapter")
        fake_module = importlib.import_module("acme_bazaar.fake")
        yield Installed(root, adapter_module, fake_module)
    finally:
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            if name == "acme_bazaar" or name.startswith("acme_bazaar."):
                del sys.modules[name]
        importlib.invalidate_caches()
        # Importing the adapter registered its channel rules; other tests see the built-ins.
        _rules._VERSIONS.clear()
        _rules._VERSIONS.update(versions)
        _rules._ALIASES.clear()
        _rules._ALIASES.update(aliases)


def test_the_entry_point_loads_the_adapter(installed: Installed) -> None:
    dist = importlib.metadata.distribution("xborder-acme-bazaar")
    assert [ep.name for ep in dist.entry_points] == ["acme_bazaar"]
    adapter = installed.adapter()
    assert type(adapter).__name__ == "BazaarAdapter"
    assert adapter.name == "acme_bazaar" and isinstance(adapter, Adapter)
    assert adapter.capabilities.channel_rules() is installed.adapter_module.CHANNEL


def test_settings_come_from_the_environment(installed: Installed) -> None:
    settings = installed.adapter_module.BazaarSettings.from_env(
        {"ACME_BAZAAR_CLIENT_ID": CLIENT_ID, "ACME_BAZAAR_CLIENT_SECRET": CLIENT_SECRET}
    )
    assert settings.client_id == CLIENT_ID and CLIENT_SECRET not in repr(settings)


def test_the_adapter_is_short(installed: Installed) -> None:
    source = Path(installed.adapter_module.__file__ or "").read_text(encoding="utf-8")
    code = [line for line in source.splitlines() if line.strip()]
    assert len(code) <= 170, f"the example adapter grew to {len(code)} lines of code"


def test_check_adapter_passes(installed: Installed) -> None:
    with installed.fake() as fake:
        offers = [installed.offer("MUG-01", "DE"), installed.offer("MUG-02", "JP")]
        report = check_adapter(installed.adapter(), fake, offers)
    assert report.ok and not report.skipped, str(report)


class TestAcmeBazaarConformance(AdapterConformance):
    """The kit as pytest tests, on the adapter loaded by its entry point."""

    @pytest.fixture
    def adapter(self, installed: Installed) -> Adapter:
        return installed.adapter()

    @pytest.fixture
    def fake(self, installed: Installed) -> Iterator[FakeMarketplace]:
        with installed.fake() as fake:
            yield fake

    @pytest.fixture
    def offers(self, installed: Installed) -> list[Offer]:
        return [installed.offer("MUG-01", "DE"), installed.offer("MUG-02", "GB")]


@given(count=st.integers(min_value=0, max_value=130))
def test_any_number_of_offers_makes_ceil_n_over_50_batch_calls(
    installed: Installed, count: int
) -> None:
    base = installed.offer()
    offers = [
        dataclasses.replace(base, key=base.key._replace(sku=f"S{index}")) for index in range(count)
    ]
    with installed.fake() as fake, fake.http_client() as http:
        with Client(http=http, clock=fake.clock) as client:
            bazaar = client.marketplace(installed.adapter())
            results = bazaar.upsert(offers, allow_noncompliant=True)
        assert [result.key for result in results] == [offer.key for offer in offers]
        assert fake.count("batch_upsert") == math.ceil(count / 50)
        assert sum(call.items or 0 for call in fake.calls) == count


def test_a_persisted_bazaar_outlives_a_crashed_client(installed: Installed, tmp_path: Path) -> None:
    path, clock = tmp_path / "bazaar.sqlite", FakeClock()
    adapter, offer = installed.adapter(), installed.offer()
    first = installed.fake(clock, persist_to=path)
    with first.http_client() as http, Client(http=http, clock=clock) as client:
        (written,) = client.marketplace(adapter).upsert([offer], allow_noncompliant=True)
    # No close(): the client process is gone; a new one reopens the marketplace's file.
    second = installed.fake(clock, persist_to=path)
    try:
        assert second.state() == first.state() != {"listings": {}}
        with second.http_client() as http, Client(http=http, clock=clock) as client:
            (status,) = client.marketplace(adapter).status([offer.key])
        assert status.remote == written.remote and status.state == "pending"
    finally:
        second.close()
        first.close()


def test_the_examples_own_tests_pass(installed: Installed) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(installed.root), str(EXAMPLE / "src")]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(EXAMPLE),
            "-c",
            str(EXAMPLE / "pyproject.toml"),
            str(EXAMPLE / "tests"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=EXAMPLE,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout
