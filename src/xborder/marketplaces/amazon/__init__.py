"""Amazon: the Selling Partner API (SP-API) behind the xborder adapter protocol (docs/amazon.md).

::

    import xborder as xb
    from xborder.marketplaces.amazon import AmazonAdapter, AmazonSettings

    amazon = AmazonAdapter()   # XBORDER_AMAZON_CLIENT_ID, ..._SELLER_ID from the environment
    with xb.Client() as client:
        results = client.marketplace(amazon).upsert(offers)

* :class:`AmazonAdapter`: upsert, update_price_quantity, withdraw, status and preview as
  flows, over the Listings Items API 2021-08-01 (small batches) and JSON_LISTINGS_FEED feeds
  of the Feeds API 2021-06-30 (large ones); LWA tokens.
* :class:`AmazonSettings`: credentials, seller, region, sandbox, product types, feed
  threshold, client-secret rotation date.
* :data:`MARKETPLACES`: the stores (marketplace id, region, currency, language tags).
* :func:`classify`: what an SP-API answer means; :func:`build` and :func:`dumps`: the
  request bodies, numbers exact.
"""

from __future__ import annotations

from xborder.marketplaces.amazon._adapter import (
    CAPABILITIES,
    SKU_MAX,
    AmazonAdapter,
    ClientSecretRotationWarning,
    capabilities,
)
from xborder.marketplaces.amazon._classify import classify
from xborder.marketplaces.amazon._confirm import Expect, confirm, listing_state
from xborder.marketplaces.amazon._marketplaces import (
    HOSTS,
    MARKETPLACES,
    MARKETPLACES_BY_ID,
    REGIONS,
    SANDBOX_HOSTS,
    AmazonMarketplace,
    Region,
    marketplace_for,
)
from xborder.marketplaces.amazon._payload import (
    CONDITIONS,
    OFFER_ONLY_PRODUCT_TYPE,
    Payload,
    build,
    dumps,
    patch_body,
    patch_message,
    price_patch,
    purchasable_offer,
    quantity_patch,
)
from xborder.marketplaces.amazon._settings import (
    DEFAULT_FEED_THRESHOLD,
    FEED_MAX_BYTES,
    FEED_MAX_MESSAGES,
    GRANTLESS_SCOPES,
    LWA_TOKEN_URL,
    AmazonSettings,
)

__all__ = [
    "CAPABILITIES",
    "CONDITIONS",
    "DEFAULT_FEED_THRESHOLD",
    "FEED_MAX_BYTES",
    "FEED_MAX_MESSAGES",
    "GRANTLESS_SCOPES",
    "HOSTS",
    "LWA_TOKEN_URL",
    "MARKETPLACES",
    "MARKETPLACES_BY_ID",
    "OFFER_ONLY_PRODUCT_TYPE",
    "REGIONS",
    "SANDBOX_HOSTS",
    "SKU_MAX",
    "AmazonAdapter",
    "AmazonMarketplace",
    "AmazonSettings",
    "ClientSecretRotationWarning",
    "Expect",
    "Payload",
    "Region",
    "build",
    "capabilities",
    "classify",
    "confirm",
    "dumps",
    "listing_state",
    "marketplace_for",
    "patch_body",
    "patch_message",
    "price_patch",
    "purchasable_offer",
    "quantity_patch",
]
