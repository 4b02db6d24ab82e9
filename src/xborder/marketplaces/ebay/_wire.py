"""The eBay responses the adapter reads, as tolerant pydantic models.

Shapes follow the Sell Inventory API v1 response schemas (``BulkInventoryItemResponse``,
``BulkOfferResponse``, ``BulkPublishResponse``, ``BulkPriceQuantityResponse``, ``Offers``,
``OfferResponse``, ``WithdrawResponse``, ``Error``) and the OAuth token response. Unknown
fields are ignored and enumerations are plain strings, so a value eBay adds later never
breaks a read; :func:`parse` never raises.
"""

# eBay's field names are camelCase; the models keep them so the JSON reads as the contract.
# ruff: noqa: N815

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "BulkInventoryItemResponse",
    "BulkOfferResponse",
    "BulkPriceQuantityResponse",
    "BulkPublishResponse",
    "CurrenciesResponse",
    "Currency",
    "ErrorBody",
    "ErrorDetail",
    "ErrorParameter",
    "InventoryItemResponse",
    "ListingDetails",
    "OAuthError",
    "Offer",
    "OfferResponse",
    "OfferResponseWithListingId",
    "OfferSkuResponse",
    "Offers",
    "PriceQuantityResponse",
    "TokenResponse",
    "WithdrawResponse",
    "parse",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ErrorParameter(_Wire):
    """``ErrorParameter``: a variable of the message (``{"name": "fieldName", ...}``)."""

    name: str | None = None
    value: str | None = None


class ErrorDetail(_Wire):
    """``Error``: one error or warning."""

    errorId: int | None = None
    domain: str | None = None
    subdomain: str | None = None
    category: str | None = None
    message: str | None = None
    longMessage: str | None = None
    inputRefIds: list[str] = []
    outputRefIds: list[str] = []
    parameters: list[ErrorParameter] = []


class ErrorBody(_Wire):
    """A call-level error answer: ``{"errors": [...], "warnings": [...]}``."""

    errors: list[ErrorDetail] = []
    warnings: list[ErrorDetail] = []


class InventoryItemResponse(_Wire):
    """One element of ``BulkInventoryItemResponse.responses``."""

    sku: str | None = None
    locale: str | None = None
    statusCode: int | None = None
    errors: list[ErrorDetail] = []
    warnings: list[ErrorDetail] = []


class BulkInventoryItemResponse(_Wire):
    """The answer to ``bulkCreateOrReplaceInventoryItem`` (200 or 207)."""

    responses: list[InventoryItemResponse] = []


class OfferSkuResponse(_Wire):
    """One element of ``BulkOfferResponse.responses``."""

    sku: str | None = None
    marketplaceId: str | None = None
    format: str | None = None
    offerId: str | None = None
    statusCode: int | None = None
    errors: list[ErrorDetail] = []
    warnings: list[ErrorDetail] = []


class BulkOfferResponse(_Wire):
    """The answer to ``bulkCreateOffer`` (200 or 207)."""

    responses: list[OfferSkuResponse] = []


class OfferResponseWithListingId(_Wire):
    """One element of ``BulkPublishResponse.responses``."""

    offerId: str | None = None
    listingId: str | None = None
    statusCode: int | None = None
    errors: list[ErrorDetail] = []
    warnings: list[ErrorDetail] = []


class BulkPublishResponse(_Wire):
    """The answer to ``bulkPublishOffer`` (200 or 207)."""

    responses: list[OfferResponseWithListingId] = []


class PriceQuantityResponse(_Wire):
    """One element of ``BulkPriceQuantityResponse.responses``."""

    offerId: str | None = None
    sku: str | None = None
    statusCode: int | None = None
    errors: list[ErrorDetail] = []
    warnings: list[ErrorDetail] = []


class BulkPriceQuantityResponse(_Wire):
    """The answer to ``bulkUpdatePriceQuantity`` (200 or 207)."""

    responses: list[PriceQuantityResponse] = []


class ListingDetails(_Wire):
    """``ListingDetails`` of a published offer."""

    listingId: str | None = None
    listingStatus: str | None = None
    listingOnHold: bool | None = None
    soldQuantity: int | None = None


class Offer(_Wire):
    """The parts of ``EbayOfferDetailsWithAll`` the adapter reads."""

    offerId: str | None = None
    sku: str | None = None
    marketplaceId: str | None = None
    format: str | None = None
    status: str | None = None
    availableQuantity: int | None = None
    listing: ListingDetails | None = None


class Offers(_Wire):
    """The answer to ``getOffers`` (``GET /offer?sku=``)."""

    offers: list[Offer] = []
    total: int | None = None
    next: str | None = None


class OfferResponse(_Wire):
    """The answer to ``createOffer`` / ``updateOffer``."""

    offerId: str | None = None
    warnings: list[ErrorDetail] = []


class WithdrawResponse(_Wire):
    """The answer to ``withdrawOffer``."""

    listingId: str | None = None
    warnings: list[ErrorDetail] = []


class TokenResponse(_Wire):
    """The identity endpoint's answer to a token request."""

    access_token: str
    expires_in: float | None = None
    token_type: str | None = None
    refresh_token: str | None = None
    refresh_token_expires_in: float | None = None


class Currency(_Wire):
    """Metadata API ``Currency``."""

    code: str | None = None
    description: str | None = None


class CurrenciesResponse(_Wire):
    """The Metadata API's answer to ``getCurrencies``."""

    marketplaceId: str | None = None
    defaultCurrency: Currency | None = None


class OAuthError(_Wire):
    """The identity endpoint's error answer (RFC 6749 §5.2)."""

    error: str | None = None
    error_description: str | None = None


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], content: bytes) -> M | None:
    """Return ``content`` read as ``model``, or None when it is not that shape (or empty)."""
    if not content.strip():
        return None
    try:
        return model.model_validate_json(content)
    except (ValidationError, ValueError):
        return None
