"""A fake eBay for tests: the Sell Inventory API v1 in memory, and its request rules.

* :class:`FakeEbay`: inventory items, offers (one per sku/marketplace/format), publishing,
  price/quantity updates, withdrawal, the 25-item bulk limits, 200/207 answers with one
  result per element in eBay's ``Error`` shape, the daily revision cap, the identity token
  endpoint (client credentials, refresh token, authorization code) and the Metadata API's
  ``getCurrencies``; with :class:`RequestRules`, every request body is checked against the
  rules derived from eBay's contract (closed objects).
* :class:`RequestRules`: the rules derived from eBay's OpenAPI contract by
  ``scripts/derive_ebay_rules.py`` (closed objects, required properties, enumerations,
  lengths and array sizes); :meth:`RequestRules.validate` checks a request body.

::

    fake = FakeEbay(clock=clock, clients={"app-id": "cert-id"})  # validates every body
    fake.add_seller("v^1.1#refresh", client_id="app-id")
    with fake.http_client() as http, xb.Client(http=http, clock=clock) as client:
        client.marketplace(EbayAdapter(settings)).upsert(offers)
"""

from __future__ import annotations

import functools
import json
import math
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, timedelta
from email.utils import format_datetime
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Final

import httpx
from pydantic import ValidationError

from xborder.clock import Clock
from xborder.marketplaces._capabilities import RateLimit
from xborder.marketplaces._model import OfferKey
from xborder.marketplaces.ebay._sites import SITES
from xborder.testing._fake import FakeMarketplace
from xborder.testing._routing import Call, Reject, field_path, route
from xborder.testing._tokens import AuthProblem

__all__ = ["EBAY_BASE", "EBAY_TOKEN_URL", "FakeEbay", "RequestRules"]


