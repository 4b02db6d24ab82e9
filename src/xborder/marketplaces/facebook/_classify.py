"""What Graph API answers mean: whole responses (:func:`classify`) and usage headers.

Status codes alone mislead on the Graph API: throttles usually arrive as HTTP 400 with a
throttle code, and an expired token as HTTP 400 (or 401) with code 190. The error body is
``{"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id",
"error_data": {"blame_field_specs": [[field]]}}}`` (the fields the business SDK's
``facebook_business/exceptions.py`` reads; research/marketplace-apis.md §3.4).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from xborder.http import HttpResponse
from xborder.marketplaces._model import Classification, Verdict
from xborder.marketplaces._protocol import classify_status, parse_retry_after
from xborder.marketplaces.facebook._wire import ErrorBody, ErrorDetail, parse

__all__ = [
    "AUTH_CODES",
    "PERMISSION_CODES",
    "THROTTLE_CODES",
    "TRANSIENT_CODES",
    "classify",
    "error_of",
    "request_id",
    "usage",
]

#: Throttling: 4 (application request limit), 17 (user request limit), 32 (page request
#: limit), 613 (calls within one hour exceeded) and 80000–80014 (business-use-case limits;
#: 80009 catalog, 80014 catalog batch).
#: https://developers.facebook.com/docs/graph-api/overview/rate-limiting/ and the reference
#: pages of items_batch (80014) and check_batch_request_status (80009).
THROTTLE_CODES: Final = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: 1 ("An unknown error occurred") and 2 ("Service temporarily unavailable"): try again.
#: https://developers.facebook.com/docs/graph-api/guides/error-handling/
TRANSIENT_CODES: Final = frozenset({1, 2})
#: 190: the access token is invalid or expired (subcodes 458-467; 463 expired, 460 password
#: changed, 467 invalid), 102: the session is invalid (same page).
AUTH_CODES: Final = frozenset({102, 190})
#: 10 and 200-299: a permission the token lacks (same page).
PERMISSION_CODES: Final = frozenset({10, *range(200, 300)})

#: Response headers carrying usage as percentages (same rate-limiting page).
USAGE_HEADERS: Final = ("x-business-use-case-usage", "x-app-usage", "x-ad-account-usage")
_USAGE_KEYS: Final = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")

#: Guidance for an expired or invalid token (code 190).
TOKEN_GUIDANCE: Final = (
    "the Graph API refused the access token (error 190: expired, revoked or invalid). Meta has "
    "no refresh grant: generate a new system-user token with catalog_management in Business "
    "Settings > Users > System users > Generate new token (a system-user token can be made "
    "non-expiring; user tokens expire after about 60 days) and set XBORDER_FACEBOOK_ACCESS_TOKEN"
)
PERMISSION_GUIDANCE: Final = (
    "the token lacks a permission for this catalog: give the system user access to the catalog "
    "(Business Settings > Data sources > Catalogs > Assign people) and generate its token with "
    "catalog_management"
)


def error_of(response: HttpResponse) -> ErrorDetail | None:
    """Return the ``error`` object of an answer, or None when it has none."""
    body = parse(ErrorBody, response.content)
    return body.error if body is not None else None


def request_id(response: HttpResponse, error: ErrorDetail | None = None) -> str | None:
    """Return Meta's trace id of a call (``x-fb-trace-id``, ``x-fb-request-id``, ``fbtrace_id``)."""
    for name in ("x-fb-trace-id", "x-fb-request-id"):
        value = response.headers.get(name)
        if value:
            return value
    return error.fbtrace_id if error is not None and error.fbtrace_id else None


def _entries(value: object) -> Iterable[Mapping[str, object]]:
    if isinstance(value, Mapping):
        if any(key in value for key in _USAGE_KEYS):
            yield value
        else:
            for inner in value.values():
                yield from _entries(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _entries(inner)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def usage(headers: Mapping[str, str]) -> tuple[float | None, float | None]:
    """Read the usage headers: (share of the quota used 0–1, seconds until access regained).

    ``X-App-Usage`` is ``{"call_count": 28, "total_time": 25, "total_cputime": 25}``
    (percentages); ``X-Business-Use-Case-Usage`` maps a business object id to a list of
    ``{"type", "call_count", "total_cputime", "total_time",
    "estimated_time_to_regain_access"}`` (percentages, and minutes). The highest
    percentage of any header wins. Unreadable headers are ignored.
    """
    share: float | None = None
    regain: float | None = None
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for entry in _entries(data):
            for key in _USAGE_KEYS:
                percent = _number(entry.get(key))
                if percent is not None:
                    share = max(share or 0.0, min(percent, 100.0) / 100.0)
            minutes = _number(entry.get("estimated_time_to_regain_access"))
            if minutes:
                regain = max(regain or 0.0, minutes * 60.0)
    return share, regain


def classify(response: HttpResponse) -> Classification:
    """Say what a Graph API answer means.

    2xx/3xx without an error body: ok. Code 190 (or 102): auth expired, with guidance.
    Codes 4, 17, 32, 613, 80000–80014, or HTTP 429: throttled, waiting for the
    ``estimated_time_to_regain_access`` of the usage headers when given. ``is_transient``,
    codes 1 and 2, and 5xx: transient. Anything else: permanent, with Meta's code, its
    message and the fields ``blame_field_specs`` names. Usage headers give ``usage``.
    """
    base = classify_status(response)
    error = error_of(response)
    rid = request_id(response, error)
    share, regain = usage(response.headers)
    status = response.status_code
    if error is None and base.verdict == "ok":
        return Classification("ok", usage=share, request_id=rid)

    code = error.code if error is not None else None
    subcode = error.error_subcode if error is not None else None
    message = _message(error) or base.message
    fields = dict.fromkeys(error.blamed_fields if error is not None else [], message)
    retry_after = parse_retry_after(response.headers.get("retry-after"))

    verdict: Verdict
    if code in AUTH_CODES or (status == 401 and code is None):
        verdict = "auth_expired"
        message = f"{TOKEN_GUIDANCE} (Meta said: {message})" if message else TOKEN_GUIDANCE
    elif code in THROTTLE_CODES or status == 429:
        verdict = "throttled"
        retry_after = retry_after if retry_after is not None else regain
    elif (error is not None and error.is_transient) or code in TRANSIENT_CODES or status >= 500:
        verdict = "transient"
    else:
        verdict = "permanent"
        if code in PERMISSION_CODES:
            message = f"{message} ({PERMISSION_GUIDANCE})"
    label: str | None = None
    if code is not None:
        label = f"{code}/{subcode}" if subcode is not None else str(code)
    return Classification(
        verdict,
        retry_after=retry_after,
        usage=share,
        message=message,
        code=label,
        request_id=rid,
        field_errors=MappingProxyType(fields),
    )


def _message(error: ErrorDetail | None) -> str:
    if error is None:
        return ""
    parts = [error.message.strip()]
    user = (error.error_user_msg or "").strip()
    if user and user not in parts[0]:
        parts.append(user)
    return " ".join(part for part in parts if part)
