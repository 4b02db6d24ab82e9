"""DeepL API v2 text translation as a sans-I/O flow.

Provider documentation used (read 2026-11):

* Translate text, ``POST /v2/translate``: https://developers.deepl.com/docs/api-reference/translate
  and its generated spec
  https://developers.deepl.com/docs/api-reference/translate/openapi-spec-for-text-translation
  -- JSON body ``{"text": [...], "source_lang", "target_lang", "formality"}``; answer
  ``{"translations": [{"detected_source_language", "text"}, ...]}`` in request order; up to
  50 texts per request and a total request body of at most 128 KiB.
* Access and authentication: https://developers.deepl.com/docs/getting-started/auth --
  header ``Authorization: DeepL-Auth-Key <key>``; Free API keys end in ``:fx`` and use
  ``https://api-free.deepl.com``, Pro keys ``https://api.deepl.com``.
* Error handling: https://developers.deepl.com/docs/best-practices/error-handling -- 429 too
  many requests (retry with backoff), 456 quota exceeded (Free: 500,000 characters a month;
  Pro: the Cost Control limit), 500 temporary errors; a JSON body may add a ``message``.
  The API reference lists 400 bad request, 403 authorization failed, 404 not found,
  413 request too large and 5xx internal errors as well.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Final

from pydantic import SecretStr

from xborder.errors import (
    ConfigurationError,
    TranslationError,
    TranslatorAuthError,
    TranslatorQuotaError,
)
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.localize.translate._http import (
    Redactor,
    check_url,
    json_body,
    retry_after,
    server_message,
    to_secret,
    user_agent,
)
from xborder.localize.translate._lang import LanguageTag, parse_language

__all__ = [
    "DEEPL_FREE_URL",
    "DEEPL_MAX_REQUEST_BYTES",
    "DEEPL_PRO_URL",
    "DEEPL_SOURCE_LANGUAGES",
    "DEEPL_TARGET_LANGUAGES",
    "DeepLTranslator",
]

logger = logging.getLogger("xborder.localize.translate")

DEEPL_PRO_URL: Final = "https://api.deepl.com"
DEEPL_FREE_URL: Final = "https://api-free.deepl.com"
#: "The total request body size for text translation requests must not exceed 128 KiB."
DEEPL_MAX_REQUEST_BYTES: Final = 128 * 1024

#: ``source_lang`` values of the translate endpoint (API reference, 2026).
# fmt: off
DEEPL_SOURCE_LANGUAGES: Final = frozenset({
    "AR", "BG", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FI", "FR", "HE", "HU", "ID",
    "IT", "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT", "RO", "RU", "SK", "SL", "SV",
    "TH", "TR", "UK", "VI", "ZH",
})
# fmt: on
#: ``target_lang`` values of the translate endpoint (API reference, 2026). ``EN``, ``PT`` and
#: ``ZH`` without a variant are deprecated or ambiguous there; xborder always sends a variant.
# fmt: off
DEEPL_TARGET_LANGUAGES: Final = frozenset({
    "AR", "BG", "CS", "DA", "DE", "EL", "EN-GB", "EN-US", "ES", "ES-419", "ET", "FI", "FR", "HE",
    "HU", "ID", "IT", "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT-BR", "PT-PT", "RO", "RU",
    "SK", "SL", "SV", "TH", "TR", "UK", "VI", "ZH-HANS", "ZH-HANT",
})
# fmt: on

#: ``formality`` values the translate endpoint accepts.
FORMALITIES: Final = frozenset({"default", "more", "less", "prefer_more", "prefer_less"})

# English target: regions that write British English get EN-GB; everything else EN-US.
_BRITISH: Final = frozenset(
    ["GB", "UK", "IE", "AU", "NZ", "ZA", "IN", "SG", "MT", "HK", "CY", "GI", "IM", "JE", "GG"]
)
# Spanish target: Latin America (UN M49 "419") and its countries get ES-419.
# fmt: off
_LATIN_AMERICA: Final = frozenset({
    "419", "AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "HN", "MX", "NI", "PA",
    "PE", "PR", "PY", "SV", "UY", "VE", "US",
})
# fmt: on
# Chinese target: traditional script by default in these regions.
_TRADITIONAL: Final = frozenset({"TW", "HK", "MO"})


def deepl_source(code: str) -> str | None:
    """Return DeepL's ``source_lang`` for a language tag, or None if DeepL has none."""
    tag = parse_language(code)
    value = "NB" if tag.language in {"nb", "no"} else tag.language.upper()
    return value if value in DEEPL_SOURCE_LANGUAGES else None


