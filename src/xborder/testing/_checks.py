"""The conformance checks, one function per check (see :mod:`xborder.testing.conformance`).

Each check takes a :class:`~xborder.testing._harness.Harness`, returns when the adapter
conforms, calls ``fail`` with a message that says what to fix, or ``skip`` when the check
does not apply. Checks write items under their own SKUs, so they may share one fake.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

import httpx

from xborder.errors import ConfigurationError, MarketplaceError, MarketplaceTransportError
from xborder.http import HttpResponse
from xborder.localize.channels import channel_rules
from xborder.marketplaces._auth import TokenProvider
from xborder.marketplaces._capabilities import OPERATIONS, Capabilities, Operation
from xborder.marketplaces._model import (
    LISTING_STATES,
    Classification,
    OfferKey,
    PriceQuantityUpdate,
)
from xborder.marketplaces._protocol import API_VERSION, Adapter, MarketplaceSettings
from xborder.money import Money
from xborder.offer import Offer
from xborder.testing import _checks_faults as _faults
from xborder.testing._harness import Harness, describe, fail, one_per_key, results_ok, skip
from xborder.testing._routing import Call

__all__ = ["CHECKS"]

_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_METHODS: Final = ("token_providers", "classify", *OPERATIONS)


def _http(response: httpx.Response) -> HttpResponse:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return HttpResponse(response.status_code, headers, response.read())


# -- protocol ----------------------------------------------------------------------------------


def check_protocol(h: Harness) -> None:
    """Check the protocol, the name and version, the channel, and the offers' keys."""
    adapter = h.adapter
    if not isinstance(adapter, Adapter):
        missing = [
            name
            for name in ("name", "api_version", "aliases", "settings", "capabilities", *_METHODS)
            if not hasattr(adapter, name)
        ]
        fail(f"{type(adapter).__name__} does not fit the Adapter protocol; it lacks {missing}")
    name = adapter.name
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        fail(f"name must be lower case [a-z0-9_] (the entry-point name), got {name!r}")
    if adapter.api_version != API_VERSION:
        fail(f"api_version is {adapter.api_version!r}; this xborder speaks {API_VERSION}")
    if not isinstance(adapter.aliases, tuple) or not all(
        isinstance(a, str) for a in adapter.aliases
    ):
        fail(f"aliases must be a tuple of names, got {adapter.aliases!r}")
    if not isinstance(adapter.settings, MarketplaceSettings):
        fail(f"settings must be a MarketplaceSettings, got {type(adapter.settings).__name__}")
    capabilities = adapter.capabilities
    if not isinstance(capabilities, Capabilities) or capabilities.name != name:
        fail(f"capabilities must be Capabilities named {name!r}, got {capabilities!r}")
    providers = adapter.token_providers()
    if not isinstance(providers, Mapping) or not all(
        isinstance(key, str) and isinstance(p, TokenProvider) for key, p in providers.items()
    ):
        fail(f"token_providers() must map names to TokenProvider objects, got {providers!r}")
    if capabilities.channel is not None:
        try:
            channel_rules(capabilities.channel)
        except ConfigurationError as error:
            fail(
                f"capabilities.channel {capabilities.channel!r} is not a known channel ({error});"
                f" register the adapter's ChannelRules with register_channel() on import"
            )
    if not h.offers or not all(isinstance(offer, Offer) for offer in h.offers):
        fail("offers: give at least one xborder.offer.Offer (from xborder.prepare)")
    keys = [offer.key for offer in h.offers]
    if len(set(keys)) != len(keys):
        fail("offers: each offer needs its own key (marketplace, market, sku)")
    wrong = [str(key) for key in keys if key.marketplace != name]
    if wrong:
        fail(f"offers {wrong[:3]} are not keyed for {name!r}: prepare them with channel={name!r}")


def check_classify(h: Harness) -> None:
    """Check that ``classify`` never raises and reads the fake's own answers right."""
    adapter, fake = h.adapter, h.fake
    junk = [
        HttpResponse(200),
        HttpResponse(200, {"content-type": "application/json"}, b"[1, 2"),
        HttpResponse(500, {"content-type": "text/html"}, b"<html>oops</html>"),
        HttpResponse(429, {"retry-after": "soon"}, b"\xff\xfe"),
        HttpResponse(400, {}, b'{"error": null, "errors": [null, 1, "x"]}'),
        HttpResponse(401, {}, b'"just a string"'),
        HttpResponse(599, {}, b"{" * 10_000),
    ]
    for response in junk:
        try:
            found = adapter.classify(response)
        except Exception as error:
            fail(
                f"classify() raised {type(error).__name__}: {error} on HTTP "
                f"{response.status_code} with body {response.content[:30]!r}; it must read any "
                f"answer (fall back to classify_status)"
            )
        if not isinstance(found, Classification):
            fail(f"classify() returned {type(found).__name__}, not a Classification")
    call = Call(
        httpx.Request("GET", fake.url("/")),
        route=None,
        params={},
        at=fake.now(),
        request_id="conformance",
    )
    expected: list[tuple[str, httpx.Response, tuple[str, ...]]] = [
        ("its throttle answer", fake.throttle_response(call, 2.0), ("throttled",)),
        ("its HTTP 503", fake.server_error_response(call, 503), ("transient",)),
        ("its expired-token answer", fake.auth_error_response(call, "expired"), ("auth_expired",)),
        ("its 400", fake.error_response(400, "invalid", "no", field="title"), ("permanent",)),
    ]
    for what, raw, verdicts in expected:
        found = adapter.classify(_http(raw))
        if found.verdict not in verdicts:
            fail(f"classify() calls {what} {found.verdict!r}; expected {' or '.join(verdicts)}")


