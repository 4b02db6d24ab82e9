"""A fake Amazon SP-API for tests: Listings Items, Feeds, LWA, in memory, on a fake clock.

* :class:`FakeAmazon`: listings per (seller, SKU, store) with their issues; the Listings
  Items API 2021-08-01 (``putListingsItem``, ``patchListingsItem`` with add/replace/merge/
  delete, ``deleteListingsItem``, ``getListingsItem``, ``searchListingsItems``,
  ``mode=VALIDATION_PREVIEW``); the Feeds API 2021-06-30 with a document store on a fake S3
  host (presigned URLs valid 5 minutes), JSON_LISTINGS_FEED processing on the clock and
  gzipped processing reports; the LWA token endpoint (refresh-token and client-credentials
  grants, one-hour tokens sent as ``x-amz-access-token``); token buckets per operation
  answering 429 ``QuotaExceeded`` with ``x-amzn-RateLimit-Limit``, and the feed-type quota
  of 5 JSON_LISTINGS_FEED per 5 minutes per region; the base's fault injection.
* :class:`AmazonModels`: the vendored SP-API models and xborder's minimal attribute schema
  (``tests/specs/amazon`` in the xborder repository); with them, every request body is
  checked against ``ListingsItemPutRequest``, ``ListingsItemPatchRequest``,
  ``CreateFeedDocumentSpecification``, ``CreateFeedSpecification`` (closed objects), every
  feed document against ``listings-feed-schema-v2.json``, and every attribute value
  against the attribute schema. Refused attributes answer as Amazon does: HTTP 200 with
  ``status: INVALID`` and issues (90220 missing, 90000900 unknown attribute, 100720 wrong
  language tag, 99010 any other refused value: the last code is the fake's own).
* :class:`JsonSchema`: the small JSON Schema (draft-07 subset, Swagger 2.0 definitions)
  validator both use.

::

    fake = FakeAmazon(clock=clock, models=AmazonModels.load("tests/specs/amazon"),
                      clients={"amzn1.application-oa2-client.x": "secret"})
    fake.add_seller("Atzr|refresh", seller_id="A2SELLER123")
    with fake.http_client() as http, xb.Client(http=http, clock=clock) as client:
        client.marketplace(AmazonAdapter(settings)).upsert(offers)
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import math
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Final, NamedTuple, TypeVar
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from xborder.clock import Clock
from xborder.marketplaces._capabilities import RateLimit
from xborder.marketplaces._model import OfferKey
from xborder.marketplaces.amazon._marketplaces import (
    HOSTS,
    MARKETPLACES,
    MARKETPLACES_BY_ID,
    REGIONS,
    SANDBOX_HOSTS,
    AmazonMarketplace,
    Region,
)
from xborder.marketplaces.amazon._payload import dumps
from xborder.marketplaces.amazon._settings import LWA_TOKEN_URL, AmazonSettings
from xborder.testing._fake import FakeMarketplace, _Bucket
from xborder.testing._jobs import Job
from xborder.testing._routing import Call, Reject, route
from xborder.testing._tokens import AuthProblem

__all__ = [
    "ATTRIBUTES_FILE",
    "FEEDS_MODEL_FILE",
    "FEED_SCHEMA_FILE",
    "FEED_TYPE_LIMIT",
    "LISTINGS_MODEL_FILE",
    "S3_HOSTS",
    "AmazonModels",
    "FakeAmazon",
    "JsonSchema",
    "Problem",
]

F = TypeVar("F", bound=Callable[..., Any])

# -- a small JSON Schema validator -----------------------------------------------------------------


class Problem(NamedTuple):
    """One way a value fails a schema.

    Where (``path``), which ``keyword``, a ``message``, and the property ``name`` a
    ``required`` or ``additionalProperties`` failure is about.
    """

    path: tuple[str | int, ...]
    keyword: str
    message: str
    name: str | None = None

    @property
    def where(self) -> str:
        """The path as text (``messages[3].attributes``)."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text or "body"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()


_TYPES: Final[Mapping[str, Callable[[Any], bool]]] = MappingProxyType(
    {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "number": _is_number,
        "integer": _is_integer,
    }
)


