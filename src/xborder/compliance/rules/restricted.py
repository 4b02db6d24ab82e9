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
costs a few microseconds. On Meta's channel, the facts' ``marketplace_policy`` for Meta
gives ``restricted.marketplace_policy`` warnings on every destination. See
docs/compliance-restricted.md.

The rule never raises, whatever the listing holds (one built with ``model_construct`` skips
validation): a text that is not text is not read, and an HS code, category or dangerous-goods
value the rule cannot use is ignored and reported as ``restricted.field_invalid`` (error).
"""

from __future__ import annotations

import html
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, Final, TypeVar

from xborder.compliance._context import Context
from xborder.compliance._data import load, parse_date, sources_of
from xborder.findings import Finding, Severity
from xborder.listing import CATEGORIES, DangerousGoods, Listing, Translation
from xborder.localize.content import is_market_language, seller_translation_item

__all__ = ["RULE", "Entry", "RestrictedRule", "entries_for", "phrase_forms", "word_forms"]

_T = TypeVar("_T")

#: Attribute names whose values are colour names ("Ivory", "Coral", "Tobacco"), never goods.
COLOUR_ATTRIBUTES: Final = frozenset({"color", "colour", "colors", "colours", "color_name"})

_WORD: Final = re.compile(r"\w+")
#: A keyword or benign-phrase form: (form, its first literal part, the other parts, what
#: it stands for).
_Form = tuple[str, str, tuple[str, ...], _T]
#: An ASCII form with its words (see _Matcher.ascii_keyword_forms): (words, form, its
#: first literal part, what it stands for).
_WordForm = tuple[frozenset[bytes], str, str, _T]
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
_CATEGORY_KEYS: Final = frozenset(CATEGORIES)
_BATTERIES: Final = frozenset({"none", "contained", "packed_with", "standalone"})
_NO_GOODS: Final = DangerousGoods()
_NOT_READ: Final[Mapping[str, object]] = MappingProxyType({})
_DOCS: Final = "https://github.com/xborder/xborder/blob/main/docs/compliance-restricted.md"


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


def _only_lowered(text: str) -> bool:
    """Whether :func:`normalise` would only lower-case ``text`` (a plain ``str``).

    ASCII (no Unicode dash), no tag, no entity; a bare "&" as in "Cedar & Sage" decodes to
    itself.
    """
    return text.isascii() and "<" not in text and ("&" not in text or _ENTITY.search(text) is None)


def normalise(text: str) -> str:
    """Return ``text`` as the matcher reads it: tags removed, entities decoded, lower-case."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    text = text.lower()
    return _DASHES.sub("-", text) if _DASHES.search(text) else text


_Found = tuple[tuple[int, str], ...]


class _Scans(dict[str, _Found]):
    """Scan results by text; reading a missing text scans it (and keeps plain text's result).

    A plain dict read (``__getitem__``, in C) costs about half a call of an lru_cache, and
    every check reads several texts. A ``str`` subclass's own result is not kept (it could
    hash or compare in its own way); equal to a plain text that is kept, it reads that
    text's result, as its characters are the same. The dict starts again once it holds
    _MAX_SCANS texts.
    """

    __slots__ = ("_scan",)

    def __init__(self, scan: Callable[[str], _Found]) -> None:
        super().__init__()
        self._scan = scan

    def __missing__(self, text: str) -> _Found:
        found = self._scan(text)
        if type(text) is str:
            if len(self) >= _MAX_SCANS:
                self.clear()
            self[text] = found
        return found


