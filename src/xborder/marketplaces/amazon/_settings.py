"""What the Amazon adapter needs to know: LWA credentials, the seller, regions, product types.

Credentials are those of a Login with Amazon (LWA) application registered for the SP-API:
the client identifier and secret, and the refresh token the seller's authorization gave
(https://developer-docs.amazon.com/sp-api/docs/authorizing-selling-partner-api-applications).
The client secret must be rotated every 180 days or calls start failing
(https://developer-docs.amazon.com/sp-api/docs/rotating-your-apps-lwa-credentials); set
``client_secret_rotated_on`` and the adapter warns in time.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, ClassVar, Final, Literal

from pydantic import AfterValidator, Field, SecretStr, field_validator

from xborder.listing import CATEGORIES
from xborder.marketplaces._protocol import MarketplaceSettings
from xborder.marketplaces.amazon._marketplaces import Region

__all__ = [
    "DEFAULT_FEED_THRESHOLD",
    "FEED_MAX_BYTES",
    "FEED_MAX_MESSAGES",
    "GRANTLESS_SCOPES",
    "LWA_TOKEN_URL",
    "SECRET_LIFETIME_DAYS",
    "AmazonSettings",
]

#: The LWA token endpoint (``LwaRequest.py`` of Amazon's sample client).
LWA_TOKEN_URL: Final = "https://api.amazon.com/auth/o2/token"
#: Scopes of grantless operations (client-credentials grant): notifications and the
#: Application Management API's client-secret rotation.
GRANTLESS_SCOPES: Final = (
    "sellingpartnerapi::notifications",
    "sellingpartnerapi::client_credential:rotation",
)
#: "You must rotate your LWA client secret every 180 days."
SECRET_LIFETIME_DAYS: Final = 180
#: A JSON_LISTINGS_FEED holds at most 25,000 messages (``listings-feed-schema-v2.json``,
#: ``messages.maxItems``).
FEED_MAX_MESSAGES: Final = 25_000
#: Feed documents are kept under 10 MiB (Feeds API best practices).
FEED_MAX_BYTES: Final = 10 * 1024 * 1024
#: Offers for one store from this many on go in a feed; fewer go one call each. At the
#: Listings Items API's 5 requests per second, 100 calls take about 20 seconds, which is
#: about what a feed needs to be processed at best; above that a feed is faster and far
#: cheaper in calls.
DEFAULT_FEED_THRESHOLD: Final = 100

_SELLER: Final = re.compile(r"[A-Z0-9]{8,20}")
_PRODUCT_TYPE: Final = re.compile(r"[A-Z][A-Z0-9_]{0,99}")
_ASIN: Final = re.compile(r"[A-Z0-9]{10}")
_ATTRIBUTE: Final = re.compile(r"[a-z][a-z0-9_]{0,99}")


def _check_seller(value: str) -> str:
    if not _SELLER.fullmatch(value):
        raise ValueError("a seller id (merchant token) is 8-20 upper-case letters and digits")
    return value


def _check_product_type(value: str) -> str:
    if not _PRODUCT_TYPE.fullmatch(value):
        raise ValueError(
            "an Amazon product type is upper case, such as 'LUGGAGE' or 'DRINKING_CUP' "
            "(Product Type Definitions API searchDefinitionsProductTypes)"
        )
    return value


def _check_asin(value: str) -> str:
    if not _ASIN.fullmatch(value):
        raise ValueError("an ASIN has 10 upper-case letters and digits")
    return value


ProductType = Annotated[str, AfterValidator(_check_product_type)]
Asin = Annotated[str, AfterValidator(_check_asin)]


class AmazonSettings(MarketplaceSettings):
    """Settings of the Amazon adapter; :meth:`from_env` reads ``XBORDER_AMAZON_*`` variables.

    Credentials: ``client_id`` and ``client_secret`` of the LWA application (Seller Central →
    Develop apps), ``refresh_token`` from the seller's authorization, ``seller_id`` (the
    merchant token, Seller Central → Account info → Merchant token).

    * ``region``: when set, only stores of that region (``NA``, ``EU``, ``FE``) are written
      to; offers for others are refused before any call (a refresh token authorizes the
      seller's account in the regions where the seller authorized the application).
    * ``sandbox``: send every call to the SP-API's static sandbox hosts.
    * ``product_types``: xborder category key → Amazon product type (``home.drinkware`` →
      ``DRINKING_CUP``); ``product_type_overrides``: SKU → product type, winning over it;
      ``default_product_type`` for listings neither names.
    * ``asins``: SKU → ASIN of an existing catalog item to list against
      (``merchant_suggested_asin``).
    * ``feed_threshold``: offers for one store from this many on go in a JSON_LISTINGS_FEED,
      fewer one Listings Items call each (default :data:`DEFAULT_FEED_THRESHOLD`);
      ``feed_max_messages`` and ``feed_max_bytes`` split larger inputs over several feeds.
    * ``feed_poll_interval`` (seconds) and ``feed_max_polls``: how a write waits for its feed;
      a feed still in progress after that comes back ``pending`` with its ``feedId``, and
      ``status()`` resolves it later (``0`` polls: never wait).
    * ``read_back``: confirm per-item writes with a read of the listings
      (``searchListingsItems``, 20 SKUs a call); without it they stay ``pending``.
    * ``issue_locale``: language of Amazon's issue messages (``en_US``; ``None``: the store's).
    * ``fulfillment_channel_code``: ``DEFAULT`` (the seller fulfils) or an Amazon network
      (``AMAZON_EU`` …) for ``fulfillment_availability``.
    * ``withdraw_action``: ``delete`` deletes the listing (deleteListingsItem);
      ``zero_quantity`` keeps it and sets its quantity to 0.
    * ``omit_attributes``: attribute names never sent (for product types that lack them).
    * ``gpsr_safety_attestation``: attest (``gpsr_safety_attestation``) that listings without
      safety information need no warnings; off unless the seller says so.
    * ``client_secret_rotated_on``: the day the LWA client secret was created; the adapter
      warns ``rotation_warning_days`` before its 180 days are over.
    """

    env_prefix: ClassVar[str] = "XBORDER_AMAZON_"

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr | None = None
    seller_id: Annotated[str, AfterValidator(_check_seller)]
    region: Region | None = None
    sandbox: bool = False
    product_types: dict[str, ProductType] = Field(default_factory=dict)
    product_type_overrides: dict[str, ProductType] = Field(default_factory=dict)
    default_product_type: ProductType | None = None
    asins: dict[str, Asin] = Field(default_factory=dict)
    feed_threshold: int = Field(default=DEFAULT_FEED_THRESHOLD, ge=1)
    feed_max_messages: int = Field(default=FEED_MAX_MESSAGES, ge=1, le=FEED_MAX_MESSAGES)
    feed_max_bytes: int = Field(default=FEED_MAX_BYTES, ge=1024, le=FEED_MAX_BYTES)
    feed_poll_interval: float = Field(default=30.0, gt=0)
    feed_max_polls: int = Field(default=20, ge=0)
    read_back: bool = True
    issue_locale: str | None = "en_US"
    fulfillment_channel_code: str = Field(default="DEFAULT", pattern=r"^[A-Z][A-Z0-9_]{0,49}$")
    withdraw_action: Literal["delete", "zero_quantity"] = "delete"
    omit_attributes: frozenset[str] = frozenset()
    gpsr_safety_attestation: bool = False
    client_secret_rotated_on: date | None = None
    rotation_warning_days: int = Field(default=30, ge=0, le=SECRET_LIFETIME_DAYS)
    grantless_scope: str = GRANTLESS_SCOPES[0]

    @field_validator("product_types")
    @classmethod
    def _known_categories(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(key for key in value if key not in CATEGORIES)
        if unknown:
            raise ValueError(
                f"unknown xborder category keys {unknown} (see xborder.listing.CATEGORIES)"
            )
        return value

    @field_validator("omit_attributes")
    @classmethod
    def _attribute_names(cls, value: frozenset[str]) -> frozenset[str]:
        wrong = sorted(name for name in value if not _ATTRIBUTE.fullmatch(name))
        if wrong:
            raise ValueError(f"not attribute names: {wrong} (lower case, such as 'bullet_point')")
        return value

    @field_validator("issue_locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z]{2}(_[A-Z]{2})?", value):
            raise ValueError("a locale such as 'en_US' or 'de_DE'")
        return value

    @property
    def token_url(self) -> str:
        """The LWA token endpoint."""
        return LWA_TOKEN_URL

    def product_type(self, sku: str, category: str | None) -> str | None:
        """Return the product type for a listing, or None when none is configured."""
        return (
            self.product_type_overrides.get(sku)
            or (self.product_types.get(category) if category else None)
            or self.default_product_type
        )

    @property
    def client_secret_expires_on(self) -> date | None:
        """The last day the client secret works (180 days after it was created), or None."""
        if self.client_secret_rotated_on is None:
            return None
        return self.client_secret_rotated_on + timedelta(days=SECRET_LIFETIME_DAYS)
