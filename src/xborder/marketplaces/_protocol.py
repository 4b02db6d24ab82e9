"""The adapter protocol: one sans-I/O class per marketplace.

An adapter turns offers into requests and responses into per-item results and never does
I/O itself (DESIGN decision 1): each operation returns a *flow*, a generator that yields
:class:`~xborder.http.HttpRequest` objects and receives :class:`~xborder.http.HttpResponse`
objects, and whose return value is one :class:`ItemResult` per item. ``Client.run(flow)``
and ``await AsyncClient.run(flow)`` drive it; tests feed it recorded responses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final, Protocol, Self, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from xborder.errors import ConfigurationError
from xborder.http import Flow, HttpResponse
from xborder.marketplaces._auth import TokenProvider
from xborder.marketplaces._capabilities import Capabilities
from xborder.marketplaces._model import (
    Classification,
    ItemResult,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
)

if TYPE_CHECKING:
    from xborder.offer import Offer

__all__ = [
    "API_VERSION",
    "Adapter",
    "MarketplaceSettings",
    "batched",
    "classify_status",
    "parse_retry_after",
]

#: The version of the adapter protocol. An adapter declares the version it was written
#: for; the registry refuses one written for another version.
API_VERSION: Final = 1

T = TypeVar("T")


class MarketplaceSettings(BaseModel):
    """Base of every adapter's settings: immutable, unknown fields refused.

    Credentials are :class:`pydantic.SecretStr`, so they never show in a repr, a log line
    or an exception. :meth:`from_env` reads each field from the environment variable
    ``env_prefix + FIELD_NAME`` (upper case); values of fields that hold mappings, lists or
    models are JSON.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Prefix of the environment variables :meth:`from_env` reads, e.g. ``"XBORDER_EBAY_"``.
    env_prefix: ClassVar[str] = ""

    @classmethod
    def env_var(cls, field: str) -> str:
        """Return the environment variable that holds ``field``."""
        return f"{cls.env_prefix}{field.upper()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Build the settings from environment variables (default :data:`os.environ`).

        Raises :class:`~xborder.errors.ConfigurationError` naming each variable that is
        missing or invalid; the values of secret fields never appear in the message.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            raw = env.get(cls.env_var(name))
            if raw is None or raw == "":
                continue
            stripped = raw.strip()
            if stripped[:1] in ("{", "[") and info.annotation is not SecretStr:
                try:
                    values[name] = json.loads(stripped)
                except json.JSONDecodeError as exc:
                    raise ConfigurationError(
                        f"{cls.env_var(name)}: not valid JSON ({exc.msg} at {exc.pos})"
                    ) from None
            else:
                values[name] = raw
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else ""
                secret = cls.model_fields.get(field) is not None and (
                    cls.model_fields[field].annotation in (SecretStr, SecretStr | None)
                )
                where = cls.env_var(field) if field in cls.model_fields else field
                path = ".".join(str(part) for part in error["loc"][1:])
                detail = f"{where}{'.' + path if path else ''}: {error['msg']}"
                if error["type"] == "missing":
                    detail = f"{where} is not set"
                elif not secret and "input" in error and field in values:
                    detail += f" (got {error['input']!r})"
                problems.append(detail)
            raise ConfigurationError(f"{cls.__name__}: " + "; ".join(problems)) from None


@runtime_checkable
class Adapter(Protocol):
    """A marketplace adapter (see the module docs and docs/marketplaces.md).

    Class attributes: ``name`` (registry name, equal to its entry-point name; third parties
    use a prefix such as ``"acme_shop"``), ``api_version`` (:data:`API_VERSION`),
    ``aliases`` (other registry names it answers to). Instances hold their ``settings``.

    Every operation takes many items and returns one :class:`ItemResult` per item, in input
    order, and splits the work into the marketplace's batch limits itself. ``known`` maps
    keys to the :class:`RemoteRef` kept from earlier results; adapters must work without it
    (looking items up by SKU) and use it to save calls.
    """

    name: ClassVar[str]
    api_version: ClassVar[int]
    aliases: ClassVar[tuple[str, ...]]

    @property
    def settings(self) -> MarketplaceSettings:
        """The adapter's settings."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """What the adapter can do and the marketplace's limits."""
        ...

    def token_providers(self) -> Mapping[str, TokenProvider]:
        """Return the token providers by name (``HttpRequest.auth`` picks one)."""
        ...

    def classify(self, response: HttpResponse) -> Classification:
        """Say what ``response`` means: ok, auth expired, throttled, transient or permanent."""
        ...

    def upsert(
        self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = ...
    ) -> Flow[list[ItemResult]]:
        """Create or replace ``offers`` (content, price and quantity)."""
        ...

    def update_price_quantity(
        self, updates: Sequence[PriceQuantityUpdate]
    ) -> Flow[list[ItemResult]]:
        """Change only the price and/or quantity of items the marketplace has."""
        ...

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = ...
    ) -> Flow[list[ItemResult]]:
        """Take items off sale."""
        ...

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = ...
    ) -> Flow[list[ItemResult]]:
        """Read what the marketplace holds for ``keys`` now (``ItemResult.state``)."""
        ...


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of ``items`` of at most ``size`` (a batch limit)."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size: expected an int >= 1, got {size!r}")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_retry_after(value: str | None) -> float | None:
    """Read a ``Retry-After`` header given in seconds (RFC 9110 §10.2.3); None otherwise.

    HTTP dates are not read: none of the marketplaces xborder knows sends them.
    """
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") else None


def classify_status(response: HttpResponse) -> Classification:
    """Classify a response by its status code alone.

    2xx/3xx ok; 401 auth expired; 408, 425, 500, 502, 503, 504 transient; 429 throttled
    (with ``Retry-After`` when sent); anything else permanent. Adapters start from this and
    correct it where their marketplace's status codes mislead.
    """
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status < 400:
        return Classification("ok")
    if status == 401:
        return Classification("auth_expired", message="credentials refused or expired")
    if status == 429:
        return Classification("throttled", retry_after=retry_after, message="throttled")
    if status in (408, 425, 500, 502, 503, 504):
        return Classification("transient", retry_after=retry_after, message=f"HTTP {status}")
    return Classification("permanent", message=f"HTTP {status}")
