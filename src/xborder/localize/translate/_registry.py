"""Translators by name, through the ``xborder.translators`` entry-point group.

The built-ins register the same way as plugins (pyproject.toml)::

    [project.entry-points."xborder.translators"]
    glossary = "xborder.localize.translate:GlossaryTranslator"
    deepl = "xborder.localize.translate:DeepLTranslator"
    libretranslate = "xborder.localize.translate:LibreTranslateTranslator"

An entry point names a callable (a class or a factory function) that returns a
:class:`~xborder.localize.translate.Translator` when called with the keyword arguments given
to :func:`get`. It is loaded only when asked for by name, and checked when loaded: it must
fit the protocol, have an int ``max_batch`` >= 1, and be named as its entry point (the name
is part of every cache key and of the provenance of every translation).
"""

from __future__ import annotations

from typing import Any, Final, cast

from xborder import _plugins
from xborder.localize.translate._core import Translator

__all__ = ["GROUP", "available", "get"]

GROUP: Final = "xborder.translators"


def _check(translator: object, name: str) -> str | None:
    if not isinstance(translator, Translator) or not callable(getattr(translator, "flow", None)):
        return ""
    if not isinstance(translator.name, str):
        return "its 'name' must be a str"
    batch = translator.max_batch
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        return f"its max_batch must be an int >= 1, got {batch!r}"
    if translator.name != name:
        return f"its name {translator.name!r} differs from the entry point name {name!r}"
    return None


_FAMILY: Final = _plugins.Family(
    group=GROUP,
    kind="translator",
    protocol="Translator",
    requirement="needs a str 'name', an int 'max_batch' and flow(texts, *, source, target)",
    check=_check,
)


def available() -> list[str]:
    """Return the names of every installed translator, sorted.

    With xborder alone: ``['deepl', 'glossary', 'libretranslate']``. Nothing is imported.
    """
    return _plugins.available(GROUP)


def get(name: str, **kwargs: Any) -> Translator:
    """Load the translator registered as ``name`` and build it with ``kwargs``.

    ::

        glossary = get("glossary")
        deepl = get("deepl", api_key=SecretStr(os.environ["DEEPL_AUTH_KEY"]))
        libre = get("libretranslate", url="http://localhost:5000")

    Raises :class:`~xborder.errors.ConfigurationError` listing the available names for an
    unknown name, and :class:`~xborder.errors.PluginError` (naming the group, the name and
    the distribution) for an entry point that fails to load, is not callable, fails when
    called, or returns something that is not a Translator named ``name``.
    """
    return cast(Translator, _plugins.load(_FAMILY, name, kwargs))
