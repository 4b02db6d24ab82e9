"""Where rules come from: the ``xborder.rules`` entry-point group, and users' rule files.

The built-in rules register through the same group as third-party ones (pyproject.toml)::

    [project.entry-points."xborder.rules"]
    customs = "xborder.compliance.rules.customs:RULE"

An entry point names a module-level rule object (not a factory): anything with a ``name``
equal to the entry-point name and a ``check(context)`` method (:class:`Rule`). The group is
listed and loaded once, lazily, on the first :func:`registered_rules` call; a broken entry
point raises :class:`~xborder.errors.PluginError` naming the group, the name and the
distribution, because silently skipping a compliance rule would let listings pass unchecked.

:func:`load_rule_file` turns a JSON or TOML file of declarative rules (keyword, category or
HS-prefix triggers) into a rule, so that sellers can add their own restrictions without code.
The format is in docs/compliance.md.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import threading
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, cast

from xborder import _plugins
from xborder.compliance._context import Context, Rule
from xborder.errors import ConfigurationError
from xborder.findings import Finding, Severity

__all__ = [
    "GROUP",
    "FileRule",
    "available_rules",
    "load_rule_file",
    "registered_rules",
    "validate_rules",
]

GROUP: Final = "xborder.rules"

_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_LOCK: Final = threading.Lock()
_loaded: tuple[Rule, ...] | None = None


def available_rules() -> list[str]:
    """Return the names registered in the ``xborder.rules`` group, sorted, without loading."""
    return _plugins.available(GROUP)


def registered_rules(*, reload: bool = False) -> tuple[Rule, ...]:
    """Return every rule registered in the ``xborder.rules`` group, loaded once, by name.

    The built-ins are included (they register through the same group). ``reload=True``
    lists and loads the group again (after installing a plugin at runtime, or in tests).

    Raises :class:`~xborder.errors.PluginError` (naming the group, the entry point and the
    distribution) for an entry point that fails to import, is registered twice, or is not
    a rule whose ``name`` equals the entry-point name.
    """
    global _loaded
    loaded = _loaded
    if loaded is not None and not reload:
        return loaded
    with _LOCK:
        if _loaded is None or reload:
            by_name: dict[str, list[importlib.metadata.EntryPoint]] = {}
            for ep in _plugins.entry_points(GROUP):
                by_name.setdefault(ep.name, []).append(ep)
            _loaded = tuple(_load(name, by_name[name]) for name in sorted(by_name))
        return _loaded


def _load(name: str, matches: list[importlib.metadata.EntryPoint]) -> Rule:
    rule, error = _plugins.load_entry_point(GROUP, name, matches)
    problem = _problem(rule)
    declared = getattr(rule, "name", None)
    if problem is None and declared != name:
        problem = f"its name is {declared!r}; it must equal the entry-point name {name!r}"
    if problem is not None:
        raise error(f"is not a compliance rule: {problem}")
    return cast(Rule, rule)


def _problem(rule: object) -> str | None:
    """Return why ``rule`` does not fit the Rule protocol, or None when it does."""
    if isinstance(rule, type):
        return f"{rule.__name__} is a class; name the rule object itself (e.g. module:RULE)"
    name = getattr(rule, "name", None)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return f"needs a 'name' in lower case ([a-z][a-z0-9_]*), got {name!r}"
    if not callable(getattr(rule, "check", None)):
        return "needs a check(context) method returning findings"
    return None


def validate_rules(rules: Iterable[object]) -> tuple[Rule, ...]:
    """Check an explicit sequence of rules; return it as a tuple.

    Raises :class:`~xborder.errors.ConfigurationError` for an item that is not a rule (no
    lower-case ``name`` or no ``check`` method) or a name given twice.
    """
    out: list[Rule] = []
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        problem = _problem(rule)
        if problem is not None:
            raise ConfigurationError(f"rules[{i}] ({type(rule).__name__}): {problem}")
        rule = cast(Rule, rule)
        if rule.name in seen:
            raise ConfigurationError(f"rules[{i}]: two rules are named {rule.name!r}")
        seen.add(rule.name)
        out.append(rule)
    return tuple(out)


# -- rule files ----------------------------------------------------------------------------

_ENTRY_KEYS: Final = frozenset(
    {
        "code",
        "severity",
        "message",
        "source",
        "effective_from",
        "effective_to",
        "markets",
        "channels",
        "keywords",
        "categories",
        "hs_prefixes",
    }
)
_FILE_KEYS: Final = frozenset({"name", "rules"})
_SEVERITIES: Final = ("error", "warning", "info")
_URL: Final = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    severity: Severity
    message: str
    source: str
    effective_from: date | None
    effective_to: date | None
    markets: frozenset[str] | None
    channels: frozenset[str] | None
    keywords: re.Pattern[str] | None
    categories: tuple[str, ...]
    hs_prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FileRule:
    """A rule read from a user's rule file by :func:`load_rule_file`.

    ``name`` is the family of every code in the file; ``path`` where it was read from.
    """

    name: str
    path: str
    entries: tuple[_Entry, ...]

    def check(self, context: Context) -> list[Finding]:
        """Return a finding for each entry in force whose trigger matches the listing."""
        listing, market = context.listing, context.market
        country = market.country
        channel = context.channel.name if context.channel is not None else None
        findings = []
        for entry in self.entries:
            if entry.effective_from is not None and context.on < entry.effective_from:
                continue
            if entry.effective_to is not None and context.on > entry.effective_to:
                continue
            if entry.markets is not None and not (
                country in entry.markets
                or "*" in entry.markets
                or (market.eu_member and "EU" in entry.markets)
            ):
                continue
            if entry.channels is not None and channel not in entry.channels:
                continue
            field = _trigger(entry, listing)
            if field is not None:
                findings.append(
                    Finding(
                        entry.code,
                        entry.severity,
                        entry.message,
                        field=field,
                        source=entry.source,
                        effective_from=entry.effective_from,
                    )
                )
        return findings


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _texts(listing: object) -> Iterator[tuple[str, str]]:
    """Yield ``(field, text)`` for every piece of seller text in ``listing`` (junk skipped)."""
    for field in ("title", "description", "customs_description"):
        yield field, _str(getattr(listing, field, None))
    attributes = getattr(listing, "attributes", None)
    if isinstance(attributes, Mapping):
        for key, values in attributes.items():
            items = (values,) if isinstance(values, str) else values
            if isinstance(items, tuple | list):
                for value in items:
                    yield f"attributes.{key}", _str(value)
    translations = getattr(listing, "translations", None)
    if isinstance(translations, Mapping):
        for language, translation in translations.items():
            for field in ("title", "description"):
                yield f"translations.{language}.{field}", _str(getattr(translation, field, None))


def _trigger(entry: _Entry, listing: object) -> str | None:
    """Return the listing field that matched one of ``entry``'s triggers, or None."""
    category = getattr(listing, "category", None)
    if isinstance(category, str) and any(
        category == c or category.startswith(c + ".") for c in entry.categories
    ):
        return "category"
    hs_code = getattr(listing, "hs_code", None)
    if isinstance(hs_code, str) and hs_code.startswith(entry.hs_prefixes or ("\0",)):
        return "hs_code"
    if entry.keywords is not None:
        for field, text in _texts(listing):
            if text and entry.keywords.search(text):
                return field
    return None


