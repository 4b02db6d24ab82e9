"""Credentials for marketplace calls: access tokens and the providers that fetch them.

A :class:`TokenProvider` is sans-I/O like an adapter: :meth:`~TokenProvider.token_flow`
yields the token request and returns an :class:`AccessToken`; the client runs it, caches
the token until shortly before it expires, refreshes it once however many calls wait for
it, and signs each request with :meth:`~TokenProvider.authorize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from pydantic import SecretStr

from xborder.http import Flow, HttpRequest

__all__ = ["AccessToken", "TokenProvider"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An access token and how long it lives.

    ``expires_in`` is in seconds from when it was fetched; ``None`` when no expiry is known,
    as with a Meta system-user token.
    """

    value: SecretStr
    expires_in: float | None = None
    token_type: str = "Bearer"

    def __post_init__(self) -> None:
        if not isinstance(self.value, SecretStr):
            raise TypeError("AccessToken.value: expected SecretStr")
        if self.expires_in is not None and (
            isinstance(self.expires_in, bool)
            or not isinstance(self.expires_in, int | float)
            or self.expires_in < 0
        ):
            raise ValueError(
                f"AccessToken.expires_in: expected seconds >= 0, got {self.expires_in!r}"
            )

    def __repr__(self) -> str:
        return f"AccessToken(value=SecretStr('**********'), expires_in={self.expires_in!r})"


@runtime_checkable
class TokenProvider(Protocol):
    """Fetches access tokens and signs requests with them.

    ``cache_key`` identifies the credentials for caching and single-flight refresh (two
    providers with the same key share one token); it must not contain a secret.
    """

    @property
    def cache_key(self) -> str:
        """Identity of the credentials (no secret in it)."""
        ...

    def token_flow(self) -> Flow[AccessToken]:
        """Return a flow that fetches a fresh token (no request for a static token)."""
        ...

    def authorize(self, request: HttpRequest, token: AccessToken) -> HttpRequest:
        """Return ``request`` signed with ``token``."""
        ...