_MAX_SCANS: Final = 8192


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
        # Each form with its literal parts (what _compile joins with [\s\-]+), the first
        # apart: a match holds every part as written, so a text lacking one needs no regex.
        self.keywords: dict[str, list[_Form[list[tuple[int, str]]]]] = {}
        self.benign: dict[str, list[_Form[list[int]]]] = {}
        for form, targets in keywords.items():
            self.keywords.setdefault(_anchor(form), []).append((form, *_parts(form), targets))
        for form, owners in benign.items():
            self.benign.setdefault(_anchor(form), []).append((form, *_parts(form), owners))
        self.anchors = frozenset(self.keywords)
        #: Whether every keyword's anchor is ASCII (see _located_text).
        self.ascii_only = all(anchor.isascii() for anchor in self.anchors)
        self.benign_anchors = frozenset(self.benign)
        # The same, keyed by the ASCII words as bytes, for texts that are ASCII once
        # normalised (see _ascii_words); a form whose anchor is not ASCII cannot match there.
        self.ascii_keywords = {a.encode(): f for a, f in self.keywords.items() if a.isascii()}
        self.ascii_anchors = frozenset(self.ascii_keywords)
        # Per ASCII anchor, its ASCII forms, each with its words: a form matches only where
        # every one of its words is a word of the text (its parts appear whole, bounded by
        # non-word characters), so a text holding an anchor but not the rest of a form
        # ("leather" without "python") needs no search for it. A non-ASCII form never
        # matches ASCII text.
        self.ascii_keyword_forms = {
            anchor: tuple(
                (frozenset(_ascii_words(form)), form, first, targets)
                for form, first, _, targets in group
                if form.isascii()
            )
            for anchor, group in self.ascii_keywords.items()
        }
        # The ASCII benign phrases the same way, indexed by a word that is no keyword's
        # anchor where they have one ("jug" of "cream jug"): a text naming a keyword
        # usually holds none of its phrases, and then none is even tried.
        benign_forms: dict[bytes, list[_WordForm[list[int]]]] = {}
        for forms in self.benign.values():
            for form, first, _, owners in forms:
                needed = frozenset(_ascii_words(form)) if form.isascii() else None
                if needed:
                    key = max(sorted(needed - self.ascii_anchors) or sorted(needed), key=len)
                    benign_forms.setdefault(key, []).append((needed, form, first, owners))
        self.ascii_benign_forms = {key: tuple(forms) for key, forms in benign_forms.items()}
        self.ascii_benign_keys = frozenset(self.ascii_benign_forms)
        #: _scan per text, remembered: a text repeats across variants, markets and checks.
        self.scan: _Scan = _Scans(self._scan).__getitem__

    def _scan(self, text: str) -> tuple[tuple[int, str], ...]:
        """Return the (group, keyword) pairs found outside benign phrases, in text order."""
        if type(text) is str and _only_lowered(text):
            # Its words are _ascii_words(text), inline: most texts end here.
            words = text.encode("ascii").translate(_ASCII_WORD_BYTES).split()
            if self.ascii_anchors.isdisjoint(words):
                return ()  # the usual case: no anchor, so no keyword can match
            return tuple(self._located_ascii(text.lower(), frozenset(words)))
        norm = normalise(text)
        if type(norm) is str and norm.isascii():
            words = _ascii_words(norm)
            if self.ascii_anchors.isdisjoint(words):
                return ()
            return tuple(self._located_ascii(norm, frozenset(words)))
        return tuple(self._located_text(norm))

    def _located_ascii(self, norm: str, present: frozenset[bytes]) -> dict[tuple[int, str], int]:
        """Return the hits in ASCII ``norm`` with where each first matches, in text order.

        ``present``: the words of ``norm`` (:func:`_ascii_words`). Only the forms whose words
        are all present are searched for.
        """
        found: list[tuple[int, int, int, str]] = []
        forms = self.ascii_keyword_forms
        for word in self.ascii_anchors.intersection(present):
            for needed, form, first, targets in forms[word]:
                if needed <= present:
                    for start, end in _spans(form, first, norm):
                        for g, k in targets:
                            found.append((start, -end, g, k))
        if not found:
            return {}
        spans: dict[int, list[tuple[int, int]]] = {}
        benign = self.ascii_benign_forms
        for word in self.ascii_benign_keys.intersection(present):
            for needed, form, first, owners in benign[word]:
                if needed <= present:
                    for span in _spans(form, first, norm):
                        for g in owners:
                            spans.setdefault(g, []).append(span)
        return _outside(found, spans)

    def _located_text(self, norm: str) -> dict[tuple[int, str], int]:
        """Return the hits in ``norm`` (normalised, not ASCII), as :meth:`_located` does.

        When every keyword's anchor is ASCII (as in the shipped data), the anchors are first
        looked for among the ASCII words of ``norm`` with every other character a separator:
        an ASCII anchor that is a word of ``norm`` is one there too, so a text with none of
        them has no hit, found without the Unicode word regex (several times slower).
        """
        if self.ascii_only and self.ascii_anchors.isdisjoint(
            norm.encode("ascii", "replace").translate(_ASCII_WORD_BYTES).split()
        ):
            return {}
        return self._located(norm, _WORD.findall(norm))

    def _located(self, norm: str, words: list[str]) -> dict[tuple[int, str], int]:
        """Return the hits in ``norm`` (normalised, not ASCII) with where each first matches.

        In text order; ``words``: ``_WORD.findall(norm)``.
        """
        # The parts test reads plain text only (a str subclass could answer `in` its own way).
        plain = type(norm) is str
        contains = norm.__contains__
        found: list[tuple[int, int, int, str]] = []
        keywords = self.keywords
        for word in self.anchors.intersection(words):
            for form, first, rest, targets in keywords[word]:
                if plain and (first not in norm or (rest and not all(map(contains, rest)))):
                    continue  # a part is missing: the form cannot match
                for start, end in _spans(form, first, norm):
                    for g, k in targets:
                        found.append((start, -end, g, k))
        if not found:
            return {}
        spans: dict[int, list[tuple[int, int]]] = {}
        benign = self.benign
        for word in self.benign_anchors.intersection(words):
            for form, first, rest, owners in benign[word]:
                if plain and (first not in norm or (rest and not all(map(contains, rest)))):
                    continue
                for span in _spans(form, first, norm):
                    for g in owners:
                        spans.setdefault(g, []).append(span)
        return _outside(found, spans)


