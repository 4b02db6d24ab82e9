"""Rate sources by name through the xborder.rates entry-point group."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from _entry_points import FakeEntryPoint, use_entry_points
from xborder.errors import ConfigurationError, PluginError
from xborder.rates import ECB, BundledRates, available, get

from ._helpers import StubSource


def test_builtins_are_registered() -> None:
    assert {"ecb", "ecb-bundled"} <= set(available())


def test_get_builtins() -> None:
    source = get("ecb-bundled")
    assert isinstance(source, BundledRates)
    assert source.rate("EUR", "USD", on=date(2026, 10, 30)).as_of == date(2026, 10, 30)
    live = get("ecb", max_age=timedelta(days=3))
    assert isinstance(live, ECB)
    assert live.max_age == timedelta(days=3)


def test_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"'nope'.*available: .*ecb, ecb-bundled"):
        get("nope")


# -- fake plugins ------------------------------------------------------------------------


def ok_factory(**kwargs: Any) -> StubSource:
    return StubSource("plugin-fx", **kwargs)


def failing_factory() -> StubSource:
    raise RuntimeError("no API key")


NOT_CALLABLE = 42


def not_a_source() -> object:
    return object()


class BadName:
    name = 3

    def rate(self, base: str, quote: str, *, on: date | None = None) -> None:
        return None


def test_a_plugin_is_loaded_lazily_and_built_with_kwargs(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch,
        "xborder.rates",
        FakeEntryPoint("xborder.rates", "fx", f"{__name__}:ok_factory", "xborder-fx-plugin"),
    )
    assert available() == ["fx"]
    source = get("fx", values={("EUR", "USD"): "1.2"})
    assert source.name == "plugin-fx"
    assert source.rate("EUR", "USD", on=date(2026, 10, 30)).value == Decimal("1.2")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("xborder_missing_module_zz:factory", "failed to load: ModuleNotFoundError"),
        (f"{__name__}:does_not_exist", "failed to load: AttributeError"),
        (f"{__name__}:NOT_CALLABLE", "not callable"),
        (f"{__name__}:failing_factory", "raised RuntimeError when called: no API key"),
        (f"{__name__}:not_a_source", "not a RateSource"),
        (f"{__name__}:BadName", "not a RateSource"),
    ],
)
def test_broken_plugins(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    use_entry_points(
        monkeypatch,
        "xborder.rates",
        FakeEntryPoint("xborder.rates", "broken", value, "xborder-fx-plugin"),
    )
    with pytest.raises(PluginError, match=message) as info:
        get("broken")
    error = info.value
    assert (error.group, error.name, error.distribution) == (
        "xborder.rates",
        "broken",
        "xborder-fx-plugin",
    )
    assert "xborder-fx-plugin" in str(error)


def test_bad_kwargs_for_a_builtin_are_a_plugin_error() -> None:
    with pytest.raises(PluginError, match="TypeError"):
        get("ecb-bundled", colour="blue")


def test_a_name_registered_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch,
        "xborder.rates",
        FakeEntryPoint("xborder.rates", "fx", f"{__name__}:ok_factory", "xborder-fx-plugin"),
        FakeEntryPoint("xborder.rates", "fx", f"{__name__}:ok_factory"),
    )
    with pytest.raises(PluginError, match="more than once") as info:
        get("fx")
    assert info.value.name == "fx"


def test_a_plugin_without_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch,
        "xborder.rates",
        FakeEntryPoint("xborder.rates", "broken", f"{__name__}:NOT_CALLABLE"),
    )
    with pytest.raises(PluginError, match="not callable") as info:
        get("broken")
    assert info.value.distribution is None
