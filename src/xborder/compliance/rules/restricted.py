"""Restricted and prohibited goods: whether the destination bans or limits this product.

Data: ``compliance/data/restricted.json``, built by ``scripts/build_rules.py`` from the facts
(``data/facts/restricted_goods.json``; research: ``shared/research/compliance.md`` §4), one
entry per kind of goods x destination (``"*"`` = every destination, ``"EU"`` = every member
state) with the facts' status: ``prohibited``; ``restricted`` (only with a licence, permit,
registration or within limits); ``carrier`` (a transport rule rather than law).

Keywords (English, plurals, word boundaries, phrases) in the listing's texts only *flag* it:
a keyword-only match is the warning ``restricted.keyword_review`` (unless ``strict=True``).
The HS code, the category or the declared dangerous goods *confirm* an entry:
``restricted.prohibited`` / ``restricted.restricted`` (errors), ``restricted.carrier_only``
(warning). Scans are cached per text and findings per input, so a check with warm caches
costs a few microseconds. See docs/compliance-restricted.md.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any, Final

from xborder.compliance._context import Context
from xborder.compliance._data import load, parse_date, sources_of
from xborder.findings import Finding, Severity
from xborder.listing import CATEGORIES, Listing

__all__ = ["RULE", "Entry", "RestrictedRule", "entries_for", "phrase_forms", "word_forms"]

#: Attribute names whose values are colour names ("Ivory", "Coral", "Tobacco"), never goods.
COLOUR_ATTRIBUTES: Final = frozenset({"color", "colour", "colors", "colours", "color_name"})

_WORD: Final = re.compile(r"\w+")
_TAG: Final = re.compile(r"<[^>]*>")
_SPLIT: Final = re.compile(r"[\s\-]+")
_DASHES: Final = re.compile("[\u2010-\u2015\u2212]")
_ENTITY: Final = re.compile(r"&(?:#\w+|\w+);?")
_ALL_GOODS: Final = ("", "*")
_CONFIRMED: Final[Mapping[str, tuple[str, Severity]]] = {
    "prohibited": ("restricted.prohibited", "error"),
    "restricted": ("restricted.restricted", "error"),
    "carrier": ("restricted.carrier_only", "warning"),
}
_STATUS_WORDS: Final = {"prohibited": "prohibited", "restricted": "restricted"}


# -- words and phrases ------------------------------------------------------------------------


def word_forms(word: str) -> tuple[str, ...]:
    """Return ``word`` with its simple singular/plural forms (lower-case English).

    ``vape``/``vapes``, ``knife``/``knives``, ``seeds``/``seed``, ``battery``/``batteries``,
    ``glass``/``glasses``. Words shorter than 3 letters or holding digits are left alone
    (``18650``, ``cr2032``).
    """
    if len(word) < 3 or not word.isalpha():
        return (word,)
    forms = [word]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        if word.endswith("ies"):
            forms.append(word[:-3] + "y")
        elif word.endswith("ves"):
            forms += [word[:-3] + "f", word[:-3] + "fe"]
        else:
            if word.endswith(("ses", "xes", "zes", "ches", "shes")):
                forms.append(word[:-2])
            forms.append(word[:-1])
    elif word.endswith("y") and word[-2] not in "aeiou":
        forms.append(word[:-1] + "ies")
    elif word.endswith("fe"):
        forms.append(word[:-2] + "ves")
    elif word.endswith("f"):
        forms += [word[:-1] + "ves", word + "s"]
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        forms.append(word + "es")
    else:
        forms.append(word + "s")
    return tuple(dict.fromkeys(forms))


def phrase_forms(phrase: str) -> tuple[str, ...]:
    """Return the forms of a keyword phrase (its last word singular and plural).

    A phrase of several parts is also matched written as one word (``e-liquid`` and
    ``eliquid``; ``power bank`` and ``powerbank``); parts match across spaces or hyphens.
    """
    parts = re.split(r"([\s\-]+)", phrase.lower().strip())
    forms = []
    for last in word_forms(parts[-1]):
        form = "".join([*parts[:-1], last])
        forms.append(form)
        if len(parts) > 1:
            forms.append(_SPLIT.sub("", form))
    return tuple(dict.fromkeys(forms))


@cache
def _compile(form: str) -> re.Pattern[str]:
    body = r"[\s\-]+".join(re.escape(p) for p in _SPLIT.split(form) if p)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def normalise(text: str) -> str:
    """Return ``text`` as the matcher reads it: tags removed, entities decoded, lower-case."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    text = text.lower()
    return _DASHES.sub("-", text) if _DASHES.search(text) else text


