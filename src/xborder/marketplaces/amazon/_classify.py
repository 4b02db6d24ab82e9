"""What SP-API answers mean: whole responses (:func:`classify`) and per-item issues.

Every answer carries ``x-amzn-RequestId`` and, where a usage plan applied,
``x-amzn-RateLimit-Limit`` (the rate in requests per second; response headers of every
operation in the Listings Items and Feeds models). Errors come as ``ErrorList``
(``{"errors": [{"code", "message", "details"}]}``). Status codes alone mislead: the SP-API
answers an expired access token with 403 ``Unauthorized`` (not 401), throttles with 429
``QuotaExceeded`` and no ``Retry-After`` (https://developer-docs.amazon.com/sp-api/docs/
usage-plans-and-rate-limits), and refuses an invalid listing with HTTP 200 and
``status: INVALID`` (a per-item result, read by the adapter, not here).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final
from urllib.parse import urlsplit

from xborder.http import HttpResponse
from xborder.marketplaces._model import Classification, Issue, Verdict
from xborder.marketplaces._protocol import classify_status, parse_retry_after
from xborder.marketplaces.amazon._wire import ErrorDetail, ErrorList, ItemIssue, ReportIssue, parse

__all__ = [
    "ATTRIBUTE_FIELDS",
    "RATE_LIMIT_HEADER",
    "REQUEST_ID_HEADER",
    "RETRY_LATER",
    "THROTTLE_CODES",
    "announced_rate",
    "classify",
    "error_issues",
    "errors_of",
    "field_of_attribute",
    "item_issue",
    "report_issue",
    "request_id",
    "retry_after_of",
]

#: Response headers of every SP-API operation (Listings Items and Feeds models).
REQUEST_ID_HEADER: Final = "x-amzn-requestid"
RATE_LIMIT_HEADER: Final = "x-amzn-ratelimit-limit"
#: Error codes that mean "too many requests" ("QuotaExceeded: You exceeded your quota for
#: the requested resource", usage plans page).
THROTTLE_CODES: Final = frozenset({"QuotaExceeded", "TooManyRequests", "RequestThrottled"})
#: Error codes the SP-API gives a refused access token (403 ``Unauthorized``: "Access to
#: requested resource is denied." with details naming the expired or invalid token).
TOKEN_CODES: Final = frozenset({"Unauthorized", "InvalidToken", "Unauthenticated"})
#: Seconds an item refused for throttling or a passing failure should wait before it is sent
#: again when the answer said nothing (the SP-API sends no Retry-After).
RETRY_LATER: Final = 60.0

#: Amazon attribute → the xborder listing field it is made from (issues name the field).
ATTRIBUTE_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "item_name": "title",
        "brand": "brand",
        "product_description": "description",
        "bullet_point": "attributes",
        "condition_type": "condition",
        "externally_assigned_product_identifier": "gtin",
        "supplier_declared_has_product_identifier_exemption": "gtin_exempt",
        "part_number": "mpn",
        "manufacturer": "manufacturer",
        "gpsr_manufacturer_reference": "manufacturer",
        "dsa_responsible_party_address": "eu_responsible_person",
        "country_of_origin": "origin_country",
        "main_product_image_locator": "images",
        "item_package_weight": "weight",
        "item_package_dimensions": "dimensions",
        "batteries_required": "dangerous_goods",
        "supplier_declared_dg_hz_regulation": "dangerous_goods",
        "safety_warning": "safety_information",
        "gpsr_safety_attestation": "safety_information",
        "purchasable_offer": "price",
        "fulfillment_availability": "quantity",
    }
)

_FIELD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\]/-]{0,99}")
_FEED_PATH: Final = re.compile(r"/feeds/2021-06-30/feeds/[^/]+")


def request_id(response: HttpResponse) -> str | None:
    """Return ``x-amzn-RequestId``, when sent."""
    return response.headers.get(REQUEST_ID_HEADER) or None


def announced_rate(response: HttpResponse) -> float | None:
    """Return the rate ``x-amzn-RateLimit-Limit`` announces (requests per second), or None."""
    raw = response.headers.get(RATE_LIMIT_HEADER)
    if raw is None:
        return None
    try:
        rate = float(raw.strip())
    except ValueError:
        return None
    return rate if math.isfinite(rate) and rate > 0 else None


def errors_of(response: HttpResponse) -> list[ErrorDetail]:
    """Return the ``ErrorList`` entries of an answer (empty when unreadable)."""
    body = parse(ErrorList, response.content)
    return list(body.errors) if body is not None else []


def field_of_attribute(name: str | None) -> str | None:
    """Return the listing field an attribute (``purchasable_offer.our_price``) is made from.

    Image slots (``other_product_image_locator_3``) read as ``images``; attributes xborder
    does not send keep their own name.
    """
    if not name:
        return None
    head = name.split(".", 1)[0].split("/")[-1]
    if head.startswith("other_product_image_locator"):
        return "images"
    return ATTRIBUTE_FIELDS.get(head, head)


def _error_field(error: ErrorDetail) -> str | None:
    # ``details`` names the parameter or property at fault when it is a bare name.
    details = (error.details or "").strip()
    return details if _FIELD.fullmatch(details) else None


def _text(error: ErrorDetail) -> str:
    message = (error.message or "").strip()
    details = (error.details or "").strip()
    if details and details != message and not _FIELD.fullmatch(details):
        return f"{message} ({details})" if message else details
    return message


def _token_refused(errors: Iterable[ErrorDetail]) -> bool:
    for error in errors:
        if error.code in TOKEN_CODES:
            return True
        words = f"{error.message or ''} {error.details or ''}".lower()
        if "access token" in words:
            return True
    return False


def _is_feed_poll(response: HttpResponse) -> bool:
    return bool(response.url) and bool(_FEED_PATH.fullmatch(urlsplit(response.url).path))


def classify(response: HttpResponse) -> Classification:
    """Say what an SP-API answer means.

    2xx is ok (an INVALID listing included: its issues are the item's); 429 or an error
    ``QuotaExceeded`` throttled; 401, and 403 refusing the access token, auth expired; 5xx
    transient; anything else permanent with the first error's code and message, and the
    field ``details`` names. ``rate_limit`` is ``x-amzn-RateLimit-Limit`` (except on
    ``getFeed``, whose polls the adapter paces itself); ``request_id`` is
    ``x-amzn-RequestId``.
    """
    base = classify_status(response)
    rid = request_id(response)
    rate = None if _is_feed_poll(response) else announced_rate(response)
    if base.verdict == "ok":
        return Classification("ok", rate_limit=rate, request_id=rid)
    errors = errors_of(response)
    codes = {error.code for error in errors if error.code}
    first = errors[0] if errors else None
    status = response.status_code
    verdict: Verdict
    if status == 429 or codes & THROTTLE_CODES:
        verdict = "throttled"
    elif status == 401 or (status == 403 and _token_refused(errors)):
        verdict = "auth_expired"
    elif status >= 500:
        verdict = "transient"
    else:
        verdict = "permanent"
    fields = {f: _text(e) or f for e in errors if (f := _error_field(e)) is not None}
    return Classification(
        verdict,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        rate_limit=rate,
        message=(_text(first) if first is not None else "") or base.message,
        code=first.code if first is not None else None,
        request_id=rid,
        field_errors=MappingProxyType(fields),
    )


def error_issues(response: HttpResponse, *, what: str) -> tuple[Issue, ...]:
    """Turn a refused call into the issues of the items it carried.

    ``what`` names the call (``putListingsItem``) for answers without an ``ErrorList``.
    """
    errors = errors_of(response)
    if not errors:
        return (
            Issue(
                f"amazon.http_{response.status_code}",
                f"{what} answered HTTP {response.status_code} without an SP-API error body",
            ),
        )
    return tuple(
        Issue(
            error.code or "amazon.error",
            _text(error) or "Amazon gave no message",
            _error_field(error),
        )
        for error in errors
    )


def _severity(value: str | None) -> str:
    return "error" if (value or "").upper() == "ERROR" else "warning"


def item_issue(issue: ItemIssue) -> Issue:
    """Turn a Listings Items ``Issue`` into an :class:`Issue` (INFO reads as a warning)."""
    names = issue.attributeNames
    return Issue(
        issue.code or "amazon.issue",
        (issue.message or "").strip() or "Amazon gave no message",
        field_of_attribute(names[0]) if names else None,
        "error" if _severity(issue.severity) == "error" else "warning",
    )


def report_issue(issue: ReportIssue) -> Issue:
    """Turn a processing report issue into an :class:`Issue`."""
    return Issue(
        issue.code or "amazon.feed_issue",
        (issue.message or "").strip() or "Amazon gave no message",
        field_of_attribute(issue.attributeName),
        "error" if _severity(issue.severity) == "error" else "warning",
    )


def retry_after_of(response: HttpResponse) -> float | None:
    """Return how long an item refused by ``response`` should wait, or None (final)."""
    found = classify(response)
    if found.verdict in ("throttled", "transient"):
        return found.retry_after or RETRY_LATER
    return None
