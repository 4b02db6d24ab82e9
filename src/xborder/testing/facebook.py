"""A fake Meta catalog for tests: the Graph API catalog batch endpoints in memory.

:class:`FakeFacebookCatalog` serves, on ``https://graph.facebook.com/<version>/``:

* ``POST /{catalog}/items_batch``: feed-style item requests (``CREATE``/``UPDATE``/
  ``DELETE``, ``allow_upsert``), ≤ 5,000 requests and < 28 MB; each request is checked
  (known feed names only, never the legacy ``/products`` names; enumerations such as
  ``availability`` "in stock"; prices as ``"24.99 EUR"`` with the currency's digits) and
  refused in ``validation_status``; the rest becomes a batch handle that finishes after
  ``job_polls`` polls on the fake's clock, when the items are written (a new item needs
  every required field) or listed in ``ids_of_invalid_requests``;
* ``POST /{catalog}/localized_items_batch``: COUNTRY, LANGUAGE and LANGUAGE_AND_COUNTRY
  overrides of existing items (≤ 1,000 requests by default), country-only fields (price,
  availability, ...) refused in LANGUAGE overrides;
* ``GET /{catalog}/check_batch_request_status``: a handle's status, errors (a sample of
  ``error_sample``) and, with ``load_ids_of_invalid_requests=true``, every invalid id;
* ``GET /{catalog}/products`` (``filter`` on ``retailer_id``, ``fields``, ``limit``,
  ``after``) and ``GET /{item}/override_details``.

Around them: the system-user token (``Authorization: Bearer`` only; a token in the URL is
refused, as xborder never sends one), ``appsecret_proof`` when an app secret is set, Graph
error bodies (code 190 for an expired token, 80014/80009 throttles on HTTP 400 with
``X-Business-Use-Case-Usage``), usage headers on demand (``usage``), and the base class's
faults. The field rules are those ``scripts/derive_meta_rules.py`` derives from Meta's
specs; the xborder tests check they agree with ``tests/specs/meta/catalog_rules.json``.

::

    fake = FakeFacebookCatalog(clock=clock, access_token="EAAB...")
    with fake.http_client() as http, xb.Client(http=http, clock=clock) as client:
        client.marketplace(FacebookAdapter(settings)).upsert(offers)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, Final
from urllib.parse import urlencode

import httpx

from xborder.clock import Clock
from xborder.errors import UnknownCurrencyError
from xborder.marketplaces._capabilities import RateLimit
from xborder.marketplaces._model import OfferKey
from xborder.money import currency_digits
from xborder.testing._fake import FakeMarketplace
from xborder.testing._jobs import Job
from xborder.testing._routing import Call, Reject, route
from xborder.testing._tokens import AuthProblem

__all__ = [
    "COUNTRY_ONLY",
    "ENUMS",
    "FIELD_ENUMS",
    "GRAPH_URL",
    "ITEM_FIELDS",
    "LEGACY_NAMES",
    "LIST_FIELDS",
    "OVERRIDE_FIELDS",
    "PRICE_FIELDS",
    "REQUIRED_FOR_NEW",
    "FakeFacebookCatalog",
]

GRAPH_URL: Final = "https://graph.facebook.com"

#: Feed-style field names ``items_batch`` takes for ``PRODUCT_ITEM`` (catalog_rules.json
#: ``item_types.PRODUCT_ITEM.fields``).
ITEM_FIELDS: Final = frozenset(
    {
        "id",
        "title",
        "description",
        "rich_text_description",
        "short_description",
        "link",
        "mobile_link",
        "image_link",
        "additional_image_link",
        "brand",
        "gtin",
        "mpn",
        "price",
        "sale_price",
        "availability",
        "condition",
        "quantity_to_sell_on_facebook",
        "inventory",
        "visibility",
        "status",
        "item_group_id",
        "fb_product_category",
        "product_type",
        "color",
        "size",
        "material",
        "pattern",
        "gender",
        "age_group",
        "origin_country",
        "custom_label_0",
        "custom_label_1",
        "custom_label_2",
        "custom_label_3",
        "custom_label_4",
    }
)
#: The legacy ``/products`` names, refused in items_batch data (→ the feed name).
LEGACY_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "additional_image_urls": "additional_image_link",
        "currency": "price",
        "image_url": "image_link",
        "manufacturer_part_number": "mpn",
        "name": "title",
        "retailer_id": "id",
        "retailer_product_group_id": "item_group_id",
        "url": "link",
    }
)
#: Enumerations (enum_types.json ``ProductItem_*``).
ENUMS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "availability": frozenset(
            {
                "available for order",
                "discontinued",
                "in stock",
                "mark_as_sold",
                "out of stock",
                "pending",
                "preorder",
            }
        ),
        "condition": frozenset(
            {
                "cpo",
                "new",
                "open_box_new",
                "refurbished",
                "used",
                "used_fair",
                "used_good",
                "used_like_new",
            }
        ),
        "visibility": frozenset({"published", "staging"}),
        "status": frozenset({"PUBLISHED", "STAGING"}),
        "gender": frozenset({"female", "male", "unisex"}),
        "age_group": frozenset(
            {"adult", "all ages", "infant", "kids", "newborn", "teen", "toddler"}
        ),
    }
)
#: Feed field → the enumeration it takes.
FIELD_ENUMS: Final[Mapping[str, str]] = MappingProxyType({name: name for name in ENUMS})
#: Prices: ``"<amount> <ISO 4217>"``, at most the currency's digits.
PRICE_FIELDS: Final = frozenset({"price", "sale_price"})
#: Lists of strings.
LIST_FIELDS: Final = frozenset({"additional_image_link"})
#: Whole numbers ≥ 0.
INT_FIELDS: Final = frozenset({"quantity_to_sell_on_facebook", "inventory"})
#: Fields only a COUNTRY override may set (Meta's localized-catalog "supported fields").
COUNTRY_ONLY: Final = frozenset(
    {"availability", "base_price", "price", "sale_price", "status", "unit_price", "visibility"}
)
_TEXTS: Final = frozenset(
    {
        "title",
        "description",
        "rich_text_description",
        "short_description",
        "link",
        "mobile_link",
        "image_link",
        "additional_image_link",
        "color",
        "size",
        "material",
        "pattern",
        "custom_label_0",
        "custom_label_1",
        "custom_label_2",
        "custom_label_3",
        "custom_label_4",
    }
)
#: The fields each override type allows (catalog_rules.json ``overrides.fields``).
OVERRIDE_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "COUNTRY": frozenset({"id", *COUNTRY_ONLY}),
        "LANGUAGE": frozenset({"id", *_TEXTS}),
        "LANGUAGE_AND_COUNTRY": frozenset({"id", *COUNTRY_ONLY, *_TEXTS}),
    }
)
#: What a new item needs (catalog_rules.json ``required_for_new``).
REQUIRED_FOR_NEW: Final = (
    "id",
    "title",
    "description",
    "availability",
    "condition",
    "price",
    "link",
    "image_link",
    "brand",
)

_PRICE: Final = re.compile(r"(?P<amount>[0-9]+(?:\.(?P<fraction>[0-9]+))?) (?P<currency>[A-Z]{3})")
_VERSION: Final = re.compile(r"v[0-9]{1,3}\.[0-9]{1,2}")
_VALUES: Final = {
    "COUNTRY": re.compile(r"[A-Z]{2}"),
    "LANGUAGE": re.compile(r"[a-z]{2,3}_[A-Z]{2}"),
    "LANGUAGE_AND_COUNTRY": re.compile(r"[a-z]{2,3}_[A-Z]{2}\|[A-Z]{2}"),
}
_BATCH_KEYS: Final = frozenset(
    {"allow_upsert", "item_type", "requests", "item_sub_type", "version"}
)
_METHODS: Final = frozenset({"CREATE", "UPDATE", "DELETE"})
#: Graph error codes of the base class's error vocabulary.
_CODES: Final[Mapping[str, int]] = MappingProxyType(
    {
        "invalid_field": 100,
        "not_found": 100,
        "method_not_allowed": 100,
        "batch_too_large": 100,
        "malformed_body": 100,
        "unsupported_media_type": 100,
        "rate_limited": 4,
        "internal_error": 2,
    }
)
#: ProductItem fields a products read returns, from the stored feed fields.
_READ_AS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "name": "title",
        "url": "link",
        "image_url": "image_link",
        "additional_image_urls": "additional_image_link",
        "manufacturer_part_number": "mpn",
        "retailer_product_group_id": "item_group_id",
        **{name: name for name in ITEM_FIELDS if name not in ("id", "title", "link")},
    }
)

_ITEMS: Final = "items"
_OVERRIDES: Final = "overrides"
_ITEM_IDS: Final = "item_ids"


def _price_problem(field: str, value: object) -> str | None:
    if not isinstance(value, str):
        return f"{field}: expected a string such as '24.99 EUR', got {value!r}"
    match = _PRICE.fullmatch(value)
    if match is None:
        return f"{field}: {value!r} is not an amount and a currency such as '24.99 EUR'"
    try:
        digits = currency_digits(match["currency"])
    except UnknownCurrencyError:
        return f"{field}: {match['currency']!r} is not a currency"
    if len(match["fraction"] or "") > digits:
        return f"{field}: {value!r} has more than the {digits} decimals of {match['currency']}"
    return None


def _value_problem(field: str, value: object) -> str | None:
    if field in PRICE_FIELDS:
        return _price_problem(field, value)
    if field in LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{field}: expected a list of strings, got {value!r}"
        return None
    if field in INT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"{field}: expected a whole number >= 0, got {value!r}"
        return None
    if not isinstance(value, str):
        return f"{field}: expected a string, got {value!r}"
    enum = FIELD_ENUMS.get(field)
    if enum is not None and value not in ENUMS[enum]:
        return f"{field}: {value!r} is not one of {', '.join(sorted(ENUMS[enum]))}"
    return None


class FakeFacebookCatalog(FakeMarketplace):
    """One Meta product catalog in memory (see the module docs).

    Arguments besides the base class's: ``catalog_id``; ``access_token`` (accepted, with no
    expiry, like a system-user token; more with :meth:`add_token`); ``app_secret`` (then
    every call needs a matching ``appsecret_proof``); ``review_status`` given to new items
    (``"approved"``); ``error_sample`` (how many errors a batch status lists; the rest are
    only in ``ids_of_invalid_requests``); ``localized_limit`` (requests per
    localized_items_batch call, 1,000); ``job_polls`` (polls until a handle finishes).

    Attributes tests set: ``usage`` (a percentage: every answer then carries
    ``X-Business-Use-Case-Usage`` with it) and ``throttle_code`` (the Graph code of throttle
    answers; default 80014 for batch calls and 80009 for the others).
    """

    name: ClassVar[str] = "facebook"
    base_url: ClassVar[str] = GRAPH_URL
    request_id_header: ClassVar[str] = "x-fb-trace-id"
    state_namespaces: ClassVar[tuple[str, ...]] = (_ITEMS, _OVERRIDES)
    job_polls: ClassVar[int] = 2
    batch_limits: ClassVar[Mapping[str, int]] = MappingProxyType(
        {"items_batch": 5000, "localized_items_batch": 1000}
    )
    #: items_batch: the payload must stay below 28 MB.
    max_bytes: ClassVar[int] = 28_000_000

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        persist_to: str | os.PathLike[str] | None = None,
        rate_limits: Mapping[str, RateLimit] | None = None,
        catalog_id: str = "1234567890123456",
        access_token: str | None = None,
        app_secret: str | None = None,
        review_status: str = "approved",
        error_sample: int = 10,
        localized_limit: int = 1000,
        job_polls: int | None = None,
    ) -> None:
        super().__init__(clock=clock, persist_to=persist_to, rate_limits=rate_limits)
        self.catalog_id = catalog_id
        self.app_secret = app_secret
        self.review_status = review_status
        self.error_sample = error_sample
        self.localized_limit = localized_limit
        self.polls = self.job_polls if job_polls is None else job_polls
        self.usage: float | None = None
        self.throttle_code: int | None = None
        self.tokens_in_urls = 0
        if app_secret:
            self.tokens.remember(app_secret)
        if access_token:
            self.add_token(access_token)

    def __repr__(self) -> str:
        return f"FakeFacebookCatalog(catalog_id={self.catalog_id!r})"

    # -- set-up and inspection -------------------------------------------------------------

    def add_token(self, token: str, *, expires_in: float | None = None) -> None:
        """Accept ``token`` (for ``expires_in`` seconds on the clock; None: for good)."""
        self.tokens.add(token, expires_in=expires_in)

    def expire_tokens(self) -> None:
        """Make every token expired from now on (the next call gets error 190/463)."""
        self.tokens.expire_all()

    def item(self, sku: str) -> dict[str, Any] | None:
        """Return the stored item of retailer id ``sku`` (``fields`` holds its feed fields)."""
        record: dict[str, Any] | None = self.store.get(_ITEMS, sku)
        return record

    def items(self) -> dict[str, dict[str, Any]]:
        """Return every item by retailer id."""
        return dict(self.store.items(_ITEMS))

    def overrides(self, sku: str) -> dict[str, dict[str, Any]]:
        """Return an item's overrides by ``"TYPE|value"`` (``"COUNTRY|DE"``)."""
        record: dict[str, dict[str, Any]] = self.store.get(_OVERRIDES, sku, {})
        return record

    def set_review(
        self, sku: str, status: str, *, errors: Sequence[Mapping[str, str]] = ()
    ) -> None:
        """Give an item a review status (``rejected`` with ``errors``: ProductItemError dicts)."""
        record = self.item(sku)
        if record is None:
            raise KeyError(f"no item {sku!r}")
        record["review_status"] = status
        record["errors"] = [dict(error) for error in errors]
        self.store.put(_ITEMS, sku, record)

    def force_unknown_state(self, key: OfferKey) -> bool:
        """Give the key's item a review status no adapter knows yet."""
        if self.item(key.sku) is None:
            return False
        self.set_review(key.sku, "in_appeal_2031")
        return True

    # -- HTTP --------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request; add ``X-Business-Use-Case-Usage`` when ``usage`` is set."""
        response = super().handle(request)
        if self.usage is not None and "x-business-use-case-usage" not in response.headers:
            response.headers["x-business-use-case-usage"] = self._usage_header(self.usage, 0)
        return response

    def _usage_header(self, percent: float, minutes: int) -> str:
        entry = {
            "type": "catalog_batch",
            "call_count": percent,
            "total_cputime": min(percent, 10),
            "total_time": min(percent, 10),
            "estimated_time_to_regain_access": minutes,
        }
        return json.dumps({self.catalog_id: [entry]})

    def token_from(self, call: Call) -> str | None:
        """Return the token of ``Authorization: Bearer`` (or ``OAuth``); never one in the URL."""
        if "access_token" in call.query:
            self.tokens_in_urls += 1
            return None
        header: str = call.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and value.strip():
            return value.strip()
        return None

    # -- Graph error answers ----------------------------------------------------------------

    def graph_error(
        self,
        status: int,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        kind: str = "OAuthException",
        field: str | None = None,
        transient: bool | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Return a Graph API error answer (``{"error": {...}}``)."""
        error: dict[str, Any] = {"message": message, "type": kind, "code": code}
        if subcode is not None:
            error["error_subcode"] = subcode
        if transient is not None:
            error["is_transient"] = transient
        if field is not None:
            error["error_data"] = {"blame_field_specs": [[field]]}
        if self.calls:
            error["fbtrace_id"] = self.calls[-1].request_id
        return httpx.Response(status, json={"error": error}, headers=dict(headers or {}))

    def error_response(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Return the base class's errors as Graph errors (code 100 for invalid parameters)."""
        number = _CODES.get(code, 100)
        kind = "GraphMethodException" if code == "not_found" else "OAuthException"
        return self.graph_error(
            status, number, f"(#{number}) {message}", kind=kind, field=field, headers=headers
        )

    def batch_limit_response(self, call: Call, size: int, limit: int) -> httpx.Response:
        """Refuse a batch past its limit (code 100)."""
        return self.graph_error(
            400, 100, f"(#100) requests: {size} requests in one call; at most {limit} are allowed"
        )

    def throttle_response(self, call: Call, retry_after: float | None) -> httpx.Response:
        """Answer HTTP 400 with a throttle code and ``estimated_time_to_regain_access``."""
        batch = call.operation in ("items_batch", "localized_items_batch")
        code = self.throttle_code or (80014 if batch else 80009)
        minutes = math.ceil((retry_after or 0) / 60)
        message = (
            f"(#{code}) There have been too many calls to this catalog. Wait a bit and try again."
        )
        headers = {"x-business-use-case-usage": self._usage_header(100, minutes)}
        return self.graph_error(400, code, message, transient=True, headers=headers)

    def server_error_response(self, call: Call, status: int) -> httpx.Response:
        """Answer a failure of Meta's (code 2, transient)."""
        message = "An unexpected error has occurred. Please retry your request later."
        return self.graph_error(status, 2, message, transient=True)

    def auth_error_response(self, call: Call, problem: AuthProblem) -> httpx.Response:
        """Answer a missing (104), invalid (190) or expired (190/463) token with HTTP 400."""
        if problem == "missing":
            where = " (in the Authorization header)" if self.tokens_in_urls else ""
            message = f"An access token is required to request this resource{where}."
            return self.graph_error(400, 104, message)
        if problem == "invalid":
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse token")
        return self.graph_error(
            400, 190, "Error validating access token: Session has expired.", subcode=463
        )

    # -- checks shared by the routes --------------------------------------------------------

    def _guard(self, call: Call, version: str, catalog_id: str | None = None) -> None:
        if not _VERSION.fullmatch(version):
            raise Reject(self.graph_error(400, 2635, f"Unknown API version {version!r}."))
        if catalog_id is not None and catalog_id != self.catalog_id:
            raise Reject(
                self.graph_error(
                    400,
                    100,
                    f"Unsupported request - Object with ID '{catalog_id}' does not exist, "
                    f"cannot be loaded due to missing permissions, or does not support this "
                    f"operation",
                    subcode=33,
                    kind="GraphMethodException",
                )
            )
        if self.app_secret:
            token = self.token_from(call) or ""
            expected = hmac.new(
                self.app_secret.encode(), token.encode(), hashlib.sha256
            ).hexdigest()
            given = call.query.get("appsecret_proof")
            if given is None:
                raise Reject(
                    self.graph_error(
                        400, 100, "API calls from the server require an appsecret_proof argument"
                    )
                )
            if not hmac.compare_digest(given, expected):
                raise Reject(
                    self.graph_error(
                        400, 100, "Invalid appsecret_proof provided in the API argument"
                    )
                )

    def _batch_body(self, call: Call, limit: int) -> tuple[list[Any], bool]:
        if len(call.content) >= self.max_bytes:
            raise Reject(
                self.graph_error(
                    400, 100, f"(#100) the request is {len(call.content)} bytes; send < 28 MB"
                )
            )
        body = self.body(call)
        if not isinstance(body, dict):
            raise Reject(self.graph_error(400, 100, "(#100) the body must be a JSON object"))
        unknown = sorted(set(body) - _BATCH_KEYS)
        if unknown:
            raise Reject(self.graph_error(400, 100, f"(#100) Param {unknown[0]} is not valid"))
        if body.get("item_type") != "PRODUCT_ITEM":
            raise Reject(
                self.graph_error(
                    400,
                    100,
                    f"(#100) item_type must be PRODUCT_ITEM for a product catalog, got "
                    f"{body.get('item_type')!r}",
                    field="item_type",
                )
            )
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            raise Reject(
                self.graph_error(
                    400, 100, "(#100) requests must be a non-empty list", field="requests"
                )
            )
        upsert = body.get("allow_upsert", True)
        if not isinstance(upsert, bool):
            raise Reject(self.graph_error(400, 100, "(#100) allow_upsert must be a boolean"))
        self.check_batch(call, requests, limit=limit)
        return requests, upsert

    @staticmethod
    def _data(request: object) -> tuple[str | None, dict[str, Any] | None, list[str]]:
        if not isinstance(request, dict):
            return None, None, ["each request must be an object"]
        data = request.get("data")
        if not isinstance(data, dict):
            return None, None, ["data: missing or not an object"]
        sku = data.get("id")
        if not isinstance(sku, str) or not sku.strip():
            return None, data, ["data.id: the retailer id is required"]
        problems = []
        if request.get("method") not in _METHODS:
            problems.append(
                f"method: expected CREATE, UPDATE or DELETE, got {request.get('method')!r}"
            )
        return sku, data, problems

    def _item_problems(self, request: Any) -> tuple[str | None, list[str]]:
        sku, data, problems = self._data(request)
        if data is None or sku is None:
            return sku, problems
        extra = sorted(set(request) - {"method", "data"})
        if extra:
            problems.append(f"{extra[0]}: not a field of an items_batch request")
        for field, value in data.items():
            if field in LEGACY_NAMES:
                problems.append(
                    f"{field}: a /products field name; items_batch takes {LEGACY_NAMES[field]!r}"
                )
            elif field not in ITEM_FIELDS:
                problems.append(f"{field}: not a field of PRODUCT_ITEM items")
            elif field != "id" and (problem := _value_problem(field, value)) is not None:
                problems.append(problem)
        return sku, problems

    def _override_problems(self, request: Any) -> tuple[str | None, list[str]]:
        sku, data, problems = self._data(request)
        if data is None or sku is None:
            return sku, problems
        localization = request.get("localization")
        kind = localization.get("type") if isinstance(localization, dict) else None
        value = localization.get("value") if isinstance(localization, dict) else None
        pattern = _VALUES.get(kind) if isinstance(kind, str) else None
        if pattern is None or not isinstance(kind, str):
            problems.append(
                "localization.type: expected COUNTRY, LANGUAGE or LANGUAGE_AND_COUNTRY, got "
                f"{kind!r}"
            )
            return sku, problems
        if not isinstance(value, str) or not pattern.fullmatch(value):
            problems.append(f"localization.value: {value!r} is not a valid {kind} value")
        allowed = OVERRIDE_FIELDS[kind]
        for field, item in data.items():
            if field in allowed:
                if field != "id" and (problem := _value_problem(field, item)) is not None:
                    problems.append(problem)
            elif kind == "LANGUAGE" and field in COUNTRY_ONLY:
                problems.append(
                    f"{field}: a country-only field; set it in a COUNTRY override, not a "
                    f"LANGUAGE one"
                )
            else:
                problems.append(f"{field}: cannot be set in a {kind} override")
        return sku, problems

    def _start(self, call: Call, kind: str, requests: list[Any], upsert: bool, check: Any) -> Any:
        refused: list[dict[str, Any]] = []
        valid: list[tuple[int, Any]] = []
        for index, request in enumerate(requests):
            sku, problems = check(request)
            if problems:
                refused.append(
                    {
                        "retailer_id": sku or "",
                        "errors": [{"message": message} for message in problems],
                        "warnings": [],
                    }
                )
            else:
                valid.append((index, request))
        body: dict[str, Any] = {"handles": []}
        if valid:
            handle = f"AcxB{self.store.next_id('handles'):010d}"
            # The requests are kept as JSON text: the job is saved on every poll, and one
            # string copies and stores faster than thousands of nested objects.
            payload = {
                "requests": json.dumps([request for _, request in valid]),
                "fail": [n for n, (index, _) in enumerate(valid) if call.fails_item(index)],
                "allow_upsert": upsert,
            }
            self.start_job(call, kind, payload, polls=self.polls, job_id=handle)
            body["handles"] = [handle]
        if refused:
            body["validation_status"] = refused
        return httpx.Response(200, json=body)

    # -- routes -------------------------------------------------------------------------------

    @route("POST", "/{version}/{catalog_id}/items_batch", batch=True)
    def items_batch(self, call: Call, version: str, catalog_id: str) -> httpx.Response:
        """Take item requests; answer the handle and ``validation_status``."""
        self._guard(call, version, catalog_id)
        requests, upsert = self._batch_body(call, self.batch_limits["items_batch"])
        response: httpx.Response = self._start(
            call, "items_batch", requests, upsert, self._item_problems
        )
        return response

    @route("POST", "/{version}/{catalog_id}/localized_items_batch", batch=True)
    def localized_items_batch(self, call: Call, version: str, catalog_id: str) -> httpx.Response:
        """Take override requests; answer the handle and ``validation_status``."""
        self._guard(call, version, catalog_id)
        requests, upsert = self._batch_body(call, self.localized_limit)
        response: httpx.Response = self._start(
            call, "localized_items_batch", requests, upsert, self._override_problems
        )
        return response

    @route("GET", "/{version}/{catalog_id}/check_batch_request_status")
    def check_batch_request_status(
        self, call: Call, version: str, catalog_id: str
    ) -> httpx.Response:
        """Answer a handle's status (ids of invalid requests on request)."""
        self._guard(call, version, catalog_id)
        handle = call.query.get("handle")
        if not handle:
            raise Reject(self.graph_error(400, 100, "(#100) The parameter handle is required"))
        job = self.poll_job(handle)
        if job is None:
            raise Reject(self.graph_error(400, 100, f"(#100) Invalid handle {handle!r}"))
        if not job.done:
            status: dict[str, Any] = {
                "handle": handle,
                "status": "started",
                "errors": [],
                "errors_total_count": 0,
                "warnings": [],
                "warnings_total_count": 0,
            }
        else:
            status = dict(job.result)
            if call.query.get("load_ids_of_invalid_requests") != "true":
                status.pop("ids_of_invalid_requests", None)
        return httpx.Response(200, json={"data": [status]})

    @route("GET", "/{version}/{catalog_id}/products")
    def products(self, call: Call, version: str, catalog_id: str) -> httpx.Response:
        """Read items by retailer id (``filter``), with the ``fields`` asked for."""
        self._guard(call, version, catalog_id)
        try:
            condition = json.loads(call.query.get("filter", "{}"))
        except ValueError:
            raise Reject(self.graph_error(400, 100, "(#100) filter is not JSON")) from None
        wanted = condition.get("retailer_id") if isinstance(condition, dict) else None
        if isinstance(wanted, dict) and isinstance(wanted.get("is_any"), list):
            skus = [str(s) for s in wanted["is_any"]]
        elif isinstance(wanted, dict) and isinstance(wanted.get("eq"), str):
            skus = [wanted["eq"]]
        else:
            raise Reject(self.graph_error(400, 100, "(#100) filter: use retailer_id is_any or eq"))
        self.check_batch(call, skus)
        fields = [f for f in call.query.get("fields", "id").split(",") if f]
        limit = int(call.query.get("limit", "25") or 25)
        start = int(call.query.get("after", "0") or 0)
        found = [r for sku in dict.fromkeys(skus) if (r := self.item(sku)) is not None]
        page = found[start : start + limit]
        body: dict[str, Any] = {"data": [self._read(record, fields) for record in page]}
        if start + limit < len(found):
            after = str(start + limit)
            query = {k: v for k, v in call.query.items() if k not in ("after", "appsecret_proof")}
            body["paging"] = {
                "cursors": {"before": str(start), "after": after},
                "next": f"{self.url(call.path)}?{urlencode({**query, 'after': after})}",
            }
        return httpx.Response(200, json=body)

    @staticmethod
    def _read(record: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
        stored = record["fields"]
        out: dict[str, Any] = {}
        for name in fields:
            if name in ("id", "retailer_id", "review_status", "errors"):
                out[name] = record[name]
            elif name == "currency" and isinstance(stored.get("price"), str):
                out[name] = stored["price"].rpartition(" ")[2]
            elif name in _READ_AS and _READ_AS[name] in stored:
                out[name] = stored[_READ_AS[name]]
        return out

    @route("GET", "/{version}/{item_id}/override_details")
    def override_details(self, call: Call, version: str, item_id: str) -> httpx.Response:
        """Read an item's overrides (``keys``, ``type``)."""
        self._guard(call, version)
        sku = self.store.get(_ITEM_IDS, item_id)
        if sku is None:
            raise Reject(
                self.graph_error(
                    400,
                    100,
                    f"Unsupported get request. Object with ID '{item_id}' does not exist",
                    subcode=33,
                    kind="GraphMethodException",
                )
            )
        kind = call.query.get("type", "").upper() or None
        keys = {k for k in call.query.get("keys", "").split(",") if k}
        data = []
        for name, values in sorted(self.overrides(sku).items()):
            override_type, _, key = name.partition("|")
            if (kind is None or override_type == kind) and (not keys or key in keys):
                data.append({"key": key, "type": override_type.lower(), "values": values})
        return httpx.Response(200, json={"data": data})

    # -- ingestion ----------------------------------------------------------------------------

    def complete_job(self, job: Job) -> Any:
        """Write a finished batch's valid requests; return its status with the invalid ids."""
        payload = job.payload
        requests: list[dict[str, Any]] = json.loads(payload["requests"])
        failing = set(payload["fail"])
        invalid: list[tuple[str, str]] = []
        if job.kind == "items_batch":
            for index, request in enumerate(requests):
                sku = request["data"]["id"]
                if index in failing:
                    invalid.append((sku, "The item was refused (partial_batch fault)."))
                    continue
                problem = self._ingest_item(request, payload["allow_upsert"])
                if problem is not None:
                    invalid.append((sku, problem))
        else:
            by_sku: dict[str, list[tuple[int, dict[str, Any]]]] = {}
            for index, request in enumerate(requests):
                by_sku.setdefault(request["data"]["id"], []).append((index, request))
            for sku, group in by_sku.items():
                invalid += self._ingest_overrides(sku, group, failing)
        errors = [{"id": sku, "message": message} for sku, message in invalid]
        return {
            "handle": job.id,
            "status": "finished",
            "errors": errors[: self.error_sample],
            "errors_total_count": len(errors),
            "warnings": [],
            "warnings_total_count": 0,
            "ids_of_invalid_requests": list(dict.fromkeys(sku for sku, _ in invalid)),
        }

    def _ingest_item(self, request: Mapping[str, Any], upsert: bool) -> str | None:
        data: dict[str, Any] = dict(request["data"])
        sku = data["id"]
        method = request["method"]
        record = self.item(sku)
        if method == "DELETE":
            if record is not None:
                self.store.delete(_ITEMS, sku)
                self.store.delete(_OVERRIDES, sku)
                self.store.delete(_ITEM_IDS, record["id"])
            return None
        if record is None:
            if method == "UPDATE" and not upsert:
                return (
                    f"Product with retailer ID {sku} does not exist in this catalog; an UPDATE "
                    f"without allow_upsert does not create it."
                )
            missing = [f for f in REQUIRED_FOR_NEW if data.get(f) in (None, "", [])]
            if missing:
                return f"A new item needs {', '.join(missing)}."
            item_id = str(7_000_000_000_000_000 + self.store.next_id(_ITEM_IDS))
            record = {
                "id": item_id,
                "retailer_id": sku,
                "fields": data,
                "review_status": self.review_status,
                "errors": [],
            }
            self.store.put(_ITEM_IDS, item_id, sku)
        elif method == "CREATE":
            return f"Product with retailer ID {sku} already exists; use UPDATE."
        else:
            record["fields"] = {**record["fields"], **data}
        self.store.put(_ITEMS, sku, record)
        return None

    def _ingest_overrides(
        self, sku: str, group: Sequence[tuple[int, Mapping[str, Any]]], failing: set[int]
    ) -> list[tuple[str, str]]:
        invalid: list[tuple[str, str]] = []
        if self.item(sku) is None:
            message = f"Product with retailer ID {sku} does not exist in this catalog."
            return [(sku, message) for _ in group]
        overrides = self.overrides(sku)
        for index, request in group:
            localization = request["localization"]
            name = f"{localization['type']}|{localization['value']}"
            if index in failing:
                invalid.append((sku, f"The {name} override was refused (partial_batch fault)."))
                continue
            values = {k: v for k, v in request["data"].items() if k != "id"}
            if request["method"] == "DELETE":
                overrides.pop(name, None)
            else:
                overrides[name] = {**overrides.get(name, {}), **values}
        self.store.put(_OVERRIDES, sku, overrides)
        return invalid
