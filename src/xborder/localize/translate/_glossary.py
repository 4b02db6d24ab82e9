"""The reviewed offline glossary: English marketplace terms in eight languages.

The shipped term list (package data ``xborder/localize/data/glossary.json``) holds attribute
names, item conditions, colours, materials and units in German, French, Spanish, Italian,
Dutch, Polish, Swedish and Japanese; its ``note`` says how it was written and reviewed.
:class:`GlossaryTranslator` offers it as a :class:`~xborder.localize.translate.Translator`
that needs no network and no key, and answers ``None`` for any text it does not hold.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from datetime import date
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final

from xborder.errors import TranslationError
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.localize.translate._lang import canonical_language, parse_language

__all__ = ["CONDITION_TERMS", "Glossary", "GlossaryTranslator", "glossary"]

#: xborder's condition keys (:data:`xborder.listing.Condition`) and the glossary term of each.
CONDITION_TERMS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "new": "new",
        "used_like_new": "used – like new",
        "used_good": "used – good",
        "used_acceptable": "used – acceptable",
        "refurbished": "refurbished",
    }
)

_MEMO_LIMIT: Final = 65_536

_DASHES = re.compile(r"\s*[-‐‑‒–—―−]\s*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def _key(text: str, *, fold: bool) -> str:
    """Return the form terms are matched in: NFC, single spaces, one kind of dash and quote."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    text = " ".join(_DASHES.sub(" - ", text).split())
    return text.casefold() if fold else text


def _match_case(original: str, translation: str) -> str:
    """Carry the casing style of the English input over to the translation.

    Two or more cased letters, all upper case → the translation in upper case ("BLUE" →
    "BLAU"); first cased letter upper case → the translation's first letter upper case
    ("Navy" → "Granatowy"); otherwise the glossary's own form ("blue" → "Blau" in German,
    where colour names standing alone are nouns, "bleu" in French).
    """
    cased = [c for c in original if c.isupper() or c.islower()]
    if len(cased) >= 2 and all(c.isupper() for c in cased):
        return translation.upper()
    if cased and cased[0].isupper():
        for i, char in enumerate(translation):
            if char.isupper() or char.islower():
                return translation[:i] + char.upper() + translation[i + 1 :]
    return translation