def _outside(
    found: list[tuple[int, int, int, str]], spans: Mapping[int, list[tuple[int, int]]]
) -> dict[tuple[int, str], int]:
    """Return the hits of ``found`` outside the benign ``spans`` of their group, in text order.

    ``found``: (start, -end, group, keyword) per match; each hit is kept with the start of
    its first match.
    """
    # Sorted on the whole tuple: the order found in does not matter.
    found.sort()
    kept: dict[tuple[int, str], int] = {}
    for start, neg_end, g, k in found:
        if (g, k) in kept:
            continue
        end = -neg_end
        for s, e in spans.get(g, ()):
            if s <= start and end <= e:
                break  # inside a benign phrase of the same group
        else:
            kept[(g, k)] = start
    return kept


def _spans(form: str, first: str, norm: str) -> list[tuple[int, int]]:
    """Return the spans of ``_compile(form).finditer(norm)``; ``first`` is its first part.

    A match starts where the form's first part does: in plain text the pattern is tried
    only there (its lookbehind still sees the text before), not at every position.
    """
    pattern = _compile(form)
    if type(norm) is not str or not first:  # a str subclass could answer find its own way
        return [m.span() for m in pattern.finditer(norm)]
    spans: list[tuple[int, int]] = []
    at = norm.find(first)
    while at >= 0:
        m = pattern.match(norm, at)
        if m is None:
            at = norm.find(first, at + 1)
        else:  # finditer goes on from the end of a match (a form never matches empty)
            spans.append(m.span())
            at = norm.find(first, m.end())
    return spans


def _parts(form: str) -> tuple[str, tuple[str, ...]]:
    r"""Return the literal parts of ``form`` that _compile joins with ``[\s\-]+``: (first, rest).

    ``first`` is "" for a form of no part (which no data holds: each has a word).
    """
    parts = [p for p in _SPLIT.split(form) if p]
    return (parts[0], tuple(parts[1:])) if parts else ("", ())


#: ASCII bytes as ``\w+`` splits them once lower-cased: letters lower-cased, digits and "_"
#: kept (``\w`` on ASCII is ``[A-Za-z0-9_]``), anything else (never a word character) a space.
_ASCII_WORD_BYTES: Final = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 or c == 95 else 32
    for c in range(256)
)


def _ascii_words(text: str) -> list[bytes]:
    r"""Return the words of ASCII ``text`` lower-cased: ``_WORD.findall(text.lower())``, as bytes.

    Several times cheaper than the regex, whose ``\w`` asks Unicode about every character;
    the scan of a text with no keyword in it is mostly this.
    """
    return text.encode("ascii").translate(_ASCII_WORD_BYTES).split()


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


_Group = tuple[tuple[str, ...], tuple[str, ...]]


@cache
def _data() -> tuple[tuple[Entry, ...], tuple[_Group, ...]]:
    """Return the entries and the keyword groups: (keywords, benign phrases) per group.

    Entries of one rule with the same exclusions share a group (``Entry.group``).
    """
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
    return tuple(entries), tuple((tuple(sorted(words)), benign) for words, benign in members)


@cache
def _every_group() -> frozenset[int]:
    return frozenset(range(len(_data()[1])))


@lru_cache(maxsize=64)
def _matcher_for(groups: frozenset[int]) -> _Matcher:
    """Return a matcher of the keywords and benign phrases of ``groups`` only.

    One per set of groups a destination has entries for, so that the texts a check reads
    afresh (title and attribute values) are searched only for the keywords that can matter
    there: half the keyword hits in a typical catalog are for goods another destination
    limits. The other groups stay empty, so group numbers keep their meaning; a group's
    benign phrases only ever excuse its own keywords, so the hits of ``groups`` are those a
    matcher of every group finds.
    """
    return _Matcher([group if g in groups else ((), ()) for g, group in enumerate(_data()[1])])


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
    matcher: _Matcher  # the keywords of ``groups`` only
    scan: _Scan  # the per-text scan of the matcher of every group


def entries_for(country: str, eu_member: bool) -> tuple[Entry, ...]:
    """Return the entries for a destination: its own, ``"*"``, and ``"EU"`` for a member."""
    return _destination(country, eu_member).entries


