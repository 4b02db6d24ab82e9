"""eBay: the Sell Inventory API v1 behind the xborder adapter protocol (docs/ebay.md).

::

    import xborder as xb
    from xborder.marketplaces.ebay import EbayAdapter, EbaySettings

    ebay = EbayAdapter()                 # XBORDER_EBAY_CLIENT_ID, ..._SITES from the environment
    with xb.Client() as client:
        results = client.marketplace(ebay).upsert(offers)

* :class:`EbayAdapter`: upsert, update_price_quantity, withdraw and status as flows.
* :class:`EbaySettings` / :class:`EbaySiteSettings`: credentials, sandbox, per-site policies,
  location and categories, the SKU-per-site strategy.
* :data:`SITES`: the eBay sites (marketplace id → country, currency, content languages).
* :func:`authorization_url`, :func:`code_from_redirect`, :func:`exchange_code`: the
  seller's one-time consent that yields the refresh token.
"""

from __future__ import annotations

from xborder.marketplaces.ebay._adapter import BULK_LIMIT, CAPABILITIES, EbayAdapter
from xborder.marketplaces.ebay._classify import classify
from xborder.marketplaces.ebay._consent import (
    Consent,
    authorization_url,
    code_from_redirect,
    exchange_code,
    new_state,
)
from xborder.marketplaces.ebay._payload import CONDITIONS, Payload, build, split_address
from xborder.marketplaces.ebay._settings import (
    APPLICATION_SCOPES,
    USER_SCOPES,
    EbaySettings,
    EbaySiteSettings,
    ProductSafetyLabels,
)
from xborder.marketplaces.ebay._sites import SITES, SITES_BY_MARKET, EbaySite, site_for_market

__all__ = [
    "APPLICATION_SCOPES",
    "BULK_LIMIT",
    "CAPABILITIES",
    "CONDITIONS",
    "SITES",
    "SITES_BY_MARKET",
    "USER_SCOPES",
    "Consent",
    "EbayAdapter",
    "EbaySettings",
    "EbaySite",
    "EbaySiteSettings",
    "Payload",
    "ProductSafetyLabels",
    "authorization_url",
    "build",
    "classify",
    "code_from_redirect",
    "exchange_code",
    "new_state",
    "site_for_market",
    "split_address",
]