class Glossary:
    """A reviewed term list: ``terms[group][english term][language] = translation``.

    ``languages`` are the target languages, ``as_of`` the day the list was last reviewed,
    ``note`` how it was reviewed. Terms of ``case_sensitive_groups`` (unit symbols such as
    ``"ml"`` and ``"l"``) match only as written; all others match without regard to case.

    Use :func:`glossary` for the list shipped with xborder; build your own with
    :meth:`from_json` or the constructor (the same English term may appear in two groups
    only with the same translations).
    """

    def __init__(
        self,
        terms: Mapping[str, Mapping[str, Mapping[str, str]]],
        *,
        languages: Iterable[str],
        as_of: date,
        note: str = "",
        source_language: str = "en",
        case_sensitive_groups: Iterable[str] = (),
    ) -> None:
        self.languages: Final = tuple(canonical_language(lang) for lang in languages)
        if not self.languages:
            raise ValueError("languages: a glossary needs at least one target language")
        if not isinstance(as_of, date):
            raise TypeError(f"as_of: expected a date, got {type(as_of).__name__}")
        self.as_of: Final = as_of
        self.note: Final = note
        self.source_language: Final = parse_language(source_language).language
        self.case_sensitive_groups: Final = frozenset(case_sensitive_groups)
        frozen: dict[str, Mapping[str, Mapping[str, str]]] = {}
        self._folded: dict[str, tuple[str, str]] = {}
        self._exact: dict[str, tuple[str, str]] = {}
        # Answers per (text, source, target, group): localize() asks the same attribute
        # names and values for every listing. Bounded; emptied when full.
        self._memo: dict[tuple[str, str, str, str | None], str | None] = {}
        seen: dict[tuple[str, str], Mapping[str, str]] = {}
        for group, entries in terms.items():
            group_terms: dict[str, Mapping[str, str]] = {}
            for term, translations in entries.items():
                group_terms[term] = seen[group, term] = self._check_entry(group, term, translations)
                self._index(group, term, seen)
            frozen[group] = MappingProxyType(group_terms)
        self._terms: Final = MappingProxyType(frozen)

    def _check_entry(
        self, group: str, term: str, translations: Mapping[str, str]
    ) -> Mapping[str, str]:
        if not isinstance(term, str) or not term.strip():
            raise ValueError(f"terms[{group!r}]: a term must be a non-empty str, got {term!r}")
        checked: dict[str, str] = {}
        for lang, text in translations.items():
            code = canonical_language(lang)
            if code not in self.languages:
                raise ValueError(
                    f"terms[{group!r}][{term!r}]: language {lang!r} is not one of {self.languages}"
                )
            if not isinstance(text, str) or not text.strip() or text != text.strip():
                raise ValueError(
                    f"terms[{group!r}][{term!r}][{lang!r}]: expected a trimmed, non-empty str, "
                    f"got {text!r}"
                )
            checked[code] = text
        return MappingProxyType(checked)

    def _index(
        self, group: str, term: str, seen: Mapping[tuple[str, str], Mapping[str, str]]
    ) -> None:
        exact = group in self.case_sensitive_groups
        index = self._exact if exact else self._folded
        key = _key(term, fold=not exact)
        if key in index:
            other_group, other_term = index[key]
            if dict(seen[other_group, other_term]) != dict(seen[group, term]):
                raise ValueError(
                    f"terms: {term!r} in {group!r} and {other_term!r} in {other_group!r} match "
                    f"the same text but translate differently"
                )
        index.setdefault(key, (group, term))

    @classmethod
    def from_json(cls, text: str | bytes) -> Glossary:
        """Build a glossary from the JSON of ``xborder/localize/data/glossary.json``.

        Keys: ``as_of`` (ISO date), ``languages``, ``note``, ``terms`` (``{group: {term:
        {language: translation}}}``), and optionally ``source_language`` (default ``"en"``)
        and ``case_sensitive_groups``.
        """
        raw = json.loads(text)
        if not isinstance(raw, dict) or not isinstance(raw.get("terms"), dict):
            raise ValueError("glossary JSON: expected an object with a 'terms' object")
        return cls(
            raw["terms"],
            languages=raw.get("languages", ()),
            as_of=date.fromisoformat(raw["as_of"]),
            note=raw.get("note", ""),
            source_language=raw.get("source_language", "en"),
            case_sensitive_groups=raw.get("case_sensitive_groups", ()),
        )

    # -- reading ----------------------------------------------------------------------------

    @property
    def groups(self) -> tuple[str, ...]:
        """The group names, e.g. ``("attributes", "conditions", "colours", …)``."""
        return tuple(self._terms)

    def terms(self, group: str) -> Mapping[str, Mapping[str, str]]:
        """Return the terms of ``group`` (read-only): ``{english: {language: translation}}``."""
        try:
            return self._terms[group]
        except KeyError:
            raise KeyError(f"unknown glossary group {group!r}; groups: {self.groups}") from None

    def __iter__(self) -> Iterator[tuple[str, str, Mapping[str, str]]]:
        """Yield ``(group, english term, translations)`` for every term."""
        for group, entries in self._terms.items():
            for term, translations in entries.items():
                yield group, term, translations

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._terms.values())

    def __repr__(self) -> str:
        return (
            f"Glossary({len(self)} terms, {self.source_language} -> {', '.join(self.languages)}, "
            f"as_of={self.as_of.isoformat()})"
        )

    def supports(self, source: str, target: str) -> bool:
        """Whether the glossary translates from ``source`` to ``target`` (language tags)."""
        return (
            parse_language(source).language == self.source_language
            and self._language(target) is not None
        )

    def _language(self, target: str) -> str | None:
        tag = parse_language(target)
        for code in (canonical_language(str(tag)), tag.language):
            if code in self.languages:
                return code
        return None

    def lookup(
        self, text: str, *, source: str, target: str, group: str | None = None
    ) -> str | None:
        """Return the translation of the whole (trimmed) ``text``, or None if there is none.

        Matching ignores case (except unit symbols), surrounding and repeated spaces, and the
        kind of dash or apostrophe ("used - like new" matches "used – like new"). The result
        keeps the casing style of the input where the target language allows: all-caps
        English gives all caps ("BLUE" → "BLAU"), a capital first letter gives a capital first
        letter ("Navy" → "Bleu marine"), and lower case gives the glossary's form, which keeps
        the capitals the language requires ("blue" → German "Blau": a colour standing alone on
        a label is a noun in German). ``group`` restricts the search to one group.

        ``source`` must be English (the glossary's source language) or ValueError is raised;
        a ``target`` the glossary does not cover gives None. Regional targets use their
        language (``"fr-CA"`` → French); Swiss and Liechtenstein German write "ss" for "ß".
        """
        memo_key = (text, source, target, group)
        try:
            return self._memo[memo_key]
        except (KeyError, TypeError):
            pass
        answer = self._lookup(text, source=source, target=target, group=group)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[memo_key] = answer
        return answer

    def _lookup(self, text: str, *, source: str, target: str, group: str | None) -> str | None:
        if parse_language(source).language != self.source_language:
            raise ValueError(
                f"source: the glossary translates from {self.source_language!r} only, "
                f"got {source!r}"
            )
        language = self._language(target)
        if language is None or not isinstance(text, str):
            return None
        stripped = text.strip()
        if not stripped:
            return None
        found = self._exact.get(_key(stripped, fold=False)) or self._folded.get(
            _key(stripped, fold=True)
        )
        if found is None or (group is not None and found[0] != group):
            return None
        translation = self._terms[found[0]][found[1]].get(language)
        if translation is None:
            return None
        if found[0] not in self.case_sensitive_groups:
            translation = _match_case(stripped, translation)
        return _regional(translation, target)

    def condition(self, key: str, target: str) -> str | None:
        """Return the label of an xborder condition key in ``target``, with a capital first letter.

        ``condition("used_like_new", "de")`` → ``"Gebraucht – wie neu"``. Raises ValueError for
        a key that is not one of :data:`CONDITION_TERMS`; None if ``target`` is not covered.
        """
        if key not in CONDITION_TERMS:
            raise ValueError(
                f"condition: unknown key {key!r}; expected one of {', '.join(CONDITION_TERMS)}"
            )
        term = CONDITION_TERMS[key]
        return self.lookup(term[0].upper() + term[1:], source=self.source_language, target=target)