class JsonSchema:
    """A JSON Schema validator for the keywords the SP-API models and xborder's schema use.

    Draft-07 keywords: ``type``, ``enum``, ``const``, ``properties``, ``required``,
    ``additionalProperties``, ``minProperties``, ``items``, ``minItems``, ``maxItems``,
    ``minLength``, ``maxLength``, ``pattern``, ``minimum``, ``maximum``,
    ``exclusiveMinimum``, ``oneOf``, ``anyOf``, ``allOf``, ``if``/``then``/``else``,
    boolean schemas and ``$ref`` (JSON pointers into the same document, as Swagger 2.0's
    ``#/definitions/...``). ``closed=True`` treats objects with ``properties`` and no
    ``additionalProperties`` as closed (request bodies: unknown fields refused).
    """

    def __init__(self, root: Mapping[str, Any], *, closed: bool = False) -> None:
        self.root = root
        self.closed = closed
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._refs: dict[str, Any] = {}

    def resolve(self, ref: str) -> Any:
        """Return the schema the JSON pointer ``ref`` (``#/definitions/Item``) names."""
        found = self._refs.get(ref)
        if found is not None:
            return found
        if not ref.startswith("#"):
            raise ValueError(f"only local references are supported, got {ref!r}")
        node: Any = self.root
        for part in ref[1:].split("/")[1:]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        self._refs[ref] = node
        return node

    def problems(
        self, value: Any, schema: Any = None, path: tuple[str | int, ...] = ()
    ) -> list[Problem]:
        """Return how ``value`` fails ``schema`` (default: the root); ``[]`` when it fits."""
        out: list[Problem] = []
        self._check(self.root if schema is None else schema, value, path, out)
        return out

    def fits(self, value: Any, schema: Any) -> bool:
        """Whether ``value`` fits ``schema``."""
        return not self.problems(value, schema)

    def _check(
        self, schema: Any, value: Any, path: tuple[str | int, ...], out: list[Problem]
    ) -> None:
        if schema is True or schema is None:
            return
        if schema is False:
            out.append(Problem(path, "false", "not allowed here"))
            return
        ref = schema.get("$ref")
        if ref is not None:
            self._check(self.resolve(ref), value, path, out)
            return
        kind = schema.get("type")
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(_TYPES[k](value) for k in kinds if k in _TYPES):
                out.append(
                    Problem(path, "type", f"expected {' or '.join(kinds)}, got {_name(value)}")
                )
                return
        if "const" in schema and not _same(value, schema["const"]):
            out.append(Problem(path, "const", f"must be {schema['const']!r}"))
        if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
            out.append(Problem(path, "enum", f"{value!r} is not one of {schema['enum']}"))
        if isinstance(value, dict):
            self._object(schema, value, path, out)
        elif isinstance(value, list):
            self._array(schema, value, path, out)
        elif isinstance(value, str):
            self._string(schema, value, path, out)
        elif _is_number(value):
            self._number(schema, value, path, out)
        if _COMBINING.intersection(schema):
            self._combined(schema, value, path, out)

    def _object(
        self,
        schema: Mapping[str, Any],
        value: dict[str, Any],
        path: tuple[str | int, ...],
        out: list[Problem],
    ) -> None:
        for name in schema.get("required", ()):
            if name not in value:
                out.append(Problem((*path, name), "required", "required", name))
        if len(value) < schema.get("minProperties", 0):
            out.append(
                Problem(
                    path, "minProperties", f"needs at least {schema['minProperties']} properties"
                )
            )
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        if extra is None and self.closed and "properties" in schema:
            extra = False
        for name, item in value.items():
            if name in properties:
                self._check(properties[name], item, (*path, name), out)
            elif extra is False:
                out.append(
                    Problem((*path, name), "additionalProperties", "not a known property", name)
                )
            elif isinstance(extra, dict):
                self._check(extra, item, (*path, name), out)

    def _array(
        self,
        schema: Mapping[str, Any],
        value: list[Any],
        path: tuple[str | int, ...],
        out: list[Problem],
    ) -> None:
        if len(value) < schema.get("minItems", 0):
            out.append(Problem(path, "minItems", f"needs at least {schema['minItems']} items"))
        limit = schema.get("maxItems")
        if limit is not None and len(value) > limit:
            out.append(Problem(path, "maxItems", f"{len(value)} items, at most {limit}"))
        items = schema.get("items")
        if items is not None:
            for index, item in enumerate(value):
                self._check(items, item, (*path, index), out)

    def _string(
        self,
        schema: Mapping[str, Any],
        value: str,
        path: tuple[str | int, ...],
        out: list[Problem],
    ) -> None:
        if len(value) < schema.get("minLength", 0):
            out.append(Problem(path, "minLength", f"shorter than {schema['minLength']} characters"))
        limit = schema.get("maxLength")
        if limit is not None and len(value) > limit:
            out.append(Problem(path, "maxLength", f"{len(value)} characters, at most {limit}"))
        pattern = schema.get("pattern")
        if pattern is not None:
            compiled = self._patterns.get(pattern)
            if compiled is None:
                compiled = self._patterns[pattern] = re.compile(pattern)
            if not compiled.search(value):
                out.append(Problem(path, "pattern", f"{value!r} does not match {pattern}"))

    def _number(
        self,
        schema: Mapping[str, Any],
        value: Any,
        path: tuple[str | int, ...],
        out: list[Problem],
    ) -> None:
        number = Decimal(str(value))
        low = schema.get("minimum")
        if low is not None and number < Decimal(str(low)):
            out.append(Problem(path, "minimum", f"{value} is less than {low}"))
        high = schema.get("maximum")
        if high is not None and number > Decimal(str(high)):
            out.append(Problem(path, "maximum", f"{value} is more than {high}"))
        above = schema.get("exclusiveMinimum")
        if above is not None and number <= Decimal(str(above)):
            out.append(Problem(path, "exclusiveMinimum", f"{value} must be more than {above}"))

    def _combined(
        self,
        schema: Mapping[str, Any],
        value: Any,
        path: tuple[str | int, ...],
        out: list[Problem],
    ) -> None:
        for part in schema.get("allOf", ()):
            self._check(part, value, path, out)
        branches = schema.get("anyOf")
        if branches is not None:
            found = [self.problems(value, branch, path) for branch in branches]
            if all(found):
                out.extend(_fewest(found))
        branches = schema.get("oneOf")
        if branches is not None:
            found = [self.problems(value, branch, path) for branch in branches]
            fitting = sum(1 for problems in found if not problems)
            if fitting == 0:
                out.extend(_fewest(found))
            elif fitting > 1:
                out.append(Problem(path, "oneOf", "fits more than one of the allowed shapes"))
        if "if" in schema:
            chosen = schema.get("then") if self.fits(value, schema["if"]) else schema.get("else")
            if chosen is not None:
                self._check(chosen, value, path, out)


_COMBINING: Final = frozenset({"allOf", "anyOf", "oneOf", "if"})


def _fewest(found: list[list[Problem]]) -> list[Problem]:
    # The branch that came closest says best what is wrong.
    best = found[0]
    for problems in found[1:]:
        if len(problems) < len(best):
            best = problems
    return best


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    return "number"


# -- the models ------------------------------------------------------------------------------------

#: The vendored files :meth:`AmazonModels.load` reads from a directory.
LISTINGS_MODEL_FILE: Final = "listingsItems_2021-08-01.json"
FEEDS_MODEL_FILE: Final = "feeds_2021-06-30.json"
FEED_SCHEMA_FILE: Final = "listings-feed-schema-v2.json"
ATTRIBUTES_FILE: Final = "listing-attributes.schema.json"


@dataclass(frozen=True, slots=True)
class AmazonModels:
    """The SP-API models a fake checks requests against, and the attribute schema.

    ``listings`` and ``feeds`` are the Swagger 2.0 models (their ``definitions``),
    ``feed`` the JSON_LISTINGS_FEED schema v2, ``attributes`` the attribute schema.
    """

    listings: JsonSchema
    feeds: JsonSchema
    feed: JsonSchema
    attributes: JsonSchema

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> AmazonModels:
        """Read the four files from ``directory`` (``tests/specs/amazon``)."""
        folder = Path(directory)

        def read(name: str) -> Any:
            return json.loads((folder / name).read_text(encoding="utf-8"))

        return cls(
            listings=JsonSchema(read(LISTINGS_MODEL_FILE), closed=True),
            feeds=JsonSchema(read(FEEDS_MODEL_FILE), closed=True),
            feed=JsonSchema(read(FEED_SCHEMA_FILE)),
            attributes=JsonSchema(read(ATTRIBUTES_FILE)),
        )

    def listings_body(self, definition: str, body: Any) -> list[Problem]:
        """Check a Listings Items request body against ``#/definitions/<definition>``."""
        return self.listings.problems(body, {"$ref": f"#/definitions/{definition}"})

    def feeds_body(self, definition: str, body: Any) -> list[Problem]:
        """Check a Feeds request body against ``#/definitions/<definition>``."""
        return self.feeds.problems(body, {"$ref": f"#/definitions/{definition}"})

    def feed_header(self, header: Any) -> list[Problem]:
        """Check a feed document's ``header``."""
        return self.feed.problems(header, self.feed.root["properties"]["header"], ("header",))

    def feed_message(self, message: Any, index: int) -> list[Problem]:
        """Check one feed message (``messages[index]``)."""
        schema = self.feed.root["properties"]["messages"]["items"]
        return self.feed.problems(message, schema, ("messages", index))

    @property
    def max_messages(self) -> int:
        """``messages.maxItems`` of the feed schema (25,000)."""
        return int(self.feed.root["properties"]["messages"]["maxItems"])

    def attribute_names(self) -> frozenset[str]:
        """Return the attributes the schema knows."""
        return frozenset(self.attributes.root.get("properties", {}))


# -- the fake --------------------------------------------------------------------------------------

#: Fake S3 hosts of the feed documents (presigned URLs), by region.
S3_HOSTS: Final[Mapping[Region, str]] = MappingProxyType(
    {
        "NA": "https://tortuga-prod-na.s3-external-1.amazonaws.com",
        "EU": "https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com",
        "FE": "https://tortuga-prod-fe.s3-us-west-2.amazonaws.com",
    }
)
#: JSON_LISTINGS_FEED submissions: "5 feeds per 5 minutes per region" (SP-API changelog,
#: update-feed-size-and-rate-limit-changes-for-the-json_listings_feed).
FEED_TYPE_LIMIT: Final = RateLimit(5 / 300, 5)
_LISTINGS: Final = "/listings/2021-08-01/items"
_FEEDS: Final = "/feeds/2021-06-30"
_URL_LIFETIME: Final = 300.0  # "This URL expires after 5 minutes."
_PREVIEW: Final = "VALIDATION_PREVIEW"
_INCLUDED: Final = frozenset(
    {
        "summaries",
        "attributes",
        "issues",
        "offers",
        "fulfillmentAvailability",
        "procurement",
        "relationships",
        "productTypes",
    }
)
_SELECTORS: Final = (
    "marketplace_id",
    "currency",
    "audience",
    "fulfillment_channel_code",
    "language_tag",
)
_MAX_DOCUMENT_BYTES: Final = 10 * 1024 * 1024
_CODES: Final = MappingProxyType(
    {
        "invalid_field": "InvalidInput",
        "malformed_body": "InvalidInput",
        "batch_too_large": "InvalidInput",
        "not_found": "NOT_FOUND",
        "method_not_allowed": "InvalidInput",
        "unsupported_media_type": "UnsupportedMediaType",
    }
)


