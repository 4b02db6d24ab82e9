"""What eBay's answers mean: whole responses (:func:`classify`) and per-item errors.

Error ids are the Sell Inventory API's (``x-response-codes`` of each operation in the
contract); the body shape is its ``Error`` type. eBay answers bulk calls with 200 or 207
Multi-Status and one result per element, so most problems are per item, not per call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Final

from xborder.http import HttpResponse
from xborder.marketplaces._model import Classification, Issue, Verdict
from xborder.marketplaces._protocol import classify_status, parse_retry_after
from xborder.marketplaces.ebay._wire import ErrorBody, ErrorDetail, OAuthError, parse

__all__ = [
    "DUPLICATE_OFFER",
    "RETRYABLE",
    "RETRY_LATER",
    "classify",
    "errors_of",
    "is_revision_cap",
    "issues",
    "item_retry_after",
    "request_id",
]

#: "Any System error" and "Concurrent access of Inventory or InventoryItemGroup. Please try
#: again later": retry.
RETRYABLE: Final = frozenset({25001, 25025})
#: bulkCreateOffer: "The combination of SKU, marketplaceId and format should be unique."
DUPLICATE_OFFER: Final = 25729
#: eBay REST "Too many requests" (rate limit reached) and invalid/expired token ids, common
#: to every REST API (https://developer.ebay.com/api-docs/static/handling-error-messages.html).
THROTTLED: Final = frozenset({2001})
TOKEN_ERRORS: Final = frozenset({1001, 1002, 1003})
#: Seconds an item failing with a retryable error should wait before it is sent again; eBay
#: sends no Retry-After with these.
RETRY_LATER: Final = 60.0

#: Error id → the listing field (or adapter setting) at fault.
FIELDS: Final[Mapping[int, str]] = MappingProxyType(
    {
        25003: "price",
        25004: "quantity",
        25005: "category",
        25007: "fulfillment_policy_id",
        25008: "payment_policy_id",
        25009: "return_policy_id",
        25011: "tax",
        25012: "merchant_location_key",
        25014: "images",
        25015: "images",
        25020: "weight",
        25021: "condition",
        25022: "attributes",
        25035: "listing_policies",
        25036: "listing_policies",
        25052: "images",
        25086: "images",
        25108: "safety_information",
        25109: "safety_information",
        25110: "manufacturer",
        25111: "manufacturer",
        25112: "eu_responsible_person",
        25113: "eu_responsible_person",
        25114: "eu_responsible_person",
        25115: "eu_responsible_person",
        25116: "eu_responsible_person",
        25118: "manufacturer",
        25119: "eu_responsible_person",
        25501: "images",
        25502: "attributes",
        25503: "title",
        25601: "attributes",
        25702: "sku",
        25707: "sku",
        25708: "sku",
        25715: "dimensions",
        25759: "quantity",
    }
)
#: Error ids whose message names the field in a parameter ("Invalid value for field
#: {additionalInfo}", "{field} is required for this category", "Invalid {fieldName}").
_FIELD_IN_PARAMETER: Final = frozenset({25002, 25016, 25029, 25031, 25032, 25080, 25709})
_FIELD_PARAMETERS: Final = ("fieldName", "field", "additionalInfo", "0")

# "Each listing can be revised up to 250 times in one calendar day. If this revision
# threshold is reached, the seller will be blocked from revising the item until the next
# calendar day" (note on every write of the Inventory API). No error id is documented for
# it, so it is recognised by its message.
_REVISION_CAP: Final = re.compile(
    r"revis\w*.{0,80}\b(limit|threshold|250|maximum|exceed)"
    r"|\b(limit|threshold|250|maximum)\b.{0,40}revis",
    re.I | re.S,
)
# eBay's calendar day: its "official time" is Pacific time. A fixed UTC-8 never reopens
# early (PST exactly, or one hour late under PDT), so no deferred item is refused again.
_EBAY_DAY: Final = timedelta(hours=-8)


def errors_of(response: HttpResponse) -> ErrorBody:
    """Return the ``errors``/``warnings`` of a call-level answer (empty when unreadable)."""
    return parse(ErrorBody, response.content) or ErrorBody()


def request_id(response: HttpResponse) -> str | None:
    """Return eBay's id of the call, from its response headers, when sent."""
    for name in ("x-ebay-c-request-id", "x-ebay-request-id", "rlogid"):
        value = response.headers.get(name)
        if value:
            return value
    return None


def _text(error: ErrorDetail) -> str:
    return (error.longMessage or error.message or "").strip()