@lru_cache(maxsize=512)
def _destination(country: str, eu_member: bool) -> _Destination:
    wanted = {country, "*"} | ({"EU"} if eu_member else set())
    entries = tuple(e for e in _data()[0] if e.country in wanted)
    groups = frozenset(e.group for e in entries)
    return _Destination(
        entries=entries,
        groups=groups,
        hs_prefixes=tuple(sorted({p for e in entries for p in e.hs_prefixes})),
        categories=frozenset(c for e in entries for c in e.categories),
        dangerous_goods=tuple(sorted({d for e in entries for d in e.dangerous_goods})),
        all_goods=any(e.all_goods for e in entries),
        dated=any(e.effective_from or e.effective_to for e in entries),
        matcher=_matcher_for(groups),
        scan=_matcher_for(_every_group()).scan,
    )


# -- reading a listing -------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[Any, object] | None:
    """Return ``value`` if it is a mapping, else None."""
    # Validated listings hold read-only dicts, model_copy(update=...) may leave dicts: test
    # for those first (the ABC check is slow). ``value`` is typed Any rather than cast():
    # cast is a function call at run time.
    if type(value) is MappingProxyType or type(value) is dict or isinstance(value, Mapping):
        return value
    return None


_Scan = Callable[[str], tuple[tuple[int, str], ...]]
_Hits = dict[tuple[int, str], str]


def _note(
    hits: _Hits, found: tuple[tuple[int, str], ...], groups: frozenset[int], field: str
) -> None:
    """Keep the hits of ``groups`` among ``found``, each with the first field it was seen in."""
    for hit in found:
        if hit[0] in groups:
            hits.setdefault(hit, field)


def _attribute_hits(
    hits: _Hits, prefix: str, attributes: object, scan: _Scan, groups: frozenset[int]
) -> None:
    """Scan the attributes' text values; skip what is not text (any mapping)."""
    items = _mapping(attributes)
    if not items:
        return
    for name, values in items.items():
        if not isinstance(name, str) or name.lower() in COLOUR_ATTRIBUTES:
            continue
        if type(values) is not tuple:
            if isinstance(values, str):
                values = (values,)
            elif not isinstance(values, list | tuple):
                continue
        for value in values:
            if isinstance(value, str):
                found = scan(value)
                if found:
                    _note(hits, found, groups, f"{prefix}{name}")


#: Joins a listing's title and attribute values for one scan: no keyword form can match
#: across it (not a word character, not white space or "-", which join a form's parts). A
#: listing whose texts hold it (an attribute value may) is scanned text by text.
_JOIN: Final = "\x00"

_Located = list[tuple[tuple[int, str], str]]


def _joined_hits(title: object, attributes: Any, matcher: _Matcher) -> _Located | None:
    """Return the hits in the title and attribute values (colours aside), read in one pass.

    Each hit comes with its field (``"title"`` or ``"attributes.<name>"``), in text order,
    the first occurrence of each: what scanning the texts one by one would note. Only for
    the usual listing, a plain ``str`` title and plain ``str`` values in tuples, without a
    tag or an entity (``normalise`` only lower-cases them and turns Unicode dashes into
    "-", in place); None for anything else, whose texts are then scanned one by one. Most
    listings hold no keyword: the joined words of an ASCII listing meet no keyword form's
    words in full (see ``_Matcher.ascii_keyword_forms``), and nothing is searched at all.
    """
    if type(title) is not str:
        return None
    kind = type(attributes)
    if kind is not MappingProxyType and kind is not dict:
        return None
    texts = [title]
    for name, values in attributes.items():
        if type(name) is not str or type(values) is not tuple:
            return None
        if name.lower() in COLOUR_ATTRIBUTES:
            continue
        for value in values:
            if type(value) is not str:
                return None
        texts += values
    joined = _JOIN.join(texts)
    if joined.count(_JOIN) != len(texts) - 1:
        return None  # a text holds the separator itself: its hits' fields could not be told
    if _only_lowered(joined):
        words = joined.encode("ascii").translate(_ASCII_WORD_BYTES).split()
        if matcher.ascii_anchors.isdisjoint(words):
            return []  # the usual listing: no keyword's anchor
        located = matcher._located_ascii(joined.lower(), frozenset(words))
    else:
        # Not ASCII ("Giclée", any German title): read as _Matcher._scan reads such a text,
        # provided normalising only changes letters and dashes in place, so that a match's
        # position still tells its text. Tags and entities (removed or decoded) move text:
        # then each text is scanned on its own.
        if "<" in joined or ("&" in joined and _ENTITY.search(joined) is not None):
            return None
        norm = normalise(joined)
        if len(norm) != len(joined):
            return None  # a letter lower-cased into two ("İ"): positions moved
        if norm.isascii():  # such as the Kelvin sign, lower-cased to "k"
            located = matcher._located_ascii(norm, frozenset(_ascii_words(norm)))
        else:
            located = matcher._located_text(norm)
    if not located:
        return []
    # The field of each hit, worked out only now (most listings never get here): its text
    # is the one after as many joins as precede it.
    out: _Located = []
    for hit, start in located.items():
        out.append((hit, _field_of(joined.count(_JOIN, 0, start), attributes)))
    return out


