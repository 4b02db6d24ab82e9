"""Helpers for testing code that uses xborder, and for testing marketplace adapters.

* :class:`FakeClock`: a clock that never sleeps, for clients, rate limiters and pollers.
* :class:`FakeMarketplace`: the base of in-memory marketplace APIs served through
  :class:`httpx.MockTransport` (no sockets): routes (:func:`route`), state in a
  :class:`Store` (SQLite, optionally a file that outlives the process), validation with
  :class:`ClosedModel`, batch and rate limits, OAuth tokens, asynchronous jobs
  (:class:`Job`), and injected faults (:meth:`FakeMarketplace.inject`, :class:`Fault`);
  :meth:`FakeMarketplace.match` (a :class:`RouteMatch`) tells which route would answer a
  request, to put several fakes behind one transport.
* :func:`check_adapter` and :class:`AdapterConformance`: the conformance kit every adapter
  passes against its fake (see docs/testing.md).
"""

from __future__ import annotations

from xborder.testing._clock import FakeClock
from xborder.testing._crash import CRASH_EXIT_CODE, CrashAfter
from xborder.testing._fake import FakeMarketplace, RouteMatch
from xborder.testing._faults import FAULT_KINDS, Fault, FaultKind
from xborder.testing._jobs import Job
from xborder.testing._routing import Call, ClosedModel, Reject, Route, field_path, route
from xborder.testing._store import Store
from xborder.testing._tokens import AuthProblem
from xborder.testing.conformance import (
    AdapterConformance,
    CheckResult,
    ConformanceError,
    ConformanceReport,
    check_adapter,
    run_check,
)

__all__ = [
    "CRASH_EXIT_CODE",
    "FAULT_KINDS",
    "AdapterConformance",
    "AuthProblem",
    "Call",
    "CheckResult",
    "ClosedModel",
    "ConformanceError",
    "ConformanceReport",
    "CrashAfter",
    "FakeClock",
    "FakeMarketplace",
    "Fault",
    "FaultKind",
    "Job",
    "Reject",
    "Route",
    "RouteMatch",
    "Store",
    "check_adapter",
    "field_path",
    "route",
    "run_check",
]
