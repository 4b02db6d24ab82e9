"""What the HTTP providers share: API keys as SecretStr, JSON bodies, Retry-After, redaction."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Final

from pydantic import SecretStr

from xborder.errors import ConfigurationError, TranslationError
from xborder.http import HttpResponse, require_https, safe_text

__all__ = [
    "Redactor",
    "check_url",
    "header",
    "json_body",
    "retry_after",
    "server_message",
    "to_secret",
    "user_agent",
]


def to_secret(value: object, *, provider: str, field: str = "api_key") -> SecretStr:
    """Return ``value`` (a str or SecretStr) as a non-empty SecretStr; never echo the value."""
    if isinstance(value, SecretStr):
        secret = value
    elif isinstance(value, str):
        secret = SecretStr(value)
    else:
        raise TypeError(
            f"{provider}: {field} must be a str or pydantic.SecretStr, got {type(value).__name__}"
        )
    raw = secret.get_secret_value()
    if not raw.strip():
        raise ConfigurationError(f"{provider}: {field} is empty")
    if raw != raw.strip() or any(c in raw for c in "\r\n"):
        # A key pasted with a newline would end up in an HTTP header; refuse it without
        # repeating it.
        raise ConfigurationError(
            f"{provider}: {field} has leading/trailing whitespace or a line break; strip it"
        )
    return SecretStr(raw)


class Redactor:
    """Removes secrets from any text xborder builds from a provider's answer."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[SecretStr | None]) -> None:
        self._secrets = tuple(s.get_secret_value() for s in secrets if s is not None)

    def __call__(self, text: str) -> str:
        """Return ``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


def check_url(url: object, *, provider: str, field: str) -> str:
    """Return ``url`` without a trailing slash if it is an https URL, else raise.

    Plain http is accepted for a loopback host only (a LibreTranslate on this machine):
    elsewhere the API key and the texts would cross the network readable by anyone.
    """
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or " " in url:
        raise ConfigurationError(f"{provider}: {field} must be an https URL, got {url!r}")
    try:
        require_https(url, field=field)
    except ValueError as exc:
        raise ConfigurationError(f"{provider}: {exc}") from None
    return url.rstrip("/")


def header(response: HttpResponse, name: str) -> str | None:
    """Return the header ``name`` of ``response``, matched without regard to case."""
    wanted = name.lower()
    for key, value in response.headers.items():
        if key.lower() == wanted:
            return value
    return None


def retry_after(response: HttpResponse) -> float | None:
    """Return the response's ``Retry-After`` in seconds, or None if absent or unreadable.

    RFC 9110 section 10.2.3: either delay-seconds or an HTTP-date. A date is turned into
    seconds against the response's own ``Date`` header (no clock is read); without one it
    is None.
    """
    value = header(response, "retry-after")
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    sent = header(response, "date")
    when = _http_date(value)
    now = _http_date(sent) if sent else None
    if when is None or now is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


_INVALID: Final = object()


def json_body(response: HttpResponse, *, provider: str, redact: Redactor) -> object:
    """Decode a JSON body, or raise TranslationError quoting (redacted) the start of it.

    The decoding error is not chained to the TranslationError: it holds the whole body
    (``JSONDecodeError.doc``), which is not redacted.
    """
    try:
        body = json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = _INVALID
    if body is _INVALID:
        # Redact before cutting: a cut through a secret would leave its start unredacted.
        start = safe_text(redact(_head(response.content)), limit=80)
        raise TranslationError(
            f"HTTP {response.status_code} with a body that is not JSON "
            f"({len(response.content)} bytes, starting {start!r})",
            provider=provider,
            status=response.status_code,
        )
    return body


def server_message(response: HttpResponse, keys: Iterable[str], *, redact: Redactor) -> str:
    """Return the provider's own error text from a JSON error body (``""`` when there is none).

    Looks for the first of ``keys`` holding a string; falls back to a short plain-text body.
    The result is redacted and at most 300 characters.
    """
    text = ""
    try:
        body = json.loads(response.content.decode("utf-8")) if response.content else None
    except (UnicodeDecodeError, ValueError):
        body = None
        raw = _head(response.content).strip()
        if raw and not raw.lstrip().startswith("<"):
            text = raw
    if isinstance(body, Mapping):
        parts = [str(body[k]).strip() for k in keys if isinstance(body.get(k), str)]
        text = "; ".join(p for p in parts if p)
    # Redact first, then cut: a cut through a secret would leave its start in the message.
    # safe_text shows control characters (ANSI escapes, CR/LF) the provider sent as escapes.
    return safe_text(" ".join(redact(text).split()), limit=300)


def _head(content: bytes) -> str:
    # Enough of the body for any message (and for a secret that crosses the cut to be
    # redacted whole), never the whole of a huge one.
    return content[:4096].decode("utf-8", "replace")


@cache
def user_agent() -> str:
    """Return ``xborder/<version>`` for the User-Agent header."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"xborder/{version('xborder')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "xborder"