def _regional(text: str, target: str) -> str:
    tag = parse_language(target)
    if tag.language == "de" and tag.region in {"CH", "LI"}:
        # Swiss Standard German has no "ß" (Duden; Swiss orthography since 1938).
        return text.replace("ß", "ss").replace("ẞ", "SS")
    return text


@cache
def glossary() -> Glossary:
    """Return the glossary shipped with xborder, loaded once."""
    raw = files("xborder.localize").joinpath("data", "glossary.json").read_text("utf-8")
    return Glossary.from_json(raw)


class GlossaryTranslator:
    """The offline glossary as a :class:`~xborder.localize.translate.Translator`.

    Its flow yields no request: it answers each text from the glossary, ``None`` for a text
    the glossary does not hold (so :func:`~xborder.localize.translate.translate_flow` caches
    nothing for it and lists it as missing). It translates from English into the glossary's
    languages only; any other pair raises :class:`~xborder.errors.TranslationError`.
    """

    name: Final = "glossary"
    #: No I/O, so no reason to split; large enough for any listing set.
    max_batch: Final = 10_000

    def __init__(self, glossary: Glossary | None = None) -> None:
        if glossary is not None and not isinstance(glossary, Glossary):
            raise TypeError(f"glossary: expected a Glossary, got {type(glossary).__name__}")
        self.glossary: Final = glossary if glossary is not None else _shipped()

    def __repr__(self) -> str:
        return f"GlossaryTranslator({self.glossary!r})"

    def supports(self, source: str, target: str) -> bool:
        """Whether the glossary covers the pair."""
        return self.glossary.supports(source, target)

    def flow(self, texts: Sequence[str], *, source: str, target: str) -> Flow[list[str | None]]:
        """Return a flow that yields nothing and returns one glossary lookup per text."""
        if not self.glossary.supports(source, target):
            raise TranslationError(
                f"language pair {source}->{target} is not supported: the glossary translates "
                f"from {self.glossary.source_language!r} into {', '.join(self.glossary.languages)}",
                provider=self.name,
            )
        return self._flow(list(texts), source, target)

    def _flow(
        self, texts: list[str], source: str, target: str
    ) -> Generator[HttpRequest, HttpResponse, list[str | None]]:
        results = [self.glossary.lookup(t, source=source, target=target) for t in texts]
        return results
        yield  # unreachable: makes this a generator (a flow) that yields no request


def _shipped() -> Glossary:
    return glossary()
