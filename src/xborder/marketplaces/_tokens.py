"""Token providers: a static token, and the OAuth 2.0 refresh-token and client-credentials grants.

Each is a :class:`~xborder.marketplaces.TokenProvider`: sans-I/O, its
:meth:`token_flow` yields the token request and returns an
:class:`~xborder.marketplaces.AccessToken`; a :class:`~xborder.client.Client` runs it,
caches the token and signs requests with :meth:`authorize`.

* :class:`StaticToken`: a long-lived token (a Meta system-user token, a test token).
* :class:`OAuth2RefreshToken`: RFC 6749 §6 (eBay user tokens, Amazon LWA).
* :class:`OAuth2ClientCredentials`: RFC 6749 §4.4 (eBay application tokens, Amazon LWA
  grantless operations).

The token endpoint takes a form-encoded POST (RFC 6749 §3.2, Appendix B) and answers JSON
with ``access_token``, ``expires_in`` and ``token_type`` (§5.1) or an error (§5.2).
Client authentication is HTTP Basic (§2.3.1, eBay's way: "Authorization: Basic
base64(client_id:client_secret)") or the client id and secret in the body (§2.3.1 as
well, Amazon LWA's way). Secrets are :class:`pydantic.SecretStr` and never appear in a
repr, a cache key, a log line or an error message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import replace
from typing import Final, Literal
from urllib.parse import quote, urlencode, urlsplit

from pydantic import SecretStr

from xborder.errors import (
    AuthenticationError,
    MarketplaceError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from xborder.http import Flow, HttpRequest, HttpResponse, require_https, safe_text
from xborder.marketplaces._auth import AccessToken

__all__ = [
    "ClientAuth",
    "OAuth2ClientCredentials",
    "OAuth2RefreshToken",
    "StaticToken",
    "provider_secrets",
]

#: How an OAuth client proves its identity at the token endpoint (RFC 6749 §2.3.1).
ClientAuth = Literal["basic", "body"]

_FORM: Final = "application/x-www-form-urlencoded"
_REQUEST_ID_HEADERS: Final = ("x-request-id", "x-amzn-requestid", "x-ebay-c-request-id")


def _secret(name: str, value: object) -> SecretStr:
    if isinstance(value, str):
        value = SecretStr(value)
    if not isinstance(value, SecretStr):
        raise TypeError(f"{name}: expected a pydantic.SecretStr, got {type(value).__name__}")
    raw = value.get_secret_value()
    if not raw.strip():
        raise ValueError(f"{name}: must not be empty")
    if raw != raw.strip() or any(c in raw for c in "\r\n"):
        # It would end up in an HTTP header or form; refuse it without repeating it.
        raise ValueError(f"{name}: has leading/trailing whitespace or a line break; strip it")
    return value


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def _url(value: object) -> str:
    # The client secret and refresh token go to this URL: https only (loopback excepted).
    return require_https(_text("token_url", value), field="token_url")


def _header(header: object, scheme: object) -> tuple[str, str]:
    name = _text("header", header)
    if not isinstance(scheme, str) or any(c in scheme for c in " \r\n"):
        raise ValueError(f"scheme: expected a word such as 'Bearer' or '', got {scheme!r}")
    return name, scheme


def _digest(secret: SecretStr) -> str:
    return hashlib.sha256(secret.get_secret_value().encode()).hexdigest()[:12]


def _sign(request: HttpRequest, header: str, scheme: str, token: AccessToken) -> HttpRequest:
    value = token.value.get_secret_value()
    headers = {k: v for k, v in request.headers.items() if k.lower() != header.lower()}
    headers[header] = f"{scheme} {value}" if scheme else value
    return replace(request, headers=headers)


class StaticToken:
    """A token that does not expire or that the caller renews: sent as it is.

    ``header`` and ``scheme`` say how it is sent: ``Authorization: Bearer <token>`` by
    default; ``scheme=""`` sends the bare token (Amazon: ``header="x-amz-access-token"``).
    ``key`` is the cache key (default ``"static:<first 12 hex of the token's SHA-256>"``).

    >>> StaticToken(SecretStr("s3cr3t"))
    StaticToken(token=SecretStr('**********'), header='Authorization', scheme='Bearer')
    """

    __slots__ = ("_header", "_key", "_scheme", "_token")

    def __init__(
        self,
        token: SecretStr,
        *,
        header: str = "Authorization",
        scheme: str = "Bearer",
        key: str | None = None,
    ) -> None:
        self._token = _secret("token", token)
        self._header, self._scheme = _header(header, scheme)
        self._key = _text("key", key) if key is not None else f"static:{_digest(self._token)}"

    @property
    def cache_key(self) -> str:
        """Identity of the token (no secret in it)."""
        return self._key

    def token_flow(self) -> Flow[AccessToken]:
        """Return the token without any request."""
        return AccessToken(self._token, expires_in=None)
        yield  # pragma: no cover - makes this a generator

    def authorize(self, request: HttpRequest, token: AccessToken) -> HttpRequest:
        """Return ``request`` with the token in ``header``."""
        return _sign(request, self._header, self._scheme, token)

    def _secrets(self) -> tuple[str, ...]:
        return (self._token.get_secret_value(),)

    def __repr__(self) -> str:
        return (
            f"StaticToken(token=SecretStr('**********'), header={self._header!r}, "
            f"scheme={self._scheme!r})"
        )


class _OAuth2Grant:
    """What both OAuth 2.0 grants share: the token request and reading its answer."""

    __slots__ = (
        "_client_auth",
        "_client_id",
        "_client_secret",
        "_header",
        "_scheme",
        "_scope",
        "_token_url",
    )

    grant_type: str = ""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        scope: str | None,
        client_auth: ClientAuth,
        header: str,
        scheme: str,
    ) -> None:
        self._token_url = _url(token_url)
        self._client_id = _text("client_id", client_id)
        self._client_secret = _secret("client_secret", client_secret)
        if scope is not None:
            _text("scope", scope)
        self._scope = scope
        if client_auth not in ("basic", "body"):
            raise ValueError(f"client_auth: expected 'basic' or 'body', got {client_auth!r}")
        self._client_auth: ClientAuth = client_auth
        self._header, self._scheme = _header(header, scheme)

    @property
    def token_url(self) -> str:
        """The token endpoint."""
        return self._token_url

    @property
    def client_id(self) -> str:
        """The OAuth client id (not a secret)."""
        return self._client_id

    @property
    def scope(self) -> str | None:
        """The scopes asked for, space-separated (RFC 6749 §3.3), or None."""
        return self._scope

    def _grant(self) -> dict[str, str]:
        raise NotImplementedError

    def _secrets(self) -> tuple[str, ...]:
        secret = self._client_secret.get_secret_value()
        # Also the forms in which the secret went out (form-encoded, and the Basic credential),
        # so that a server echoing the request back does not reveal it either.
        return (secret, quote(secret, safe=""), self._basic_credential())

    def _basic_credential(self) -> str:
        pair = (
            f"{quote(self._client_id, safe='')}:"
            f"{quote(self._client_secret.get_secret_value(), safe='')}"
        )
        return base64.b64encode(pair.encode()).decode("ascii")

    def _request(self) -> HttpRequest:
        form = {"grant_type": self.grant_type, **self._grant()}
        if self._scope is not None:
            form["scope"] = self._scope
        headers = {"Content-Type": _FORM, "Accept": "application/json"}
        if self._client_auth == "basic":
            # RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ":".
            headers["Authorization"] = "Basic " + self._basic_credential()
        else:
            form["client_id"] = self._client_id
            form["client_secret"] = self._client_secret.get_secret_value()
        return HttpRequest(
            "POST",
            self._token_url,
            headers=headers,
            content=urlencode(form).encode("ascii"),
            operation="token",
            idempotent=True,
            auth=None,
        )

    def token_flow(self) -> Flow[AccessToken]:
        """Yield the token request; return the token, or raise naming the OAuth error."""
        response = yield self._request()
        return self._read(response)

    def authorize(self, request: HttpRequest, token: AccessToken) -> HttpRequest:
        """Return ``request`` with the token in ``header`` (``Bearer`` by default)."""
        return _sign(request, self._header, self._scheme, token)

    def _hide(self, text: str) -> str:
        for secret in sorted(self._secrets(), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def _error(
        self,
        cls: type[MarketplaceError],
        message: str,
        response: HttpResponse,
        code: str | None = None,
    ) -> MarketplaceError:
        request_id = next(
            (response.headers[h] for h in _REQUEST_ID_HEADERS if response.headers.get(h)),
            None,
        )
        # The OAuth error, its description and the request id are the server's text: the
        # credentials sent are hidden first (a server may echo them), then control
        # characters are made visible and the length bounded.
        return cls(
            safe_text(self._hide(message)),
            marketplace=urlsplit(self._token_url).hostname or "oauth2",
            operation="token",
            status_code=response.status_code,
            request_id=(
                safe_text(self._hide(request_id), limit=200) if request_id is not None else None
            ),
            code=safe_text(self._hide(code), limit=200) if code is not None else None,
        )

    def _read(self, response: HttpResponse) -> AccessToken:
        status = response.status_code
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = None
        if status >= 400:
            code: str | None = None
            message = f"token request failed with HTTP {status}"
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                # RFC 6749 §5.2: error, error_description (and error_uri).
                code = body["error"]
                description = body.get("error_description")
                detail = f": {description}" if isinstance(description, str) and description else ""
                message = f"token request refused ({code}{detail})"
            cls: type[MarketplaceError] = AuthenticationError
            if status == 429:
                cls = RateLimitError
            elif status >= 500:
                cls = ServerError
            raise self._error(cls, message, response, code=code)
        if not isinstance(body, dict):
            raise self._error(
                UnexpectedResponseError,
                f"the token endpoint answered HTTP {status} without a JSON object",
                response,
            )
        value = body.get("access_token")
        if not isinstance(value, str) or not value:
            raise self._error(
                UnexpectedResponseError,
                "the token endpoint's answer has no access_token "
                f"(keys: {', '.join(sorted(body))})",
                response,
            )
        expires_in = body.get("expires_in")
        if isinstance(expires_in, str):
            try:
                expires_in = float(expires_in)
            except ValueError:
                expires_in = None
        if (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int | float)
            or not math.isfinite(expires_in)
            or expires_in < 0
        ):
            expires_in = None
        token_type = body.get("token_type")
        self._received(body)
        return AccessToken(
            SecretStr(value),
            expires_in=float(expires_in) if expires_in is not None else None,
            token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
        )

    def _received(self, body: dict[str, object]) -> None:
        """Look at a successful answer (the refresh grant keeps a rotated refresh token)."""


class OAuth2RefreshToken(_OAuth2Grant):
    """Access tokens from a refresh token (RFC 6749 §6): eBay user tokens, Amazon LWA.

    ::

        ebay = OAuth2RefreshToken(
            "https://api.ebay.com/identity/v1/oauth2/token",
            client_id, SecretStr(client_secret), SecretStr(refresh_token),
            scope="https://api.ebay.com/oauth/api_scope/sell.inventory",
        )
        lwa = OAuth2RefreshToken(
            "https://api.amazon.com/auth/o2/token", client_id, SecretStr(client_secret),
            SecretStr(refresh_token), client_auth="body",
            header="x-amz-access-token", scheme="",
        )

    When the server rotates the refresh token (§6: it "MAY issue a new refresh token"), the
    new one is used from then on (in memory only; the cache key stays the same).
    """

    __slots__ = ("_key", "_refresh_token")

    grant_type = "refresh_token"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        refresh_token: SecretStr,
        *,
        scope: str | None = None,
        client_auth: ClientAuth = "basic",
        header: str = "Authorization",
        scheme: str = "Bearer",
    ) -> None:
        super().__init__(
            token_url,
            client_id,
            client_secret,
            scope=scope,
            client_auth=client_auth,
            header=header,
            scheme=scheme,
        )
        self._refresh_token = _secret("refresh_token", refresh_token)
        key = f"oauth2:refresh:{self._token_url}:{self._client_id}:{_digest(self._refresh_token)}"
        self._key = key + (f":{self._scope}" if self._scope else "")

    @property
    def cache_key(self) -> str:
        """``oauth2:refresh:<token_url>:<client_id>:<sha256(refresh_token)[:12]>[:<scope>]``."""
        return self._key

    def _grant(self) -> dict[str, str]:
        return {"refresh_token": self._refresh_token.get_secret_value()}

    def _secrets(self) -> tuple[str, ...]:
        return (*super()._secrets(), self._refresh_token.get_secret_value())

    def _received(self, body: dict[str, object]) -> None:
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated.strip() and rotated == rotated.strip():
            self._refresh_token = SecretStr(rotated)

    def __repr__(self) -> str:
        return (
            f"OAuth2RefreshToken(token_url={self._token_url!r}, client_id={self._client_id!r}, "
            f"client_secret=SecretStr('**********'), refresh_token=SecretStr('**********'), "
            f"scope={self._scope!r}, client_auth={self._client_auth!r})"
        )


class OAuth2ClientCredentials(_OAuth2Grant):
    """Access tokens for the client itself (RFC 6749 §4.4): eBay application tokens.

    ::

        app = OAuth2ClientCredentials(
            "https://api.ebay.com/identity/v1/oauth2/token", client_id,
            SecretStr(client_secret), scope="https://api.ebay.com/oauth/api_scope",
        )
    """

    __slots__ = ("_key",)

    grant_type = "client_credentials"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        scope: str | None = None,
        client_auth: ClientAuth = "basic",
        header: str = "Authorization",
        scheme: str = "Bearer",
    ) -> None:
        super().__init__(
            token_url,
            client_id,
            client_secret,
            scope=scope,
            client_auth=client_auth,
            header=header,
            scheme=scheme,
        )
        key = f"oauth2:client:{self._token_url}:{self._client_id}:{_digest(self._client_secret)}"
        self._key = key + (f":{self._scope}" if self._scope else "")

    @property
    def cache_key(self) -> str:
        """``oauth2:client:<token_url>:<client_id>:<sha256(client_secret)[:12]>[:<scope>]``."""
        return self._key

    def _grant(self) -> dict[str, str]:
        return {}

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(token_url={self._token_url!r}, "
            f"client_id={self._client_id!r}, client_secret=SecretStr('**********'), "
            f"scope={self._scope!r}, client_auth={self._client_auth!r})"
        )


def provider_secrets(provider: object) -> tuple[str, ...]:
    """Return the credentials ``provider`` holds (for redaction), or ``()`` if unknown.

    xborder's own providers know theirs; a third-party provider is asked through an optional
    ``_secrets()`` method.
    """
    secrets = getattr(provider, "_secrets", None)
    if not callable(secrets):
        return ()
    try:
        found = secrets()
    except Exception:  # a provider that cannot say hides nothing more, and breaks nothing
        return ()
    return tuple(s for s in found if isinstance(s, str) and s)
