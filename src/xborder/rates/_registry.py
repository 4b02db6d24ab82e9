"""Rate sources by name, through the ``xborder.rates`` entry-point group.

The built-ins register the same way as plugins (pyproject.toml)::

    [project.entry-points."xborder.rates"]
    ecb-bundled = "xborder.rates:bundled"
    ecb = "xborder.rates:ECB"

An entry point names a callable (a class or a factory function) that returns a
:class:`~xborder.rates.RateSource` when called with the keyword arguments given to
:func:`get`. Entry points are loaded lazily, one at a time, when asked for by name
(:mod:`xborder._plugins` does the discovery, loading and error reporting).
"""

from __future__ import annotations

from typing import Any, Final, cast

from xborder import _plugins
from xborder.rates._model import RateSource

__all__ = ["GROUP", "available", "get"]

GROUP: Final = "xborder.rates"


def _check(source: object, name: str) -> str | None:
    if isinstance(source, RateSource) and isinstance(getattr(source, "name", None), str):
        return None
    return ""


_FAMILY: Final = _plugins.Family(
    group=GROUP,
    kind="rate source",
    protocol="RateSource",
    requirement="needs a str 'name' and a rate(base, quote, *, on=None) method",
    check=_check,
)


def available() -> list[str]:
    """Return the names of every installed rate source, sorted (e.g. ``['ecb', 'ecb-bundled']``)."""
    return _plugins.available(GROUP)


def get(name: str, **kwargs: Any) -> RateSource:
    """Load the rate source registered as ``name`` and build it with ``kwargs``.

    ::

        rates = get("ecb-bundled")
        live = get("ecb", max_age=timedelta(days=3))

    Raises :class:`~xborder.errors.ConfigurationError` listing the available names for an
    unknown name, and :class:`~xborder.errors.PluginError` (naming the group, the name and
    the distribution) for an entry point that fails to load, is not callable, fails when
    called, or returns something that is not a RateSource.
    """
    return cast(RateSource, _plugins.load(_FAMILY, name, kwargs))