class RequestRules:
    """Request rules derived from eBay's Sell Inventory API contract.

    ``data`` is what ``scripts/derive_ebay_rules.py`` writes (shipped as
    ``xborder/testing/data/ebay_request_rules.json``, see :meth:`bundled`): ``operations``
    (method, path, body schema, required headers), ``schemas`` (closed objects) and
    ``enums``. The file holds facts derived from eBay's contract, not the contract itself.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        for part in ("operations", "schemas", "enums"):
            if not isinstance(data.get(part), Mapping):
                raise ValueError(f"request rules: no {part!r} object")
        self.data = data
        self.operations: Mapping[str, Any] = data["operations"]
        self.schemas: Mapping[str, Any] = data["schemas"]
        self.enums: Mapping[str, Any] = data["enums"]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RequestRules:
        """Read the rules from a JSON file."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def bundled(cls) -> RequestRules:
        """Return the rules shipped with xborder (read once, then shared)."""
        return _bundled_rules()

    @property
    def version(self) -> str:
        """The contract version the rules were derived from."""
        return str(self.data.get("derived_from", {}).get("version", ""))

    def body_schema(self, operation: str) -> str | None:
        """Return the request body schema of ``operation`` (an operationId), or None."""
        entry = self.operations.get(operation)
        if entry is None:
            raise KeyError(f"no operation {operation!r} in the rules")
        body = entry.get("body")
        return str(body) if body is not None else None

    def validate_request(self, operation: str, body: Any) -> list[str]:
        """Return the problems of ``body`` as the request body of ``operation`` (none: ok)."""
        schema = self.body_schema(operation)
        if schema is None:
            return [] if body is None else [f"{operation} takes no body"]
        return self.validate(schema, body)

    def validate(self, schema: str, value: Any) -> list[str]:
        """Return the problems of ``value`` read as ``schema``, each naming its path."""
        problems: list[str] = []
        self._check({"$ref": schema}, value, "", problems)
        return problems

    def _check(self, rule: Mapping[str, Any], value: Any, path: str, out: list[str]) -> None:
        where = path or "body"
        ref = rule.get("$ref")
        if ref is not None:
            rule = self.schemas[ref]
        kind = rule.get("type")
        if kind == "object":
            if not isinstance(value, dict):
                out.append(f"{where}: expected an object, got {type(value).__name__}")
                return
            properties: Mapping[str, Any] | None = rule.get("properties")
            extra = rule.get("additionalProperties")
            for name in rule.get("required", ()):
                if name not in value:
                    out.append(f"{_join(path, name)}: required")
            for name, item in value.items():
                sub = _join(path, name)
                if properties is not None and name in properties:
                    self._check(properties[name], item, sub, out)
                elif extra is not None:
                    limit = rule.get("propertyNames", {}).get("maxLength")
                    if limit is not None and len(name) > limit:
                        out.append(f"{sub}: name longer than {limit} characters")
                    self._check(extra, item, sub, out)
                else:
                    out.append(f"{sub}: not a property of {ref or 'this object'} (closed)")
        elif kind == "array":
            if not isinstance(value, list):
                out.append(f"{where}: expected an array, got {type(value).__name__}")
                return
            limit = rule.get("maxItems")
            if limit is not None and len(value) > limit:
                out.append(f"{where}: {len(value)} items, at most {limit}")
            for index, item in enumerate(value):
                self._check(rule.get("items", {}), item, f"{where}[{index}]", out)
        elif kind == "string":
            if not isinstance(value, str):
                out.append(f"{where}: expected a string, got {type(value).__name__}")
                return
            limit = rule.get("maxLength")
            if limit is not None and len(value) > limit:
                out.append(f"{where}: {len(value)} characters, at most {limit}")
            values = rule.get("enum_values")
            if values is None and rule.get("enum") is not None:
                values = self.enums.get(rule["enum"], {}).get("values")
            if values is not None and value not in values:
                out.append(f"{where}: {value!r} is not one of {rule.get('enum') or values}")
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                out.append(f"{where}: expected an integer, got {type(value).__name__}")
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                out.append(f"{where}: expected a number, got {type(value).__name__}")
        elif kind == "boolean" and not isinstance(value, bool):
            out.append(f"{where}: expected a boolean, got {type(value).__name__}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# -- the fake --------------------------------------------------------------------------------

#: The production hosts the fake answers for (Inventory API ``servers``; identity endpoint).
EBAY_BASE: Final = "https://api.ebay.com/sell/inventory/v1"
EBAY_TOKEN_URL: Final = "https://api.ebay.com/identity/v1/oauth2/token"
_METADATA: Final = "https://api.ebay.com/sell/metadata/v1"

#: The fake's operation names → the contract's operationIds (for the request rules).
_OPERATION_IDS: Final = MappingProxyType(
    {
        "bulk_create_or_replace_inventory_item": "bulkCreateOrReplaceInventoryItem",
        "bulk_create_offer": "bulkCreateOffer",
        "update_offer": "updateOffer",
        "bulk_publish_offer": "bulkPublishOffer",
        "bulk_update_price_quantity": "bulkUpdatePriceQuantity",
    }
)
#: Calls that need ``Content-Language`` (spec header parameters).
_LANGUAGE: Final = frozenset(
    {"bulk_create_or_replace_inventory_item", "bulk_create_offer", "update_offer"}
)
#: The fake's error codes (base class vocabulary) → eBay error ids.
_ERROR_IDS: Final = MappingProxyType(
    {
        "invalid_field": 25709,
        "not_found": 25710,
        "method_not_allowed": 25709,
        "malformed_body": 2004,
        "unsupported_media_type": 2004,
        "batch_too_large": 25727,
    }
)
_NOT_AVAILABLE: Final = {"errorId": 25713, "message": "This Offer is not available."}


def _error(
    error_id: int,
    message: str,
    *,
    field: str | None = None,
    category: str = "REQUEST",
    long_message: str | None = None,
) -> dict[str, Any]:
    # The contract's Error type.
    error: dict[str, Any] = {
        "errorId": error_id,
        "domain": "API_INVENTORY",
        "subdomain": "Selling",
        "category": category,
        "message": message,
    }
    if long_message is not None:
        error["longMessage"] = long_message
    if field is not None:
        error["parameters"] = [{"name": "fieldName", "value": field}]
    return error


def _multi(responses: list[dict[str, Any]]) -> httpx.Response:
    # 200 when every element succeeded, 207 Multi-Status otherwise.
    ok = all(200 <= int(r.get("statusCode", 500)) < 300 for r in responses)
    return httpx.Response(200 if ok else 207, json={"responses": responses})


@functools.cache
def _bundled_rules() -> RequestRules:
    text = resources.files("xborder.testing").joinpath("data/ebay_request_rules.json")
    return RequestRules(json.loads(text.read_text(encoding="utf-8")))


class FakeEbay(FakeMarketplace):
    """An in-memory eBay Sell Inventory API v1 (see the module docs).

    State (:meth:`state`): ``inventory_items`` by SKU and ``offers`` by offerId; one offer
    per sku/marketplace/format (a second one is error 25729). Arguments beyond the base's:

    * ``rules``: :class:`RequestRules` (or a path to the JSON) to check every request body
      against, closed objects and all; default: the shipped rules (:meth:`RequestRules.bundled`).
      ``validate=False`` only reads bodies as JSON.
    * ``skus_per_price_call``: the SKUs one ``bulkUpdatePriceQuantity`` call may carry
      (25; 1 plays the contract's "Only one SKU (one product) can be updated per call").
    * ``revision_limit``: revisions per listing per eBay day (250).
    """

    name: ClassVar[str] = "ebay"
    base_url: ClassVar[str] = EBAY_BASE
    request_id_header: ClassVar[str] = "x-ebay-c-request-id"
    token_lifetime: ClassVar[float] = 7200.0  # "typically expire within two hours"
    state_namespaces: ClassVar[tuple[str, ...]] = ("inventory_items", "offers")
    batch_limits: ClassVar[Mapping[str, int]] = MappingProxyType(
        {
            "bulk_create_or_replace_inventory_item": 25,
            "bulk_create_offer": 25,
            "bulk_publish_offer": 25,
            "bulk_update_price_quantity": 25,
        }
    )

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        persist_to: str | os.PathLike[str] | None = None,
        rate_limits: Mapping[str, RateLimit] | None = None,
        clients: Mapping[str, str] | None = None,
        token_lifetime: float | None = None,
        rules: RequestRules | str | os.PathLike[str] | None = None,
        validate: bool = True,
        skus_per_price_call: int = 25,
        revision_limit: int = 250,
    ) -> None:
        super().__init__(
            clock=clock,
            persist_to=persist_to,
            rate_limits=rate_limits,
            clients=clients,
            token_lifetime=token_lifetime,
        )
        if not validate:
            self.rules: RequestRules | None = None
        elif rules is None:
            self.rules = RequestRules.bundled()
        else:
            self.rules = rules if isinstance(rules, RequestRules) else RequestRules.load(rules)
        if not 1 <= skus_per_price_call <= 25:
            raise ValueError(f"skus_per_price_call: 1 to 25, got {skus_per_price_call!r}")
        self.skus_per_price_call = skus_per_price_call
        self.revision_limit = revision_limit

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request, with a ``Date`` header from the fake's clock (RFC 9110)."""
        response = super().handle(request)
        if "date" not in response.headers:
            response.headers["date"] = format_datetime(
                self.clock.now().astimezone(UTC), usegmt=True
            )
        return response

    # -- set-up helpers ---------------------------------------------------------------------

    def add_seller(self, refresh_token: str, *, client_id: str = "") -> None:
        """Accept ``refresh_token`` at the token endpoint (a seller who consented)."""
        self.tokens.add_refresh(refresh_token, client_id=client_id)

    def authorize(self, *, client_id: str = "", redirect_uri: str | None = None) -> str:
        """Return an authorization code, as the consent page would redirect with."""
        code = "v^1.1#i^1#code-" + secrets.token_urlsafe(12)
        self.tokens.remember(code)
        self.store.put(
            "_codes", code, {"client_id": client_id, "redirect_uri": redirect_uri, "used": False}
        )
        return code

    def offers(self, sku: str | None = None) -> list[dict[str, Any]]:
        """Return the offers held (of ``sku``), in creation order."""
        pairs = self.store.items("offers") if sku is None else self.store.find("offers", "sku", sku)
        found = [record for _, record in pairs]
        found.sort(key=lambda record: int(record["offerId"]))
        return found

    def inventory_item(self, sku: str) -> dict[str, Any] | None:
        """Return the inventory item ``sku``, or None."""
        item: dict[str, Any] | None = self.store.get("inventory_items", sku)
        return item

    def set_listing_status(self, offer_id: str, status: str, *, on_hold: bool = False) -> None:
        """Set a published offer's ``listing.listingStatus`` (and ``listingOnHold``)."""
        record = self._offer(offer_id)
        if record is None or record.get("listing") is None:
            raise KeyError(f"no published offer {offer_id}")
        record["listing"] = {**record["listing"], "listingStatus": status, "listingOnHold": on_hold}
        self.store.put("offers", offer_id, record)

    def force_unknown_state(self, key: OfferKey) -> bool:
        """Give the key's published offer a listing status no adapter knows yet."""
        for sku in (f"{key.sku}-{key.market}", key.sku):
            for record in self.offers(sku):
                if record.get("listing") is not None:
                    self.set_listing_status(record["offerId"], "ARCHIVED_IN_2031")
                    return True
        return False

    # -- eBay's answers -------------------------------------------------------------------

    def error_response(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Return ``{"errors": [Error]}`` with the eBay error id of ``code``."""
        error_id = _ERROR_IDS.get(code, 25002)
        body = {"errors": [_error(error_id, message, field=field)]}
        return httpx.Response(status, json=body, headers=dict(headers or {}))

    def validation_error_response(self, call: Call, error: ValidationError) -> httpx.Response:
        """Answer a refused body as error 25709 naming the field."""
        first = error.errors()[0]
        where = field_path(first["loc"]) or "body"
        return self.error_response(
            400, "invalid_field", f"Invalid value for field {where}", field=where
        )

    def batch_limit_response(self, call: Call, size: int, limit: int) -> httpx.Response:
        """Answer 25727 (inventory items) or 25730 (offers) past the 25-item limit."""
        what = "InventoryItems" if "inventory" in call.operation else "offers"
        error_id = 25727 if what == "InventoryItems" else 25730
        message = f"The number of {what} in the request cannot exceed {limit}."
        return httpx.Response(400, json={"errors": [_error(error_id, message)]})

    def throttle_response(self, call: Call, retry_after: float | None) -> httpx.Response:
        """Answer 429 with eBay's error 2001 ("Too many requests")."""
        headers = {} if retry_after is None else {"retry-after": str(math.ceil(retry_after))}
        error = _error(
            2001,
            "Too many requests. The request limit has been reached for the resource.",
        )
        error["domain"] = "ACCESS"
        return httpx.Response(429, json={"errors": [error]}, headers=headers)

    def server_error_response(self, call: Call, status: int) -> httpx.Response:
        """Answer a 5xx with error 25001 ("Any System error")."""
        error = _error(25001, "System error.", category="APPLICATION")
        return httpx.Response(status, json={"errors": [error]})

    def auth_error_response(self, call: Call, problem: AuthProblem) -> httpx.Response:
        """Answer 401 with error 1001 ("Invalid access token")."""
        error = _error(
            1001,
            "Invalid access token",
            long_message="Invalid access token. Check the value of the Authorization HTTP "
            f"request header ({problem}).",
        )
        error["domain"] = "OAuth"
        return httpx.Response(401, json={"errors": [error]})

    # -- checks shared by the routes ------------------------------------------------------

    def _json(self, call: Call, *, batch: bool = False) -> dict[str, Any]:
        """Read the JSON body; check the batch limit, the rules and Content-Language."""
        body = self.body(call)
        if not isinstance(body, dict):
            self.reject(400, "invalid_field", "the body must be a JSON object", field="body")
        if batch:
            requests = body.get("requests")
            if not isinstance(requests, list) or not requests:
                self.reject(400, "invalid_field", "requests: one or more", field="requests")
            # The count is checked first: eBay answers 25727/25730 for too many elements.
            self.check_batch(call, requests)
        if self.rules is not None and call.operation in _OPERATION_IDS:
            problems = self.rules.validate_request(_OPERATION_IDS[call.operation], body)
            if problems:
                where = problems[0].split(":", 1)[0]
                self.reject(400, "invalid_field", f"Invalid request: {problems[0]}", field=where)
        if call.operation in _LANGUAGE and not call.headers.get("content-language"):
            self.reject(
                400,
                "invalid_field",
                "Invalid value for header Content-Language.",
                field="Content-Language",
            )
        return body

    def _requests(self, call: Call) -> list[Any]:
        requests: list[Any] = self._json(call, batch=True)["requests"]
        return requests

    def _offer(self, offer_id: str) -> dict[str, Any] | None:
        record: dict[str, Any] | None = self.store.get("offers", str(offer_id))
        return record

    def _revise(self, offer: Mapping[str, Any]) -> dict[str, Any] | None:
        """Count one revision of a published offer's listing; the error past the cap."""
        if offer.get("listing") is None:
            return None
        # eBay's calendar day, in its official (Pacific) time; UTC-8 all year here.
        day = (self.clock.now() - timedelta(hours=8)).date().isoformat()
        key = f"{offer['offerId']}/{day}"
        count = int(self.store.get("_revisions", key, 0)) + 1
        if count > self.revision_limit:
            return _error(
                25002,
                "Any User error.",
                long_message=f"This listing has reached the limit of {self.revision_limit} "
                f"revisions per calendar day; revise it again tomorrow.",
            )
        self.store.put("_revisions", key, count)
        return None

    def _fault(self, call: Call, index: int) -> dict[str, Any] | None:
        if call.fails_item(index):
            return _error(25002, "Any User error. (fault injected by the fake)", field="title")
        return None

    # -- identity and metadata ------------------------------------------------------------

    @route("POST", EBAY_TOKEN_URL, operation="token", auth=False, limited=False)
    def token(self, call: Call) -> httpx.Response:
        """``POST /identity/v1/oauth2/token``: client credentials, refresh, authorization code."""
        form = self.form(call)
        if form.get("grant_type") != "authorization_code":
            return self.oauth_token(call)
        code = form.get("code", "")
        record = self.store.get("_codes", code)
        if record is None or record["used"]:
            return self.token_error_response(call, 400, "invalid_grant", "the code is invalid")
        if record["redirect_uri"] not in (None, form.get("redirect_uri")):
            return self.token_error_response(call, 400, "invalid_grant", "redirect_uri differs")
        response = self.oauth_token(call, grant_types=("authorization_code",))
        refresh = "v^1.1#i^1#r^1#" + secrets.token_urlsafe(24)
        self.add_seller(refresh, client_id=record["client_id"])
        self.store.put("_codes", code, {**record, "used": True})
        body = response.json()
        body.update(refresh_token=refresh, refresh_token_expires_in=47_304_000)
        body["token_type"] = "User Access Token"
        return httpx.Response(200, json=body, headers={"cache-control": "no-store"})

    @route("GET", _METADATA + "/marketplace/{marketplace_id}/get_currencies", limited=False)
    def get_currencies(self, call: Call, marketplace_id: str) -> httpx.Response:
        """Metadata API ``getCurrencies``: the site's default currency."""
        site = SITES.get(marketplace_id)
        if site is None:
            self.reject(400, "invalid_field", "Invalid marketplace_id", field="marketplace_id")
        currency = {"code": site.currency, "description": site.currency}
        return httpx.Response(
            200, json={"marketplaceId": marketplace_id, "defaultCurrency": currency}
        )

    # -- inventory items --------------------------------------------------------------------

    @route("POST", "/bulk_create_or_replace_inventory_item", batch=True)
    def bulk_create_or_replace_inventory_item(self, call: Call) -> httpx.Response:
        """``bulkCreateOrReplaceInventoryItem``: a full replace of each SKU's item."""
        requests = self._requests(call)
        skus = [item.get("sku") for item in requests]
        if len(set(skus)) != len(skus):
            raise Reject(
                httpx.Response(
                    400,
                    json={"errors": [_error(25728, "InventoryItems should be unique.")]},
                )
            )
        language = call.headers.get("content-language", "")
        responses: list[dict[str, Any]] = []
        for index, item in enumerate(requests):
            sku = str(item.get("sku", ""))
            answer: dict[str, Any] = {"sku": sku, "locale": item.get("locale")}
            error = self._fault(call, index)
            if error is None and not sku:
                error = _error(25707, "Invalid sku.", field="sku")
            record = {k: v for k, v in item.items() if k != "sku"}
            record["contentLanguage"] = language
            if error is None and self.store.get("inventory_items", sku) != record:
                # A change to the item revises each live listing of the SKU.
                for offer in self.offers(sku):
                    error = error or self._revise(offer)
            if error is not None:
                responses.append({**answer, "statusCode": 400, "errors": [error]})
                continue
            self.store.put("inventory_items", sku, record)
            responses.append({**answer, "statusCode": 200})
        return _multi(responses)

    # -- offers -----------------------------------------------------------------------------

    @route("GET", "/offer")
    def get_offers(self, call: Call) -> httpx.Response:
        """``getOffers``: the offers of ``?sku=`` (404 when there are none)."""
        sku = call.query.get("sku")
        if not sku:
            self.reject(400, "invalid_field", "Invalid value for field sku", field="sku")
        found = [self._public(record) for record in self.offers(sku)]
        if not found:
            return httpx.Response(404, json={"errors": [_error(**_error_args(_NOT_AVAILABLE))]})
        return httpx.Response(
            200,
            json={
                "href": call.url,
                "limit": 100,
                "offers": found,
                "size": len(found),
                "total": len(found),
            },
        )

    @staticmethod
    def _public(record: Mapping[str, Any]) -> dict[str, Any]:
        # EbayOfferDetailsWithAll: the offer's fields and its status and listing.
        out = {k: v for k, v in record.items() if not k.startswith("_")}
        if out.get("listing") is None:
            out.pop("listing", None)
        return out

    @route("POST", "/bulk_create_offer", batch=True)
    def bulk_create_offer(self, call: Call) -> httpx.Response:
        """``bulkCreateOffer``: up to 25 offers, one marketplace per call."""
        requests = self._requests(call)
        marketplaces = {item.get("marketplaceId") for item in requests}
        if len(marketplaces) > 1:
            self.reject(
                400,
                "invalid_field",
                "All offers of one bulkCreateOffer call must be for one marketplace.",
                field="marketplaceId",
            )
        language = call.headers.get("content-language", "")
        responses: list[dict[str, Any]] = []
        for index, item in enumerate(requests):
            sku, market, form = item.get("sku"), item.get("marketplaceId"), item.get("format")
            answer = {"sku": sku, "marketplaceId": market, "format": form}
            error = self._fault(call, index) or self._check_offer(item)
            if error is None and self.store.get("inventory_items", str(sku)) is None:
                error = _error(25702, f"SKU {sku} is not available in the system", field="sku")
            if error is None and any(
                o["marketplaceId"] == market and o["format"] == form for o in self.offers(sku)
            ):
                error = _error(
                    25729, "The combination of SKU, marketplaceId and format should be unique."
                )
            if error is not None:
                responses.append({**answer, "statusCode": 400, "errors": [error]})
                continue
            offer_id = str(self.store.next_id("offer_ids") + 5_000_000_000)
            record = {"offerId": offer_id, **item, "status": "UNPUBLISHED", "listing": None}
            record["_contentLanguage"] = language
            self.store.put("offers", offer_id, record)
            responses.append({**answer, "statusCode": 200, "offerId": offer_id})
        return _multi(responses)

    @staticmethod
    def _check_offer(item: Mapping[str, Any]) -> dict[str, Any] | None:
        site = SITES.get(str(item.get("marketplaceId")))
        price = (item.get("pricingSummary") or {}).get("price")
        if site is not None and price is not None and price.get("currency") != site.currency:
            return _error(
                25003,
                "Invalid price.",
                long_message=f"The currency {price.get('currency')} is not the currency "
                f"of {site.site_id} ({site.currency}).",
                field="pricingSummary.price.currency",
            )
        return None

    @route("PUT", "/offer/{offer_id}")
    def update_offer(self, call: Call, offer_id: str) -> httpx.Response:
        """``updateOffer``: a full replace of the offer; revises a live listing."""
        body = self._json(call)
        record = self._offer(offer_id)
        if record is None:
            return httpx.Response(404, json={"errors": [_error(**_error_args(_NOT_AVAILABLE))]})
        live = record.get("listing") is not None
        if live and "listingDescription" not in body:
            self.reject(
                400,
                "invalid_field",
                "listingDescription is required to update a published offer",
                field="listingDescription",
            )
        error = self._check_offer({**body, "marketplaceId": record["marketplaceId"]})
        kept = {k: record[k] for k in ("offerId", "sku", "marketplaceId", "format")}
        updated = {
            **kept,
            **body,
            "status": record["status"],
            "listing": record.get("listing"),
            "_contentLanguage": call.headers.get("content-language", ""),
        }
        if error is None and updated != record:
            error = self._revise(record)
        if error is not None:
            return httpx.Response(400, json={"errors": [error]})
        self.store.put("offers", offer_id, updated)
        return httpx.Response(200, json={"offerId": offer_id, "warnings": []})

    @route("POST", "/bulk_publish_offer", batch=True)
    def bulk_publish_offer(self, call: Call) -> httpx.Response:
        """``bulkPublishOffer``: check what a listing needs, then publish."""
        requests = self._requests(call)
        ids = [item.get("offerId") for item in requests]
        if len(set(ids)) != len(ids):
            self.reject(400, "invalid_field", "OfferId should be unique in the request.")
        responses: list[dict[str, Any]] = []
        for index, item in enumerate(requests):
            offer_id = str(item.get("offerId"))
            record = self._offer(offer_id)
            answer: dict[str, Any] = {"offerId": offer_id}
            error = self._fault(call, index)
            if error is None and record is None:
                error = _error(**_error_args(_NOT_AVAILABLE))
            if error is None and record is not None:
                error = self._publishable(record) or self._revise(record)
            if error is not None or record is None:
                responses.append({**answer, "statusCode": 400, "errors": [error]})
                continue
            listing = record.get("listing") or {
                "listingId": str(self.store.next_id("listing_ids") + 110_000_000_000),
                "listingStatus": "ACTIVE",
                "listingOnHold": False,
                "soldQuantity": 0,
            }
            self.store.put(
                "offers", offer_id, {**record, "status": "PUBLISHED", "listing": listing}
            )
            responses.append({**answer, "statusCode": 200, "listingId": listing["listingId"]})
        return _multi(responses)

    def _publishable(self, offer: Mapping[str, Any]) -> dict[str, Any] | None:
        # "Other information that will be required before a offer can be published":
        # location, price, quantity, category, the three business policies; the inventory
        # item's title, description, an image and a condition.
        item = self.store.get("inventory_items", str(offer["sku"])) or {}
        product = item.get("product") or {}
        policies = offer.get("listingPolicies") or {}
        site = SITES.get(str(offer["marketplaceId"]))
        checks: list[tuple[bool, int, str, str]] = [
            (bool(offer.get("categoryId")), 25005, "Invalid category.", "categoryId"),
            (
                bool(policies.get("fulfillmentPolicyId")),
                25007,
                "Invalid Shipping policy information.",
                "fulfillmentPolicyId",
            ),
            (
                bool(policies.get("paymentPolicyId")),
                25008,
                "Invalid Payment policy information.",
                "paymentPolicyId",
            ),
            (
                bool(policies.get("returnPolicyId")),
                25009,
                "Invalid Return policy information.",
                "returnPolicyId",
            ),
            (bool(offer.get("merchantLocationKey")), 25012, "Invalid location.", "location"),
            (
                bool((offer.get("pricingSummary") or {}).get("price")),
                25003,
                "Invalid price.",
                "price",
            ),
            (bool(product.get("title")), 25002, "A title is required.", "title"),
            (
                bool(product.get("description") or offer.get("listingDescription")),
                25002,
                "A description is required.",
                "description",
            ),
            (bool(product.get("imageUrls")), 25014, "Invalid pictures.", "imageUrls"),
            (bool(item.get("condition")), 25021, "Invalid condition information.", "condition"),
            (
                site is None or offer.get("_contentLanguage") in site.languages,
                25604,
                "Input error. The Content-Language does not match the marketplace.",
                "Content-Language",
            ),
        ]
        for ok, error_id, message, where in checks:
            if not ok:
                return _error(error_id, message, field=where)
        return None

    # -- price and quantity -----------------------------------------------------------------

    @route("POST", "/bulk_update_price_quantity", batch=True)
    def bulk_update_price_quantity(self, call: Call) -> httpx.Response:
        """``bulkUpdatePriceQuantity``: price and quantity of published offers."""
        requests = self._requests(call)
        skus = {item.get("sku") for item in requests}
        if len(requests) > self.skus_per_price_call or len(skus) > self.skus_per_price_call:
            self.reject(
                400,
                "invalid_field",
                f"Only {self.skus_per_price_call} SKU(s) can be updated per call.",
                field="requests",
            )
        responses: list[dict[str, Any]] = []
        for index, item in enumerate(requests):
            sku = item.get("sku")
            fault = self._fault(call, index)
            for change in item.get("offers") or []:
                offer_id = str(change.get("offerId"))
                record = self._offer(offer_id)
                answer: dict[str, Any] = {"offerId": offer_id, "sku": sku}
                error = fault
                if error is None and (record is None or record.get("listing") is None):
                    error = _error(**_error_args(_NOT_AVAILABLE))
                if error is None and record is not None and sku not in (None, record["sku"]):
                    error = _error(25709, "Invalid value for field sku", field="sku")
                if error is None and record is not None:
                    updated = dict(record)
                    if "availableQuantity" in change:
                        updated["availableQuantity"] = change["availableQuantity"]
                    if "price" in change:
                        summary = dict(updated.get("pricingSummary") or {})
                        summary["price"] = change["price"]
                        updated["pricingSummary"] = summary
                    error = self._check_offer(updated)
                    if error is None and updated != record:
                        error = self._revise(record)
                    if error is None:
                        self.store.put("offers", offer_id, updated)
                if error is not None:
                    responses.append({**answer, "statusCode": 400, "errors": [error]})
                else:
                    responses.append({**answer, "statusCode": 200})
            ship = item.get("shipToLocationAvailability")
            if ship is not None:
                inventory = self.store.get("inventory_items", str(sku))
                if fault is not None or inventory is None:
                    missing = _error(25702, f"SKU {sku} is not available in the system")
                    responses.append({"sku": sku, "statusCode": 400, "errors": [fault or missing]})
                    continue
                availability = dict(inventory.get("availability") or {})
                availability["shipToLocationAvailability"] = ship
                self.store.put(
                    "inventory_items", str(sku), {**inventory, "availability": availability}
                )
                responses.append({"sku": sku, "statusCode": 200})
        return _multi(responses)

    # -- ending -----------------------------------------------------------------------------

    @route("POST", "/offer/{offer_id}/withdraw")
    def withdraw_offer(self, call: Call, offer_id: str) -> httpx.Response:
        """``withdrawOffer``: end the listing; the offer goes back to UNPUBLISHED."""
        record = self._offer(offer_id)
        if record is None:
            return httpx.Response(404, json={"errors": [_error(**_error_args(_NOT_AVAILABLE))]})
        listing = record.get("listing")
        if listing is None:
            error = _error(25002, "Any User error. The offer is not published.")
            return httpx.Response(400, json={"errors": [error]})
        self.store.put("offers", offer_id, {**record, "status": "UNPUBLISHED", "listing": None})
        return httpx.Response(200, json={"listingId": listing["listingId"], "warnings": []})

    @route("DELETE", "/offer/{offer_id}")
    def delete_offer(self, call: Call, offer_id: str) -> httpx.Response:
        """``deleteOffer``: delete the offer (ending its listing)."""
        if not self.store.delete("offers", offer_id):
            return httpx.Response(404, json={"errors": [_error(**_error_args(_NOT_AVAILABLE))]})
        return httpx.Response(204)


def _error_args(error: Mapping[str, Any]) -> dict[str, Any]:
    return {"error_id": error["errorId"], "message": error["message"]}
