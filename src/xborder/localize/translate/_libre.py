"""LibreTranslate (self-hosted or libretranslate.com) as a sans-I/O flow.

Provider documentation used (read 2026-11):

* API usage: https://docs.libretranslate.com/guides/api_usage/ -- ``POST /translate`` with a
  JSON body ``{"q", "source", "target", "format", "api_key"}``; the answer is
  ``{"translatedText": ...}``.
* The server's OpenAPI description, served at ``/docs`` (https://libretranslate.com/docs/),
  generated from ``libretranslate/app.py`` (https://github.com/LibreTranslate/LibreTranslate):
  ``q`` may be a string or an array of strings, and ``translatedText`` is then an array in the
  same order; errors are ``{"error": "..."}`` with 400 "Invalid request", 403 "Banned",
  429 "Slow down" and 500 "Translation error". In that code a 403 also answers an invalid
  ``api_key`` ("Invalid API key"), a 400 a missing one on servers that require keys
  ("Please contact the server operator to get an API key" / "Visit … to get an API key"),
  a 403 a client banned after too many rate-limit violations ("Too many request limits
  violations"), and a 400 an unsupported language ("xx is not supported").
* Supported languages: https://docs.libretranslate.com/guides/supported_languages/ -- Argos
  Translate codes; Brazilian Portuguese is ``pb`` and Traditional Chinese ``zt`` on a default
  install (libretranslate.com may show other spellings; pass ``codes=`` for those).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Iterable, Mapping, Sequence
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
from xborder.localize.translate._lang import canonical_language, parse_language

__all__ = ["LIBRETRANSLATE_LANGUAGES", "LibreTranslateTranslator"]

logger = logging.getLogger("xborder.localize.translate")

#: The Argos Translate language codes a default LibreTranslate install offers (the
#: supported-languages page, 2026). A server may load fewer; pass ``languages=`` then.
# fmt: off
LIBRETRANSLATE_LANGUAGES: Final = frozenset({
    "ar", "az", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "eo", "es", "et", "eu",
    "fa", "fi", "fr", "ga", "gl", "he", "hi", "hu", "id", "it", "ja", "ko", "ky", "lt",
    "lv", "ms", "nb", "nl", "pb", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv",
    "th", "tl", "tr", "uk", "ur", "vi", "zh", "zt",
})
# fmt: on


def libre_code(code: str) -> str:
    """Return the LibreTranslate (Argos) code for a language tag.

    ``pt-BR`` → ``pb``; ``zh-Hant``, ``zh-TW``, ``zh-HK``, ``zh-MO`` → ``zt``; other Chinese
    → ``zh``; ``no`` → ``nb``; otherwise the language subtag (``de-AT`` → ``de``).
    """
    tag = parse_language(code)
    if tag.language == "pt" and tag.region == "BR":
        return "pb"
    if tag.language == "zh":
        traditional = tag.script == "Hant" or (
            tag.script is None and tag.region in {"TW", "HK", "MO"}
        )
        return "zt" if traditional else "zh"
    if tag.language == "no":
        return "nb"
    return tag.language


class LibreTranslateTranslator:
    """Machine translation with a LibreTranslate server (``POST {url}/translate``).

    ::

        libre = LibreTranslateTranslator("http://localhost:5000")
        libre = LibreTranslateTranslator("https://libretranslate.com", api_key=SecretStr(key))

    ``url`` is the server's base URL. ``api_key`` (a :class:`pydantic.SecretStr`) is sent in
    the JSON body, as the API expects, and nowhere else: never in a repr, a log line or an
    error message. ``max_batch`` texts go in one request (a server started with
    ``--batch-limit`` accepts no more than that). ``languages`` are the codes the server
    offers (default: :data:`LIBRETRANSLATE_LANGUAGES`); ``codes`` maps xborder language tags
    to the server's codes where they differ from :func:`libre_code` (e.g.
    ``{"zh-Hans": "zh-Hans"}`` for a server that spells them that way); a code mapped there
    counts as offered.

    Answers: 403 with "API key" in the error, or 400 asking for an API key, raise
    :class:`~xborder.errors.TranslatorAuthError`; 429 (slow down, ``retry_after`` from a
    ``Retry-After`` header if the server sends one) and any other 403 (banned for too many
    rate-limit violations) raise :class:`~xborder.errors.TranslatorQuotaError`; other 400s
    (including an unsupported language), 5xx, a body that is not the documented JSON, or a
    count that differs from the texts sent raise :class:`~xborder.errors.TranslationError`.
    """

    name: Final = "libretranslate"

    def __init__(
        self,
        url: str,
        *,
        api_key: SecretStr | str | None = None,
        max_batch: int = 50,
        languages: Iterable[str] | None = None,
        codes: Mapping[str, str] | None = None,
    ) -> None:
        self.url: Final = check_url(url, provider=self.name, field="url")
        self._api_key = None if api_key is None else to_secret(api_key, provider=self.name)
        if isinstance(max_batch, bool) or not isinstance(max_batch, int) or max_batch < 1:
            raise ConfigurationError(
                f"libretranslate: max_batch must be an int >= 1, got {max_batch!r}"
            )
        self.max_batch: Final = max_batch
        self.codes: Final = {canonical_language(k): v for k, v in (codes or {}).items()}
        # A code mapped explicitly is taken as offered by the server.
        self.languages: Final = (
            LIBRETRANSLATE_LANGUAGES if languages is None else frozenset(languages)
        ) | frozenset(self.codes.values())
        self._redact = Redactor([self._api_key])

    def __repr__(self) -> str:
        key = "set" if self._api_key is not None else "none"
        return (
            f"LibreTranslateTranslator(url={self.url!r}, api_key={key}, "
            f"max_batch={self.max_batch!r})"
        )

    def code(self, language: str) -> str:
        """Return the server's code for a language tag (``codes``, else :func:`libre_code`)."""
        canonical = canonical_language(language)
        if canonical in self.codes:
            return self.codes[canonical]
        return libre_code(canonical)

    def supports(self, source: str, target: str) -> bool:
        """Whether the server (as configured) has both languages and they differ."""
        src, tgt = self.code(source), self.code(target)
        return src in self.languages and tgt in self.languages and src != tgt

    def flow(self, texts: Sequence[str], *, source: str, target: str) -> Flow[list[str | None]]:
        """Return a flow translating ``texts``; one POST per :attr:`max_batch` texts.

        An unsupported language pair raises :class:`~xborder.errors.TranslationError` here,
        before any request is yielded.
        """
        src, tgt = self.code(source), self.code(target)
        for tag, code in ((source, src), (target, tgt)):
            if code not in self.languages:
                raise TranslationError(
                    f"language pair {source}->{target} is not supported: the server has no "
                    f"language {code!r} (for {tag!r}); it offers "
                    f"{', '.join(sorted(self.languages))}",
                    provider=self.name,
                )
        if src == tgt:
            raise TranslationError(
                f"language pair {source}->{target} is not supported: both are {src!r} here",
                provider=self.name,
            )
        items = list(texts)
        for text in items:
            if not isinstance(text, str):
                raise TypeError(f"texts: expected str items, got {type(text).__name__}")
        return self._flow(items, src, tgt)

    def _flow(
        self, texts: list[str], source: str, target: str
    ) -> Generator[HttpRequest, HttpResponse, list[str | None]]:
        results: list[str | None] = []
        endpoint = f"{self.url}/translate"
        for start in range(0, len(texts), self.max_batch):
            chunk = texts[start : start + self.max_batch]
            body: dict[str, object] = {
                "q": chunk,
                "source": source,
                "target": target,
                "format": "text",
            }
            if self._api_key is not None:
                body["api_key"] = self._api_key.get_secret_value()
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            logger.debug(
                "libretranslate: POST %s (%d texts, %s->%s)", endpoint, len(chunk), source, target
            )
            response = yield HttpRequest(
                "POST",
                endpoint,
                headers={
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "User-Agent": user_agent(),
                },
                content=content,
            )
            results.extend(self._parse(response, len(chunk)))
        return results

    def _parse(self, response: HttpResponse, count: int) -> list[str]:
        if not isinstance(response, HttpResponse):
            raise TypeError(f"expected an HttpResponse, got {type(response).__name__}")
        status = response.status_code
        if status != 200:
            raise self._error(response)
        body = json_body(response, provider=self.name, redact=self._redact)
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(translated, str):
            raise TranslationError(
                "HTTP 200 with one 'translatedText' string for a list of texts; the server "
                "does not seem to support batch translation (q as an array)",
                provider=self.name,
                status=status,
            )
        if not isinstance(translated, list):
            raise TranslationError(
                "HTTP 200 without a 'translatedText' list", provider=self.name, status=status
            )
        if len(translated) != count:
            raise TranslationError(
                f"answered {len(translated)} translations for {count} texts",
                provider=self.name,
                status=status,
            )
        if not all(isinstance(t, str) for t in translated):
            raise TranslationError(
                "'translatedText' holds something other than strings",
                provider=self.name,
                status=status,
            )
        return list(translated)

    def _error(self, response: HttpResponse) -> TranslationError:
        status = response.status_code
        said = server_message(response, ("error",), redact=self._redact)
        detail = f": {said}" if said else ""
        about_key = "api key" in said.lower()
        if (status == 403 and about_key) or (status == 400 and about_key) or status == 401:
            return TranslatorAuthError(
                f"HTTP {status}, the server refused the API key or wants one{detail}",
                provider=self.name,
                status=status,
            )
        if status == 403:
            return TranslatorQuotaError(
                f"HTTP 403, the server has banned this client (too many rate-limit "
                f"violations){detail}; wait before retrying",
                provider=self.name,
                status=status,
                retry_after=retry_after(response),
            )
        if status == 429:
            wait = retry_after(response)
            hint = f"; retry after {wait:g} s" if wait is not None else "; slow down"
            return TranslatorQuotaError(
                f"HTTP 429, rate limit reached{detail}{hint}",
                provider=self.name,
                status=status,
                retry_after=wait,
            )
        if status == 400:
            return TranslationError(
                f"HTTP 400, invalid request{detail}", provider=self.name, status=status
            )
        if status >= 500:
            return TranslationError(
                f"HTTP {status}, the server failed to translate{detail}",
                provider=self.name,
                status=status,
            )
        return TranslationError(
            f"unexpected HTTP {status}{detail}", provider=self.name, status=status
        )
