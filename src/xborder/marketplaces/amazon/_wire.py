"""The SP-API responses the adapter reads, as tolerant pydantic models.

Shapes follow the models' definitions: Listings Items API 2021-08-01 (``ErrorList``,
``ListingsItemSubmissionResponse``, ``Issue``, ``Item``, ``ItemSummaryByMarketplace``,
``ItemOfferByMarketplace``, ``FulfillmentAvailability``, ``ItemSearchResults``), Feeds API
2021-06-30 (``CreateFeedDocumentResponse``, ``CreateFeedResponse``, ``Feed``,
``FeedDocument``) and the JSON_LISTINGS_FEED processing report schema v2. Unknown fields are
ignored and enumerations are plain strings, so a value Amazon adds later never breaks a
read; :func:`parse` never raises.
"""

# Amazon's field names are camelCase; the models keep them so the JSON reads as the model.
# ruff: noqa: N815

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

__all__ = [
    "CreateFeedDocumentResponse",
    "CreateFeedResponse",
    "ErrorDetail",
    "ErrorList",
    "Feed",
    "FeedDocument",
    "FulfillmentAvailability",
    "Item",
    "ItemIssue",
    "ItemOffer",
    "ItemSearchResults",
    "ItemSummary",
    "Money",
    "ProcessingReport",
    "ReportIssue",
    "SubmissionResponse",
    "parse",
    "parse_value",
]

M = TypeVar("M", bound=BaseModel)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        # A null where the model has a default reads as the default (an absent field).
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class ErrorDetail(_Wire):
    """``Error``: ``code``, ``message`` and optional ``details``."""

    code: str | None = None
    message: str | None = None
    details: str | None = None


class ErrorList(_Wire):
    """``ErrorList``: the body of every unsuccessful answer."""

    errors: list[ErrorDetail] = []


class ItemIssue(_Wire):
    """``Issue`` of the Listings Items API (also the processing report's ``items[].issues``)."""

    code: str | None = None
    message: str | None = None
    severity: str | None = None
    attributeNames: list[str] = []
    categories: list[str] = []
    marketplaceIds: list[str] = []
    enforcements: dict[str, Any] | None = None


class IdentifiersByMarketplace(_Wire):
    """``ItemIdentifiersByMarketplace``."""

    marketplaceId: str | None = None
    asin: str | None = None


class SubmissionResponse(_Wire):
    """``ListingsItemSubmissionResponse``: ``status`` ACCEPTED, INVALID or VALID."""

    sku: str | None = None
    status: str | None = None
    submissionId: str | None = None
    issues: list[ItemIssue] = []
    identifiers: list[IdentifiersByMarketplace] = []


class Money(_Wire):
    """``Money``: ``amount`` is a decimal number written as a string (``Decimal``)."""

    currencyCode: str | None = None
    amount: str | int | float | Decimal | None = None

    def value(self) -> Decimal | None:
        """Return the amount as a Decimal, or None when it is missing or not a number."""
        if self.amount is None or isinstance(self.amount, bool):
            return None
        try:
            number = Decimal(str(self.amount))
        except ArithmeticError:
            return None
        return number if number.is_finite() else None


class Audience(_Wire):
    """``Audience``: ``value`` is ``ALL`` for the standard offer, ``B2B`` for business."""

    value: str | None = None
    displayName: str | None = None


class ItemOffer(_Wire):
    """``ItemOfferByMarketplace``."""

    marketplaceId: str | None = None
    offerType: str | None = None
    price: Money | None = None
    audience: Audience | None = None


class ItemSummary(_Wire):
    """``ItemSummaryByMarketplace``: ``status`` holds BUYABLE and/or DISCOVERABLE."""

    marketplaceId: str | None = None
    asin: str | None = None
    productType: str | None = None
    conditionType: str | None = None
    status: list[str] = []
    itemName: str | None = None
    createdDate: str | None = None
    lastUpdatedDate: str | None = None


class FulfillmentAvailability(_Wire):
    """``FulfillmentAvailability``."""

    fulfillmentChannelCode: str | None = None
    quantity: int | None = None


class Item(_Wire):
    """``Item``: a listings item with the data sets asked for (``includedData``)."""

    sku: str | None = None
    summaries: list[ItemSummary] = []
    attributes: dict[str, Any] = {}
    issues: list[ItemIssue] = []
    offers: list[ItemOffer] = []
    fulfillmentAvailability: list[FulfillmentAvailability] = []


class Pagination(_Wire):
    """``Pagination``."""

    nextToken: str | None = None
    previousToken: str | None = None


class ItemSearchResults(_Wire):
    """``ItemSearchResults`` of ``searchListingsItems``."""

    numberOfResults: int | None = None
    pagination: Pagination | None = None
    items: list[Item] = []


class CreateFeedDocumentResponse(_Wire):
    """``CreateFeedDocumentResponse``: where to upload the feed (a URL valid 5 minutes)."""

    feedDocumentId: str | None = None
    url: str | None = None


class CreateFeedResponse(_Wire):
    """``CreateFeedResponse``."""

    feedId: str | None = None


class Feed(_Wire):
    """``Feed``: ``processingStatus`` IN_QUEUE, IN_PROGRESS, DONE, CANCELLED or FATAL."""

    feedId: str | None = None
    feedType: str | None = None
    marketplaceIds: list[str] = []
    processingStatus: str | None = None
    resultFeedDocumentId: str | None = None


class FeedDocument(_Wire):
    """``FeedDocument``: a download URL (5 minutes) and ``compressionAlgorithm`` (GZIP)."""

    feedDocumentId: str | None = None
    url: str | None = None
    compressionAlgorithm: str | None = None


class ReportHeader(_Wire):
    """The processing report's ``header``."""

    sellerId: str | None = None
    version: str | None = None
    feedId: str | None = None


class ReportIssue(_Wire):
    """One entry of the processing report's ``issues`` (correlated by ``messageId``)."""

    messageId: int | None = None
    sku: str | None = None
    code: str | None = None
    severity: str | None = None
    message: str | None = None
    attributeName: str | None = None


class ReportSummary(_Wire):
    """The processing report's ``summary``."""

    errors: int | None = None
    warnings: int | None = None
    messagesProcessed: int | None = None
    messagesAccepted: int | None = None
    messagesInvalid: int | None = None


class ProcessingReport(_Wire):
    """The JSON_LISTINGS_FEED processing report (schema v2)."""

    header: ReportHeader | None = None
    issues: list[ReportIssue] = []
    summary: ReportSummary | None = None
    items: list[Item] = []


def parse_value(model: type[M], value: Any) -> M | None:
    """Validate an already decoded JSON ``value`` as ``model``; None when it does not fit."""
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def parse(model: type[M], content: bytes) -> M | None:
    """Read ``content`` (JSON) as ``model``; None when it is not JSON or does not fit."""
    try:
        value = json.loads(content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    return parse_value(model, value)
