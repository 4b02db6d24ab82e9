"""The Graph API answers the adapter reads, as tolerant pydantic models.

Shapes follow the SDK codegen specs (``CheckBatchRequestStatus``, ``ProductItem``,
``ProductItemError``, ``OverrideDetails``; research/marketplace-apis.md §3.3) and Meta's
reference pages for what the specs leave open: the ``items_batch`` answer
(``{"handles": [...], "validation_status": [{"retailer_id", "errors": [{"message"}],
"warnings": [...]}]}``), Graph edges wrapping lists in ``{"data": [...], "paging": ...}``,
and the error body ``{"error": {"message", "type", "code", "error_subcode",
"is_transient", "error_user_title", "error_user_msg", "fbtrace_id", "error_data"}}``.
Unknown fields are ignored and enumerations are plain strings, so a value Meta adds later
never breaks a read; :func:`parse` never raises.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

__all__ = [
    "BatchAnswer",
    "BatchMessage",
    "BatchStatus",
    "BatchStatusList",
    "ErrorBody",
    "ErrorDetail",
    "ItemError",
    "OverrideDetail",
    "OverrideDetailsPage",
    "Paging",
    "ProductPage",
    "ProductRecord",
    "ValidationStatus",
    "parse",
]

M = TypeVar("M", bound=BaseModel)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _text(value: object) -> object:
    # Ids and codes arrive as numbers or strings depending on the edge; read both as text.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


class BatchMessage(_Wire):
    """One error or warning of a batch: its message and, when given, the item's id.

    ``check_batch_request_status`` names the item in ``id`` (its retailer id); ``line`` is
    the request's position when Meta gives it.
    """

    message: str = ""
    id: str | None = None
    retailer_id: str | None = None
    line: int | None = None
    code: str | None = None

    _ids = field_validator("id", "retailer_id", "code", mode="before")(_text)

    @property
    def item(self) -> str | None:
        """The retailer id the message is about, if it names one."""
        return self.id or self.retailer_id


class ValidationStatus(_Wire):
    """Per-item validation of an ``items_batch``/``localized_items_batch`` call."""

    retailer_id: str | None = None
    errors: list[BatchMessage] = []
    warnings: list[BatchMessage] = []

    _ids = field_validator("retailer_id", mode="before")(_text)


class BatchAnswer(_Wire):
    """The answer to a batch call: zero or one handle, and synchronous validation."""

    handles: list[str] = []
    validation_status: list[ValidationStatus] = []


class BatchStatus(_Wire):
    """One batch's status (``CheckBatchRequestStatus``)."""

    handle: str | None = None
    status: str = ""
    errors: list[BatchMessage] = []
    errors_total_count: int | None = None
    warnings: list[BatchMessage] = []
    warnings_total_count: int | None = None
    ids_of_invalid_requests: list[str] = []

    @field_validator("ids_of_invalid_requests", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, list):
            return [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
        return value


class BatchStatusList(_Wire):
    """The answer of ``check_batch_request_status``: ``{"data": [status]}``."""

    data: list[BatchStatus] = []


class ItemError(_Wire):
    """One problem Meta found with an item (``ProductItemError``)."""

    title: str = ""
    description: str = ""
    error_type: str | None = None
    error_priority: str | None = None


class ProductRecord(_Wire):
    """A product item as ``GET /{catalog}/products`` returns the fields asked for."""

    id: str | None = None
    retailer_id: str | None = None
    availability: str | None = None
    visibility: str | None = None
    status: str | None = None
    review_status: str | None = None
    price: str | None = None
    errors: list[ItemError] = []

    _ids = field_validator("id", "retailer_id", mode="before")(_text)


class Cursors(_Wire):
    """Cursor paging of a Graph edge."""

    before: str | None = None
    after: str | None = None


class Paging(_Wire):
    """``paging`` of a Graph edge; ``next`` is present while more pages follow."""

    cursors: Cursors | None = None
    next: str | None = None


class ProductPage(_Wire):
    """One page of ``GET /{catalog}/products``."""

    data: list[ProductRecord] = []
    paging: Paging | None = None


class OverrideDetail(_Wire):
    """One override of an item (``OverrideDetails``): its type, key and values."""

    key: str = ""
    type: str = ""
    values: dict[str, Any] = {}


class OverrideDetailsPage(_Wire):
    """The answer of ``GET /{item}/override_details``."""

    data: list[OverrideDetail] = []


class ErrorDetail(_Wire):
    """The ``error`` object of a Graph API error answer."""

    message: str = ""
    type: str | None = None
    code: int | None = None
    error_subcode: int | None = None
    is_transient: bool | None = None
    error_user_title: str | None = None
    error_user_msg: str | None = None
    fbtrace_id: str | None = None
    error_data: dict[str, Any] | str | None = None

    @field_validator("code", "error_subcode", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value

    @field_validator("is_transient", mode="before")
    @classmethod
    def _flag(cls, value: object) -> object:
        return value if isinstance(value, bool) else None

    @property
    def blamed_fields(self) -> list[str]:
        """The fields ``error_data.blame_field_specs`` names (``[["price"]]`` → ``price``)."""
        data = self.error_data
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                return []
        specs = data.get("blame_field_specs") if isinstance(data, dict) else None
        fields: list[str] = []
        for spec in specs if isinstance(specs, list) else ():
            parts = spec if isinstance(spec, list) else [spec]
            name = ".".join(str(p) for p in parts if isinstance(p, str | int))
            if name:
                fields.append(name)
        return fields


class ErrorBody(_Wire):
    """A Graph API error answer."""

    error: ErrorDetail | None = None

    @field_validator("error", mode="before")
    @classmethod
    def _object(cls, value: object) -> object:
        return value if isinstance(value, dict) else None


def parse(model: type[M], content: bytes) -> M | None:
    """Read ``content`` as ``model``; None when it is not JSON of that shape."""
    if not content:
        return None
    try:
        return model.model_validate_json(content)
    except (ValidationError, ValueError):
        return None
