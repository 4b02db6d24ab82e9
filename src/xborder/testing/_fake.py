"""The base of every fake marketplace: an in-memory HTTP API behind :class:`httpx.MockTransport`.

A fake is a subclass of :class:`FakeMarketplace` whose methods are marked with
:func:`route`. The base does what every marketplace API does around them, so a subclass
only writes the marketplace's own behaviour:

* **routing** by method and path pattern (``/listings/{market}/{sku}``, ``{name:path}`` for
  the rest of a path; absolute URLs for other hosts such as a token endpoint), with 404 and
  405 answers in the marketplace's error shape;
* **state** in a :class:`~xborder.testing.Store` (SQLite, in memory or in a file) whose
  changes commit before each response returns, so a fake reopened on the same file after a
  client "crash" holds the same state;
* **counting**: every request is a :class:`Call` in :attr:`FakeMarketplace.calls`, with its
  operation, status, batch size and fault;
* **validation** with closed pydantic models (:class:`ClosedModel`: unknown fields refused)
  and batch limits, answered through overridable hooks in the marketplace's error shape;
* **tokens**: OAuth2 token endpoint helper issuing tokens that expire on the clock, and a
  check of every authenticated request against the tokens issued;
* **rate limits**: a token bucket per operation on the (fake) clock, answered through the
  marketplace's throttle hook;
* **faults** injected on request (:meth:`FakeMarketplace.inject`, see ``_faults``);
* **asynchronous jobs** (feeds, batch handles) that finish after some polls or seconds.

Fakes never open a socket: :meth:`FakeMarketplace.transport` is an
:class:`httpx.MockTransport` usable by :class:`httpx.Client` and :class:`httpx.AsyncClient`.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple, NoReturn, Self, TypeVar
from urllib.parse import parse_qsl, unquote

import httpx
from pydantic import BaseModel, ValidationError

from xborder.clock import Clock
from xborder.marketplaces._capabilities import RateLimit
from xborder.marketplaces._model import OfferKey
from xborder.testing._answers import Answers
from xborder.testing._clock import FakeClock
from xborder.testing._faults import Fault, FaultKind, take
from xborder.testing._jobs import Job, Jobs
from xborder.testing._routing import Call, Reject, Route
from xborder.testing._store import Store
from xborder.testing._tokens import Tokens

__all__ = ["FakeMarketplace", "RouteMatch"]

M = TypeVar("M", bound=BaseModel)


class RouteMatch(NamedTuple):
    """What a fake's routes make of one request (:meth:`FakeMarketplace.match`).

    ``route``: the route that answers it, or None; ``params``: the path parameters of that
    route, percent-decoded; ``allowed``: the methods of other routes with the same host and
    path (the fake answers 405 when ``route`` is None and this is not empty).
    """

    route: Route | None
    params: dict[str, str]
    allowed: list[str]

    @property
    def known(self) -> bool:
        """True when the fake has a route for the request's host and path (any method)."""
        return self.route is not None or bool(self.allowed)


class _Bucket:
    """A token bucket: ``burst`` requests at once, refilled at ``rate`` per second."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.rate = float(limit.rate)
        self.burst = float(limit.burst)
        self.tokens = self.burst
        self.stamp = now

    def take(self, now: float) -> float:
        """Take one token; return 0, or the seconds until one is available (none taken)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        # A client pacing itself on the same clock arrives exactly when a token is due;
        # float rounding must not turn that into a throttle.
        if self.tokens >= 1 - 1e-9:
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.rate


