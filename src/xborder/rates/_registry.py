"""Rate sources by name, through the ``xborder.rates`` entry-point group.

The built-ins register the same way as plugins (pyproject.toml)::

    [project.entry-points."xborder.rates"]
    ecb-bundled = "xborder.rates:bundled"
    ecb = "xborder.rates:ECB"

An entry point names a callable (a class or a factory function) that returns a
:class:`~xborder.rates.RateSource` when called with the keyword arguments given to
:func:`get`. Entry points are loaded lazily, one at a time, when asked for by name.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any, Final

from xborder.errors import ConfigurationError, PluginError, XborderError
from xborder.rates._model import RateSource

__all__ = ["GROUP", "available", "get"]

GROUP: Final = "xborder.rates"


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    # Looked up at call time (not cached) so that installing a plugin, or a test that
    # monkeypatches importlib.metadata.entry_points, takes effect immediately.
    return list(importlib.metadata.entry_points(group=GROUP))


def available() -> list[str]:
    """Return the names of every installed rate source, sorted (e.g. ``['ecb', 'ecb-bundled']``)."""
    return sorted({ep.name for ep in _entry_points()})


def _distribution(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return None if dist is None else str(dist.name)


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
    matches = [ep for ep in _entry_points() if ep.name == name]
    if not matches:
        names = ", ".join(available()) or "none installed"
        raise ConfigurationError(
            f"unknown rate source {name!r} (group {GROUP!r}); available: {names}"
        )
    if len(matches) > 1:
        dists = ", ".join(sorted(str(_distribution(ep)) for ep in matches))
        raise PluginError(
            f"{GROUP}: {name!r} is registered more than once (by {dists}); uninstall one",
            group=GROUP,
            name=name,
            distribution=dists,
        )
    ep = matches[0]
    dist = _distribution(ep)
    origin = f"{GROUP} entry point {name!r} ({ep.value}" + (f", from {dist})" if dist else ")")
    try:
        factory = ep.load()
    except Exception as exc:
        raise PluginError(
            f"{origin} failed to load: {type(exc).__name__}: {exc}",
            group=GROUP,
            name=name,
            distribution=dist,
        ) from exc
    if not callable(factory):
        raise PluginError(
            f"{origin} is not callable (got {type(factory).__name__})",
            group=GROUP,
            name=name,
            distribution=dist,
        )
    try:
        source = factory(**kwargs)
    except XborderError:
        raise
    except Exception as exc:
        raise PluginError(
            f"{origin} raised {type(exc).__name__} when called: {exc}",
            group=GROUP,
            name=name,
            distribution=dist,
        ) from exc
    if not isinstance(source, RateSource) or not isinstance(getattr(source, "name", None), str):
        raise PluginError(
            f"{origin} returned {type(source).__name__}, which is not a RateSource "
            f"(needs a str 'name' and a rate(base, quote, *, on=None) method)",
            group=GROUP,
            name=name,
            distribution=dist,
        )
    return source