def _field_of(index: int, attributes: Mapping[str, tuple[str, ...]]) -> str:
    """Return the field of the text at ``index`` among _joined_hits' texts (0: the title)."""
    if index:
        for name, values in attributes.items():
            if name.lower() not in COLOUR_ATTRIBUTES:
                index -= len(values)
                if index <= 0:
                    return f"attributes.{name}"
    return "title"


def _hits(
    values: Mapping[str, Any],
    language: str,
    category: str | None,
    scan: _Scan,
    groups: frozenset[int],
    matcher: _Matcher | None = None,
    locale: str | None = None,
) -> _Hits:
    """Return the (group, keyword) hits of ``groups`` in the listing's texts, with their field.

    ``values``: the listing's :func:`~xborder.compliance.field_values`.
    The texts, in report order (the first field a hit is found in is kept): title,
    description, customs description, attribute values (not colours), the category's label
    (``category`` is the listing's category once checked, None when absent or unusable),
    then the seller's English translation and the one sent to the market (for ``locale``
    as :func:`~xborder.localize.content.seller_translation` picks it; without ``locale``,
    the one under ``language``). A value that is not
    text, or not set (possible only in a listing that skipped validation, such as one built
    by ``model_construct``), is not read. Field names are built only for a text with a hit:
    most texts have none. ``matcher``: one whose keywords include those of ``groups``, for
    :func:`_joined_hits` (None: every text is scanned on its own); ``scan`` may belong to
    another matcher holding ``groups``' keywords too.
    """
    hits: _Hits = {}
    title = values["title"]
    attributes: Any = values["attributes"]
    joined = _joined_hits(title, attributes, matcher) if matcher is not None else None
    if joined is not None:
        for hit, field in joined:
            if field == "title" and hit[0] in groups:
                hits.setdefault(hit, field)
    elif isinstance(title, str):
        found = scan(title)
        if found:
            _note(hits, found, groups, "title")
    description = values["description"]
    if isinstance(description, str) and description:
        found = scan(description)
        if found:
            _note(hits, found, groups, "description")
    customs = values["customs_description"]
    if isinstance(customs, str) and customs:
        found = scan(customs)
        if found:
            _note(hits, found, groups, "customs_description")
    kind = type(attributes)
    if joined is not None:
        for hit, field in joined:  # the attribute values' hits, read with the title
            if field != "title" and hit[0] in groups:
                hits.setdefault(hit, field)
    elif kind is MappingProxyType or kind is dict:
        # Validated: text names, tuples of text values in a mappingproxy (where a tuple
        # subclass is not read); model_copy(update=...) may leave a plain dict, read as any
        # mapping is by _attribute_hits. Inline: every check reads the attributes.
        sequences = list if kind is MappingProxyType else (list, tuple)
        for name, texts in attributes.items():
            if not isinstance(name, str) or name.lower() in COLOUR_ATTRIBUTES:
                continue
            if type(texts) is not tuple:
                if isinstance(texts, str):
                    texts = (texts,)
                elif not isinstance(texts, sequences):
                    continue
            for value in texts:
                if isinstance(value, str):
                    found = scan(value)
                    if found:
                        _note(hits, found, groups, f"attributes.{name}")
    else:
        _attribute_hits(hits, "attributes.", attributes, scan, groups)
    if category is not None:
        found = scan(CATEGORIES[category])
        if found:
            _note(hits, found, groups, "category")
    translations: Mapping[Any, object] | None = values["translations"]
    if type(translations) is not MappingProxyType:
        translations = _mapping(translations)
    if not translations:
        return hits
    own = values["language"]
    own = own if isinstance(own, str) else None
    # The facts' keywords are English: also read the seller's English text of a listing
    # written in another language, and the text that will be published in the destination:
    # with ``locale``, the translation localize() sends there (seller_translation).
    read: list[tuple[str, object]] = []
    if own != "en":
        read.append(("en", translations.get("en")))
    if locale is not None:
        if not is_market_language(own or "en", locale):
            try:
                item = seller_translation_item(translations, locale)  # type: ignore[arg-type]
            except Exception:  # a junk mapping (unhashable or failing keys): nothing there
                item = None
            if item is not None and item[0] != "en":
                read.append(item)
    elif language != "en" and language != own:
        read.append((language, translations.get(language)))
    for lang, translation in read:
        if not isinstance(translation, Translation):
            continue
        text = translation.title
        if isinstance(text, str) and text:
            found = scan(text)
            if found:
                _note(hits, found, groups, f"translations.{lang}.title")
        text = translation.description
        if isinstance(text, str) and text:
            found = scan(text)
            if found:
                _note(hits, found, groups, f"translations.{lang}.description")
        attributes = translation.attributes
        if type(attributes) is MappingProxyType and not attributes:
            continue  # the usual case: a translation without attributes
        _attribute_hits(hits, f"translations.{lang}.attributes.", attributes, scan, groups)
    return hits


