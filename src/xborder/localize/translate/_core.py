"""The translation step: the Translator protocol, the cache, and :func:`translate_flow`.

Machine translation is I/O, so it is not part of ``localize()`` (DESIGN decision 1): a driver
runs :func:`translate_flow` first, which asks a :class:`Translator` only for the texts the
:class:`TranslationCache` does not already hold and stores the answers with their provenance
(:class:`CachedTranslation`). ``localize()`` then only reads the cache.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeAlias, runtime_checkable

from xborder.clock import Clock, today
from xborder.errors import TranslationError
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.localize.translate._lang import canonical_language

__all__ = [
    "CacheKey",
    "CachedTranslation",
    "MemoryTranslationCache",
    "TranslationCache",
    "TranslationRun",
    "Translator",
    "cache_key",
    "text_hash",
    "translate_flow",
]

logger = logging.getLogger("xborder.localize.translate")

#: ``(text_hash(text), source, target, provider)``: what a translation is cached under.
#: ``source`` and ``target`` are canonical language tags (``"pt-BR"``), ``provider`` the
#: translator's registry name (``"deepl"``).
CacheKey: TypeAlias = tuple[str, str, str, str]


@runtime_checkable
class Translator(Protocol):
    """A machine-translation provider, as a sans-I/O flow.

    ``name`` is the provider's registry name (``"glossary"``, ``"deepl"``,
    ``"libretranslate"``); it is part of every cache key and of the provenance of every
    translation. ``max_batch`` is the largest number of texts :func:`translate_flow` hands to
    one call of :meth:`flow`.
    """

    @property
    def name(self) -> str:
        """The registry name, e.g. ``"deepl"``."""
        ...

    @property
    def max_batch(self) -> int:
        """The most texts one :meth:`flow` call accepts (>= 1)."""
        ...

    def flow(self, texts: Sequence[str], *, source: str, target: str) -> Flow[list[str | None]]:
        """Return a flow that translates ``texts`` from ``source`` to ``target``.

        The flow yields :class:`~xborder.http.HttpRequest` objects (none for an offline
        provider) and returns one result per text, in order: the translation, or ``None``
        when the provider has none for that text. A language pair the provider does not
        support raises :class:`~xborder.errors.TranslationError`.
        """
        ...


@dataclass(frozen=True, slots=True)
class CachedTranslation:
    """One stored translation and where it came from.

    ``provider`` is the translator's registry name, ``source``/``target`` canonical language
    tags, and ``translated_at`` the (UTC) day the provider answered.
    """

    text: str
    provider: str
    source: str
    target: str
    translated_at: date


@runtime_checkable
class TranslationCache(Protocol):
    """Where translations are kept between runs (memory here; the jobs state store later)."""

    def get(self, key: CacheKey) -> CachedTranslation | None:
        """Return the translation stored under ``key``, or ``None``."""
        ...

    def put(self, key: CacheKey, value: CachedTranslation) -> None:
        """Store ``value`` under ``key``, replacing what was there."""
        ...


def text_hash(text: str) -> str:
    """Return the SHA-256 hex digest of ``text`` in Unicode NFC (the first part of a CacheKey).

    NFC first, so that "é" typed as one code point or as "e" plus a combining accent is the
    same text.
    """
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def cache_key(text: str, source: str, target: str, provider: str) -> CacheKey:
    """Return the :data:`CacheKey` of ``text`` for a language pair and a provider.

    The language codes are written canonically first (``"pt_br"`` → ``"pt-BR"``), exactly as
    :func:`translate_flow` does, so a reader finds what the step stored.
    """
    return (text_hash(text), canonical_language(source), canonical_language(target), provider)


class MemoryTranslationCache:
    """A :class:`TranslationCache` in a dict; least recently used first out if ``maxsize`` is set.

    Safe to share between threads.
    """

    def __init__(self, maxsize: int | None = None) -> None:
        if maxsize is not None and (
            isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1
        ):
            raise ValueError(f"maxsize: expected None or an int >= 1, got {maxsize!r}")
        self.maxsize = maxsize
        self._items: OrderedDict[CacheKey, CachedTranslation] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> CachedTranslation | None:
        """Return the translation stored under ``key`` (and mark it recently used)."""
        with self._lock:
            value = self._items.get(key)
            if value is not None and self.maxsize is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: CacheKey, value: CachedTranslation) -> None:
        """Store ``value``; when bounded and full, drop the least recently used entry."""
        if not isinstance(value, CachedTranslation):
            raise TypeError(f"value: expected a CachedTranslation, got {type(value).__name__}")
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            if self.maxsize is not None:
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every translation."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __repr__(self) -> str:
        return f"MemoryTranslationCache(maxsize={self.maxsize!r}, size={len(self._items)})"


@dataclass(frozen=True, slots=True)
class TranslationRun:
    """What one :func:`translate_flow` did.

    ``requested`` counts the distinct, non-blank texts asked for; ``cache_hits`` those already
    cached (no call was made for them); ``translated`` those the provider translated now (and
    that were cached); ``missing`` the texts the provider had no translation for (nothing
    cached). ``requested == cache_hits + translated + len(missing)``.
    """

    requested: int
    cache_hits: int
    translated: int
    missing: tuple[str, ...] = ()


def translate_flow(
    texts: Iterable[str],
    source: str,
    target: str,
    translator: Translator,
    cache: TranslationCache,
    *,
    clock: Clock | None = None,
) -> Flow[TranslationRun]:
    """Return a flow that fills ``cache`` with translations of ``texts`` and returns a summary.

    ::

        run = run_flow(translate_flow(texts, "en", "de", DeepLTranslator(key), cache))

    The flow

    1. drops blank texts and duplicates (texts equal in Unicode NFC are one text);
    2. skips every text already cached under ``(text_hash, source, target, translator.name)``
       (cache hits make no call at all);
    3. splits the rest into batches of ``translator.max_batch`` and runs the translator's
       flow for each (the requests it yields are yielded on to the driver);
    4. stores each translation as a :class:`CachedTranslation` dated by ``clock`` (UTC day;
       default the system clock). A ``None`` or blank answer is not stored and is reported
       in :attr:`TranslationRun.missing`.

    Errors from the provider propagate; batches finished before the error stay cached, so a
    rerun continues where it stopped. ``source`` and ``target`` are written canonically
    (``"pt_br"`` → ``"pt-BR"``) before use; a code that is not a language tag raises
    :class:`~xborder.errors.UnknownLocaleError` at once.
    """
    if not isinstance(translator, Translator):
        raise TypeError(
            f"translator: expected a Translator (name, max_batch, flow()), "
            f"got {type(translator).__name__}"
        )
    if not isinstance(cache, TranslationCache):
        raise TypeError(f"cache: expected a TranslationCache, got {type(cache).__name__}")
    batch = translator.max_batch
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise TypeError(f"{translator.name}: max_batch must be an int >= 1, got {batch!r}")
    if isinstance(texts, str):
        raise TypeError("texts: expected an iterable of texts, got one str")
    src, tgt = canonical_language(source), canonical_language(target)
    unique: dict[str, None] = {}
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"texts: expected str items, got {type(text).__name__}")
        if text.strip():
            unique.setdefault(unicodedata.normalize("NFC", text))
    return _run(list(unique), src, tgt, translator, cache, batch, clock)


def _run(
    texts: list[str],
    source: str,
    target: str,
    translator: Translator,
    cache: TranslationCache,
    batch: int,
    clock: Clock | None,
) -> Generator[HttpRequest, HttpResponse, TranslationRun]:
    provider = translator.name
    todo = [t for t in texts if cache.get((text_hash(t), source, target, provider)) is None]
    hits = len(texts) - len(todo)
    logger.debug(
        "%s %s->%s: %d texts, %d cached, %d to translate in batches of %d",
        provider,
        source,
        target,
        len(texts),
        hits,
        len(todo),
        batch,
    )
    translated = 0
    missing: list[str] = []
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        results = yield from translator.flow(chunk, source=source, target=target)
        if not isinstance(results, list | tuple):
            raise TranslationError(
                f"returned a {type(results).__name__} instead of a list of results",
                provider=provider,
            )
        if len(results) != len(chunk):
            raise TranslationError(
                f"returned {len(results)} results for {len(chunk)} texts", provider=provider
            )
        day = today(clock)
        for text, result in zip(chunk, results, strict=True):
            if result is None or (isinstance(result, str) and not result.strip()):
                missing.append(text)
                continue
            if not isinstance(result, str):
                raise TranslationError(
                    f"returned a {type(result).__name__} instead of a str or None",
                    provider=provider,
                )
            value = CachedTranslation(result, provider, source, target, day)
            cache.put((text_hash(text), source, target, provider), value)
            translated += 1
    return TranslationRun(len(texts), hits, translated, tuple(missing))