# -- writes and reads --------------------------------------------------------------------------


def check_upsert(h: Harness) -> None:
    """Check one ok/pending result per upserted offer, and that status reads them back."""
    results = h.upsert(h.offers)
    results_ok(results, "upsert")
    statuses = h.status([offer.key for offer in h.offers])
    results_ok(statuses, "status")
    absent = [r for r in statuses if r.state in ("absent", None, "rejected")]
    if absent:
        fail(
            "status after a successful upsert reads "
            + describe(absent, lambda r: True)
            + f" (state {absent[0].state!r}); expected live, pending or inactive"
        )


def check_idempotent_upsert(h: Harness) -> None:
    """Check that a repeated upsert, or a lost answer retried, writes nothing twice."""
    offers = h.derive("i", min(len(h.offers) * 2, 6))
    mark = h.mark()
    results_ok(h.upsert(offers), "upsert")
    operation = h.write_operation(h.calls_since(mark))
    first = h.state()
    again = h.upsert(offers)
    results_ok(again, "upsert (repeated)")
    if h.state() != first:
        fail(
            "upserting the same offers twice changed the fake's state: the second upsert must "
            "leave the marketplace as the first did (send the same keys, ids and content)"
        )
    fresh = h.derive("t", len(offers))
    h.fake.inject("timeout", operation=operation, processed=True)
    _, error = h.attempt(h.adapter.upsert(fresh))
    if error is not None and not isinstance(error, MarketplaceTransportError):
        fail(
            f"after a {operation} whose answer was lost (the fake applied it), upsert raised "
            f"{type(error).__name__}: {error}"
        )
    lost = h.state()
    results_ok(h.upsert(fresh), "upsert after a lost answer")
    if h.state() != lost:
        fail(
            f"a {operation} whose answer was lost and that was sent again left the fake in a "
            "different state than one clean upsert: the retry must not write anything twice"
        )


def _batch_items(h: Harness, operation: Operation, count: int) -> tuple[list[Any], list[OfferKey]]:
    offers = h.derive(f"b{OPERATIONS.index(operation)}", count)
    keys = [offer.key for offer in offers]
    if operation == "upsert":
        return offers, keys
    results_ok(h.upsert(offers), "upsert")
    if operation == "update_price_quantity":
        return [PriceQuantityUpdate(o.key, quantity=o.quantity + 1) for o in offers], keys
    return keys, keys


def _filled(h: Harness, operation: str, limit: int, batches: list[Call]) -> None:
    """Check each batch route's calls: none above the limit, as few as the items allow.

    A flow may use several batch routes per batch (eBay: inventory items, offers,
    publishing); each is counted on its own, against the declared limit or the fake's
    smaller one for that route.
    """
    by_route: dict[str, list[Call]] = {}
    for call in batches:
        by_route.setdefault(call.operation, []).append(call)
    for route, calls in by_route.items():
        cap = min(limit, h.fake.batch_limits.get(route, limit))
        sizes = [call.items or 0 for call in calls]
        if max(sizes) > cap:
            fail(
                f"{operation}: a {route} call carried {max(sizes)} items; the limit is {cap} "
                f"(Capabilities.batch_limits[{operation!r}] = {limit})"
            )
        fewest = math.ceil(sum(sizes) / cap)
        if len(calls) > fewest:
            fail(
                f"{operation}: {len(calls)} {route} calls carried {sum(sizes)} items; with a "
                f"batch limit of {cap} the fewest is {fewest} (fill each batch)"
            )


def check_batch_splitting(h: Harness) -> None:
    """Check that inputs above a batch limit go in the fewest calls, one result each."""
    capabilities = h.adapter.capabilities
    tried = []
    for operation in OPERATIONS:
        limit = capabilities.batch_limit(operation)
        if limit is None or operation not in capabilities.operations:
            continue
        count = 2 * limit + 1
        if count > h.max_items:
            continue
        tried.append(operation)
        items, keys = _batch_items(h, operation, count)
        mark = h.mark()
        flow = getattr(h.adapter, operation)(items)
        results = one_per_key(h.run(flow), keys, operation)
        if operation != "withdraw":
            results_ok(results, operation)
        _filled(h, operation, limit, [c for c in h.calls_since(mark) if c.items is not None])
    if not tried:
        skip(f"no batch limit small enough to exceed with {h.max_items} items")


