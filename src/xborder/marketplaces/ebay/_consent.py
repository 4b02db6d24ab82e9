"""The seller's one-time consent: the authorization URL, and the code → refresh token exchange.

eBay's authorization-code grant (https://developer.ebay.com/api-docs/static/oauth-authorization-code-grant.html):

1. The seller opens :func:`authorization_url` in a browser, signs in and agrees; eBay
   redirects to the application's accepted URL with ``?code=...&state=...`` (the
   redirect is named by the application's RuName, ``redirect_uri``).
2. :func:`code_from_redirect` reads the code from that URL (checking ``state``).
3. :func:`exchange_code` is a flow: ``POST /identity/v1/oauth2/token`` with
   ``grant_type=authorization_code`` and Basic client auth
   (https://developer.ebay.com/api-docs/static/oauth-auth-code-grant-request.html); it
   returns a :class:`Consent` holding the refresh token (about 18 months) to store as
   ``XBORDER_EBAY_REFRESH_TOKEN``.

"You need to get the consent from the user at least once" (eBay KB 5220): this step cannot
be automated, only guided (``xborder auth ebay``).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from pydantic import SecretStr

from xborder.errors import AuthenticationError, ConfigurationError, UnexpectedResponseError
from xborder.http import Flow, HttpRequest, safe_text
from xborder.marketplaces._auth import AccessToken
from xborder.marketplaces.ebay import _wire
from xborder.marketplaces.ebay._settings import EbaySettings

__all__ = ["Consent", "authorization_url", "code_from_redirect", "exchange_code", "new_state"]


@dataclass(frozen=True, slots=True)
class Consent:
    """What the consent gave: the refresh token to keep, and a first user access token.

    ``refresh_token_expires_in`` is in seconds (eBay sends ``47304000``, about 18 months).
    The repr shows no token.
    """

    refresh_token: SecretStr
    access_token: AccessToken
    refresh_token_expires_in: float | None = None

    def __repr__(self) -> str:
        return (
            f"Consent(refresh_token=SecretStr('**********'), "
            f"refresh_token_expires_in={self.refresh_token_expires_in!r})"
        )


def new_state() -> str:
    """Return a random ``state`` value for one consent (checked on the way back)."""
    return secrets.token_urlsafe(16)


def _ru_name(settings: EbaySettings) -> str:
    if not settings.ru_name:
        raise ConfigurationError(
            f"ebay: {EbaySettings.env_var('ru_name')} is not set: in the eBay developer portal, "
            f"open User Tokens > 'Get a Token from eBay via Your Application', add an "
            f"accepted redirect URL and copy its RuName (eBay Redirect URL name)"
        )
    return settings.ru_name


def authorization_url(
    settings: EbaySettings,
    *,
    state: str,
    scopes: Sequence[str] | None = None,
    prompt: str | None = "login",
) -> str:
    """Return the page where the seller grants xborder access to their eBay account.

    ``scopes`` default to ``settings.scopes`` (Inventory and Account APIs); ``state`` is
    echoed back in the redirect (see :func:`new_state`). The sandbox has its own host.
    """
    if not state:
        raise ValueError("state: give a random value (new_state()) and check it on return")
    query = {
        "client_id": settings.client_id,
        "redirect_uri": _ru_name(settings),
        "response_type": "code",
        "scope": " ".join(scopes if scopes is not None else settings.scopes),
        "state": state,
    }
    if prompt:
        query["prompt"] = prompt
    return f"{settings.authorize_url}?{urlencode(query, quote_via=quote)}"


def code_from_redirect(value: str, *, state: str | None = None) -> str:
    """Return the authorization code from the URL eBay redirected to (or a bare code).

    Raises :class:`~xborder.errors.AuthenticationError` when the seller declined, and
    ValueError when ``state`` does not match (the redirect is not from this consent).
    """
    text = value.strip()
    if "?" not in text and "=" not in text:
        if not text:
            raise ValueError("no authorization code given")
        return text
    query = parse_qs(urlsplit(text).query if "?" in text else text)
    if "error" in query or ("code" not in query and "isAuthSuccessful" in query):
        reason = (query.get("error_description") or query.get("error") or ["declined"])[0]
        raise AuthenticationError(
            f"the seller did not grant access ({safe_text(reason, limit=300)})",
            marketplace="ebay",
            operation="consent",
        )
    if state is not None and query.get("state", [None])[0] != state:
        raise ValueError("the redirect's state does not match: start the consent again")
    codes = query.get("code")
    if not codes or not codes[0]:
        raise ValueError("the redirect URL has no code parameter")
    return codes[0]


def exchange_code(settings: EbaySettings, code: str) -> Flow[Consent]:
    """Exchange an authorization code for the seller's refresh token (a flow).

    Run it with a client (``client.run(exchange_code(settings, code))``); the request
    carries its own Basic credentials. A code is valid for 5 minutes and once only, so the
    request is never retried.
    """
    if not code or not code.strip():
        raise ValueError("code: the authorization code from the redirect is empty")
    pair = f"{settings.client_id}:{settings.client_secret.get_secret_value()}"
    form = {
        "grant_type": "authorization_code",
        "code": code.strip(),
        "redirect_uri": _ru_name(settings),
    }
    response = yield HttpRequest(
        "POST",
        settings.token_url,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii"),
        },
        content=urlencode(form).encode("ascii"),
        operation="token",
        idempotent=False,
        auth=None,
        raise_for_status=False,
    )
    if response.status_code >= 400:
        error = _wire.parse(_wire.OAuthError, response.content)
        # The server's text may echo what was sent (the secret, its Basic form, the code):
        # hidden before it becomes a message, then made safe for a terminal.
        sent = (settings.client_secret.get_secret_value(), pair, form["code"])
        hidden = (*sent, base64.b64encode(pair.encode()).decode("ascii"))

        def clean(text: str) -> str:
            for secret in sorted(hidden, key=len, reverse=True):
                text = text.replace(secret, "***")
            return safe_text(text)

        detail = ""
        if error is not None and error.error:
            detail = f" ({error.error}: {error.error_description or 'no description'})"
        raise AuthenticationError(
            f"eBay refused the authorization code{clean(detail)}; codes are valid for 5 "
            f"minutes and once only: start the consent again",
            marketplace="ebay",
            operation="token",
            status_code=response.status_code,
            code=clean(error.error)[:200] if error is not None and error.error else None,
        )
    token = _wire.parse(_wire.TokenResponse, response.content)
    if token is None or not token.refresh_token:
        raise UnexpectedResponseError(
            "eBay's token answer has no refresh_token", marketplace="ebay", operation="token"
        )
    return Consent(
        refresh_token=SecretStr(token.refresh_token),
        access_token=AccessToken(SecretStr(token.access_token), expires_in=token.expires_in),
        refresh_token_expires_in=token.refresh_token_expires_in,
    )