#: The dangerous-goods values the listing declares, as (field name, value): ("battery",
#: "contained"), ("aerosol", "true"). Only the fields a destination's entries read.
_Declared = tuple[tuple[str, str], ...]


def _usable_goods(name: str, value: object) -> bool:
    if name == "battery":
        return isinstance(value, str) and value in _BATTERIES
    return type(value) is bool


def _read(
    values: Mapping[str, Any], dest: _Destination
) -> tuple[str | None, str | None, _Declared, list[Finding]]:
    """Return the listing's HS code, category and declared dangerous goods, checked.

    ``values``: the listing's :func:`~xborder.compliance.field_values`.

    A value the rule cannot use is replaced by None (or left out of the declared goods) and
    reported by a ``restricted.field_invalid`` finding, the last item returned.
    """
    invalid: list[Finding] = []
    hs = values["hs_code"]
    if hs is not None and not (
        isinstance(hs, str) and 6 <= len(hs) <= 10 and hs.isascii() and hs.isdigit()
    ):
        if not (isinstance(hs, str) and not hs.strip()):  # blank text: no HS code given
            invalid.append(_invalid("hs_code", hs))
        hs = None
    category = values["category"]
    if category is not None and not (isinstance(category, str) and category in _CATEGORY_KEYS):
        invalid.append(_invalid("category", category))
        category = None
    goods = values.get("dangerous_goods", _NO_GOODS)
    # Read from the model's field dict: a pydantic attribute read costs several dict reads.
    declared = goods.__dict__ if type(goods) is DangerousGoods else _NOT_READ
    if (
        declared.get("aerosol") is False
        and declared.get("flammable") is False
        and type(battery := declared.get("battery")) is str
        and battery == "none"
    ) or not dest.dangerous_goods:
        return hs, category, (), invalid  # the usual case: nothing declared
    return hs, category, _declared(goods, dest.dangerous_goods, invalid), invalid


def _declared(goods: object, names: tuple[str, ...], invalid: list[Finding]) -> _Declared:
    """Return the dangerous goods declared among ``names``; report unusable values."""
    if not isinstance(goods, DangerousGoods):
        invalid.append(_invalid("dangerous_goods", goods))
        return ()
    declared: _Declared = ()
    for name in names:
        value = getattr(goods, name, None)
        if not _usable_goods(name, value):
            invalid.append(_invalid(f"dangerous_goods.{name}", value))
        elif value is not False and value != "none":
            declared += ((name, str(value).lower()),)
    return declared


def _confirm_all(
    country: str, eu_member: bool, hs: str | None, category: str | None, declared: _Declared
) -> tuple[tuple[str, str] | None, ...] | None:
    """Return :func:`_confirmation` for each entry of the destination; None when none is."""
    found = tuple(
        _confirmation(entry, hs, category, declared)
        for entry in _destination(country, eu_member).entries
    )
    return found if any(c is not None for c in found) else None


#: _confirm_all per value: variants of a product share its HS code, category and declared
#: goods, and are checked market after market.
_confirmations: Final = lru_cache(maxsize=4096)(_confirm_all)


def _confirmation(
    entry: Entry, hs: str | None, category: str | None, declared: _Declared
) -> tuple[str, str] | None:
    """Return (field, what matched) when the listing's data confirms the entry, else None.

    ``("hs_code", "8211")``, ``("category", "tools.knives")``,
    ``("dangerous_goods.battery", "contained")``, or ``("", "*")`` for an all-goods entry.
    """
    if entry.all_goods:
        return _ALL_GOODS
    if hs is not None and hs.startswith(entry.hs_prefixes):
        return "hs_code", next(p for p in entry.hs_prefixes if hs.startswith(p))
    if category is not None and category in entry.categories:
        return "category", category
    if declared:
        for name in entry.dangerous_goods:
            for declared_name, value in declared:
                if declared_name == name:
                    return f"dangerous_goods.{name}", value
    return None