class FakeMarketplace(Answers):
    """Base of an in-memory marketplace API (see the module docs).

    Class attributes a subclass sets: ``name`` (the marketplace's registry name),
    ``base_url`` (relative route patterns hang below it), ``default_rate_limits`` (per
    operation, ``"*"`` for the others), ``batch_limits`` (per operation, enforced by
    :meth:`check_batch`), ``default_clients`` (OAuth client id → secret accepted by
    :meth:`oauth_token`; empty accepts any), ``token_lifetime`` (seconds), ``job_polls``
    (polls before a job finishes), ``request_id_header``, ``state_namespaces`` (the store
    namespaces that make up the marketplace's observable state, see :meth:`state`) and
    ``require_json_content_type``.

    Constructor arguments: ``clock`` (share one :class:`~xborder.testing.FakeClock` with the
    client, so throttling and token expiry follow its sleeps), ``persist_to`` (a SQLite file
    to keep the state in; reopened when it exists), ``rate_limits`` (replaces
    ``default_rate_limits``; ``{}`` turns limiting off), ``clients`` (replaces
    ``default_clients``), ``token_lifetime``.
    """

    name: ClassVar[str] = "fake"
    base_url: ClassVar[str] = "https://api.fake.example"
    default_rate_limits: ClassVar[Mapping[str, RateLimit]] = MappingProxyType({})
    batch_limits: ClassVar[Mapping[str, int]] = MappingProxyType({})
    default_clients: ClassVar[Mapping[str, str]] = MappingProxyType({})
    token_lifetime: ClassVar[float] = 3600.0
    job_polls: ClassVar[int] = 2
    request_id_header: ClassVar[str] = "x-request-id"
    state_namespaces: ClassVar[tuple[str, ...]] = ("listings",)
    require_json_content_type: ClassVar[bool] = True

    _routes: ClassVar[tuple[Route, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: list[Route] = []
        seen: set[str] = set()
        # Walk the MRO so a subclass inherits its parent's routes, and a method it
        # overrides (same name) replaces the parent's routes for that method.
        for klass in cls.__mro__:
            for attribute, value in vars(klass).items():
                if attribute in seen:
                    continue
                seen.add(attribute)
                found.extend(getattr(value, "_xborder_routes", ()))
        cls._routes = tuple(found)

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        persist_to: str | os.PathLike[str] | None = None,
        rate_limits: Mapping[str, RateLimit] | None = None,
        clients: Mapping[str, str] | None = None,
        token_lifetime: float | None = None,
    ) -> None:
        self.clock: Clock = clock if clock is not None else FakeClock()
        self.store = Store(persist_to, owner=self.name)
        self.rate_limits: Mapping[str, RateLimit] = MappingProxyType(
            dict(self.default_rate_limits if rate_limits is None else rate_limits)
        )
        self.clients: Mapping[str, str] = MappingProxyType(
            dict(self.default_clients if clients is None else clients)
        )
        self.lifetime = self.token_lifetime if token_lifetime is None else float(token_lifetime)
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self._buckets: dict[str, _Bucket] = {}
        self.tokens = Tokens(self.store, self.clock)
        self.jobs = Jobs(self.store, self.clock)
        self._lock = threading.RLock()
        self._compiled = [(r, *r.compile(self.base_url)) for r in self._routes]

    # -- HTTP -------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """Return a transport that answers every request from this fake (sync and async)."""
        return httpx.MockTransport(self.handle)

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """Return an :class:`httpx.Client` on :meth:`transport` (``kwargs`` go to it)."""
        return httpx.Client(transport=self.transport(), **kwargs)

    def async_http_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """Return an :class:`httpx.AsyncClient` on :meth:`transport`."""
        return httpx.AsyncClient(transport=self.transport(), **kwargs)

    def url(self, path: str) -> str:
        """Return the absolute URL of ``path`` under ``base_url``."""
        return self.base_url.rstrip("/") + path

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (the :class:`httpx.MockTransport` handler)."""
        with self._lock:
            route_, params, allowed = self.match(request)
            call = Call(
                request,
                route=route_,
                params=params,
                at=self.clock.now(),
                request_id=f"{self.name}-{len(self.calls) + 1:06d}",
            )
            self.calls.append(call)
            try:
                response = self._answer(call, allowed)
            except httpx.TransportError as exc:
                call.error = type(exc).__name__
                raise
            call.status = response.status_code
            if self.request_id_header and self.request_id_header not in response.headers:
                response.headers[self.request_id_header] = call.request_id
            return response

    def match(self, request: httpx.Request) -> RouteMatch:
        """Return the route that would answer ``request``, without answering or counting it.

        For a transport that puts several fakes behind one client: send a request to the
        fake whose match is :attr:`RouteMatch.known` (``xborder.jobs._fakes.transport``).
        """
        host = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        # Match the raw (still percent-encoded) path, so "%2F" inside a SKU stays in its
        # segment; decode the parameters afterwards.
        path = request.url.raw_path.decode("ascii").partition("?")[0]
        allowed: list[str] = []
        for spec, spec_host, regex in self._compiled:
            match = regex.fullmatch(path) if spec_host == host else None
            if match is None:
                continue
            if spec.method != request.method:
                allowed.append(spec.method)
                continue
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            return RouteMatch(spec, params, allowed)
        return RouteMatch(None, {}, allowed)

    def _answer(self, call: Call, allowed: list[str]) -> httpx.Response:
        spec = call.route
        if spec is None:
            if allowed:
                return self.error_response(
                    405,
                    "method_not_allowed",
                    f"{call.method} not allowed; use {', '.join(allowed)}",
                )
            return self.error_response(404, "not_found", f"no such resource: {call.path}")
        fault = take(self.faults, call.operation, lambda f: _applies(f, spec))
        call.fault = fault
        if fault is not None and fault.before:
            return self._fault_answer(call, fault)
        if fault is not None and fault.kind == "expired_token":
            token = self.token_from(call)
            if token is not None:
                self.tokens.expire(token)
            return self.auth_error_response(call, "expired")
        if spec.auth:
            problem = self.tokens.check(self.token_from(call))
            if problem is not None:
                return self.auth_error_response(call, problem)
        if spec.limited:
            wait = self._throttle(call.operation)
            if wait:
                return self.throttle_response(call, wait)
        try:
            with self.store.transaction():
                response: httpx.Response = getattr(self, spec.handler)(call, **call.params)
        except Reject as reject:
            response = reject.response
        if fault is not None:
            return self._fault_after(call, fault, response)
        return response

    def _fault_answer(self, call: Call, fault: Fault) -> httpx.Response:
        kind = fault.kind
        if kind == "throttle":
            return self.throttle_response(call, fault.retry_after)
        if kind == "server_error":
            return self.server_error_response(call, fault.status or 500)
        if kind == "timeout":
            raise httpx.ReadTimeout("timed out (fault injected by the fake)", request=call.request)
        if kind == "connection_reset":
            if fault.connect:
                raise httpx.ConnectError(
                    "connection refused (fault injected by the fake)", request=call.request
                )
            raise httpx.RemoteProtocolError(
                "server disconnected without sending a response (fault injected by the fake)",
                request=call.request,
            )
        if kind == "bad_request":
            return self.error_response(
                400, "invalid_field", f"{fault.field}: value refused", field=fault.field
            )
        return self.unexpected_status_response(call, fault.status or 418)

    def _fault_after(self, call: Call, fault: Fault, response: httpx.Response) -> httpx.Response:
        if fault.kind == "malformed_json":
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            content = response.content
            return httpx.Response(
                response.status_code, headers=headers, content=content[: len(content) // 2]
            )
        if fault.processed:
            return self._fault_answer(call, fault)
        return response

    def _throttle(self, operation: str) -> float:
        limit = self.rate_limits.get(operation) or self.rate_limits.get("*")
        if limit is None:
            return 0.0
        now = self.clock.monotonic()
        bucket = self._buckets.get(operation)
        if bucket is None:
            bucket = self._buckets[operation] = _Bucket(limit, now)
        return bucket.take(now)

    # -- faults and counts ------------------------------------------------------------------

    def inject(
        self,
        kind: FaultKind,
        *,
        operation: str | None = None,
        times: int | None = 1,
        after: int = 0,
        status: int | None = None,
        retry_after: float | None = 1.0,
        processed: bool = False,
        connect: bool = False,
        every: int = 2,
        field: str = "title",
    ) -> Fault:
        """Inject a fault (see ``xborder.testing._faults`` for the kinds) and return it.

        The fault lets ``after`` matching requests through, then hits the next ``times``
        (``None``: every one) requests of ``operation`` (``None``: any operation the kind
        applies to). Options: ``status`` (server_error, unexpected_status), ``retry_after``
        (throttle; ``None`` sends no delay), ``processed`` (server_error, timeout,
        connection_reset: apply the request, then lose the answer), ``connect``
        (connection_reset before the request arrives), ``every`` (partial_batch: fail
        items whose index is a multiple of it), ``field`` (bad_request).
        """
        if operation is not None and operation not in {r.operation for r in self._routes}:
            known = ", ".join(sorted({r.operation for r in self._routes}))
            raise ValueError(f"{self.name}: no route has operation {operation!r} (known: {known})")
        fault = Fault(
            kind,
            operation=operation,
            times=times,
            after=after,
            status=status,
            retry_after=retry_after,
            processed=processed,
            connect=connect,
            every=every,
            field=field,
        )
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self.faults.clear()

    def count(self, operation: str | None = None, *, status: int | None = None) -> int:
        """Return how many requests (of ``operation``, answered with ``status``) arrived."""
        return sum(
            1
            for call in self.calls
            if (operation is None or call.operation == operation)
            and (status is None or call.status == status)
        )

    def counts(self) -> Counter[str]:
        """Return the number of requests per operation."""
        return Counter(call.operation for call in self.calls)

    def reset_calls(self) -> None:
        """Forget the requests counted so far (state, tokens and faults stay)."""
        with self._lock:
            self.calls.clear()

    @property
    def routes(self) -> tuple[Route, ...]:
        """The fake's routes, in definition order (a subclass's first)."""
        return self._routes

    @property
    def operations(self) -> list[str]:
        """The operations of the fake's routes, in definition order."""
        return list(dict.fromkeys(r.operation for r in self._routes))

    @property
    def batch_operations(self) -> list[str]:
        """The operations of the routes marked ``batch=True``."""
        return list(dict.fromkeys(r.operation for r in self._routes if r.batch))

    # -- state ------------------------------------------------------------------------------

    def state(self) -> dict[str, dict[str, Any]]:
        """Return the records of ``state_namespaces``: what the marketplace holds now.

        The conformance kit compares it before and after repeating a write, so a fake
        should leave it unchanged when a write repeats what it holds (or override this to
        leave out fields that change on every write, such as timestamps).
        """
        return self.store.snapshot(self.state_namespaces)

    def force_unknown_state(self, key: OfferKey) -> bool:
        """Make the item ``key`` report a state value the adapter cannot know yet.

        Marketplaces add enum values without notice; adapters must tolerate them. A
        subclass stores a future value (``"archived"``) for ``key`` and returns True; the
        base returns False (the conformance kit then skips its check).
        """
        return False

    def now(self) -> datetime:
        """Return the fake's current time."""
        return self.clock.now()

    def close(self) -> None:
        """Close the store (a file keeps everything committed)."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f", persist_to={str(self.store.path)!r}" if self.store.path else ""
        return f"{type(self).__name__}(name={self.name!r}{where})"

    # -- request bodies ---------------------------------------------------------------------

    def body(self, call: Call) -> Any:
        """Return the JSON body of ``call``; reject a wrong content type or malformed JSON."""
        self._require_content_type(call, "application/json")
        try:
            return json.loads(call.content)
        except ValueError as exc:
            raise Reject(self.malformed_body_response(call, str(exc))) from None

    def parse(self, call: Call, model: type[M]) -> M:
        """Validate the JSON body of ``call`` with ``model``; reject it as the API would.

        Errors are answered by :meth:`validation_error_response` (or
        :meth:`malformed_body_response` for text that is not JSON).
        """
        self._require_content_type(call, "application/json")
        try:
            return model.model_validate_json(call.content)
        except ValidationError as exc:
            if any(error["type"] == "json_invalid" for error in exc.errors()):
                raise Reject(self.malformed_body_response(call, "body is not valid JSON")) from None
            raise Reject(self.validation_error_response(call, exc)) from None

    def form(self, call: Call) -> dict[str, str]:
        """Return the form-encoded body of ``call`` (``application/x-www-form-urlencoded``)."""
        self._require_content_type(call, "application/x-www-form-urlencoded", always=True)
        try:
            text = call.content.decode("utf-8")
        except UnicodeDecodeError:
            raise Reject(self.malformed_body_response(call, "body is not UTF-8")) from None
        return dict(parse_qsl(text, keep_blank_values=True))

    def _require_content_type(self, call: Call, expected: str, *, always: bool = False) -> None:
        if not (always or self.require_json_content_type):
            return
        given = call.headers.get("content-type", "").partition(";")[0].strip().lower()
        if given != expected:
            raise Reject(
                self.error_response(
                    415,
                    "unsupported_media_type",
                    f"Content-Type must be {expected}, got {given or 'none'}",
                )
            )

    def check_batch(self, call: Call, items: Sequence[Any], *, limit: int | None = None) -> None:
        """Count ``items`` as the batch of ``call``; reject it past the batch limit.

        ``limit`` defaults to ``batch_limits[call.operation]``; the answer comes from
        :meth:`batch_limit_response`.
        """
        call.items = len(items)
        limit = self.batch_limits.get(call.operation) if limit is None else limit
        if limit is not None and len(items) > limit:
            raise Reject(self.batch_limit_response(call, len(items), limit))

    def reject(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> NoReturn:
        """Answer at once with :meth:`error_response` (the request's writes roll back)."""
        raise Reject(self.error_response(status, code, message, field=field, headers=headers))

    # -- tokens -----------------------------------------------------------------------------

    def issue_token(
        self, *, client_id: str = "", scope: str = "", lifetime: float | None = None
    ) -> str:
        """Issue an access token valid ``lifetime`` seconds on the clock (``token_lifetime``)."""
        lifetime = self.lifetime if lifetime is None else lifetime
        return self.tokens.issue(lifetime=lifetime, client_id=client_id, scope=scope)

    def oauth_token(
        self, call: Call, *, grant_types: Sequence[str] = ("client_credentials", "refresh_token")
    ) -> httpx.Response:
        """Answer an OAuth2 token request (RFC 6749 §4.4 and §6) with a new access token.

        Client credentials come from HTTP Basic auth or the form (``client_id``,
        ``client_secret``) and must match ``clients`` (any, when it is empty). A refresh
        grant needs a refresh token given to ``tokens.add_refresh``. Errors use
        :meth:`token_error_response`.
        """
        form = self.form(call)
        client_id, secret = _basic_auth(call) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        self.tokens.remember(secret)
        grant = form.get("grant_type", "")
        refused: tuple[int, str, str] | None = None
        if grant not in grant_types:
            refused = (400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
        elif (
            not client_id or not secret or (self.clients and self.clients.get(client_id) != secret)
        ):
            refused = (401, "invalid_client", "client authentication failed")
        elif grant == "refresh_token" and not self.tokens.refresh_ok(
            form.get("refresh_token", ""), client_id
        ):
            refused = (400, "invalid_grant", "refresh token refused")
        if refused is not None:
            raise Reject(self.token_error_response(call, *refused))
        scope = form.get("scope", "")
        call.token_issued = True
        body: dict[str, Any] = {
            "access_token": self.issue_token(client_id=client_id, scope=scope),
            "token_type": "Bearer",
            "expires_in": int(self.lifetime),
        }
        if scope:
            body["scope"] = scope
        return httpx.Response(200, json=body, headers={"cache-control": "no-store"})

    # -- asynchronous jobs ------------------------------------------------------------------

    def start_job(
        self,
        call: Call,
        kind: str,
        payload: Any,
        *,
        polls: int | None = None,
        seconds: float | None = None,
        job_id: str | None = None,
    ) -> Job:
        """Start an asynchronous job for ``call`` and store it.

        It finishes on its ``polls``-th :meth:`poll_job` or ``seconds`` after now on the
        clock, whichever comes first (default: ``job_polls`` polls); a ``never_finishes``
        fault on ``call``'s operation keeps it running for good.
        """
        never = take(self.faults, call.operation, lambda f: f.kind == "never_finishes")
        if polls is None and seconds is None:
            polls = self.job_polls
        return self.jobs.start(
            kind, payload, polls=polls, seconds=seconds, job_id=job_id, never=never is not None
        )

    def poll_job(self, job_id: str) -> Job | None:
        """Count one poll of ``job_id`` and finish it when due; return it (None: unknown).

        A job that is due gets its result from :meth:`complete_job`, once.
        """
        return self.jobs.poll(job_id, self.complete_job)

    def complete_job(self, job: Job) -> Any:
        """Apply a finished job's effect to the state and return its result (JSON).

        Called once, inside the request that found the job due. The base returns None.
        """
        return None


def _applies(fault: Fault, spec: Route) -> bool:
    """Whether ``fault`` can hit a request of route ``spec`` (job faults hit later)."""
    if fault.kind == "never_finishes":
        return False
    if fault.kind == "expired_token":
        return spec.auth
    if fault.kind == "partial_batch":
        return spec.batch
    return True


def _basic_auth(call: Call) -> tuple[str, str] | None:
    scheme, _, value = call.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except ValueError:
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None
