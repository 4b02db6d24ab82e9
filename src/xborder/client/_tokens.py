"""Access tokens in a client: the cache shared by all its flows, and asking for a token.

The single-flight part (one fetch per credential however many callers wait) is the
drivers' lock (``threading.Lock`` in ``Client``, ``asyncio.Lock`` in ``AsyncClient``)
around :class:`TokenCache`; fetching runs the provider's ``token_flow()`` through the
same client (see ``_core.TokenFetch``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

from xborder.clock import Clock
from xborder.marketplaces._auth import AccessToken, TokenProvider

__all__ = ["DEFAULT_REFRESH_MARGIN", "NeedToken", "TokenCache"]

#: A cached token is refreshed this many seconds before it expires (or at 10% of its
#: lifetime before, when that is shorter).
DEFAULT_REFRESH_MARGIN: Final = 60.0


@dataclass(frozen=True, slots=True)
class NeedToken:
    """Return a valid token of ``provider``; not ``stale`` (the one the server refused)."""

    provider: TokenProvider
    stale: AccessToken | None
    marketplace: str


@dataclass(slots=True)
class _Cached:
    token: AccessToken
    expires_at: float | None


class TokenCache:
    """Access tokens by ``TokenProvider.cache_key``, shared by every flow of one client.

    A token counts as expired ``margin`` seconds before its end on the clock's
    ``monotonic()``, where ``margin`` is ``refresh_margin`` or 10% of the token's lifetime,
    whichever is shorter (so a 60 s token is refreshed after 54 s, a 2 h token after
    1 h 59 min).
    """

    def __init__(self, clock: Clock, refresh_margin: float) -> None:
        self._clock = clock
        self._margin = refresh_margin
        self._entries: dict[str, _Cached] = {}
        self._guard = threading.Lock()

    def get(self, key: str, *, stale: AccessToken | None = None) -> AccessToken | None:
        """Return the cached token for ``key`` if still valid and not ``stale``, else None."""
        with self._guard:
            entry = self._entries.get(key)
        if entry is None or (stale is not None and entry.token is stale):
            return None
        if entry.expires_at is not None and self._clock.monotonic() >= entry.expires_at:
            return None
        return entry.token

    def put(self, key: str, token: AccessToken, *, fetched_at: float) -> None:
        """Cache ``token`` fetched at ``fetched_at`` (monotonic seconds)."""
        expires_at = None
        if token.expires_in is not None:
            margin = min(self._margin, 0.1 * token.expires_in)
            expires_at = fetched_at + token.expires_in - margin
        with self._guard:
            self._entries[key] = _Cached(token, expires_at)

    def __contains__(self, key: object) -> bool:
        """Whether a token (valid or not) was ever cached for ``key``."""
        with self._guard:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"TokenCache({len(self._entries)} tokens)"