def _sp_routes(method: str, path: str, *, operation: str, batch: bool = False) -> Callable[[F], F]:
    """Mark a handler for ``method path`` on every SP-API host (regions, production and sandbox)."""

    def mark(function: F) -> F:
        for host in (*HOSTS.values(), *SANDBOX_HOSTS.values()):
            function = route(method, host + path, operation=operation, batch=batch)(function)
        return function

    return mark


def _s3_routes(method: str, *, operation: str) -> Callable[[F], F]:
    def mark(function: F) -> F:
        for host in S3_HOSTS.values():
            function = route(
                method, host + "/{document_id}", operation=operation, auth=False, limited=False
            )(function)
        return function

    return mark


def _json_response(
    status: int, body: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    merged = {"content-type": "application/json", **dict(headers or {})}
    return httpx.Response(status, content=dumps(body), headers=merged)


def _errors(code: str, message: str, details: str = "") -> dict[str, Any]:
    # ErrorList of every SP-API model.
    return {"errors": [{"code": code, "message": message, "details": details}]}


def _issue(
    code: str,
    message: str,
    *,
    names: Sequence[str] = (),
    category: str = "INVALID_ATTRIBUTE",
    severity: str = "ERROR",
) -> dict[str, Any]:
    # Issue of the Listings Items model.
    issue: dict[str, Any] = {"code": code, "message": message, "severity": severity}
    if names:
        issue["attributeNames"] = list(names)
    issue["categories"] = [category]
    return issue


def _region_of(call: Call) -> Region:
    host = f"{call.request.url.scheme}://{call.request.url.netloc.decode('ascii')}"
    for region in REGIONS:
        if host in (HOSTS[region], SANDBOX_HOSTS[region], S3_HOSTS[region]):
            return region
    return "NA"


class FakeAmazon(FakeMarketplace):
    """An in-memory SP-API (see the module docs).

    State (:meth:`state`): ``listings`` keyed ``<sellerId>/<marketplaceId>/<sku>``. Arguments
    beyond the base's:

    * ``models``: :class:`AmazonModels` (or the directory holding them) to check every body
      and attribute against; without them bodies are only read as JSON.
    * ``feed_polls``: the ``getFeed`` polls after which a feed is done (``job_polls``, 2).
    * ``feed_type_limit``: the JSON_LISTINGS_FEED quota per region (5 per 5 minutes);
      ``None`` turns it off.
    """

    name: ClassVar[str] = "amazon"
    base_url: ClassVar[str] = HOSTS["NA"]
    request_id_header: ClassVar[str] = "x-amzn-requestid"
    token_lifetime: ClassVar[float] = 3600.0  # LWA access tokens last one hour
    state_namespaces: ClassVar[tuple[str, ...]] = ("listings",)
    #: Usage plans of the models (rate, burst) per operation.
    default_rate_limits: ClassVar[Mapping[str, RateLimit]] = MappingProxyType(
        {
            "put_listings_item": RateLimit(5, 10),
            "patch_listings_item": RateLimit(5, 5),
            "delete_listings_item": RateLimit(5, 5),
            "get_listings_item": RateLimit(5, 10),
            "search_listings_items": RateLimit(5, 5),
            "create_feed_document": RateLimit(0.5, 15),
            "create_feed": RateLimit(0.0083, 15),
            "get_feed": RateLimit(2, 15),
            "get_feed_document": RateLimit(0.0222, 10),
        }
    )
    batch_limits: ClassVar[Mapping[str, int]] = MappingProxyType({"search_listings_items": 20})

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        persist_to: str | os.PathLike[str] | None = None,
        rate_limits: Mapping[str, RateLimit] | None = None,
        clients: Mapping[str, str] | None = None,
        token_lifetime: float | None = None,
        models: AmazonModels | str | os.PathLike[str] | None = None,
        feed_polls: int | None = None,
        feed_type_limit: RateLimit | None = FEED_TYPE_LIMIT,
    ) -> None:
        super().__init__(
            clock=clock,
            persist_to=persist_to,
            rate_limits=rate_limits,
            clients=clients,
            token_lifetime=token_lifetime,
        )
        self.models = (
            models
            if isinstance(models, AmazonModels) or models is None
            else AmazonModels.load(models)
        )
        self.feed_polls = self.job_polls if feed_polls is None else feed_polls
        self.feed_type_limit = feed_type_limit
        self._feed_buckets: dict[str, _Bucket] = {}

    # -- set-up and inspection ---------------------------------------------------------------------

    def add_seller(self, refresh_token: str, *, seller_id: str, client_id: str = "") -> None:
        """Accept ``refresh_token`` at the LWA endpoint and ``seller_id`` in paths."""
        self.tokens.add_refresh(refresh_token, client_id=client_id)
        self.store.put("_sellers", seller_id, {"seller_id": seller_id})

    def seller_settings(self, **overrides: Any) -> AmazonSettings:
        """Register a new seller and application here; return the settings that reach them.

        For demos and tests: a random client id, client secret, refresh token and seller id,
        accepted by this fake (its ``clients`` must be empty or hold the client), with
        ``overrides`` (``product_types``, ``feed_threshold`` …) on top.
        """
        client_id = "amzn1.application-oa2-client." + secrets.token_hex(16)
        secret = "amzn1.oa2-cs.v1." + secrets.token_hex(24)
        refresh = "Atzr|" + secrets.token_urlsafe(32)
        seller = "A" + secrets.token_hex(6).upper()
        if self.clients:
            self.clients = MappingProxyType({**self.clients, client_id: secret})
        self.add_seller(refresh, seller_id=seller, client_id=client_id)
        self.tokens.remember(secret)
        values: dict[str, Any] = {
            "client_id": client_id,
            "client_secret": SecretStr(secret),
            "refresh_token": SecretStr(refresh),
            "seller_id": seller,
            **overrides,
        }
        return AmazonSettings(**values)

    def listing(
        self, sku: str, market: str, *, seller_id: str | None = None
    ) -> dict[str, Any] | None:
        """Return the listing of ``sku`` in the store of ``market`` (attributes decoded)."""
        mp = MARKETPLACES[market]
        for key, record in self.store.items("listings"):
            seller, marketplace_id, found = key.split("/", 2)
            if found == sku and marketplace_id == mp.marketplace_id and seller_id in (None, seller):
                return {**record, "attributes": _loads(record["attributes"])}
        return None

    def listings(self) -> list[dict[str, Any]]:
        """Return every listing held (attributes decoded), by key."""
        return [
            {**record, "attributes": _loads(record["attributes"])}
            for _, record in self.store.items("listings")
        ]

    def set_issues(self, sku: str, market: str, issues: Sequence[Mapping[str, Any]]) -> None:
        """Give a listing issues (``Issue`` objects of the model), as Amazon's checks would."""
        key = self._key_of(sku, market)
        record = self.store.get("listings", key)
        if record is None:
            raise KeyError(f"no listing {sku} in {market}")
        self.store.put("listings", key, {**record, "issues": [dict(i) for i in issues]})

    def set_status(self, sku: str, market: str, status: Sequence[str] | None) -> None:
        """Force a listing's summary ``status`` (None: computed again from its offer)."""
        key = self._key_of(sku, market)
        record = self.store.get("listings", key)
        if record is None:
            raise KeyError(f"no listing {sku} in {market}")
        self.store.put(
            "listings",
            key,
            {**record, "statusOverride": list(status) if status is not None else None},
        )

    def force_unknown_state(self, key: OfferKey) -> bool:
        """Give the key's listing a summary status the model does not list."""
        try:
            self.set_status(key.sku, key.market, ["ARCHIVED_IN_2031"])
        except KeyError:
            return False
        return True

    def _key_of(self, sku: str, market: str) -> str:
        mp = MARKETPLACES[market]
        for key, _ in self.store.items("listings"):
            _, marketplace_id, found = key.split("/", 2)
            if found == sku and marketplace_id == mp.marketplace_id:
                return key
        raise KeyError(f"no listing {sku} in {market}")

    def feed_document(self, document_id: str) -> bytes | None:
        """Return a stored feed document's bytes (reports are gzipped), or None."""
        record = self.store.get("_documents", document_id)
        if record is None or record.get("content") is None:
            return None
        return base64.b64decode(record["content"])

    def feeds(self) -> list[Job]:
        """Return the feeds submitted, oldest first."""
        return self.jobs.all("feed")

    # -- Amazon's answers --------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request; limited operations carry ``x-amzn-RateLimit-Limit``."""
        response = super().handle(request)
        call = self.calls[-1] if self.calls else None
        if call is not None and call.route is not None and call.route.limited:
            limit = self.rate_limits.get(call.operation)
            if limit is not None and "x-amzn-ratelimit-limit" not in response.headers:
                response.headers["x-amzn-RateLimit-Limit"] = _rate(limit.rate)
        return response

    def error_response(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Return an ``ErrorList``; ``details`` names the field at fault."""
        body = _errors(_CODES.get(code, code), message, field or "")
        return _json_response(status, body, headers)

    def throttle_response(self, call: Call, retry_after: float | None) -> httpx.Response:
        """Answer 429 ``QuotaExceeded`` with ``x-amzn-RateLimit-Limit`` (no Retry-After)."""
        limit = self.rate_limits.get(call.operation) or self.rate_limits.get("*")
        headers = {"x-amzn-RateLimit-Limit": _rate(limit.rate)} if limit is not None else {}
        body = _errors("QuotaExceeded", "You exceeded your quota for the requested resource.")
        return _json_response(429, body, headers)

    def server_error_response(self, call: Call, status: int) -> httpx.Response:
        """Answer a 5xx ``InternalFailure``."""
        body = _errors("InternalFailure", "We encountered an internal error. Please try again.")
        return _json_response(status, body)

    def auth_error_response(self, call: Call, problem: AuthProblem) -> httpx.Response:
        """Answer 403 ``Unauthorized``, as the SP-API answers a missing or expired token."""
        details = {
            "missing": "The request has no x-amz-access-token header.",
            "invalid": "The access token you provided is revoked, malformed or invalid.",
            "expired": "The access token you provided has expired.",
        }[problem]
        body = _errors("Unauthorized", "Access to requested resource is denied.", details)
        return _json_response(403, body)

    def token_from(self, call: Call) -> str | None:
        """Return the LWA token of ``x-amz-access-token``."""
        value: str = call.headers.get("x-amz-access-token", "")
        return value or None

    def _invalid(self, problems: Sequence[Problem]) -> httpx.Response:
        first = problems[0]
        return self.error_response(
            400, "InvalidInput", f"Invalid input: {first}", field=first.where
        )

    # -- checks shared by the routes ---------------------------------------------------------------

    def _seller(self, seller: str) -> None:
        if self.store.get("_sellers", seller) is None:
            self.reject(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                field="The seller has not authorized this application.",
            )

    def _marketplaces(self, call: Call, *, one: bool) -> list[AmazonMarketplace]:
        raw = call.query.get("marketplaceIds")
        if not raw:
            self.reject(
                400, "InvalidInput", "Missing required 'marketplaceIds'.", field="marketplaceIds"
            )
        ids = [part for part in raw.split(",") if part]
        if one and len(ids) != 1:
            self.reject(
                400,
                "InvalidInput",
                "'marketplaceIds' takes exactly one marketplace here.",
                field="marketplaceIds",
            )
        region = _region_of(call)
        found = []
        for marketplace_id in ids:
            mp = MARKETPLACES_BY_ID.get(marketplace_id)
            if mp is None or mp.region != region:
                self.reject(
                    400,
                    "InvalidInput",
                    f"Invalid 'marketplaceIds' provided: {marketplace_id} is not served here.",
                    field="marketplaceIds",
                )
            found.append(mp)
        return found

    def _json(self, call: Call) -> Any:
        self._require_content_type(call, "application/json")
        try:
            return json.loads(call.content, parse_float=Decimal)
        except ValueError as exc:
            raise Reject(self.malformed_body_response(call, f"body is not JSON: {exc}")) from None

    def _included(self, call: Call, allowed: Iterable[str], default: str) -> list[str]:
        raw = call.query.get("includedData") or default
        parts = [part for part in raw.split(",") if part]
        known = set(allowed)
        wrong = [part for part in parts if part not in known]
        if wrong:
            self.reject(
                400, "InvalidInput", f"Invalid 'includedData': {wrong[0]}", field="includedData"
            )
        return parts

    def _mode(self, call: Call) -> str | None:
        mode: str | None = call.query.get("mode")
        if mode is not None and mode != _PREVIEW:
            self.reject(400, "InvalidInput", f"Invalid 'mode': {mode}", field="mode")
        return mode

    def _attribute_issues(
        self, attributes: Any, mp: AmazonMarketplace, *, full: bool
    ) -> list[dict[str, Any]]:
        """Check attribute values as Amazon does; return the issues (none: valid)."""
        if not isinstance(attributes, dict):
            return [_issue("90000900", "The attributes are invalid.")]
        issues: list[dict[str, Any]] = []
        if self.models is not None:
            schema = self.models.attributes
            root: Mapping[str, Any] = schema.root
            if not full:
                # Partial writes (PATCH, PARTIAL_UPDATE, offer-only): requirements not enforced.
                root = {
                    k: v for k, v in root.items() if k not in ("required", "if", "then", "else")
                }
            for problem in schema.problems(attributes, root):
                issues.append(_attribute_problem(problem))
        issues += _value_issues(attributes, mp)
        return _unique(issues)

    def _patch_issues(self, patches: Any, mp: AmazonMarketplace) -> list[dict[str, Any]]:
        issues: list[dict[str, Any]] = []
        known = self.models.attribute_names() if self.models is not None else None
        for patch in patches if isinstance(patches, list) else []:
            path = str(patch.get("path", ""))
            match = re.fullmatch(r"/attributes/([a-z0-9_]+)", path)
            if match is None:
                issues.append(
                    _issue("90000900", f"Only top-level attributes can be patched: {path}")
                )
                continue
            name = match[1]
            if known is not None and name not in known:
                issues.append(_issue("90000900", "The attributes are invalid.", names=[name]))
                continue
            if patch.get("op") == "delete" and "value" not in patch:
                continue
            value = patch.get("value")
            issues += self._attribute_issues({name: value}, mp, full=False)
        return _unique(issues)

    # -- Listings Items API ------------------------------------------------------------------------

    def _record_key(self, seller: str, mp: AmazonMarketplace, sku: str) -> str:
        return f"{seller}/{mp.marketplace_id}/{sku}"

    def _submission(
        self,
        sku: str,
        status: str,
        issues: Sequence[Mapping[str, Any]] = (),
        mp: AmazonMarketplace | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "sku": sku,
            "status": status,
            "submissionId": secrets.token_hex(16),
            "issues": list(issues),
        }
        if mp is not None and status != "INVALID":
            body["identifiers"] = [{"marketplaceId": mp.marketplace_id, "asin": _asin(sku)}]
        return _json_response(200, body)

    @_sp_routes("PUT", _LISTINGS + "/{seller}/{sku}", operation="put_listings_item")
    def put_listings_item(self, call: Call, seller: str, sku: str) -> httpx.Response:
        """``putListingsItem``: validate, then create or fully replace the listing."""
        self._seller(seller)
        (mp,) = self._marketplaces(call, one=True)
        mode = self._mode(call)
        body = self._json(call)
        if self.models is not None:
            problems = self.models.listings_body("ListingsItemPutRequest", body)
            if problems:
                return self._invalid(problems)
        elif not isinstance(body, dict) or "attributes" not in body or "productType" not in body:
            self.reject(400, "InvalidInput", "productType and attributes are required")
        issues = self._attribute_issues(
            body["attributes"], mp, full=body.get("requirements", "LISTING") == "LISTING"
        )
        if issues:
            return self._submission(sku, "INVALID", issues)
        if mode == _PREVIEW:
            return self._submission(sku, "VALID", mp=mp)
        self._write_listing(seller, mp, sku, body["productType"], body["attributes"])
        return self._submission(sku, "ACCEPTED", mp=mp)

    def _write_listing(
        self,
        seller: str,
        mp: AmazonMarketplace,
        sku: str,
        product_type: str,
        attributes: Mapping[str, Any],
    ) -> None:
        key = self._record_key(seller, mp, sku)
        old = self.store.get("listings", key)
        created = old.get("createdDate") if old is not None and not old.get("offerOnly") else None
        self.store.put(
            "listings",
            key,
            {
                "sku": sku,
                "marketplaceId": mp.marketplace_id,
                "productType": product_type,
                "attributes": dumps(dict(attributes)).decode("utf-8"),
                "offerOnly": False,
                "createdDate": created or _iso(self.now()),
                "issues": [],
                "statusOverride": None,
            },
        )
        self.store.put("_updated", key, {"at": _iso(self.now())})

    @_sp_routes("PATCH", _LISTINGS + "/{seller}/{sku}", operation="patch_listings_item")
    def patch_listings_item(self, call: Call, seller: str, sku: str) -> httpx.Response:
        """``patchListingsItem``: apply JSON patches; an unknown SKU keeps offer data only."""
        self._seller(seller)
        (mp,) = self._marketplaces(call, one=False)[:1]
        mode = self._mode(call)
        body = self._json(call)
        if self.models is not None:
            problems = self.models.listings_body("ListingsItemPatchRequest", body)
            if problems:
                return self._invalid(problems)
        elif not isinstance(body, dict) or not isinstance(body.get("patches"), list):
            self.reject(400, "InvalidInput", "productType and patches are required")
        issues = self._patch_issues(body["patches"], mp)
        if issues:
            return self._submission(sku, "INVALID", issues)
        if mode == _PREVIEW:
            return self._submission(sku, "VALID", mp=mp)
        self._apply_patches(seller, mp, sku, body["productType"], body["patches"])
        return self._submission(sku, "ACCEPTED", mp=mp)

    def _apply_patches(
        self,
        seller: str,
        mp: AmazonMarketplace,
        sku: str,
        product_type: str,
        patches: Sequence[Mapping[str, Any]],
    ) -> None:
        key = self._record_key(seller, mp, sku)
        record = self.store.get("listings", key)
        if record is None:
            # Amazon accepts a PATCH on an unknown SKU and stores the offer data alone
            # (amzn/selling-partner-api-models#4402): no summary, not a listing.
            record = {
                "sku": sku,
                "marketplaceId": mp.marketplace_id,
                "productType": product_type,
                "attributes": "{}",
                "offerOnly": True,
                "createdDate": _iso(self.now()),
                "issues": [],
                "statusOverride": None,
            }
        attributes = _loads(record["attributes"])
        for patch in patches:
            name = str(patch["path"]).rsplit("/", 1)[-1]
            op = patch["op"]
            value = patch.get("value")
            if op in ("add", "replace"):
                attributes[name] = value
            elif op == "merge":
                attributes[name] = _merge_values(attributes.get(name, []), value or [])
            elif op == "delete":
                if value:
                    kept = [
                        v
                        for v in attributes.get(name, [])
                        if not any(_selects(d, v) for d in value)
                    ]
                    if kept:
                        attributes[name] = kept
                    else:
                        attributes.pop(name, None)
                else:
                    attributes.pop(name, None)
        self.store.put("listings", key, {**record, "attributes": dumps(attributes).decode("utf-8")})
        self.store.put("_updated", key, {"at": _iso(self.now())})

    @_sp_routes("DELETE", _LISTINGS + "/{seller}/{sku}", operation="delete_listings_item")
    def delete_listings_item(self, call: Call, seller: str, sku: str) -> httpx.Response:
        """``deleteListingsItem``: remove the listing (404 when there is none)."""
        self._seller(seller)
        (mp,) = self._marketplaces(call, one=True)
        key = self._record_key(seller, mp, sku)
        if not self.store.delete("listings", key):
            return self.error_response(
                404, "NOT_FOUND", f"SKU {sku} not found in {mp.marketplace_id}.", field="sku"
            )
        self.store.delete("_updated", key)
        return self._submission(sku, "ACCEPTED", mp=mp)

    @_sp_routes("GET", _LISTINGS + "/{seller}/{sku}", operation="get_listings_item")
    def get_listings_item(self, call: Call, seller: str, sku: str) -> httpx.Response:
        """``getListingsItem``: the listing with ``includedData`` (default summaries)."""
        self._seller(seller)
        (mp,) = self._marketplaces(call, one=False)[:1]
        included = self._included(call, _INCLUDED, "summaries")
        record = self.store.get("listings", self._record_key(seller, mp, sku))
        if record is None:
            return self.error_response(
                404, "NOT_FOUND", f"SKU {sku} not found in {mp.marketplace_id}.", field="sku"
            )
        return _json_response(200, self._item(seller, mp, record, included))

    @_sp_routes("GET", _LISTINGS + "/{seller}", operation="search_listings_items")
    def search_listings_items(self, call: Call, seller: str) -> httpx.Response:
        """``searchListingsItems`` by SKU identifiers (up to 20), paged by ``pageSize``."""
        self._seller(seller)
        (mp,) = self._marketplaces(call, one=False)[:1]
        included = self._included(call, _INCLUDED, "summaries")
        kind = call.query.get("identifiersType")
        raw = call.query.get("identifiers")
        if (kind is None) != (raw is None):
            self.reject(
                400,
                "InvalidInput",
                "'identifiers' and 'identifiersType' go together.",
                field="identifiers",
            )
        if kind not in (None, "SKU"):
            self.reject(
                400,
                "InvalidInput",
                f"identifiersType {kind} is not supported by this fake.",
                field="identifiersType",
            )
        try:
            size = int(call.query.get("pageSize", "10"))
        except ValueError:
            size = 0
        if not 1 <= size <= 20:
            self.reject(400, "InvalidInput", "'pageSize' must be 1 to 20.", field="pageSize")
        prefix = f"{seller}/{mp.marketplace_id}/"
        if raw is not None:
            skus = [part for part in raw.split(",") if part]
            self.check_batch(call, skus, limit=20)
            records = [self.store.get("listings", prefix + sku) for sku in skus]
            found = [record for record in records if record is not None]
        else:
            found = [r for k, r in self.store.items("listings") if k.startswith(prefix)]
        token = call.query.get("pageToken")
        start = int(token) if token and token.isdigit() else 0
        page = found[start : start + size]
        body: dict[str, Any] = {
            "numberOfResults": len(found),
            "items": [self._item(seller, mp, record, included) for record in page],
        }
        if start + size < len(found):
            body["pagination"] = {"nextToken": str(start + size)}
        return _json_response(200, body)

    def _item(
        self, seller: str, mp: AmazonMarketplace, record: Mapping[str, Any], included: Iterable[str]
    ) -> dict[str, Any]:
        """Return the listing as the model's ``Item``, with the data sets asked for."""
        attributes = _loads(record["attributes"])
        wanted = set(included)
        item: dict[str, Any] = {"sku": record["sku"]}
        key = self._record_key(seller, mp, record["sku"])
        updated = (self.store.get("_updated", key) or {}).get("at", record["createdDate"])
        if "summaries" in wanted:
            item["summaries"] = (
                []
                if record.get("offerOnly")
                else [
                    {
                        "marketplaceId": mp.marketplace_id,
                        "asin": _asin(record["sku"]),
                        "productType": record["productType"],
                        "conditionType": _first(attributes, "condition_type", "value") or "new_new",
                        "status": self._status(record, attributes),
                        "itemName": _first(attributes, "item_name", "value") or record["sku"],
                        "createdDate": record["createdDate"],
                        "lastUpdatedDate": updated,
                    }
                ]
            )
        if "attributes" in wanted:
            item["attributes"] = attributes
        if "issues" in wanted:
            item["issues"] = [
                {**issue, "marketplaceIds": issue.get("marketplaceIds", [mp.marketplace_id])}
                for issue in record.get("issues", [])
            ]
        if "offers" in wanted:
            item["offers"] = _offers(attributes, mp)
        if "fulfillmentAvailability" in wanted:
            item["fulfillmentAvailability"] = [
                {
                    "fulfillmentChannelCode": entry.get("fulfillment_channel_code"),
                    "quantity": entry.get("quantity"),
                }
                for entry in attributes.get("fulfillment_availability", [])
                if isinstance(entry, dict)
            ]
        if "productTypes" in wanted:
            item["productTypes"] = [
                {"marketplaceId": mp.marketplace_id, "productType": record["productType"]}
            ]
        return item

    @staticmethod
    def _status(record: Mapping[str, Any], attributes: Mapping[str, Any]) -> list[str]:
        if record.get("statusOverride") is not None:
            return list(record["statusOverride"])
        if any(i.get("severity") == "ERROR" for i in record.get("issues", [])):
            return []
        quantity = sum(
            int(entry.get("quantity") or 0)
            for entry in attributes.get("fulfillment_availability", [])
            if isinstance(entry, dict)
        )
        priced = bool(attributes.get("purchasable_offer"))
        return ["BUYABLE", "DISCOVERABLE"] if priced and quantity > 0 else ["DISCOVERABLE"]

    # -- Feeds API ---------------------------------------------------------------------------------

    def _presigned(self, region: Region, document_id: str) -> str:
        signature = hashlib.sha256(f"{document_id}:{self.now().isoformat()}".encode()).hexdigest()
        stamp = self.now().strftime("%Y%m%dT%H%M%SZ")
        return (
            f"{S3_HOSTS[region]}/{quote(document_id, safe='')}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Date={stamp}&X-Amz-Expires={int(_URL_LIFETIME)}&X-Amz-Signature={signature}"
        )

    @_sp_routes("POST", _FEEDS + "/documents", operation="create_feed_document")
    def create_feed_document(self, call: Call) -> httpx.Response:
        """``createFeedDocument``: a document id and an upload URL valid 5 minutes."""
        body = self._json(call)
        if self.models is not None:
            problems = self.models.feeds_body("CreateFeedDocumentSpecification", body)
            if problems:
                return self._invalid(problems)
        document_id = f"amzn1.tortuga.4.{_region_of(call).lower()}.{secrets.token_hex(12)}"
        self.store.put(
            "_documents",
            document_id,
            {
                "contentType": body.get("contentType") if isinstance(body, dict) else None,
                "content": None,
                "compression": None,
                "expires": _iso(self.now() + timedelta(seconds=_URL_LIFETIME)),
            },
        )
        return _json_response(
            201,
            {"feedDocumentId": document_id, "url": self._presigned(_region_of(call), document_id)},
        )

    def _document(self, document_id: str) -> dict[str, Any]:
        record = self.store.get("_documents", document_id)
        if record is None:
            raise Reject(_s3_error(404, "NoSuchKey", "The specified key does not exist."))
        if self.now() >= datetime.fromisoformat(record["expires"]):
            raise Reject(_s3_error(403, "AccessDenied", "Request has expired"))
        return dict(record)

    @_s3_routes("PUT", operation="upload_feed_document")
    def upload_feed_document(self, call: Call, document_id: str) -> httpx.Response:
        """Answer the presigned upload: store the document's bytes."""
        record = self._document(document_id)
        given = call.headers.get("content-type", "")
        if record.get("contentType") and given != record["contentType"]:
            return _s3_error(
                403, "SignatureDoesNotMatch", "The Content-Type does not match the one signed."
            )
        record["content"] = base64.b64encode(call.content).decode("ascii")
        self.store.put("_documents", document_id, record)
        return httpx.Response(200)

    @_s3_routes("GET", operation="download_feed_document")
    def download_feed_document(self, call: Call, document_id: str) -> httpx.Response:
        """Answer the presigned download of a document (reports are gzipped, as Amazon's)."""
        record = self._document(document_id)
        if record.get("content") is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return httpx.Response(
            200,
            content=base64.b64decode(record["content"]),
            headers={"content-type": "application/octet-stream"},
        )

    @_sp_routes("POST", _FEEDS + "/feeds", operation="create_feed", batch=True)
    def create_feed(self, call: Call) -> httpx.Response:
        """``createFeed``: queue a JSON_LISTINGS_FEED (5 per 5 minutes per region)."""
        body = self._json(call)
        if self.models is not None:
            problems = self.models.feeds_body("CreateFeedSpecification", body)
            if problems:
                return self._invalid(problems)
        if body.get("feedType") != "JSON_LISTINGS_FEED":
            self.reject(
                400,
                "InvalidInput",
                f"Feed type {body.get('feedType')} is not supported by this fake.",
                field="feedType",
            )
        region = _region_of(call)
        for marketplace_id in body.get("marketplaceIds", []):
            mp = MARKETPLACES_BY_ID.get(marketplace_id)
            if mp is None or mp.region != region:
                self.reject(
                    400,
                    "InvalidInput",
                    f"Invalid 'marketplaceIds' provided: {marketplace_id}.",
                    field="marketplaceIds",
                )
        document_id = body.get("inputFeedDocumentId", "")
        record = self.store.get("_documents", document_id)
        if record is None or record.get("content") is None:
            self.reject(
                400,
                "InvalidInput",
                f"The feed document {document_id} has not been uploaded.",
                field="inputFeedDocumentId",
            )
        if self.feed_type_limit is not None:
            bucket = self._feed_buckets.get(region)
            if bucket is None:
                bucket = self._feed_buckets[region] = _Bucket(
                    self.feed_type_limit, self.clock.monotonic()
                )
            if bucket.take(self.clock.monotonic()):
                return _json_response(
                    429,
                    _errors(
                        "QuotaExceeded",
                        "You exceeded your quota of JSON_LISTINGS_FEED submissions in this region.",
                    ),
                    {"x-amzn-RateLimit-Limit": _rate(self.feed_type_limit.rate)},
                )
        feed_id = str(50_000_000_000 + self.store.next_id("_feed_ids"))
        fault = call.fault
        self.start_job(
            call,
            "feed",
            {
                "feedId": feed_id,
                "region": region,
                "marketplaceIds": list(body.get("marketplaceIds", [])),
                "inputFeedDocumentId": document_id,
                "createdTime": _iso(self.now()),
                "failEvery": fault.every
                if fault is not None and fault.kind == "partial_batch"
                else None,
            },
            polls=self.feed_polls,
            job_id=feed_id,
        )
        return _json_response(202, {"feedId": feed_id})

    @_sp_routes("GET", _FEEDS + "/feeds/{feed_id}", operation="get_feed")
    def get_feed(self, call: Call, feed_id: str) -> httpx.Response:
        """``getFeed``: IN_QUEUE, IN_PROGRESS, then DONE or FATAL with the report's id."""
        job = self.poll_job(feed_id)
        if job is None or job.kind != "feed":
            return self.error_response(
                404, "NOT_FOUND", f"Feed {feed_id} not found.", field="feedId"
            )
        payload = job.payload
        body: dict[str, Any] = {
            "feedId": feed_id,
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": payload["marketplaceIds"],
            "createdTime": payload["createdTime"],
        }
        if job.done:
            body["processingStatus"] = job.result["status"]
            body["processingStartTime"] = payload["createdTime"]
            body["processingEndTime"] = job.result["endTime"]
            body["resultFeedDocumentId"] = job.result["resultFeedDocumentId"]
        else:
            body["processingStatus"] = "IN_QUEUE" if job.polls <= 1 else "IN_PROGRESS"
        return _json_response(200, body)

    @_sp_routes("GET", _FEEDS + "/documents/{document_id}", operation="get_feed_document")
    def get_feed_document(self, call: Call, document_id: str) -> httpx.Response:
        """``getFeedDocument``: a download URL valid 5 minutes, and the compression."""
        record = self.store.get("_documents", document_id)
        if record is None:
            return self.error_response(
                404, "NOT_FOUND", f"Document {document_id} not found.", field="feedDocumentId"
            )
        record["expires"] = _iso(self.now() + timedelta(seconds=_URL_LIFETIME))
        self.store.put("_documents", document_id, record)
        body: dict[str, Any] = {
            "feedDocumentId": document_id,
            "url": self._presigned(_region_of(call), document_id),
        }
        if record.get("compression"):
            body["compressionAlgorithm"] = record["compression"]
        return _json_response(200, body)

    def complete_job(self, job: Job) -> Any:
        """Process a feed: validate and apply each message, write the gzipped report."""
        payload = job.payload
        processor = _FeedRun(self, payload)
        report, fatal = processor.run()
        document_id = f"amzn1.tortuga.4.{payload['region'].lower()}.report.{secrets.token_hex(8)}"
        content = gzip.compress(dumps(report), mtime=0)
        self.store.put(
            "_documents",
            document_id,
            {
                "contentType": "application/json",
                "content": base64.b64encode(content).decode("ascii"),
                "compression": "GZIP",
                "expires": _iso(self.now()),
            },
        )
        return {
            "status": "FATAL" if fatal else "DONE",
            "resultFeedDocumentId": document_id,
            "endTime": _iso(self.now()),
        }

    # -- LWA ---------------------------------------------------------------------------------------

    @route("POST", LWA_TOKEN_URL, operation="token", auth=False, limited=False)
    def token(self, call: Call) -> httpx.Response:
        """Answer the LWA token endpoint (refresh-token; client-credentials with a scope)."""
        form = self.form(call)
        if form.get("grant_type") == "client_credentials" and not form.get("scope"):
            return self.token_error_response(call, 400, "invalid_scope", "scope is required")
        response = self.oauth_token(call, grant_types=("refresh_token", "client_credentials"))
        return response


class _FeedRun:
    """One feed's processing: the document read, each message checked and applied."""

    def __init__(self, fake: FakeAmazon, payload: Mapping[str, Any]) -> None:
        self.fake = fake
        self.payload = payload
        self.issues: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.accepted = 0
        self.invalid = 0

    def _fatal(
        self, message: str, header: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], bool]:
        self.issues.append({"code": "4000000", "severity": "ERROR", "message": message})
        return self._report(header or {}, 0), True

    def _report(self, header: Mapping[str, Any], processed: int) -> dict[str, Any]:
        errors = sum(1 for i in self.issues if i["severity"] == "ERROR")
        report: dict[str, Any] = {
            "header": {
                "sellerId": header.get("sellerId", ""),
                "version": "2.0",
                "feedId": self.payload["feedId"],
            },
            "issues": self.issues,
            "summary": {
                "errors": errors,
                "warnings": len(self.issues) - errors,
                "messagesProcessed": processed,
                "messagesAccepted": self.accepted,
                "messagesInvalid": self.invalid,
            },
        }
        wanted = header.get("report") if isinstance(header, Mapping) else None
        if isinstance(wanted, Mapping) and wanted.get("includedData"):
            report["header"]["report"] = dict(wanted)
            report["summary"]["itemSummary"] = {
                "items": len(self.items),
                "errors": 0,
                "warnings": 0,
            }
            report["items"] = self.items
        return report

    def run(self) -> tuple[dict[str, Any], bool]:
        fake = self.fake
        content = fake.feed_document(self.payload["inputFeedDocumentId"])
        if content is None:
            return self._fatal("The feed document is empty.")
        if len(content) >= _MAX_DOCUMENT_BYTES:
            return self._fatal("The feed document is 10 MiB or larger.")
        try:
            document = json.loads(content, parse_float=Decimal)
        except ValueError:
            return self._fatal("The feed document is not valid JSON.")
        if not isinstance(document, dict):
            return self._fatal("The feed document is not a JSON object.")
        header: Any = document.get("header")
        messages: Any = document.get("messages")
        models = fake.models
        problems: list[Problem] = []
        if models is not None:
            problems = models.feed_header(header)
            if isinstance(messages, list) and len(messages) > models.max_messages:
                problems.append(
                    Problem(("messages",), "maxItems", f"more than {models.max_messages} messages")
                )
        if not isinstance(header, dict) or not isinstance(messages, list) or not messages:
            problems.append(Problem(("messages",), "required", "a header and at least one message"))
        if problems or not isinstance(header, dict) or not isinstance(messages, list):
            return self._fatal(
                f"The feed document is invalid: {problems[0]}",
                header if isinstance(header, dict) else None,
            )
        seller = header.get("sellerId", "")
        if fake.store.get("_sellers", seller) is None:
            return self._fatal(f"sellerId {seller} does not match the feed's seller.", header)
        mp = MARKETPLACES_BY_ID[self.payload["marketplaceIds"][0]]
        wanted = (header.get("report") or {}).get("includedData") or []
        fail_every = self.payload.get("failEvery")
        seen: set[Any] = set()
        for index, message in enumerate(messages):
            message_id = message.get("messageId") if isinstance(message, dict) else None
            sku = message.get("sku") if isinstance(message, dict) else None
            problems = models.feed_message(message, index) if models is not None else []
            if not problems and message_id in seen:
                problems = [
                    Problem(("messages", index, "messageId"), "unique", "messageId repeats")
                ]
            seen.add(message_id)
            if problems:
                self._refuse(
                    message_id,
                    sku,
                    [{"code": "4000003", "message": f"The message is invalid: {problems[0]}"}],
                )
                continue
            if fail_every and index % fail_every == 0:
                self._refuse(
                    message_id,
                    sku,
                    [{"code": "99999", "message": "fault injected by the fake: message refused"}],
                )
                continue
            found = self._apply(seller, mp, message)
            if found:
                self._refuse(message_id, sku, found)
                continue
            self.accepted += 1
            if wanted and message["operationType"] != "DELETE" and isinstance(sku, str):
                record = fake.store.get("listings", fake._record_key(seller, mp, sku))
                if record is not None:
                    self.items.append(fake._item(seller, mp, record, wanted))
        return self._report(header, len(messages)), False

    def _refuse(self, message_id: Any, sku: Any, found: Sequence[Mapping[str, Any]]) -> None:
        self.invalid += 1
        for issue in found:
            entry: dict[str, Any] = {
                "messageId": message_id,
                "sku": sku,
                "code": issue["code"],
                "severity": "ERROR",
                "message": issue["message"],
            }
            names = issue.get("attributeNames")
            if names:
                entry["attributeName"] = names[0]
            self.issues.append({k: v for k, v in entry.items() if v is not None})

    def _apply(
        self, seller: str, mp: AmazonMarketplace, message: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        fake = self.fake
        sku = message["sku"]
        kind = message["operationType"]
        if kind == "DELETE":
            key = fake._record_key(seller, mp, sku)
            fake.store.delete("listings", key)
            fake.store.delete("_updated", key)
            return []
        if kind == "PATCH":
            found = fake._patch_issues(message["patches"], mp)
            if not found:
                fake._apply_patches(seller, mp, sku, message["productType"], message["patches"])
            return found
        full = kind == "UPDATE" and message.get("requirements", "LISTING") == "LISTING"
        found = fake._attribute_issues(message["attributes"], mp, full=full)
        if found:
            return found
        if kind == "UPDATE":
            fake._write_listing(seller, mp, sku, message["productType"], message["attributes"])
        else:  # PARTIAL_UPDATE: "equivalent to using PATCH with the replace op"
            patches = [
                {"op": "replace", "path": f"/attributes/{name}", "value": value}
                for name, value in message["attributes"].items()
            ]
            fake._apply_patches(seller, mp, sku, message["productType"], patches)
        return []


# -- helpers ---------------------------------------------------------------------------------------


def _attribute_problem(problem: Problem) -> dict[str, Any]:
    top = next((part for part in problem.path if isinstance(part, str)), None)
    if problem.keyword == "required" and len(problem.path) == 1:
        return _issue(
            "90220",
            f"'{problem.name}' is required but not supplied.",
            names=[problem.name or ""],
            category="MISSING_ATTRIBUTE",
        )
    if problem.keyword == "additionalProperties" and len(problem.path) == 1:
        return _issue("90000900", "The attributes are invalid.", names=[problem.name or ""])
    if problem.keyword == "minProperties":
        return _issue("90000900", "The attributes are invalid: none were given.")
    return _issue(
        "99010",
        f"The value of '{problem.where}' is invalid: {problem.message}.",
        names=[top] if top else [],
    )


def _value_issues(attributes: Mapping[str, Any], mp: AmazonMarketplace) -> list[dict[str, Any]]:
    """Check every value's ``marketplace_id`` and ``language_tag`` against the store."""
    issues: list[dict[str, Any]] = []
    for name, values in attributes.items():
        for value in values if isinstance(values, list) else []:
            if not isinstance(value, dict):
                continue
            store = value.get("marketplace_id")
            if store is not None and store != mp.marketplace_id:
                issues.append(
                    _issue(
                        "99010",
                        f"The value of '{name}' is for {store}, not {mp.marketplace_id}.",
                        names=[name],
                    )
                )
            tag = value.get("language_tag")
            if tag is not None and tag not in mp.language_tags:
                issues.append(_issue("100720", "Invalid language data provided.", names=[name]))
    return issues


def _unique(issues: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for issue in issues:
        if issue not in out:
            out.append(issue)
    return out


def _selects(selector: Mapping[str, Any], value: Mapping[str, Any]) -> bool:
    keys = [k for k in _SELECTORS if k in selector]
    return bool(keys) and all(value.get(k) == selector[k] for k in keys)


def _merge_values(old: Any, new: Sequence[Any]) -> list[Any]:
    merged = [dict(v) if isinstance(v, dict) else v for v in (old if isinstance(old, list) else [])]
    for value in new:
        if not isinstance(value, dict):
            merged.append(value)
            continue
        for index, existing in enumerate(merged):
            if isinstance(existing, dict) and _selects(value, existing):
                merged[index] = {**existing, **value}
                break
        else:
            merged.append(dict(value))
    return merged


def _offers(attributes: Mapping[str, Any], mp: AmazonMarketplace) -> list[dict[str, Any]]:
    offers = []
    for offer in attributes.get("purchasable_offer", []):
        if not isinstance(offer, dict):
            continue
        try:
            amount = offer["our_price"][0]["schedule"][0]["value_with_tax"]
        except (KeyError, IndexError, TypeError):
            continue
        audience = offer.get("audience", "ALL")
        offers.append(
            {
                "marketplaceId": offer.get("marketplace_id", mp.marketplace_id),
                "offerType": "B2B" if audience == "B2B" else "B2C",
                "price": {
                    "currencyCode": offer.get("currency", mp.currency),
                    "amount": str(amount),
                },
                "audience": {"value": audience, "displayName": "Sell on Amazon"},
            }
        )
    return offers


def _first(attributes: Mapping[str, Any], name: str, field: str) -> Any:
    values = attributes.get(name)
    if isinstance(values, list) and values and isinstance(values[0], dict):
        return values[0].get(field)
    return None


def _asin(sku: str) -> str:
    # A stable, made-up ASIN per SKU (B0 + 8 base-36 characters).
    digest = int(hashlib.sha256(sku.encode()).hexdigest(), 16)
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    tail = ""
    for _ in range(8):
        digest, rest = divmod(digest, 36)
        tail += chars[rest]
    return "B0" + tail


def _loads(text: str) -> dict[str, Any]:
    value = json.loads(text, parse_float=Decimal)
    return value if isinstance(value, dict) else {}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _rate(rate: float) -> str:
    return f"{rate:g}" if not math.isclose(rate, round(rate)) else f"{rate:.1f}"


def _s3_error(status: int, code: str, message: str) -> httpx.Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return httpx.Response(
        status, content=body.encode(), headers={"content-type": "application/xml"}
    )