# -- unusable values ---------------------------------------------------------------------------

_EXPECTED: Final[Mapping[str, str]] = {
    "hs_code": "an HS code (6 to 10 digits, as text)",
    "category": "an xborder category key (such as 'tools.knives'; see docs/catalog.md)",
    "dangerous_goods": "a DangerousGoods value",
    "dangerous_goods.battery": "one of 'none', 'contained', 'packed_with' or 'standalone'",
}
_SHORT: Final = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 40
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4
_SHORT.maxlevel = 2


def _shown(value: object) -> str:
    """Return a short, one-line repr of ``value`` (never raises; huge values are cut)."""
    try:
        text = _SHORT.repr(value)
    except Exception:  # a repr that fails, or an int too long to print
        text = "?"
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _invalid(field: str, value: object) -> Finding:
    return _invalid_finding(field, _shown(value))


@lru_cache(maxsize=512)
def _invalid_finding(field: str, shown: str) -> Finding:
    expected = _EXPECTED.get(field, "true or false")
    return Finding(
        "restricted.field_invalid",
        "error",
        f"{field} is {shown}, not {expected}. The restricted-goods check ignored it, so it "
        "could not use it to confirm or rule out restricted, prohibited or carrier-limited "
        "goods: correct the listing (a Listing built normally validates every field) and "
        "check again.",
        field,
        _DOCS,
    )


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


def _confirmed_message(
    entry: Entry, market: str, reason: str, words: Sequence[str], labelled: Sequence[str] = ()
) -> str:
    """Return the message of a confirmed entry.

    ``labelled``: the words of ``words`` found only in the category's label (xborder's words,
    not the seller's).
    """
    what = f"{entry.category} ({reason}"
    own = [w for w in words if w not in labelled]
    if own:
        what += f"; the listing says {_quoted(own)}"
    if labelled:
        what += f"; the category's label says {_quoted(labelled)}"
    what += ")"
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
    labelled: tuple[str, ...] = (),
) -> Finding:
    # Findings are immutable values: the same inputs give the same finding, built once.
    # ``labelled``: the words found only in the category's label.
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
        message = _confirmed_message(entry, market, reason, words, labelled)
        field = confirmed[0] or None
    source = entry.sources[0] if entry.sources else None
    return Finding(code, severity, message, field, source, entry.effective_from)


# -- Meta's commerce policies ------------------------------------------------------------------

#: The platform name the facts give Meta's marketplace policies under.
_META_PLATFORM: Final = "Facebook/Meta"
#: Channels whose listings Meta's commerce policies govern (ChannelRules names).
_META_CHANNELS: Final = frozenset({"facebook", "meta"})
#: Rules whose Meta policy the facts attach to goods it does not speak of: "Live animals
#: prohibited" on the plants, seeds, soil and food entries, whose keywords name no animal.
#: Applying it would tell a seller of seeds about live animals.
_META_POLICY_ELSEWHERE: Final = frozenset({"biosecurity_plants_seeds_soil_food"})


@dataclass(frozen=True, slots=True)
class _Policy:
    """Meta's policy on one kind of goods (a rule of the facts), and what identifies them."""

    rule: str
    goods: str  # the facts' words for the goods, e.g. "E-cigarettes, vapes, ..."
    text: str
    sources: tuple[str, ...]
    groups: frozenset[int]
    hs_prefixes: tuple[str, ...]
    categories: frozenset[str]


@cache
def _meta_policies() -> tuple[_Policy, ...]:
    """Return Meta's policies from the facts' ``marketplace_policy``, one per kind of goods.

    The goods are those of every entry of the rule (its keywords, HS prefixes and
    categories), whatever the destination: Meta's policies apply on every market.
    """
    entries = _data()[0]
    texts: dict[str, tuple[str, tuple[str, ...]]] = {}
    for raw, entry in zip(load("restricted")["entries"], entries, strict=True):
        for policy in raw.get("marketplace_policy") or ():
            if policy.get("platform") == _META_PLATFORM and entry.rule not in texts:
                texts[entry.rule] = (str(policy.get("rule") or ""), sources_of(policy))
    policies = []
    for rule, (text, sources) in texts.items():
        if rule in _META_POLICY_ELSEWHERE or not text:
            continue
        members = [e for e in entries if e.rule == rule]
        policies.append(
            _Policy(
                rule=rule,
                goods=members[0].category,
                text=text,
                sources=sources,
                groups=frozenset(e.group for e in members),
                hs_prefixes=tuple(sorted({p for e in members for p in e.hs_prefixes})),
                categories=frozenset(c for e in members for c in e.categories),
            )
        )
    return tuple(policies)


@cache
def _meta_groups() -> frozenset[int]:
    return frozenset(g for policy in _meta_policies() for g in policy.groups)