def load_rule_file(path: str | Path) -> FileRule:
    """Read a JSON or TOML file of declarative rules and return it as a rule.

    Each entry of ``rules`` gives a finding ``code`` (``"<family>.<reason>"``; every code in
    a file has the same family, which is the rule's name), a ``severity``, a plain-words
    ``message``, a ``source`` URL, optional ``effective_from``/``effective_to`` dates,
    optional ``markets`` (country codes, ``"EU"`` for every member state) and ``channels``,
    and at least one trigger: ``keywords`` (whole words, any case, in the title,
    description, customs description, attribute values and translations), ``categories``
    (a category or its sub-categories) or ``hs_prefixes``. See docs/compliance.md::

        rule = load_rule_file("our_rules.toml")
        report = check(listing, "AU", rules=[*registered_rules(), rule])

    Raises :class:`~xborder.errors.ConfigurationError` naming the file and the entry for a
    file that cannot be read or parsed, an unknown key, or a value of the wrong kind.
    """
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text) if where.endswith(".toml") else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigurationError(f"{where}: cannot read the rule file: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{where}: expected a table/object with 'rules'")
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise ConfigurationError(f"{where}: unknown keys {sorted(unknown)}; use name and rules")
    raw = data.get("rules")
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"{where}: 'rules' must be a non-empty list of entries")
    entries = tuple(_entry(where, i, item) for i, item in enumerate(raw))
    families = {e.code.partition(".")[0] for e in entries}
    name = data.get("name", next(iter(families)) if len(families) == 1 else None)
    if not isinstance(name, str) or not _NAME.fullmatch(name) or families != {name}:
        raise ConfigurationError(
            f"{where}: every code must have the family given as 'name' (got name={name!r}, "
            f"families {sorted(families)})"
        )
    return FileRule(name, where, entries)


