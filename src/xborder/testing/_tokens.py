"""Access and refresh tokens a fake marketplace issued or accepts, expiring on its clock."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Final, Literal

from xborder.clock import Clock
from xborder.testing._store import Store

__all__ = ["AuthProblem", "Tokens"]

#: Why a request's token was refused.
AuthProblem = Literal["missing", "invalid", "expired"]

_ACCESS: Final = "_tokens"
_REFRESH: Final = "_refresh_tokens"


class Tokens:
    """The tokens of one fake, kept hashed in its store (a store file holds no credential).

    :attr:`secrets` remembers, in memory only, every token and client secret the fake has
    seen, so the conformance kit can look for them in reprs, logs and error messages.
    """

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._seen: set[str] = set()

    def issue(self, *, lifetime: float | None, client_id: str = "", scope: str = "") -> str:
        """Issue a new random access token valid ``lifetime`` seconds (``None``: forever)."""
        value = "fake-" + secrets.token_urlsafe(24)
        self.add(value, expires_in=lifetime, client_id=client_id, scope=scope)
        return value

    def add(
        self, value: str, *, expires_in: float | None = None, client_id: str = "", scope: str = ""
    ) -> None:
        """Accept ``value`` as an access token for ``expires_in`` seconds (``None``: forever).

        For marketplaces with long-lived static tokens (a Meta system-user token).
        """
        now = self._clock.now()
        expires_at = None if expires_in is None else (now + timedelta(seconds=expires_in))
        self._seen.add(value)
        self._store.put(
            _ACCESS,
            _digest(value),
            {
                "expires_at": None if expires_at is None else expires_at.isoformat(),
                "client_id": client_id,
                "scope": scope,
            },
        )

    def add_refresh(self, value: str, *, client_id: str = "") -> None:
        """Accept ``value`` as a refresh token (of ``client_id``; ``""``: any client)."""
        self._seen.add(value)
        self._store.put(_REFRESH, _digest(value), {"client_id": client_id})

    def refresh_ok(self, value: str, client_id: str) -> bool:
        """Whether ``value`` is a refresh token ``client_id`` may use."""
        record = self._store.get(_REFRESH, _digest(value))
        return record is not None and record.get("client_id") in ("", client_id)

    def remember(self, secret: str) -> None:
        """Note a credential the fake was sent (a client secret), for leak checks."""
        if secret:
            self._seen.add(secret)

    def expire(self, value: str) -> None:
        """Make the access token ``value`` expired from now on."""
        record = self._store.get(_ACCESS, _digest(value))
        if record is not None:
            record["expires_at"] = self._clock.now().isoformat()
            self._store.put(_ACCESS, _digest(value), record)

    def expire_all(self) -> None:
        """Make every access token expired from now on."""
        now = self._clock.now().isoformat()
        with self._store.transaction():
            for key, record in self._store.items(_ACCESS):
                self._store.put(_ACCESS, key, {**record, "expires_at": now})

    def check(self, value: str | None) -> AuthProblem | None:
        """Return why ``value`` is refused (missing, invalid, expired), or None when valid."""
        if not value:
            return "missing"
        record = self._store.get(_ACCESS, _digest(value))
        if record is None:
            return "invalid"
        expires_at = record.get("expires_at")
        if expires_at is not None and self._clock.now() >= datetime.fromisoformat(expires_at):
            return "expired"
        return None

    @property
    def secrets(self) -> frozenset[str]:
        """Every token and client secret this fake issued or was given or sent."""
        return frozenset(self._seen)

    def __repr__(self) -> str:
        return f"Tokens({self._store.count(_ACCESS)} access tokens)"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