def check_per_item_results(h: Harness) -> None:
    """Check that a batch that fails partly reports each item's own outcome."""
    if not h.fake.batch_operations:
        skip("the fake has no batch route (route(..., batch=True))")
    limit = h.adapter.capabilities.batch_limit("upsert") or 4
    offers = h.derive("p", max(2, min(limit, 4)))
    fault = h.fake.inject("partial_batch", every=2)
    mark = h.mark()
    results = h.upsert(offers)
    if fault.fired == 0:
        h.fake.clear_faults()
        skip("the adapter's upsert made no call to a batch route")
    resent = sum(1 for call in h.calls_since(mark) if call.items is not None) > math.ceil(
        len(offers) / limit
    )
    for index, result in enumerate(results):
        refused = index % 2 == 0
        if refused and not result.failed and not resent:
            fail(
                f"the fake refused item {index} ({result.key}) of the batch, but upsert "
                f"reported it {result.status!r}: read each item's outcome from the answer, by key"
            )
        if refused and result.failed and not any(issue.code for issue in result.issues):
            fail(f"{result.key} failed without an issue code")
        if not refused and result.failed:
            fail(
                f"the fake accepted item {index} ({result.key}), but upsert reported it failed "
                f"({result.issues[0] if result.issues else 'no issue'}): read each item's outcome "
                f"from the answer, by key"
            )


def check_update_price_quantity(h: Harness) -> None:
    """Check that price/quantity updates apply, one result each, and repeat harmlessly."""
    if "update_price_quantity" not in h.adapter.capabilities.operations:
        skip("the adapter does not offer update_price_quantity")
    offers = h.derive("q", min(len(h.offers) * 2, 6))
    written = h.upsert(offers)
    results_ok(written, "upsert")
    before = h.state()
    updates = [
        PriceQuantityUpdate(
            offer.key,
            price=Money(offer.price.amount + Decimal(1), offer.price.currency),
            quantity=offer.quantity + 3,
            remote=result.remote,
        )
        for offer, result in zip(offers, written, strict=True)
    ]
    keys = [update.key for update in updates]
    results = one_per_key(h.run(h.adapter.update_price_quantity(updates)), keys, "update")
    results_ok(results, "update_price_quantity")
    after = h.state()
    if after == before:
        fail("update_price_quantity reported success but the fake's state did not change")
    results_ok(
        one_per_key(h.run(h.adapter.update_price_quantity(updates)), keys, "update"),
        "update_price_quantity (repeated)",
    )
    if h.state() != after:
        fail("repeating the same price/quantity update changed the fake's state again")


def check_withdraw(h: Harness) -> None:
    """Check that withdrawn items read inactive or absent, and withdrawing twice is fine."""
    if "withdraw" not in h.adapter.capabilities.operations:
        skip("the adapter does not offer withdraw")
    offers = h.derive("w", min(len(h.offers) * 2, 4))
    results_ok(h.upsert(offers), "upsert")
    keys = [offer.key for offer in offers]
    for attempt in ("withdraw", "withdraw (repeated)"):
        results = one_per_key(h.run(h.adapter.withdraw(keys)), keys, "withdraw")
        results_ok(results, attempt)
    states = h.status(keys)
    live = [r for r in states if r.state not in ("inactive", "absent")]
    if live:
        fail(f"after withdraw, status reads {describe(live, lambda r: True)} ({live[0].state!r})")


def check_status_absent(h: Harness) -> None:
    """Check that keys the marketplace never saw read ``absent``."""
    keys = [offer.key for offer in h.derive("a", 2)]
    results = h.status(keys)
    wrong = [r for r in results if r.state != "absent" or r.failed]
    if wrong:
        fail(
            f"status of keys never written reads {describe(wrong, lambda r: True)}; expected "
            f"status 'ok' with state 'absent'"
        )


def check_unknown_state(h: Harness) -> None:
    """Check that an unknown state value is tolerated and never read as live."""
    offers = h.derive("u", 1)
    results_ok(h.upsert(offers), "upsert")
    if not h.fake.force_unknown_state(offers[0].key):
        skip(f"{type(h.fake).__name__}.force_unknown_state() is not implemented")
    try:
        (result,) = h.status([offers[0].key])
    except MarketplaceError as error:
        fail(f"status raised {type(error).__name__} on an unknown state value: {error}")
    if result.state not in LISTING_STATES or result.state == "live":
        fail(f"an unknown state value was read as {result.state!r}; read it as 'pending'")


CHECKS: Final[dict[str, Callable[[Harness], None]]] = {
    "protocol": check_protocol,
    "classify": check_classify,
    "upsert": check_upsert,
    "idempotent_upsert": check_idempotent_upsert,
    "batch_splitting": check_batch_splitting,
    "per_item_results": check_per_item_results,
    "update_price_quantity": check_update_price_quantity,
    "withdraw": check_withdraw,
    "status_absent": check_status_absent,
    "unknown_state": check_unknown_state,
    "error_mapping": _faults.check_error_mapping,
    "token_refresh": _faults.check_token_refresh,
    "secrets": _faults.check_secrets,
    "async_parity": _faults.check_async_parity,
}
