"""The conformance checks that inject faults or look for leaks (see ``_checks``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, SecretBytes, SecretStr

from xborder.errors import (
    ApiError,
    AuthenticationError,
    InvalidRequestError,
    MarketplaceError,
    MarketplaceTransportError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    UnexpectedResponseError,
)
from xborder.marketplaces._model import ItemResult
from xborder.offer import Offer
from xborder.testing._faults import FaultKind
from xborder.testing._harness import Harness, describe, fail, one_per_key, results_ok, skip

__all__ = ["check_async_parity", "check_error_mapping", "check_secrets", "check_token_refresh"]


# -- errors ------------------------------------------------------------------------------------

_FINAL: Final[tuple[tuple[FaultKind, dict[str, Any], tuple[type[MarketplaceError], ...]], ...]] = (
    ("server_error", {"status": 503}, (ServerError,)),
    ("throttle", {}, (RateLimitError,)),
    ("timeout", {}, (RequestTimeoutError,)),
    ("connection_reset", {}, (MarketplaceTransportError,)),
    ("unexpected_status", {}, (ApiError, UnexpectedResponseError)),
    ("malformed_json", {}, (UnexpectedResponseError,)),
    ("bad_request", {"field": "title"}, (InvalidRequestError,)),
)


def _scenario(
    h: Harness,
    offers: list[Offer],
    kind: FaultKind,
    operation: str,
    options: dict[str, Any],
    allowed: tuple[type[MarketplaceError], ...],
) -> None:
    h.fake.clear_faults()
    h.fake.inject(kind, operation=operation, times=None, **options)
    mark = h.mark()
    try:
        results, error = h.attempt(h.adapter.upsert(offers))
    finally:
        h.fake.clear_faults()
    what = f"when every {operation} call meets a {kind} fault, upsert"
    if error is None:
        keys = [offer.key for offer in offers]
        checked = one_per_key(results, keys, "upsert")
        if not all(r.failed and r.issues for r in checked):
            fail(f"{what} reported {describe(checked, lambda r: not r.failed)} (not failed)")
        if kind == "bad_request" and not any(
            i.field and options["field"] in i.field for r in checked for i in r.issues
        ):
            fail(f"{what} returned issues that do not name the field the marketplace named")
        return
    if not isinstance(error, MarketplaceError):
        fail(
            f"{what} raised {type(error).__name__}: {error}; raise only xborder "
            f"MarketplaceError subclasses (UnexpectedResponseError for unreadable bodies) or "
            f"return failed ItemResults"
        )
    if not isinstance(error, allowed):
        names = " or ".join(cls.__name__ for cls in allowed)
        fail(f"{what} raised {type(error).__name__} ({error}); expected {names}")
    if error.marketplace != h.adapter.name:
        fail(f"{what} raised an error for marketplace {error.marketplace!r}")
    answered = [c for c in h.calls_since(mark) if c.operation == operation and c.status]
    header = h.fake.request_id_header
    traced = isinstance(error, ApiError) and answered and header and kind != "malformed_json"
    if traced and error.request_id != answered[-1].request_id:
        fail(
            f"{what} raised an error with request_id {error.request_id!r}; the fake sent "
            f"{answered[-1].request_id!r} in {header!r} (classify() should read it)"
        )
    if kind == "bad_request" and not any(options["field"] in e.field for e in error.field_errors):
        fail(
            f"{what} raised {type(error).__name__} without the field the marketplace named "
            f"({options['field']!r}): fill Classification.field_errors in classify()"
        )


def check_error_mapping(h: Harness) -> None:
    """Check that final failures become the right MarketplaceError or failed items."""
    offers = h.derive("e", min(len(h.offers), 2))
    mark = h.mark()
    results_ok(h.upsert(offers), "upsert")
    operation = h.write_operation(h.calls_since(mark))
    for kind, options, allowed in _FINAL:
        _scenario(h, offers, kind, operation, options, allowed)
    idempotent = any(r.operation == operation and r.is_idempotent for r in h.requests)
    for kind in ("throttle", "server_error"):
        h.fake.inject(kind, operation=operation, times=1)
        results, error = h.attempt(h.adapter.upsert(offers))
        h.fake.clear_faults()
        if idempotent and error is not None:
            fail(
                f"one {kind} on {operation} (marked idempotent) should be retried, "
                f"but upsert raised {type(error).__name__}: {error}"
            )
        if error is None:
            assert results is not None
            results_ok(results, f"upsert after one {kind}")


def check_token_refresh(h: Harness) -> None:
    """Check that an expired token is refreshed once and the call goes through."""
    if not h.adapter.token_providers():
        skip("the adapter has no token providers")
    offers = h.derive("r", 1)
    mark = h.mark()
    results_ok(h.upsert(offers), "upsert")
    calls = h.calls_since(mark)
    if not any(call.token_issued for call in calls):
        skip("the adapter got no token from the fake's token endpoint: its tokens are static")
    operation = h.write_operation(calls)
    fault = h.fake.inject("expired_token", operation=operation)
    mark = h.mark()
    results, error = h.attempt(h.adapter.upsert(offers))
    h.fake.clear_faults()
    if error is not None:
        kind = "AuthenticationError" if isinstance(error, AuthenticationError) else "an error"
        fail(
            f"after the fake answered one {operation} with its expired-token answer, upsert "
            f"raised {kind}: {error}; classify() must call that answer 'auth_expired' so the "
            f"client fetches a new token"
        )
    fetched = sum(1 for call in h.calls_since(mark) if call.token_issued)
    if fault.fired != 1 or fetched < 2:
        fail(f"expected a new token to be fetched after the expired one ({fetched} fetched)")
    assert results is not None
    results_ok(results, "upsert after a token refresh")


# -- secrets -----------------------------------------------------------------------------------


def _secrets_of(value: object, where: str) -> list[tuple[str, str]]:
    if isinstance(value, SecretStr):
        return [(where, value.get_secret_value())]
    if isinstance(value, SecretBytes):
        return [(where, value.get_secret_value().decode("utf-8", "replace"))]
    if isinstance(value, BaseModel):
        return [
            found
            for name in type(value).model_fields
            for found in _secrets_of(getattr(value, name), f"{where}.{name}")
        ]
    if isinstance(value, Mapping):
        return [f for k, v in value.items() for f in _secrets_of(v, f"{where}[{k!r}]")]
    if isinstance(value, list | tuple):
        return [f for i, v in enumerate(value) for f in _secrets_of(v, f"{where}[{i}]")]
    return []


def check_secrets(h: Harness) -> None:
    """Check that no credential shows in reprs, requests, results, errors, events, logs."""
    adapter = h.adapter
    offers = h.derive("s", 2)
    mark = h.mark()
    results_ok(h.upsert(offers), "upsert")
    h.status([offer.key for offer in offers])
    h.fake.inject("bad_request", operation=h.write_operation(h.calls_since(mark)))
    h.attempt(adapter.upsert(offers))
    h.fake.clear_faults()
    # The token endpoint failing: its error must hide the client secret too.
    for operation in {call.operation for call in h.fake.calls if call.token_issued}:
        h.fake.inject("server_error", operation=operation, times=None)
    h.attempt(adapter.upsert(offers))
    h.fake.clear_faults()
    h.texts += [
        ("repr() of the adapter", repr(adapter)),
        ("str() of the adapter", str(adapter)),
        ("repr() of the settings", repr(adapter.settings)),
        ("str() of the settings", str(adapter.settings)),
        ("the settings' JSON", adapter.settings.model_dump_json()),
        ("repr() of the capabilities", repr(adapter.capabilities)),
    ]
    for name, provider in adapter.token_providers().items():
        h.texts += [
            (f"repr() of token provider {name!r}", repr(provider)),
            (f"cache_key of token provider {name!r}", provider.cache_key),
        ]
    secrets = _secrets_of(adapter.settings, "settings") + [
        ("a token or client secret the fake saw", value) for value in h.fake.tokens.secrets
    ]
    secrets = [(label, value) for label, value in secrets if len(value) >= 6]
    if not secrets:
        skip("no secret to look for: the settings hold no SecretStr and the fake issued none")
    for where, text in h.texts:
        for label, value in secrets:
            if value in text:
                fail(f"{label} appears in {where} (the secret itself is not repeated here)")


def check_async_parity(h: Harness) -> None:
    """Check that AsyncClient gives the same results as Client."""
    count = min(len(h.offers), 3)
    sync_offers, async_offers = h.derive("y", count), h.derive("z", count)

    def shape(results: list[ItemResult]) -> list[tuple[str, str | None, tuple[str, ...]]]:
        return [(r.status, r.state, tuple(i.code for i in r.issues)) for r in results]

    expected = [shape(h.upsert(sync_offers)), shape(h.status([o.key for o in sync_offers]))]
    keys = [offer.key for offer in async_offers]
    upserted = one_per_key(h.run_async(h.adapter.upsert(async_offers)), keys, "upsert (async)")
    read = one_per_key(h.run_async(h.adapter.status(keys)), keys, "status (async)")
    got = [shape(upserted), shape(read)]
    if got != expected:
        fail(f"AsyncClient gave {got}, Client gave {expected} for the same offers")
