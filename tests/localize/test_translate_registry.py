"""Translators by name through the xborder.translators entry-point group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import SecretStr

from _entry_points import FakeEntryPoint, use_entry_points
from xborder.errors import ConfigurationError, PluginError
from xborder.http import Flow
from xborder.localize.translate import (
    DeepLTranslator,
    GlossaryTranslator,
    LibreTranslateTranslator,
    available,
    get,
)

from .test_translate_helpers import FAKE_KEY, FakeTranslator, leaks

GROUP = "xborder.translators"


def test_builtins_are_registered() -> None:
    assert {"deepl", "glossary", "libretranslate"} <= set(available())


def test_get_builtins() -> None:
    assert isinstance(get("glossary"), GlossaryTranslator)
    deepl = get("deepl", api_key=SecretStr(FAKE_KEY), formality="prefer_more")
    assert isinstance(deepl, DeepLTranslator) and deepl.formality == "prefer_more"
    libre = get("libretranslate", url="http://localhost:5000", max_batch=5)
    assert isinstance(libre, LibreTranslateTranslator) and libre.max_batch == 5


def test_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(
        ConfigurationError, match=r"unknown translator 'google'.*available: deepl, glossary"
    ):
        get("google")


def test_a_missing_key_is_a_plugin_error_without_the_key() -> None:
    with pytest.raises(PluginError, match="TypeError") as info:
        get("deepl")
    assert (info.value.group, info.value.name) == (GROUP, "deepl")


def test_a_configuration_error_from_the_translator_is_kept() -> None:
    with pytest.raises(ConfigurationError, match="api_key is empty") as info:
        get("deepl", api_key="")
    assert not isinstance(info.value, PluginError)


def test_bad_settings_never_echo_the_key() -> None:
    with pytest.raises(ConfigurationError) as info:
        get("deepl", api_key=FAKE_KEY, server_url="not a url")
    assert not leaks(FAKE_KEY, info.value)


# -- fake plugins ----------------------------------------------------------------------------------


def ok_factory(**kwargs: Any) -> FakeTranslator:
    return FakeTranslator({"Mug": "Tasse"}, name="mt", **kwargs)


def misnamed() -> FakeTranslator:
    return FakeTranslator({}, name="something-else")


def zero_batch() -> FakeTranslator:
    return FakeTranslator({}, name="broken", max_batch=0)


def failing_factory() -> FakeTranslator:
    raise RuntimeError("no licence")


NOT_CALLABLE = 42


def not_a_translator() -> object:
    return object()


class NoFlow:
    name = "broken"
    max_batch = 10


class NumberName:
    name = 7
    max_batch = 10

    def flow(self, texts: Sequence[str], *, source: str, target: str) -> Flow[list[str | None]]:
        raise NotImplementedError


def test_a_plugin_is_listed_without_loading_and_built_with_kwargs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_entry_points(
        monkeypatch,
        GROUP,
        FakeEntryPoint(GROUP, "mt", f"{__name__}:ok_factory", "xborder-mt-plugin"),
        FakeEntryPoint(
            GROUP, "never-loaded", "xborder_missing_module_zz:factory", "xborder-mt-plugin"
        ),
    )
    assert available() == ["mt", "never-loaded"]
    translator = get("mt", max_batch=7)
    assert translator.name == "mt" and translator.max_batch == 7


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("xborder_missing_module_zz:factory", "failed to load: ModuleNotFoundError"),
        (f"{__name__}:does_not_exist", "failed to load: AttributeError"),
        (f"{__name__}:NOT_CALLABLE", "not callable"),
        (f"{__name__}:failing_factory", "raised RuntimeError when called: no licence"),
        (f"{__name__}:not_a_translator", "not a Translator"),
        (f"{__name__}:NoFlow", "not a Translator"),
        (f"{__name__}:NumberName", "'name' must be a str"),
        (f"{__name__}:zero_batch", "max_batch must be an int >= 1, got 0"),
        (f"{__name__}:misnamed", "name 'something-else' differs from the entry point name"),
    ],
)
def test_broken_plugins(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    use_entry_points(
        monkeypatch, GROUP, FakeEntryPoint(GROUP, "broken", value, "xborder-mt-plugin")
    )
    with pytest.raises(PluginError, match=message) as info:
        get("broken")
    error = info.value
    assert (error.group, error.name, error.distribution) == (GROUP, "broken", "xborder-mt-plugin")
    assert "xborder-mt-plugin" in str(error)


def test_a_name_registered_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch,
        GROUP,
        FakeEntryPoint(GROUP, "mt", f"{__name__}:ok_factory", "xborder-mt-plugin"),
        FakeEntryPoint(GROUP, "mt", f"{__name__}:ok_factory"),
    )
    with pytest.raises(PluginError, match="more than once") as info:
        get("mt")
    assert info.value.name == "mt" and "xborder-mt-plugin" in str(info.value)


def test_a_plugin_without_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(
        monkeypatch, GROUP, FakeEntryPoint(GROUP, "broken", f"{__name__}:NOT_CALLABLE")
    )
    with pytest.raises(PluginError, match="not callable") as info:
        get("broken")
    assert info.value.distribution is None


def test_no_plugins_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, GROUP)
    assert available() == []
    with pytest.raises(ConfigurationError, match="available: none installed"):
        get("deepl")