def _meta_findings(
    values: Mapping[str, Any], language: str, locale: str, hs: str | None, category: str | None
) -> list[Finding]:
    """Return a warning for each of Meta's policies the listing's goods may fall under.

    ``hs`` and ``category`` as :func:`_read` checked them. Confirmed by the HS code or the
    category, or flagged by keywords as for ``restricted.keyword_review``.
    """
    every = _matcher_for(_every_group())
    hits = _hits(values, language, category, every.scan, _meta_groups(), None, locale)
    found: list[Finding] = []
    for index, policy in enumerate(_meta_policies()):
        confirmed: tuple[str, str] | None = None
        if hs is not None and hs.startswith(policy.hs_prefixes):
            confirmed = "hs_code", next(p for p in policy.hs_prefixes if hs.startswith(p))
        elif category is not None and category in policy.categories:
            confirmed = "category", category
        words = tuple(sorted({k for g, k in hits if g in policy.groups}))
        if confirmed is None and not words:
            continue
        # The first field a keyword was found in (the hits are in report order).
        field = (
            confirmed[0]
            if confirmed
            else next(f for (g, k), f in hits.items() if g in policy.groups and k in words)
        )
        found.append(_meta_finding(index, confirmed, hs, words, field))
    return found


@lru_cache(maxsize=1024)
def _meta_finding(
    index: int,
    confirmed: tuple[str, str] | None,
    hs_code: str | None,
    words: tuple[str, ...],
    field: str,
) -> Finding:
    policy = _meta_policies()[index]
    if confirmed is not None:
        why = f"{_reason(confirmed, hs_code)} ({policy.goods})"
    else:
        why = f"{_quoted(words)} in {field} may mean it is {policy.goods}"
    return Finding(
        "restricted.marketplace_policy",
        "warning",
        f"Meta may reject or remove this item: {why}, and Meta's Commerce Policies, as the "
        f"facts record them, say: {policy.text!r}. The facts take this from secondary "
        f"sources; check Meta's own Commerce Policies before listing it on Facebook or "
        f"Instagram.",
        field or None,
        policy.sources[0] if policy.sources else None,
    )


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
        if not isinstance(listing, Listing):
            return [_not_a_listing(_shown(listing))]
        values = context.values
        hs, category, declared, findings = _read(values, dest)
        channel = context.channel
        if channel is not None and channel.name in _META_CHANNELS:
            findings += _meta_findings(values, context.language, market.locale, hs, category)
        # The texts of the listing that repeat across variants and markets (description,
        # translations) go through the per-text cache of the matcher of every group, so
        # that a text is scanned once whatever the market; the title and attribute values,
        # read afresh by every check, only for the keywords that can matter here.
        hits = _hits(
            values,
            context.language,
            category,
            dest.scan,
            dest.groups,
            dest.matcher,
            market.locale,
        )
        confirmations = None
        # Whether any entry could be confirmed by the listing's data (most cannot).
        if (
            dest.all_goods
            or declared
            or category in dest.categories
            or (hs is not None and hs.startswith(dest.hs_prefixes))
        ):
            where_to = (market.country, market.eu_member, hs, category, declared)
            # Remembered only for plain text (a str subclass could hash in its own way).
            plain = (hs is None or type(hs) is str) and (category is None or type(category) is str)
            confirmations = _confirmations(*where_to) if plain else _confirm_all(*where_to)
        if not hits and not confirmations:
            return findings
        name = _the(market.name)
        hit_groups = {g for g, _ in hits}
        for i, entry in enumerate(dest.entries):
            confirmed = confirmations[i] if confirmations else None
            if confirmed is None and entry.group not in hit_groups:
                continue  # neither confirmed nor named: most entries of most listings
            if dest.dated and not entry.in_force(context.on):
                continue
            words: tuple[str, ...] = ()
            if entry.group in hit_groups:
                words = tuple(k for (g, k) in hits if g == entry.group and k in entry.keywords)
            if confirmed is None and not words:
                continue
            where = hits[(entry.group, words[0])] if words else None
            labelled = tuple(k for k in words if hits[(entry.group, k)] == "category")
            findings.append(
                _finding(entry.index, name, confirmed, hs, words, where, self.strict, labelled)
            )
        return findings


@lru_cache(maxsize=64)
def _not_a_listing(shown: str) -> Finding:
    return Finding(
        "restricted.field_invalid",
        "error",
        f"The listing is {shown}, not a Listing: the restricted-goods check could not read it.",
        None,
        _DOCS,
    )


#: The default (non-strict) rule, registered as ``xborder.compliance.rules.restricted:RULE``.
RULE: Final = RestrictedRule()