def deepl_target(code: str) -> str | None:
    """Return DeepL's ``target_lang`` for a language tag, or None if DeepL has none.

    ``en`` → ``EN-GB`` for British-English regions (GB, IE, AU, NZ, …) and ``EN-US``
    otherwise; ``pt`` → ``PT-BR`` for Brazil and ``PT-PT`` otherwise; ``zh`` → ``ZH-HANT``
    for the Hant script or TW/HK/MO and ``ZH-HANS`` otherwise; ``es`` → ``ES-419`` for Latin
    America (``es-419``, ``es-MX``, …); ``no``/``nb`` → ``NB``; others their upper-case code.
    """
    tag = parse_language(code)
    value = _target(tag)
    return value if value in DEEPL_TARGET_LANGUAGES else None


def _target(tag: LanguageTag) -> str:
    language, region = tag.language, tag.region
    if language == "en":
        return "EN-GB" if region in _BRITISH else "EN-US"
    if language == "pt":
        return "PT-BR" if region == "BR" else "PT-PT"
    if language == "zh":
        traditional = tag.script == "Hant" or (tag.script is None and region in _TRADITIONAL)
        return "ZH-HANT" if traditional else "ZH-HANS"
    if language == "es":
        return "ES-419" if region in _LATIN_AMERICA else "ES"
    if language in {"nb", "no"}:
        return "NB"
    return language.upper()