def _entry(where: str, i: int, item: object) -> _Entry:
    def fail(problem: str) -> ConfigurationError:
        return ConfigurationError(f"{where}: rules[{i}]: {problem}")

    if not isinstance(item, dict):
        raise fail("expected a table/object")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}; known: {', '.join(sorted(_ENTRY_KEYS))}")
    code, severity, message = item.get("code"), item.get("severity"), item.get("message")
    if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*", code):
        raise fail(f"code must be '<family>.<reason>' in lower case, got {code!r}")
    if severity not in _SEVERITIES:
        raise fail(f"severity must be error, warning or info, got {severity!r}")
    if not isinstance(message, str) or not message.strip():
        raise fail("message must be a non-empty text")
    source = item.get("source")
    if not isinstance(source, str) or not _URL.fullmatch(source):
        raise fail(f"source must be the URL of the rule's document, got {source!r}")
    start, end = _day(item.get("effective_from"), fail), _day(item.get("effective_to"), fail)
    if start is not None and end is not None and end < start:
        raise fail("effective_to is before effective_from")
    keywords = _strings(item, "keywords", fail)
    categories = _strings(item, "categories", fail)
    prefixes = _strings(item, "hs_prefixes", fail)
    if any(not (p.isascii() and p.isdigit() and 2 <= len(p) <= 10) for p in prefixes or ()):
        raise fail("hs_prefixes must be 2 to 10 digits each")
    if not (keywords or categories or prefixes):
        raise fail("give at least one trigger: keywords, categories or hs_prefixes")
    markets, channels = _strings(item, "markets", fail), _strings(item, "channels", fail)
    pattern = None
    if keywords:
        words = "|".join(r"\s+".join(map(re.escape, k.split())) for k in keywords)
        pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
    return _Entry(
        code=code,
        severity=cast(Severity, severity),
        message=message.strip(),
        source=source,
        effective_from=start,
        effective_to=end,
        markets=frozenset(markets) if markets is not None else None,
        channels=frozenset(c.lower() for c in channels) if channels is not None else None,
        keywords=pattern,
        categories=tuple(categories or ()),
        hs_prefixes=tuple(prefixes or ()),
    )


def _day(value: object, fail: Any) -> date | None:
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise fail(f"dates must be YYYY-MM-DD, got {value!r}")


def _strings(item: Mapping[str, Any], key: str, fail: Any) -> Sequence[str] | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(f"{key} must be a list of non-empty texts")
    return [v.strip() for v in value]
