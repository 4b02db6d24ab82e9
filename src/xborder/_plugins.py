"""Entry-point plugins: discovery by group, lazy loading by name, validation on load.

Every plugin family of xborder (DESIGN decision 5: ``xborder.rates``, ``xborder.translators``,
later ``xborder.marketplaces`` and ``xborder.rules``) is an entry-point group whose entries name
a callable (a class or a factory function). The family's ``get(name, **kwargs)`` calls
:func:`load`, which

* lists the group at call time (not cached), so installing a plugin, or a test that
  monkeypatches :func:`importlib.metadata.entry_points`, takes effect at once;
* refuses a name registered by two distributions, naming both;
* imports only the entry point asked for (names are listed without importing anything);
* calls it with the keyword arguments given, and checks that the result fits the family's
  protocol.

A problem with an unknown name is a :class:`~xborder.errors.ConfigurationError` listing the
available names; a problem with the plugin itself is a :class:`~xborder.errors.PluginError`
naming the group, the name and the distribution that provided it.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from xborder.errors import ConfigurationError, PluginError, XborderError

__all__ = ["Family", "available", "entry_points", "load", "load_entry_point"]


@dataclass(frozen=True, slots=True)
class Family:
    """What a plugin group holds, for loading and for error messages.

    ``kind`` names one plugin in prose ("rate source"); ``protocol`` is the protocol's name and
    ``requirement`` says briefly what it needs. ``check(plugin, entry_point_name)`` returns
    ``None`` when the built plugin fits, otherwise the reason it does not (``""`` to give
    ``requirement`` as the reason).
    """

    group: str
    kind: str
    protocol: str
    requirement: str
    check: Callable[[object, str], str | None]


def entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
    """Return the entry points installed in ``group``, looked up now (never cached)."""
    return list(importlib.metadata.entry_points(group=group))


def available(group: str) -> list[str]:
    """Return the names registered in ``group``, sorted and without duplicates."""
    return sorted({ep.name for ep in entry_points(group)})


def _distribution(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return None if dist is None else str(dist.name)


def load_entry_point(
    group: str, name: str, matches: list[importlib.metadata.EntryPoint]
) -> tuple[object, Callable[[str], PluginError]]:
    """Import the one entry point registered as ``name``; return it and an error factory.

    The factory builds a :class:`~xborder.errors.PluginError` whose message starts with
    where the plugin comes from (group, name, target, distribution), for the caller's own
    validation. Raises PluginError when ``name`` is registered more than once or the import
    fails.
    """
    if len(matches) > 1:
        dists = ", ".join(sorted(str(_distribution(ep)) for ep in matches))
        raise PluginError(
            f"{group}: {name!r} is registered more than once (by {dists}); uninstall one",
            group=group,
            name=name,
            distribution=dists,
        )
    ep = matches[0]
    dist = _distribution(ep)
    origin = f"{group} entry point {name!r} ({ep.value}" + (f", from {dist})" if dist else ")")

    def error(message: str) -> PluginError:
        return PluginError(f"{origin} {message}", group=group, name=name, distribution=dist)

    try:
        loaded = ep.load()
    except Exception as exc:
        raise error(f"failed to load: {type(exc).__name__}: {exc}") from exc
    return loaded, error


def load(family: Family, name: str, kwargs: Mapping[str, Any]) -> object:
    """Load the entry point ``name`` of ``family.group``, call it with ``kwargs``, check it.

    Raises :class:`~xborder.errors.ConfigurationError` listing the available names for an
    unknown name, and :class:`~xborder.errors.PluginError` (naming the group, the name and the
    distribution) for a name registered twice, or an entry point that fails to load, is not
    callable, fails when called, or returns something that does not fit the protocol. An
    :class:`~xborder.errors.XborderError` raised by the plugin itself (such as a
    ConfigurationError for a missing setting) propagates unchanged.
    """
    group = family.group
    matches = [ep for ep in entry_points(group) if ep.name == name]
    if not matches:
        names = ", ".join(available(group)) or "none installed"
        raise ConfigurationError(
            f"unknown {family.kind} {name!r} (group {group!r}); available: {names}"
        )
    factory, error = load_entry_point(group, name, matches)
    if not callable(factory):
        raise error(f"is not callable (got {type(factory).__name__})")
    try:
        plugin = factory(**kwargs)
    except XborderError:
        raise
    except Exception as exc:
        raise error(f"raised {type(exc).__name__} when called: {exc}") from exc
    problem = family.check(plugin, name)
    if problem is not None:
        raise error(
            f"returned {type(plugin).__name__}, which is not a {family.protocol} "
            f"({problem or family.requirement})"
        )
    return plugin
