"""The Graph API credential: a system-user token, with ``appsecret_proof`` when configured.

Meta's business SDK sends the token as the ``access_token`` parameter
(facebook/facebook-python-business-sdk ``session.py``); the Graph API also takes it as
``Authorization: Bearer <token>``, which keeps it out of URLs, logs and proxies, so xborder
sends it there. ``appsecret_proof`` is HMAC-SHA256 of the token keyed by the app secret, in
hex (``session.py`` ``_gen_appsecret_proof``); the Graph API reads it only as a parameter,
so it goes in the query string, which :func:`xborder.http.redact_url` masks in every log
line and error message.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from urllib.parse import urlencode

from pydantic import SecretStr

from xborder.http import Flow, HttpRequest
from xborder.marketplaces._auth import AccessToken
from xborder.marketplaces._tokens import StaticToken

__all__ = ["GraphToken", "appsecret_proof"]


def appsecret_proof(token: SecretStr, app_secret: SecretStr) -> str:
    """Return ``appsecret_proof`` for ``token``: hex HMAC-SHA256 keyed by ``app_secret``.

    >>> appsecret_proof(SecretStr("token"), SecretStr("secret"))[:16]
    'e941110e3d2bfe82'
    """
    return hmac.new(
        app_secret.get_secret_value().encode("utf-8"),
        token.get_secret_value().encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()


class GraphToken:
    """A long-lived Graph API token (a system user's), optionally proven with the app secret.

    >>> GraphToken(SecretStr("EAAB-token"), app_secret=SecretStr("app-secret"))
    GraphToken(token=SecretStr('**********'), app_secret=SecretStr('**********'))
    """

    __slots__ = ("_app_secret", "_static")

    def __init__(self, token: SecretStr, *, app_secret: SecretStr | None = None) -> None:
        self._static = StaticToken(token)
        self._app_secret = app_secret

    @property
    def cache_key(self) -> str:
        """Identity of the token: a 12-hex SHA-256 prefix, never the token."""
        return "facebook:" + self._static.cache_key.partition(":")[2]

    def token_flow(self) -> Flow[AccessToken]:
        """Return the token (no request: system-user tokens are not fetched)."""
        return (yield from self._static.token_flow())

    def authorize(self, request: HttpRequest, token: AccessToken) -> HttpRequest:
        """Return ``request`` with ``Authorization: Bearer`` and, if set, ``appsecret_proof``."""
        signed = self._static.authorize(request, token)
        if self._app_secret is None:
            return signed
        proof = urlencode({"appsecret_proof": appsecret_proof(token.value, self._app_secret)})
        separator = "&" if "?" in signed.url else "?"
        return replace(signed, url=f"{signed.url}{separator}{proof}")

    def __repr__(self) -> str:
        secret = "SecretStr('**********')" if self._app_secret is not None else "None"
        return f"GraphToken(token=SecretStr('**********'), app_secret={secret})"