class _Matcher:
    """Keyword and benign-phrase forms, indexed by the longest word a match must contain.

    A text lacking that word cannot match, so most texts run no regex at all; regexes are
    compiled on first use. ``scan`` is cached per text.
    """

    def __init__(self, groups: Sequence[tuple[Iterable[str], Iterable[str]]]) -> None:
        # groups[g] = (keywords, benign phrases) of the entries that share them.
        keywords: dict[str, list[tuple[int, str]]] = {}
        benign: dict[str, list[int]] = {}
        for group, (words, phrases) in enumerate(groups):
            for keyword in words:
                for form in phrase_forms(keyword):
                    keywords.setdefault(form, []).append((group, keyword))
            for phrase in phrases:
                for form in phrase_forms(phrase):
                    benign.setdefault(form, []).append(group)
        self.keywords: dict[str, list[tuple[str, list[tuple[int, str]]]]] = {}
        self.benign: dict[str, list[tuple[str, list[int]]]] = {}
        for form, targets in keywords.items():
            self.keywords.setdefault(_anchor(form), []).append((form, targets))
        for form, owners in benign.items():
            self.benign.setdefault(_anchor(form), []).append((form, owners))
        self.anchors = frozenset(self.keywords)
        self.scan = lru_cache(maxsize=8192)(self._scan)

    def _scan(self, text: str) -> tuple[tuple[int, str], ...]:
        """Return the (group, keyword) pairs found outside benign phrases, in text order."""
        norm = normalise(text)
        words = set(_WORD.findall(norm))
        found: list[tuple[int, int, int, str]] = []
        for word in words & self.anchors:
            for form, targets in self.keywords[word]:
                for m in _compile(form).finditer(norm):
                    found += [(m.start(), -m.end(), g, k) for g, k in targets]
        if not found:
            return ()
        spans: dict[int, list[tuple[int, int]]] = {}
        for word in words:
            for form, owners in self.benign.get(word, ()):
                for m in _compile(form).finditer(norm):
                    for g in owners:
                        spans.setdefault(g, []).append(m.span())
        found.sort()
        kept = (
            (g, k)
            for start, neg_end, g, k in found
            if not any(s <= start and -neg_end <= e for s, e in spans.get(g, ()))
        )
        return tuple(dict.fromkeys(kept))


def _anchor(form: str) -> str:
    return str(max(_WORD.findall(form), key=len))


# -- the data ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One kind of goods x one destination, as ``restricted.json`` gives it."""

    id: str
    rule: str
    category: str
    country: str
    status: str
    notes: str
    sources: tuple[str, ...]
    effective_from: date | None
    effective_to: date | None
    keywords: frozenset[str]
    hs_prefixes: tuple[str, ...]
    categories: frozenset[str]
    dangerous_goods: tuple[str, ...]
    all_goods: bool
    group: int  # entries of one rule share one group: the same keywords and benign phrases
    index: int  # position in the data

    def in_force(self, on: date) -> bool:
        """Return whether the entry applies on ``on`` (null ends are open)."""
        start, end = self.effective_from, self.effective_to
        return (start is None or start <= on) and (end is None or on <= end)


def _entry(raw: Mapping[str, Any], group: int, index: int) -> Entry:
    text = {k: str(raw[k]) for k in ("id", "rule", "category", "country", "status")}
    return Entry(
        **text,
        notes=str(raw.get("notes") or ""),
        sources=sources_of(raw),
        effective_from=parse_date(raw.get("effective_from")),
        effective_to=parse_date(raw.get("effective_to")),
        keywords=frozenset(raw["keywords"]),
        hs_prefixes=tuple(raw["hs_prefixes"]),
        categories=frozenset(raw["categories"]),
        dangerous_goods=tuple(raw["dangerous_goods"]),
        all_goods=bool(raw["all_goods"]),
        group=group,
        index=index,
    )


@cache
def _data() -> tuple[tuple[Entry, ...], _Matcher]:
    groups: dict[tuple[str, tuple[str, ...]], int] = {}
    members: list[tuple[set[str], tuple[str, ...]]] = []
    entries: list[Entry] = []
    for raw in load("restricted")["entries"]:
        key = (str(raw["rule"]), tuple(raw["exclude"]))
        if key not in groups:
            groups[key] = len(members)
            members.append((set(), key[1]))
        members[groups[key]][0].update(raw["keywords"])
        entries.append(_entry(raw, groups[key], len(entries)))
    return tuple(entries), _Matcher([(sorted(words), benign) for words, benign in members])


@dataclass(frozen=True, slots=True)
class _Destination:
    """The entries of one destination, with the union of what can confirm any of them."""

    entries: tuple[Entry, ...]
    groups: frozenset[int]
    hs_prefixes: tuple[str, ...]
    categories: frozenset[str]
    dangerous_goods: tuple[str, ...]
    all_goods: bool
    dated: bool