def _field(error: ErrorDetail) -> str | None:
    if error.errorId in _FIELD_IN_PARAMETER:
        for parameter in error.parameters:
            if parameter.name in _FIELD_PARAMETERS and parameter.value:
                return parameter.value
    if error.errorId is not None:
        return FIELDS.get(error.errorId)
    return None


def is_revision_cap(error: ErrorDetail) -> bool:
    """Whether ``error`` says the listing reached eBay's 250 revisions a day."""
    return bool(_REVISION_CAP.search(f"{error.message or ''} {error.longMessage or ''}"))


def _next_ebay_day(response: HttpResponse | None) -> float:
    sent = response.headers.get("date") if response is not None else None
    try:
        now = parsedate_to_datetime(sent) if sent else None
    except (TypeError, ValueError):
        now = None
    if now is None or now.tzinfo is None:
        return 86_400.0  # no server time: a whole day is never too early
    local = now.astimezone(UTC) + _EBAY_DAY
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1.0, (midnight - local).total_seconds())


def issues(
    errors: Iterable[ErrorDetail], warnings: Iterable[ErrorDetail] = ()
) -> tuple[Issue, ...]:
    """Turn eBay errors and warnings into :class:`Issue` values (code = the errorId)."""
    out: list[Issue] = []
    for severity, group in (("error", errors), ("warning", warnings)):
        for error in group:
            code = str(error.errorId) if error.errorId is not None else "ebay.error"
            if severity == "error" and is_revision_cap(error):
                out.append(
                    Issue(
                        "ebay.revision_limit",
                        f"eBay allows 250 revisions per listing per calendar day and this "
                        f"listing reached them; send it again tomorrow (eBay {code}: "
                        f"{_text(error)})",
                        None,
                    )
                )
                continue
            out.append(
                Issue(
                    code,
                    _text(error) or "eBay gave no message",
                    _field(error),
                    "error" if severity == "error" else "warning",
                )
            )
    return tuple(out)


def item_retry_after(
    errors: Sequence[ErrorDetail], response: HttpResponse | None = None
) -> float | None:
    """Return how long a failed item should wait before it is sent again, or None.

    The daily revision cap waits for eBay's next calendar day (from the response's
    ``Date``); system errors and concurrent access (25001, 25025) wait :data:`RETRY_LATER`.
    """
    if any(is_revision_cap(error) for error in errors):
        return _next_ebay_day(response)
    if errors and all(error.errorId in RETRYABLE for error in errors):
        return RETRY_LATER
    return None


def _oauth(response: HttpResponse) -> Classification | None:
    error = parse(OAuthError, response.content)
    if error is None or not error.error:
        return None
    message = f"{error.error}: {error.error_description or ''}".strip(": ")
    if error.error == "invalid_grant":
        # The refresh token expired or was revoked: the seller must consent again.
        message += " (run `xborder auth ebay` to get a new refresh token)"
    verdict: Verdict = (
        "transient" if error.error in ("server_error", "temporarily_unavailable") else "permanent"
    )
    return Classification(verdict, message=message, code=error.error)


def classify(response: HttpResponse) -> Classification:
    """Say what an eBay response means.

    2xx (207 included: its items carry their own results) is ok; 401, and 403 with a token
    error id, auth expired; 429 or error 2001 throttled; 5xx and errors 25001/25025
    transient; anything else permanent, with the first error's id, message and the
    fields the errors name.
    """
    base = classify_status(response)
    rid = request_id(response)
    if base.verdict == "ok":
        return Classification("ok", request_id=rid)
    body = errors_of(response)
    errors = body.errors
    first = errors[0] if errors else None
    code = str(first.errorId) if first is not None and first.errorId is not None else None
    message = _text(first) if first is not None else ""
    ids = {error.errorId for error in errors}
    fields = {f: _text(e) for e in errors if (f := _field(e)) is not None}
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    status = response.status_code

    verdict: Verdict
    if status == 429 or ids & THROTTLED:
        verdict = "throttled"
    elif status == 401 or (status == 403 and ids & TOKEN_ERRORS):
        verdict = "auth_expired"
    elif status >= 500 or (ids and ids <= RETRYABLE):
        verdict = "transient"
    else:
        oauth = _oauth(response) if not errors else None
        if oauth is not None:
            return Classification(
                oauth.verdict, message=oauth.message, code=oauth.code, request_id=rid
            )
        verdict = "permanent"
        if first is not None and is_revision_cap(first):
            retry_after = _next_ebay_day(response)
    return Classification(
        verdict,
        retry_after=retry_after,
        message=message or base.message,
        code=code,
        request_id=rid,
        field_errors=MappingProxyType(fields),
    )
