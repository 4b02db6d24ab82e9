"""One interface for every marketplace: the adapter protocol, its values and the registry.

An adapter is a sans-I/O class (see :class:`Adapter`): its operations are flows that a
:class:`xborder.Client` or :class:`xborder.AsyncClient` drives. Every write returns one
:class:`ItemResult` per :class:`OfferKey`. Adapters register through the
``xborder.marketplaces`` entry-point group; :func:`get` loads one by name.
"""

from __future__ import annotations

from xborder.marketplaces._auth import AccessToken, TokenProvider
from xborder.marketplaces._capabilities import (
    OPERATIONS,
    Capabilities,
    Operation,
    RateLimit,
    Setting,
    Site,
)
from xborder.marketplaces._model import (
    ITEM_STATUSES,
    LISTING_STATES,
    VERDICTS,
    Classification,
    Issue,
    ItemResult,
    ItemStatus,
    ListingState,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
    Verdict,
)
from xborder.marketplaces._protocol import (
    API_VERSION,
    Adapter,
    MarketplaceSettings,
    batched,
    classify_status,
    parse_retry_after,
)
from xborder.marketplaces._registry import GROUP, available, get
from xborder.marketplaces._tokens import (
    ClientAuth,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    StaticToken,
)

__all__ = [
    "API_VERSION",
    "GROUP",
    "ITEM_STATUSES",
    "LISTING_STATES",
    "OPERATIONS",
    "VERDICTS",
    "AccessToken",
    "Adapter",
    "Capabilities",
    "Classification",
    "ClientAuth",
    "Issue",
    "ItemResult",
    "ItemStatus",
    "ListingState",
    "MarketplaceSettings",
    "OAuth2ClientCredentials",
    "OAuth2RefreshToken",
    "OfferKey",
    "Operation",
    "PriceQuantityUpdate",
    "RateLimit",
    "RemoteRef",
    "Setting",
    "Site",
    "StaticToken",
    "TokenProvider",
    "Verdict",
    "available",
    "batched",
    "classify_status",
    "get",
    "parse_retry_after",
]