def entries_for(country: str, eu_member: bool) -> tuple[Entry, ...]:
    """Return the entries for a destination: its own, ``"*"``, and ``"EU"`` for a member."""
    return _destination(country, eu_member).entries


@lru_cache(maxsize=512)
def _destination(country: str, eu_member: bool) -> _Destination:
    wanted = {country, "*"} | ({"EU"} if eu_member else set())
    entries = tuple(e for e in _data()[0] if e.country in wanted)
    return _Destination(
        entries=entries,
        groups=frozenset(e.group for e in entries),
        hs_prefixes=tuple(sorted({p for e in entries for p in e.hs_prefixes})),
        categories=frozenset(c for e in entries for c in e.categories),
        dangerous_goods=tuple(sorted({d for e in entries for d in e.dangerous_goods})),
        all_goods=any(e.all_goods for e in entries),
        dated=any(e.effective_from or e.effective_to for e in entries),
    )


# -- reading a listing -------------------------------------------------------------------------


def _texts(listing: Listing, language: str) -> Iterator[tuple[str, str]]:
    """Yield (field, text) for every text the keywords are looked for in, in report order."""
    yield "title", listing.title
    if listing.description:
        yield "description", listing.description
    if listing.customs_description:
        yield "customs_description", listing.customs_description
    for name, values in listing.attributes.items():
        if name.lower() not in COLOUR_ATTRIBUTES:
            for value in values:
                yield f"attributes.{name}", value
    if listing.category is not None:
        yield "category", CATEGORIES[listing.category]
    if not listing.translations:
        return
    # The facts' keywords are English: also read the seller's English text of a listing
    # written in another language, and the text that will be published in the destination.
    for lang in dict.fromkeys(("en", language)):
        translation = listing.translations.get(lang) if lang != listing.language else None
        if translation is None:
            continue
        if translation.title:
            yield f"translations.{lang}.title", translation.title
        if translation.description:
            yield f"translations.{lang}.description", translation.description
        for name, values in translation.attributes.items():
            if name.lower() not in COLOUR_ATTRIBUTES:
                for value in values:
                    yield f"translations.{lang}.attributes.{name}", value


def _may_confirm(dest: _Destination, listing: Listing) -> bool:
    """Return whether any entry of ``dest`` could be confirmed by the listing's data."""
    if dest.all_goods or listing.category in dest.categories:
        return True
    hs = listing.hs_code
    if hs is not None and hs.startswith(dest.hs_prefixes):
        return True
    goods = listing.dangerous_goods
    return any(getattr(goods, name) not in (False, "none") for name in dest.dangerous_goods)


def _confirmation(entry: Entry, listing: Listing) -> tuple[str, str] | None:
    """Return (field, what matched) when the listing's data confirms the entry, else None.

    ``("hs_code", "8211")``, ``("category", "tools.knives")``,
    ``("dangerous_goods.battery", "contained")``, or ``("", "*")`` for an all-goods entry.
    """
    if entry.all_goods:
        return _ALL_GOODS
    hs = listing.hs_code
    if hs is not None and hs.startswith(entry.hs_prefixes):
        return "hs_code", next(p for p in entry.hs_prefixes if hs.startswith(p))
    category = listing.category
    if category is not None and category in entry.categories:
        return "category", category
    goods = listing.dangerous_goods
    for name in entry.dangerous_goods:
        value = getattr(goods, name)
        if value not in (False, "none"):
            return f"dangerous_goods.{name}", str(value).lower()
    return None


# -- messages ----------------------------------------------------------------------------------


def _reason(confirmed: tuple[str, str], hs_code: str | None) -> str:
    field, matched = confirmed
    if field == "hs_code":
        shown = {2: f"chapter {matched}", 4: matched}.get(len(matched))
        return f"HS code {hs_code} falls under {shown or matched[:4] + '.' + matched[4:]}"
    if field == "category":
        return f"category {matched}"
    if field:
        return f"{field} is {matched if matched == 'true' else repr(matched)}"
    return "it applies to all goods"


@lru_cache(maxsize=512)
def _the(name: str) -> str:
    # "the United Kingdom", "the Netherlands": country names that take the article in prose.
    plural = name.endswith("s") and name not in ("Mauritius", "Barbados", "Cyprus", "Belarus")
    return f"the {name}" if name.startswith(("United ", "Czech ")) or plural else name


def _where(entry: Entry, market: str) -> str:
    if entry.country == "*":
        return f"every destination, {market} included"
    if entry.country == "EU":
        return f"the EU ({market} is a member)"
    return market


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def _notes(entry: Entry) -> str:
    notes = entry.notes.strip()
    return notes if notes.endswith(".") else f"{notes}."


