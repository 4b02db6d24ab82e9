from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import pytest

from _entry_points import FakeEntryPoint, use_entry_points
from xborder.errors import ConfigurationError, PluginError
from xborder.http import Flow, HttpResponse
from xborder.marketplaces import (
    API_VERSION,
    GROUP,
    Adapter,
    Capabilities,
    Classification,
    ItemResult,
    MarketplaceSettings,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
    TokenProvider,
    available,
    classify_status,
    get,
)
from xborder.offer import Offer

DIST = "xborder-stub-shop"


class StubSettings(MarketplaceSettings):
    shop: str = "main"


class StubAdapter:
    """The smallest thing that fits the protocol; its flows answer without any request."""

    name: ClassVar[str] = "stub"
    api_version: ClassVar[int] = API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ("stub-alias",)

    def __init__(self, settings: StubSettings | None = None) -> None:
        self._settings = settings or StubSettings()

    @property
    def settings(self) -> StubSettings:
        return self._settings

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(self.name)

    def token_providers(self) -> Mapping[str, TokenProvider]:
        return {}

    def classify(self, response: HttpResponse) -> Classification:
        return classify_status(response)

    def _done(self, keys: Sequence[OfferKey]) -> Flow[list[ItemResult]]:
        return [ItemResult(key, "ok") for key in keys]
        yield  # pragma: no cover - makes this a generator

    def upsert(
        self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        return self._done([offer.key for offer in offers])

    def update_price_quantity(
        self, updates: Sequence[PriceQuantityUpdate]
    ) -> Flow[list[ItemResult]]:
        return self._done([update.key for update in updates])

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        return self._done(keys)

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        return self._done(keys)


class OldAdapter(StubAdapter):
    api_version: ClassVar[int] = 0


class NoStatus:
    name = "stub"
    api_version = API_VERSION

    def upsert(self) -> None: ...


def failing_factory(**kwargs: object) -> StubAdapter:
    raise RuntimeError("no credentials file")


def missing_settings(**kwargs: object) -> StubAdapter:
    raise ConfigurationError("XBORDER_STUB_SHOP is not set")


def entry(name: str, target: str, dist: str | None = DIST) -> FakeEntryPoint:
    return FakeEntryPoint(GROUP, name, f"{__name__}:{target}", dist)


def test_the_stub_fits_the_protocol() -> None:
    assert isinstance(StubAdapter(), Adapter)


def test_get_builds_the_adapter_with_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, GROUP, entry("stub", "StubAdapter"))
    adapter = get("stub", settings=StubSettings(shop="eu"))
    assert isinstance(adapter, StubAdapter) and adapter.settings.shop == "eu"
    assert get("stub").settings.shop == "main"


def test_an_alias_loads_the_same_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch, GROUP, entry("stub", "StubAdapter"), entry("stub-alias", "StubAdapter")
    )
    assert available() == ["stub", "stub-alias"]
    assert get("stub-alias").name == "stub"


def test_available_lists_without_importing(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = FakeEntryPoint(GROUP, "broken", "xborder_missing_module_zz:Adapter", "other")
    use_entry_points(monkeypatch, GROUP, entry("stub", "StubAdapter"), broken)
    assert available() == ["broken", "stub"]
    assert get("stub").name == "stub"
    with pytest.raises(PluginError, match="failed to load: ModuleNotFoundError") as info:
        get("broken")
    assert info.value.distribution == "other"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("OldAdapter", "written for adapter api_version 0; this xborder speaks 1"),
        ("NoStatus", "lacks update_price_quantity, withdraw, status, classify"),
        ("failing_factory", "raised RuntimeError when called: no credentials file"),
    ],
)
def test_broken_adapters_name_the_distribution(
    monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    use_entry_points(monkeypatch, GROUP, entry("stub", target))
    with pytest.raises(PluginError, match=message) as info:
        get("stub")
    assert (info.value.group, info.value.name, info.value.distribution) == (GROUP, "stub", DIST)
    assert DIST in str(info.value)


def test_an_adapter_under_another_name(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, GROUP, entry("shop", "StubAdapter"))
    with pytest.raises(PluginError, match="name 'stub' differs from the entry point name 'shop'"):
        get("shop")


def test_a_configuration_error_of_the_adapter_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, GROUP, entry("stub", "missing_settings"))
    with pytest.raises(ConfigurationError, match="XBORDER_STUB_SHOP is not set") as info:
        get("stub")
    assert not isinstance(info.value, PluginError)


def test_unknown_name_lists_the_available_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, GROUP, entry("stub", "StubAdapter"))
    with pytest.raises(ConfigurationError, match=r"unknown marketplace 'ebay'.*available: stub"):
        get("ebay")


def test_a_name_registered_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch, GROUP, entry("stub", "StubAdapter"), entry("stub", "StubAdapter", "other")
    )
    with pytest.raises(PluginError, match="more than once"):
        get("stub")
