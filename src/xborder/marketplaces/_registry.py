"""Marketplace adapters by name, through the ``xborder.marketplaces`` entry-point group.

An entry point names an adapter class (or a factory) that :func:`get` calls with the
keyword arguments given (``settings=``; without it the adapter reads its settings from the
environment). The result is checked when loaded: it must fit the :class:`Adapter` protocol,
be written for this :data:`API_VERSION`, and be named as its entry point (or list the entry
point's name in its ``aliases``). Names are listed without importing anything, so a broken
plugin never stops :func:`available` from listing the others.
"""

from __future__ import annotations

from typing import Any, Final, cast

from xborder import _plugins
from xborder.marketplaces._protocol import API_VERSION, Adapter

__all__ = ["GROUP", "available", "get"]

GROUP: Final = "xborder.marketplaces"

_OPERATIONS: Final = ("upsert", "update_price_quantity", "withdraw", "status", "classify")


def _check(adapter: object, name: str) -> str | None:
    missing = [op for op in _OPERATIONS if not callable(getattr(adapter, op, None))]
    if missing:
        return f"it lacks {', '.join(missing)}"
    if not isinstance(adapter, Adapter):
        return ""
    version = getattr(adapter, "api_version", None)
    if version != API_VERSION:
        return (
            f"it was written for adapter api_version {version!r}; this xborder speaks {API_VERSION}"
        )
    own = getattr(adapter, "name", None)
    aliases = getattr(adapter, "aliases", ())
    if own != name and name not in aliases:
        return f"its name {own!r} differs from the entry point name {name!r}"
    return None


_FAMILY: Final = _plugins.Family(
    group=GROUP,
    kind="marketplace",
    protocol="marketplace Adapter",
    requirement=(
        "needs name, api_version, aliases, settings, capabilities, token_providers(), "
        "classify(), upsert(), update_price_quantity(), withdraw() and status()"
    ),
    check=_check,
)


def available() -> list[str]:
    """Return the names of every installed marketplace adapter (aliases included), sorted.

    Nothing is imported.
    """
    return _plugins.available(GROUP)


def get(name: str, **kwargs: Any) -> Adapter:
    """Load the adapter registered as ``name`` and build it with ``kwargs``.

    ::

        ebay = get("ebay")                                  # settings from the environment
        ebay = get("ebay", settings=EbaySettings(...))

    Raises :class:`~xborder.errors.ConfigurationError` listing the available names for an
    unknown name (and for missing settings), and :class:`~xborder.errors.PluginError`
    naming the group, the name and the distribution for an entry point that fails to load,
    fails when called, or returns something that is not an adapter of this API version
    named ``name``.
    """
    return cast(Adapter, _plugins.load(_FAMILY, name, kwargs))
