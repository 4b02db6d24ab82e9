"""Machine translation as its own sans-I/O step, with a cache and an offline glossary.

Translation is I/O, so it runs before ``localize()``, through a driver (DESIGN decision 1)::

    from xborder.http import run_flow
    from xborder.localize import translate as tr

    cache = tr.MemoryTranslationCache()
    deepl = tr.get("deepl", api_key=SecretStr(key))          # or tr.DeepLTranslator(key)
    run = run_flow(tr.translate_flow(texts, "en", "de", deepl, cache))
    run.requested, run.cache_hits, run.translated, run.missing

:func:`translate_flow` asks the :class:`Translator` only for texts the
:class:`TranslationCache` lacks, in batches, and stores each answer as a
:class:`CachedTranslation` (text, provider, languages, day). Providers: the offline
:class:`GlossaryTranslator` (:func:`glossary`, reviewed terms in eight languages),
:class:`DeepLTranslator` and :class:`LibreTranslateTranslator`, plus any plugin in the
``xborder.translators`` entry-point group (:func:`get`, :func:`available`);
:data:`MACHINE_PROVIDERS` names the machine translators whose cached text ``localize()``
reads. API keys are :class:`pydantic.SecretStr` and never appear in reprs, logs or error
messages. See docs/translation.md.
"""

from __future__ import annotations

from typing import Final

from xborder.localize.translate._core import (
    CachedTranslation,
    CacheKey,
    MemoryTranslationCache,
    TranslationCache,
    TranslationRun,
    Translator,
    cache_key,
    text_hash,
    translate_flow,
)
from xborder.localize.translate._deepl import (
    DEEPL_FREE_URL,
    DEEPL_MAX_REQUEST_BYTES,
    DEEPL_PRO_URL,
    DEEPL_SOURCE_LANGUAGES,
    DEEPL_TARGET_LANGUAGES,
    DeepLTranslator,
)
from xborder.localize.translate._glossary import (
    CONDITION_TERMS,
    Glossary,
    GlossaryTranslator,
    glossary,
)
from xborder.localize.translate._lang import canonical_language
from xborder.localize.translate._libre import LIBRETRANSLATE_LANGUAGES, LibreTranslateTranslator
from xborder.localize.translate._registry import GROUP, available, get

#: The machine-translation providers whose cached translations :func:`xborder.localize.localize`
#: reads by default (its ``providers``), and so the translators a sync job accepts: an offer
#: shows a cached machine translation only when its provider is one of these.
MACHINE_PROVIDERS: Final[tuple[str, ...]] = (DeepLTranslator.name, LibreTranslateTranslator.name)

__all__ = [
    "CONDITION_TERMS",
    "DEEPL_FREE_URL",
    "DEEPL_MAX_REQUEST_BYTES",
    "DEEPL_PRO_URL",
    "DEEPL_SOURCE_LANGUAGES",
    "DEEPL_TARGET_LANGUAGES",
    "GROUP",
    "LIBRETRANSLATE_LANGUAGES",
    "MACHINE_PROVIDERS",
    "CacheKey",
    "CachedTranslation",
    "DeepLTranslator",
    "Glossary",
    "GlossaryTranslator",
    "LibreTranslateTranslator",
    "MemoryTranslationCache",
    "TranslationCache",
    "TranslationRun",
    "Translator",
    "available",
    "cache_key",
    "canonical_language",
    "get",
    "glossary",
    "text_hash",
    "translate_flow",
]