class DeepLTranslator:
    """Machine translation with the DeepL API v2 (``POST /v2/translate``).

    ::

        deepl = DeepLTranslator(SecretStr(os.environ["DEEPL_AUTH_KEY"]))
        run = run_flow(translate_flow(texts, "en", "de", deepl, cache))

    ``api_key`` is kept as a :class:`pydantic.SecretStr` and appears only in the
    ``Authorization`` header of the requests the flow yields; never in a repr, a log line or
    an error message. ``server_url`` defaults to ``https://api-free.deepl.com`` for Free API
    keys (ending in ``:fx``) and ``https://api.deepl.com`` otherwise. ``formality`` is passed
    on as is (``"default"``, ``"more"``, ``"less"``, ``"prefer_more"``, ``"prefer_less"``;
    DeepL rejects ``more``/``less`` for a target without formality, the ``prefer_`` forms do
    not). Each request carries at most :attr:`max_batch` (50) texts and at most 128 KiB.

    Answers: 403 (and 401) raise :class:`~xborder.errors.TranslatorAuthError`; 456 (quota
    exceeded) and 429 (too many requests, with ``retry_after`` from ``Retry-After``) raise
    :class:`~xborder.errors.TranslatorQuotaError`; 400, 404, 413, 5xx, a body that is not the
    documented JSON, or a count of translations that differs from the count of texts raise
    :class:`~xborder.errors.TranslationError`.
    """

    name: Final = "deepl"
    max_batch: Final = 50

    def __init__(
        self,
        api_key: SecretStr | str,
        *,
        server_url: str | None = None,
        formality: str | None = None,
    ) -> None:
        self._api_key = to_secret(api_key, provider=self.name)
        if server_url is None:
            free = self._api_key.get_secret_value().endswith(":fx")
            server_url = DEEPL_FREE_URL if free else DEEPL_PRO_URL
        self.server_url: Final = check_url(server_url, provider=self.name, field="server_url")
        if formality is not None and formality not in FORMALITIES:
            raise ConfigurationError(
                f"deepl: formality must be one of {sorted(FORMALITIES)} or None, got {formality!r}"
            )
        self.formality: Final = formality
        self._redact = Redactor([self._api_key])

    @property
    def url(self) -> str:
        """The translate endpoint, e.g. ``https://api.deepl.com/v2/translate``."""
        return f"{self.server_url}/v2/translate"

    def __repr__(self) -> str:
        return f"DeepLTranslator(server_url={self.server_url!r}, formality={self.formality!r})"

    def supports(self, source: str, target: str) -> bool:
        """Whether DeepL translates from ``source`` to ``target`` (language tags)."""
        return deepl_source(source) is not None and deepl_target(target) is not None

    def languages(self, source: str, target: str) -> tuple[str, str]:
        """Return DeepL's ``(source_lang, target_lang)`` for a pair, or raise TranslationError."""
        source_lang, target_lang = deepl_source(source), deepl_target(target)
        if source_lang is None or target_lang is None:
            which = "source" if source_lang is None else "target"
            known = DEEPL_SOURCE_LANGUAGES if source_lang is None else DEEPL_TARGET_LANGUAGES
            raise TranslationError(
                f"language pair {source}->{target} is not supported: DeepL has no {which} "
                f"language for {source if source_lang is None else target!r} "
                f"(DeepL {which} languages: {', '.join(sorted(known))})",
                provider=self.name,
            )
        return source_lang, target_lang

    def flow(self, texts: Sequence[str], *, source: str, target: str) -> Flow[list[str | None]]:
        """Return a flow translating ``texts``; one POST per 50 texts or 128 KiB.

        An unsupported language pair, or one text too long for a request on its own, raises
        :class:`~xborder.errors.TranslationError` here, before any request is yielded.
        """
        source_lang, target_lang = self.languages(source, target)
        items = list(texts)
        body: dict[str, object] = {
            "text": [],
            "source_lang": source_lang,
            "target_lang": target_lang,
        }
        if self.formality is not None:
            body["formality"] = self.formality
        chunks = list(_chunks(items, body, max_count=self.max_batch))
        return self._flow(chunks, body)

    def _flow(
        self, chunks: list[list[str]], body: Mapping[str, object]
    ) -> Generator[HttpRequest, HttpResponse, list[str | None]]:
        results: list[str | None] = []
        for chunk in chunks:
            content = _encode({**body, "text": chunk})
            logger.debug(
                "deepl: POST %s (%d texts, %d bytes, %s->%s)",
                self.url,
                len(chunk),
                len(content),
                body["source_lang"],
                body["target_lang"],
            )
            response = yield HttpRequest("POST", self.url, headers=self._headers(), content=content)
            results.extend(self._parse(response, len(chunk)))
        return results

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"DeepL-Auth-Key {self._api_key.get_secret_value()}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": user_agent(),
        }

    def _parse(self, response: HttpResponse, count: int) -> list[str]:
        if not isinstance(response, HttpResponse):
            raise TypeError(f"expected an HttpResponse, got {type(response).__name__}")
        status = response.status_code
        if status != 200:
            raise self._error(response)
        body = json_body(response, provider=self.name, redact=self._redact)
        translations = body.get("translations") if isinstance(body, dict) else None
        if not isinstance(translations, list):
            raise TranslationError(
                "HTTP 200 without a 'translations' list", provider=self.name, status=status
            )
        if len(translations) != count:
            raise TranslationError(
                f"answered {len(translations)} translations for {count} texts",
                provider=self.name,
                status=status,
            )
        out: list[str] = []
        for i, item in enumerate(translations):
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise TranslationError(
                    f"translation {i} has no 'text' string", provider=self.name, status=status
                )
            out.append(text)
        return out

    def _error(self, response: HttpResponse) -> TranslationError:
        status = response.status_code
        said = server_message(response, ("message", "detail"), redact=self._redact)
        detail = f": {said}" if said else ""
        if status in {401, 403}:
            return TranslatorAuthError(
                f"HTTP {status}, the API key was refused{detail}. Check the key, and that it "
                f"fits the server (Free API keys end in ':fx' and use {DEEPL_FREE_URL}; "
                f"this translator uses {self.server_url})",
                provider=self.name,
                status=status,
            )
        if status == 456:
            return TranslatorQuotaError(
                f"HTTP 456, the character quota is exhausted{detail} (Free API: 500,000 "
                f"characters a month; Pro: the Cost Control limit)",
                provider=self.name,
                status=status,
            )
        if status in {429, 529}:
            wait = retry_after(response)
            hint = f"; retry after {wait:g} s" if wait is not None else "; retry with backoff"
            return TranslatorQuotaError(
                f"HTTP {status}, too many requests{detail}{hint}",
                provider=self.name,
                status=status,
                retry_after=wait,
            )
        if status == 413:
            return TranslationError(
                f"HTTP 413, the request is larger than DeepL accepts{detail}",
                provider=self.name,
                status=status,
            )
        if status == 404:
            return TranslationError(
                f"HTTP 404 from {self.url}{detail}; check server_url",
                provider=self.name,
                status=status,
            )
        if status >= 500:
            return TranslationError(
                f"HTTP {status}, a temporary DeepL error{detail}; retry later",
                provider=self.name,
                status=status,
            )
        if status == 400:
            return TranslationError(
                f"HTTP 400, bad request{detail}", provider=self.name, status=status
            )
        return TranslationError(
            f"unexpected HTTP {status}{detail}", provider=self.name, status=status
        )


def _encode(body: Mapping[str, object]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _chunks(
    texts: list[str],
    body: Mapping[str, object],
    *,
    max_count: int,
    max_bytes: int = DEEPL_MAX_REQUEST_BYTES,
) -> Iterator[list[str]]:
    """Split ``texts`` into request-sized lists: <= max_count texts and <= max_bytes of JSON."""
    overhead = len(_encode({**body, "text": []}))
    chunk: list[str] = []
    size = overhead
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"texts: expected str items, got {type(text).__name__}")
        item = len(_encode({"t": text})) - len(b'{"t":}') + (1 if chunk else 0)
        if overhead + item > max_bytes:
            raise TranslationError(
                f"a text of {len(text)} characters does not fit in one request "
                f"(DeepL accepts at most {max_bytes} bytes per request); shorten or split it",
                provider="deepl",
            )
        if chunk and (len(chunk) >= max_count or size + item > max_bytes):
            yield chunk
            chunk, size = [], overhead
            item -= 1  # no comma before the first text of a request
        chunk.append(text)
        size += item
    if chunk:
        yield chunk
