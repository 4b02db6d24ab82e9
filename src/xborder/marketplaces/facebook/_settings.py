"""What the Facebook (Meta) adapter needs to know: the catalog, the token and the limits.

One Meta catalog holds one item per product. The base item is written in the catalog's
default country and language (``ProductCatalogLocalizationSettings.default_country``,
``default_language``); ``base_market`` names the xborder market it represents, and every
other market is a COUNTRY override (price, availability) plus a LANGUAGE override (title,
description) of that item (research/marketplace-apis.md §3.6).
"""

from __future__ import annotations

import re
from typing import ClassVar, Final, Literal

from pydantic import Field, SecretStr, field_validator

from xborder.http import require_https
from xborder.marketplaces._protocol import MarketplaceSettings
from xborder.markets import is_country

__all__ = [
    "DEFAULT_API_VERSION",
    "GRAPH_URL",
    "ITEMS_BATCH_LIMIT",
    "LOCALIZED_BATCH_DEFAULT",
    "MAX_REQUEST_BYTES",
    "FacebookSettings",
]

#: The Graph API version xborder was written against: the one the official Python business
#: SDK pins (facebook/facebook-python-business-sdk ``apiconfig.py`` ``API_VERSION: v25.0``).
DEFAULT_API_VERSION: Final = "v25.0"
#: facebook/facebook-python-business-sdk ``session.py``: ``GRAPH = 'https://graph.facebook.com'``.
GRAPH_URL: Final = "https://graph.facebook.com"
#: items_batch: "requests" holds at most 5,000 items (Meta recommends fewer than 3,000)
#: https://developers.facebook.com/documentation/ads-commerce/marketing-api/reference/
#: product-catalog/items_batch
ITEMS_BATCH_LIMIT: Final = 5000
#: localized_items_batch: the Feb-2026 reference page says 5,000, an older guide 1,000
#: (https://developers.facebook.com/docs/marketing-api/catalog-batch/guides/
#: send-localized-items-batch/); xborder assumes the smaller.
LOCALIZED_BATCH_DEFAULT: Final = 1000
#: items_batch: the payload must stay below 28 MB (same reference page).
MAX_REQUEST_BYTES: Final = 28_000_000

_CATALOG_ID: Final = re.compile(r"[0-9]{1,32}")
_VERSION: Final = re.compile(r"v[0-9]{1,3}\.[0-9]{1,2}")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")

#: Where a quantity goes on the base item: ``quantity_to_sell_on_facebook`` (default) or
#: ``inventory`` (both are ProductItem fields; which one items_batch takes is not stated in
#: the reference, research/marketplace-apis.md §3.3), or ``none`` (availability only).
QuantityField = Literal["quantity_to_sell_on_facebook", "inventory", "none"]


def _secret(value: SecretStr | None, name: str) -> SecretStr | None:
    if value is None:
        return None
    raw = value.get_secret_value()
    if not raw.strip():
        raise ValueError(f"{name} must not be empty")
    if raw != raw.strip() or any(c in raw for c in "\r\n\t "):
        # It goes into an HTTP header; refuse it without repeating it.
        raise ValueError(f"{name} has whitespace or a line break in it; strip it")
    return value


class FacebookSettings(MarketplaceSettings):
    """Settings of the Facebook adapter; :meth:`from_env` reads ``XBORDER_FACEBOOK_*``.

    * ``catalog_id``: the product catalog's id (Commerce Manager → Catalog → Settings).
    * ``access_token``: a **system-user** token of the business that owns the catalog, with
      ``catalog_management`` (Business Settings → Users → System users → Generate new
      token). It is sent in the ``Authorization`` header, never in a URL. Meta has no
      refresh grant: a token that expires must be generated again.
    * ``app_secret``: the app's secret; when set, every call carries ``appsecret_proof``
      (HMAC-SHA256 of the token keyed by the secret), as apps with "Require App Secret" need.
    * ``base_market``: the country whose price, availability and language the base item
      carries: the catalog's default country. Offers for other markets become overrides.
    * ``api_version``: the Graph API version in every URL (default :data:`DEFAULT_API_VERSION`).
    * ``items_batch_size`` (≤ 5,000), ``localized_batch_size`` (default 1,000, ≤ 5,000) and
      ``max_request_bytes`` (< 28 MB): how much one batch call carries.
    * ``poll_attempts``: how often one write polls ``check_batch_request_status`` for each
      handle before it returns the items ``pending`` (0: never; resolve them with
      ``status()`` and the handle kept in their :class:`~xborder.marketplaces.RemoteRef`).
    * ``quantity_field``: where the quantity goes on the base item (see
      :data:`QuantityField`).
    """

    env_prefix: ClassVar[str] = "XBORDER_FACEBOOK_"

    catalog_id: str
    access_token: SecretStr
    app_secret: SecretStr | None = None
    base_market: str
    api_version: str = DEFAULT_API_VERSION
    graph_url: str = GRAPH_URL
    items_batch_size: int = Field(default=ITEMS_BATCH_LIMIT, ge=1, le=ITEMS_BATCH_LIMIT)
    localized_batch_size: int = Field(default=LOCALIZED_BATCH_DEFAULT, ge=1, le=ITEMS_BATCH_LIMIT)
    max_request_bytes: int = Field(default=MAX_REQUEST_BYTES, ge=10_000, le=MAX_REQUEST_BYTES)
    poll_attempts: int = Field(default=30, ge=0, le=10_000)
    quantity_field: QuantityField = "quantity_to_sell_on_facebook"

    @field_validator("catalog_id")
    @classmethod
    def _catalog_id(cls, value: str) -> str:
        if not _CATALOG_ID.fullmatch(value):
            raise ValueError("a catalog id is a number, such as '1234567890123456'")
        return value

    @field_validator("access_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        checked = _secret(value, "access_token")
        assert checked is not None  # a SecretStr in, a SecretStr out
        return checked

    @field_validator("app_secret")
    @classmethod
    def _app_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return _secret(value, "app_secret")

    @field_validator("base_market", mode="before")
    @classmethod
    def _base_market(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if not _COUNTRY.fullmatch(value) or not is_country(value):
                raise ValueError("a country code such as 'DE'")
        return value

    @field_validator("api_version")
    @classmethod
    def _api_version(cls, value: str) -> str:
        if not _VERSION.fullmatch(value):
            raise ValueError("a Graph API version such as 'v25.0'")
        return value

    @field_validator("graph_url")
    @classmethod
    def _graph_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:[0-9]+)?", value.rstrip("/")):
            raise ValueError("the Graph API host, such as 'https://graph.facebook.com'")
        # The access token travels to this host: https only (a loopback fake excepted).
        return require_https(value.rstrip("/"), field="graph_url")

    @property
    def version_url(self) -> str:
        """``https://graph.facebook.com/<api_version>``."""
        return f"{self.graph_url}/{self.api_version}"

    @property
    def catalog_url(self) -> str:
        """The catalog node: ``https://graph.facebook.com/<api_version>/<catalog_id>``."""
        return f"{self.version_url}/{self.catalog_id}"
