"""What the eBay adapter needs to know: credentials, hosts and per-site selling settings.

Every eBay site needs its own business policies (fulfillment, payment, return), an inventory
location and category ids from its own category tree before an offer can be published
(Inventory API ``publishOffer``: "Inventory location, Offer price, Available quantity, eBay
listing category, Referenced listing policy profiles"); the seller creates them once in
eBay (Seller Hub or the Account API) and names them here.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, ClassVar, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, field_validator

from xborder.listing import CATEGORIES
from xborder.marketplaces._protocol import MarketplaceSettings
from xborder.marketplaces.ebay._sites import SITES, EbaySite, site_for_market

__all__ = [
    "APPLICATION_SCOPES",
    "USER_SCOPES",
    "EbaySettings",
    "EbaySiteSettings",
    "ProductSafetyLabels",
]

#: OAuth scopes of the user token: the Inventory API (``sell.inventory``, spec
#: ``securitySchemes``) and the Account API's business policies (``sell.account``).
USER_SCOPES: Final = (
    "https://api.ebay.com/oauth/api_scope",
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    "https://api.ebay.com/oauth/api_scope/sell.account",
)
#: OAuth scope of the application token (client credentials): Metadata and Taxonomy calls.
APPLICATION_SCOPES: Final = ("https://api.ebay.com/oauth/api_scope",)

_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")
_CATEGORY: Final = re.compile(r"[0-9]{1,10}")


def _check_id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError("an eBay id: 1-64 letters, digits, '.', '_' or '-'")
    return value


def _check_category(value: str) -> str:
    if not _CATEGORY.fullmatch(value):
        raise ValueError("an eBay category id is a number, such as '20625'")
    return value


def _check_location(value: str) -> str:
    # Inventory API EbayOfferDetailsWithKeys.merchantLocationKey: "Max length: 36".
    if not 1 <= len(value) <= 36 or not value.isprintable():
        raise ValueError("a merchant location key has 1-36 printable characters")
    return value


PolicyId = Annotated[str, AfterValidator(_check_id)]
CategoryId = Annotated[str, AfterValidator(_check_category)]
LocationKey = Annotated[str, AfterValidator(_check_location)]


class ProductSafetyLabels(BaseModel):
    """Product safety statement and pictogram ids for ``regulatory.productSafety``.

    eBay takes ids, not text: the Metadata API's ``getProductSafetyLabels`` lists them per
    site. At most 8 statements and 2 pictograms (Inventory API ``ProductSafety``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    statements: tuple[PolicyId, ...] = Field(default=(), max_length=8)
    pictograms: tuple[PolicyId, ...] = Field(default=(), max_length=2)


class EbaySiteSettings(BaseModel):
    """What one eBay site needs before xborder can publish there.

    * ``fulfillment_policy_id``, ``payment_policy_id``, ``return_policy_id``: the site's
      business policies (Seller Hub → Business policies, or the Account API).
    * ``merchant_location_key``: an inventory location (``POST /location/{key}``).
    * ``categories``: xborder category key (``home.drinkware``) → eBay category id of this
      site's tree; ``default_category_id`` for listings whose category is not mapped;
      ``category_overrides``: listing SKU → category id, winning over both.
    * ``product_safety``: safety label ids by xborder category key (``"*"`` for every
      category), sent as ``regulatory.productSafety``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fulfillment_policy_id: PolicyId | None = None
    payment_policy_id: PolicyId | None = None
    return_policy_id: PolicyId | None = None
    merchant_location_key: LocationKey | None = None
    categories: dict[str, CategoryId] = Field(default_factory=dict)
    default_category_id: CategoryId | None = None
    category_overrides: dict[str, CategoryId] = Field(default_factory=dict)
    product_safety: dict[str, ProductSafetyLabels] = Field(default_factory=dict)

    @field_validator("categories", "product_safety")
    @classmethod
    def _known_categories(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(key for key in value if key not in CATEGORIES and key != "*")
        if unknown:
            raise ValueError(
                f"unknown xborder category keys {unknown} (see xborder.listing.CATEGORIES)"
            )
        return value

    def category_id(self, sku: str, category: str | None) -> str | None:
        """Return the eBay category id for a listing, or None when none is configured."""
        return (
            self.category_overrides.get(sku)
            or (self.categories.get(category) if category else None)
            or self.default_category_id
        )

    def safety_labels(self, category: str | None) -> ProductSafetyLabels | None:
        """Return the product safety labels for a listing's category, or None."""
        if category and category in self.product_safety:
            return self.product_safety[category]
        return self.product_safety.get("*")


_SKU_FIELDS: Final = frozenset({"sku", "market", "site"})


class EbaySettings(MarketplaceSettings):
    """Settings of the eBay adapter; :meth:`from_env` reads ``XBORDER_EBAY_*`` variables.

    Credentials (from the eBay developer portal, "Application Keys"): ``client_id`` (App ID),
    ``client_secret`` (Cert ID), ``ru_name`` (the redirect URL name, for the one-time consent)
    and ``refresh_token`` (from the consent, ``xborder auth ebay``; about 18 months).
    ``sandbox`` switches every host to eBay's sandbox.

    ``sites`` maps a marketplace id (``EBAY_DE``; a country code such as ``DE`` is accepted)
    to its :class:`EbaySiteSettings`.

    ``sku_strategy``: ``per_site`` (default) sends one eBay SKU per site, made by
    ``sku_format`` (``"{sku}-{market}"``: ``MUG-01`` → ``MUG-01-DE``; placeholders ``sku``,
    ``market``, ``site``), so each site has its own inventory item in its own language;
    ``shared`` sends the catalog SKU unchanged to every site. eBay's own reference disagrees
    on whether one SKU may have offers on several sites (docs/ebay.md).

    ``offer_lookup``: ``before_create`` (default) looks an offer up by SKU
    (``GET /offer?sku=``) for every item without a known offerId before creating it;
    ``on_conflict`` creates straight away and looks up only the items eBay refuses as
    duplicates (error 25729), which saves one call per new item.

    ``withdraw_action``: ``withdraw`` ends the listing and keeps the offer (it can be
    published again); ``delete`` deletes the offer. ``price_quantity_skus_per_call``: how
    many SKUs one ``bulk_update_price_quantity`` call carries (eBay documents both 1 and
    25; the adapter drops to 1 by itself when a call with several is refused).
    """

    env_prefix: ClassVar[str] = "XBORDER_EBAY_"

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr | None = None
    ru_name: str | None = None
    sandbox: bool = False
    sites: dict[str, EbaySiteSettings] = Field(default_factory=dict)
    sku_strategy: Literal["per_site", "shared"] = "per_site"
    sku_format: str = "{sku}-{market}"
    offer_lookup: Literal["before_create", "on_conflict"] = "before_create"
    withdraw_action: Literal["withdraw", "delete"] = "withdraw"
    price_quantity_skus_per_call: int = Field(default=25, ge=1, le=25)
    scopes: tuple[str, ...] = USER_SCOPES

    @field_validator("sites", mode="before")
    @classmethod
    def _site_ids(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        out: dict[object, object] = {}
        for key, settings in value.items():
            site = site_for_market(key) if isinstance(key, str) else None
            if site is None:
                raise ValueError(f"unknown eBay site {key!r}; known: {', '.join(sorted(SITES))}")
            out[site.site_id] = settings
        return out

    @field_validator("sku_format")
    @classmethod
    def _sku_format(cls, value: str) -> str:
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"not a format string: {exc}") from None
        if "sku" not in fields:
            raise ValueError("must contain {sku}")
        unknown = fields - _SKU_FIELDS
        if unknown:
            raise ValueError(f"unknown placeholders {sorted(unknown)}; use sku, market, site")
        return value

    # -- hosts (Inventory API ``servers``; sandbox per eBay's publishOffer reference) ------------

    @property
    def api_host(self) -> str:
        """``https://api.ebay.com`` or the sandbox's ``https://api.sandbox.ebay.com``."""
        return "https://api.sandbox.ebay.com" if self.sandbox else "https://api.ebay.com"

    @property
    def inventory_url(self) -> str:
        """Base URL of the Sell Inventory API v1."""
        return f"{self.api_host}/sell/inventory/v1"

    @property
    def token_url(self) -> str:
        """The OAuth token endpoint (``/identity/v1/oauth2/token``)."""
        return f"{self.api_host}/identity/v1/oauth2/token"

    @property
    def authorize_url(self) -> str:
        """The consent page (``https://auth.ebay.com/oauth2/authorize``; sandbox host)."""
        host = "https://auth.sandbox.ebay.com" if self.sandbox else "https://auth.ebay.com"
        return f"{host}/oauth2/authorize"

    def site_settings(self, site: EbaySite | str) -> EbaySiteSettings | None:
        """Return the settings of ``site`` (an :class:`EbaySite` or marketplace id), or None."""
        site_id = site.site_id if isinstance(site, EbaySite) else site
        return self.sites.get(site_id)

    def wire_sku(self, sku: str, site: EbaySite) -> str:
        """Return the SKU sent to eBay for catalog ``sku`` on ``site`` (see ``sku_strategy``)."""
        if self.sku_strategy == "shared":
            return sku
        return self.sku_format.format(sku=sku, market=site.market, site=site.site_id)