def _tail(entry: Entry) -> str:
    parts = [""]
    if entry.effective_from is not None:
        parts.append(f"In force since {entry.effective_from.isoformat()}.")
    if len(entry.sources) > 1:
        parts.append(f"Sources: {'; '.join(entry.sources)}.")
    return " ".join(parts)


def _confirmed_message(entry: Entry, market: str, reason: str, words: Sequence[str]) -> str:
    what = f"{entry.category} ({reason}"
    what += f"; the listing says {_quoted(words)})" if words else ")"
    where = _where(entry, market)
    if entry.status == "prohibited":
        text = f"Prohibited in {where}: {what}. {_notes(entry)} Do not list it for {market}."
    elif entry.status == "restricted":
        text = (
            f"Restricted in {where}: {what}. Allowed only with a licence, permit, registration "
            f"or within limits: {_notes(entry)} Meet these conditions before listing it for "
            f"{market}."
        )
    else:
        text = (
            f"Carrier restriction for {where}: {what}. This is a transport (post/air) or "
            f"marketplace rule, not import law: {_notes(entry)} Ship it with a service that "
            "accepts it."
        )
    return text + _tail(entry)


def _review_message(entry: Entry, market: str, words: Sequence[str], field: str) -> str:
    return (
        f"Check this listing for {market}: {_quoted(words)} in {field} may mean it is "
        f"{entry.category}, which is {_STATUS_WORDS.get(entry.status, 'limited by carriers')} in "
        f"{_where(entry, market)}: {_notes(entry)} A word alone does not decide it: confirm "
        "what the product is, and if it is one, set its HS code or category so the rule can "
        "apply." + _tail(entry)
    )


@lru_cache(maxsize=4096)
def _finding(
    index: int,
    market: str,
    confirmed: tuple[str, str] | None,
    hs_code: str | None,
    words: tuple[str, ...],
    field: str | None,
    strict: bool,
) -> Finding:
    # Findings are immutable values: the same inputs give the same finding, built once.
    entry = _data()[0][index]
    severity: Severity
    if confirmed is None and not strict:
        code, severity = "restricted.keyword_review", "warning"
        message = _review_message(entry, market, words, field or "the listing")
    else:
        code, severity = _CONFIRMED[entry.status]
        if confirmed is None:  # strict mode: the words stand in for a confirmation
            confirmed = (field or "", f"strict mode: {_quoted(words)} in {field}")
            reason, words = confirmed[1], ()
        else:
            reason = _reason(confirmed, hs_code)
        message = _confirmed_message(entry, market, reason, words)
        field = confirmed[0] or None
    source = entry.sources[0] if entry.sources else None
    return Finding(code, severity, message, field, source, entry.effective_from)


# -- the rule ----------------------------------------------------------------------------------


class RestrictedRule:
    """The ``restricted`` rule: prohibited, restricted and carrier-limited goods per destination.

    ``strict=True`` treats a keyword-only match as confirmed (errors for prohibited and
    restricted goods) instead of a review warning. :data:`RULE` is the default, non-strict
    instance registered as the ``restricted`` entry point.
    """

    __slots__ = ("strict",)

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict

    @property
    def name(self) -> str:
        """The registry name and finding-code family: ``"restricted"``."""
        return "restricted"

    def __repr__(self) -> str:
        return f"RestrictedRule(strict={self.strict})"

    def check(self, context: Context) -> list[Finding]:
        """Return one finding per entry of the destination that the listing matches."""
        market = context.market
        dest = _destination(market.country, market.eu_member)
        listing = context.listing
        scan = _data()[1].scan
        hits: dict[tuple[int, str], str] = {}
        groups = dest.groups
        for field, text in _texts(listing, context.language):
            for hit in scan(text):
                if hit[0] in groups:
                    hits.setdefault(hit, field)
        if not hits and not _may_confirm(dest, listing):
            return []
        findings = []
        name = _the(market.name)
        hit_groups = {g for g, _ in hits}
        for entry in dest.entries:
            if dest.dated and not entry.in_force(context.on):
                continue
            words: tuple[str, ...] = ()
            if entry.group in hit_groups:
                words = tuple(k for (g, k) in hits if g == entry.group and k in entry.keywords)
            confirmed = _confirmation(entry, listing)
            if confirmed is None and not words:
                continue
            where = hits[(entry.group, words[0])] if words else None
            findings.append(
                _finding(entry.index, name, confirmed, listing.hs_code, words, where, self.strict)
            )
        return findings


#: The default (non-strict) rule, registered as ``xborder.compliance.rules.restricted:RULE``.
RULE: Final = RestrictedRule()
