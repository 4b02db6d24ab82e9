"""Facebook and Instagram shops (Meta): the Graph API catalog behind the adapter protocol.

See docs/facebook.md. ::

    import xborder as xb
    from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings

    meta = FacebookAdapter()     # XBORDER_FACEBOOK_CATALOG_ID, _ACCESS_TOKEN, _BASE_MARKET
    with xb.Client() as client:
        results = client.marketplace(meta).upsert(offers)

* :class:`FacebookAdapter`: upsert (base items with ``items_batch``, COUNTRY and LANGUAGE
  overrides with ``localized_items_batch``), update_price_quantity, withdraw and status as
  flows; registered as ``facebook`` with the alias ``meta``.
* :class:`FacebookSettings`: the catalog, the system-user token (and app secret), the base
  market, the Graph API version and the batch sizes.
* :func:`classify`: what a Graph API answer means (throttle codes, code 190, usage headers).
* :class:`GraphToken`: the token provider (``Authorization: Bearer``, ``appsecret_proof``).
"""

from __future__ import annotations

from xborder.marketplaces.facebook._adapter import CAPABILITIES, STATUS_BATCH, FacebookAdapter
from xborder.marketplaces.facebook._classify import (
    AUTH_CODES,
    THROTTLE_CODES,
    TRANSIENT_CODES,
    classify,
    usage,
)
from xborder.marketplaces.facebook._payload import (
    CONDITIONS,
    COUNTRY_FIELDS,
    IN_STOCK,
    ITEM_TYPE,
    LANGUAGE_FIELDS,
    OUT_OF_STOCK,
    base_item,
    country_override,
    language_value,
    price_quantity_data,
    price_text,
    text_override,
)
from xborder.marketplaces.facebook._settings import (
    DEFAULT_API_VERSION,
    GRAPH_URL,
    ITEMS_BATCH_LIMIT,
    LOCALIZED_BATCH_DEFAULT,
    MAX_REQUEST_BYTES,
    FacebookSettings,
)
from xborder.marketplaces.facebook._token import GraphToken, appsecret_proof

__all__ = [
    "AUTH_CODES",
    "CAPABILITIES",
    "CONDITIONS",
    "COUNTRY_FIELDS",
    "DEFAULT_API_VERSION",
    "GRAPH_URL",
    "IN_STOCK",
    "ITEMS_BATCH_LIMIT",
    "ITEM_TYPE",
    "LANGUAGE_FIELDS",
    "LOCALIZED_BATCH_DEFAULT",
    "MAX_REQUEST_BYTES",
    "OUT_OF_STOCK",
    "STATUS_BATCH",
    "THROTTLE_CODES",
    "TRANSIENT_CODES",
    "FacebookAdapter",
    "FacebookSettings",
    "GraphToken",
    "appsecret_proof",
    "base_item",
    "classify",
    "country_override",
    "language_value",
    "price_quantity_data",
    "price_text",
    "text_override",
    "usage",
]
