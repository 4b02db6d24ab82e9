"""The fault matrix harness: a 500-item sync against each fake marketplace, under one fault.

For a marketplace (eBay, Amazon, Meta) and a fault scenario, :func:`run_cell` builds a
500-listing catalog, one :class:`~xborder.jobs.Target` on that marketplace's fake (adapters
with canary credentials), injects the fault into the fake, runs the job on a
:class:`~xborder.testing.FakeClock`, and accounts for every item: confirmed (``ok``),
``failed`` with a reason, ``pending`` (accepted, confirmation outstanding, with its handle),
``duplicated`` (more than one remote object for its key) or ``lost`` (no result, or a
result the fake contradicts). A second run with the fault cleared must then bring every
item to ``ok`` without a duplicate. Both runs are checked against bounds computed from the
marketplace's :class:`~xborder.marketplaces.Capabilities` and the client's
:class:`~xborder.client.RetryPolicy` (see :func:`bounds`).

Every scenario also collects every text a secret could leak into (log records of every
logger at DEBUG, the reports, every row of every table of the state store, client events,
progress events, exceptions, reprs) so the tests can look for the canary credentials.

Used by tests/reliability/test_fault_matrix.py and scripts/fault_matrix.py.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
from pydantic import SecretStr

from jobs._support import (
    CLIENT_ID,
    CLIENT_SECRET,
    ON,
    REFRESH_TOKEN,
    START,
    catalog,
    ebay_settings,
    fake_ebay,
    rates,
    seller,
)
from xborder.client import RetryPolicy
from xborder.jobs import Shard, SQLiteStateStore, SyncJob, SyncReport, Target
from xborder.jobs._fakes import transport
from xborder.marketplaces import Adapter, Capabilities
from xborder.marketplaces.amazon import AmazonAdapter, AmazonSettings
from xborder.marketplaces.ebay import EbayAdapter
from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings
from xborder.testing import FakeClock, FakeMarketplace
from xborder.testing.amazon import FakeAmazon
from xborder.testing.ebay import FakeEbay
from xborder.testing.facebook import FakeFacebookCatalog

ITEMS: Final = 500
MARKETPLACES: Final = ("ebay", "amazon", "facebook")
#: One market each, so 500 listings are 500 items (Meta's must be its base market).
MARKET: Final = {"ebay": "DE", "amazon": "DE", "facebook": "GB"}

# Canary credentials: unique strings that must never show up anywhere but in the request
# that needs them (the fakes' token endpoints). eBay's come from tests/jobs/_support.py.
AMAZON_SECRET: Final = "amzn1.oa2-cs.v1.canary-matrix-7c41"
AMAZON_REFRESH: Final = "Atzr|canary-matrix-refresh-5e9d"
AMAZON_SELLER: Final = "A1MATRIXCANARY"
META_TOKEN: Final = "EAAB-canary-matrix-system-user-token-82fa"
META_CATALOG: Final = "9876543210123456"
CANARIES: Final = (CLIENT_SECRET, REFRESH_TOKEN, AMAZON_SECRET, AMAZON_REFRESH, META_TOKEN)

#: A seeded policy: the jitter, hence the simulated time, is the same on every run.
POLICY: Final = RetryPolicy(seed=10)

#: The wire operation that carries each marketplace's items (the fault's target): eBay's
#: middle step (inventory items exist, offers not yet), Amazon's feed, Meta's batch.
WRITE_OP: Final = {"ebay": "bulk_create_offer", "amazon": "create_feed", "facebook": "items_batch"}
#: Requests of the faulted operation let through before a "mid-run" fault: half of eBay's
#: 20 offer batches; Amazon and Meta send their 500 items in one batch (one feed, one
#: items_batch), so the fault hits that one.
MID_RUN: Final = {"ebay": 10, "amazon": 0, "facebook": 0}
#: The same for a fault on any request: half of eBay's 60 bulk calls; Amazon: after the
#: feed document was created, uploaded and the feed created (so while polling); Meta: after
#: the batch was sent (while polling).
MID_RUN_ANY: Final = {"ebay": 30, "amazon": 4, "facebook": 1}


@dataclass(frozen=True)
class Scenario:
    """One fault: its kind and options, and where it applies.

    ``operation`` is None for the marketplace's :data:`WRITE_OP`, ``"*"`` for any request;
    ``mid_run`` lets :data:`MID_RUN` requests through first; ``asynchronous``: only for
    marketplaces whose writes are asynchronous batches (``Capabilities.asynchronous``).
    """

    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    operation: str | None = None
    mid_run: bool = True
    asynchronous: bool = False
    note: str = ""


SCENARIOS: Final = (
    Scenario("throttled", "throttle", {"times": 3}, note="each marketplace's own throttle"),
    Scenario("5xx burst", "server_error", {"times": 3, "status": 503}),
    Scenario("timeouts", "timeout", {"times": 2, "processed": True}),
    Scenario("connection reset", "connection_reset", {"times": 2}),
    Scenario("malformed JSON", "malformed_json", {"times": 1}),
    Scenario("unexpected status", "unexpected_status", {"times": 1}),
    Scenario("expired token", "expired_token", {"times": 1}, operation="*"),
    Scenario("bad request", "bad_request", {"times": 1}),
    Scenario("partial batch", "partial_batch", {"times": 1, "every": 3}),
    Scenario(
        "async batch fails",
        "partial_batch",
        {"times": 1, "every": 1},
        mid_run=False,
        asynchronous=True,
        note="the asynchronous job refuses every item",
    ),
    Scenario("never finishes", "never_finishes", {"times": 1}, mid_run=False, asynchronous=True),
)
SCENARIO_NAMES: Final = tuple(s.name for s in SCENARIOS)


def scenario(name: str) -> Scenario:
    """Return the scenario called ``name``."""
    return next(s for s in SCENARIOS if s.name == name)


# -- the world ---------------------------------------------------------------------------------


def _ebay(clock: FakeClock) -> tuple[Adapter, FakeMarketplace]:
    return EbayAdapter(ebay_settings()), fake_ebay(clock)


def _amazon(clock: FakeClock) -> tuple[Adapter, FakeMarketplace]:
    fake = FakeAmazon(clock=clock, clients={CLIENT_ID: AMAZON_SECRET})
    fake.add_seller(AMAZON_REFRESH, seller_id=AMAZON_SELLER, client_id=CLIENT_ID)
    settings = AmazonSettings(
        client_id=CLIENT_ID,
        client_secret=SecretStr(AMAZON_SECRET),
        refresh_token=SecretStr(AMAZON_REFRESH),
        seller_id=AMAZON_SELLER,
        default_product_type="DRINKING_CUP",
        gpsr_safety_attestation=True,
    )
    return AmazonAdapter(settings), fake


def _facebook(clock: FakeClock) -> tuple[Adapter, FakeMarketplace]:
    fake = FakeFacebookCatalog(clock=clock, catalog_id=META_CATALOG, access_token=META_TOKEN)
    settings = FacebookSettings(
        catalog_id=META_CATALOG, access_token=SecretStr(META_TOKEN), base_market="GB"
    )
    return FacebookAdapter(settings), fake


_BUILD: Final[dict[str, Callable[[FakeClock], tuple[Adapter, FakeMarketplace]]]] = {
    "ebay": _ebay,
    "amazon": _amazon,
    "facebook": _facebook,
}


def applies(marketplace: str, case: Scenario, capabilities: Capabilities) -> str | None:
    """Return why ``case`` does not apply to ``marketplace`` (None when it does)."""
    if case.asynchronous and not capabilities.asynchronous:
        return f"{marketplace} has no asynchronous batch: every write is answered in its call"
    return None


# -- the bounds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """The most HTTP calls and simulated seconds one run may take, and how they were found."""

    calls: int
    seconds: float
    formula: str


def _batches(capabilities: Capabilities, items: int) -> int:
    limit = capabilities.batch_limit("upsert") or 1
    return math.ceil(items / limit)


def bounds(
    marketplace: str, adapter: Adapter, items: int, policy: RetryPolicy, faults: int
) -> Bounds:
    """Return the bounds of one sync run of ``items`` new items, ``faults`` injected answers.

    With ``B = ceil(items / batch_limits["upsert"])`` batches, ``S`` wire steps per batch
    and ``P`` status polls per batch (the adapter's own poll limit), the calls the protocol
    needs are ``L = B * (S + P)``. Each may be tried ``A = policy.max_attempts`` times. A
    faulted answer may lose what one batch did, so its items are looked up again, one call
    per ``batch_limits["status"]`` items (eBay's offer lookup, Amazon's listing reads,
    Meta's product reads). One token call, plus one per fault (an expired token):

        calls   <= A * (L + F * ceil(batch / status_limit)) + 1 + F

    Simulated time is what the client may wait: pacing by each operation's rate limit for
    ``A`` times its calls (``(A * n - burst) / rate``; Amazon's getFeed bucket paces the feed
    polls at ``feed_poll_interval``), plus one retry wait per fault, each at most
    ``W = max(max_retry_after, backoff_max)`` (a longer ``Retry-After`` is not waited for):

        seconds <= pacing + F * W
    """
    caps = adapter.capabilities
    attempts = policy.max_attempts
    batch = min(items, caps.batch_limit("upsert") or 1)
    status_limit = caps.batch_limit("status") or 1
    batches = _batches(caps, items)
    wait = max(policy.max_retry_after, policy.backoff_max)
    settings: Any = adapter.settings
    if marketplace == "ebay":
        # inventory items, offers, publish: three calls a batch (docs/jobs.md, the report).
        steps, polls = 3, 0
        ops = {
            "bulk_create_or_replace_inventory_item": batches,
            "bulk_create_offer": batches,
            "bulk_publish_offer": batches,
        }
    elif marketplace == "amazon":
        # a feed: create the document, upload it, create the feed, then its report:
        # getFeedDocument and the download; up to feed_max_polls getFeed polls.
        steps, polls = 5, int(settings.feed_max_polls)
        ops = {"create_feed_document": batches, "create_feed": batches, "get_feed": polls}
    else:
        # one items_batch a batch, its handle polled up to poll_attempts times.
        steps, polls = 1, int(settings.poll_attempts)
        ops = {"items_batch": batches, "check_batch_request_status": batches * polls}
    pacing = 0.0
    for operation, count in ops.items():
        limit = caps.rate_limit(operation)
        if limit is not None:
            pacing += max(0, count * attempts - limit.burst) / limit.rate
    logical = batches * (steps + polls)
    lookups = faults * math.ceil(batch / status_limit)
    calls = attempts * (logical + lookups) + 1 + faults
    seconds = pacing + faults * wait
    formula = (
        f"calls <= A{attempts} x (L {batches}x({steps}+{polls}) + F{faults} x "
        f"ceil({batch}/{status_limit})) + 1 + F = {calls}; "
        f"seconds <= pacing {pacing:.0f} + F{faults} x W{wait:.0f} = {seconds:.0f}"
    )
    return Bounds(calls, seconds, formula)


# -- the outcome ---------------------------------------------------------------------------------


@dataclass
class RunOutcome:
    """What became of every item after one run, and what the run cost."""

    ok: int = 0
    failed: int = 0
    pending: int = 0
    duplicated: int = 0
    lost: int = 0
    calls: int = 0
    retries: int = 0
    seconds: float = 0.0
    bounds: Bounds | None = None
    failed_without_reason: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def within_bounds(self) -> bool:
        """Whether the calls and simulated seconds stayed within the bounds."""
        assert self.bounds is not None
        return self.calls <= self.bounds.calls and self.seconds <= self.bounds.seconds

    @property
    def sound(self) -> bool:
        """No item duplicated or lost, every failure with a reason, the bounds kept."""
        return (
            not self.duplicated
            and not self.lost
            and not self.failed_without_reason
            and not self.problems
            and self.within_bounds
        )

    def cell(self) -> str:
        """Return the outcome as a short matrix cell."""
        text = f"{self.ok}/{self.failed}"
        if self.pending:
            text += f"/p{self.pending}"
        return text + f" d{self.duplicated} l{self.lost} {self.calls}c {self.seconds:.0f}s"


@dataclass
class CellOutcome:
    """A scenario on one marketplace: the faulted run and the run after the fault cleared."""

    marketplace: str
    scenario: Scenario
    skipped: str | None = None
    first: RunOutcome = field(default_factory=RunOutcome)
    second: RunOutcome | None = None
    fired: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()
    skus: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        """Both runs sound, the fault fired, and the second run confirmed every item."""
        if self.skipped:
            return True
        second = self.second
        return (
            self.fired > 0
            and self.first.sound
            and second is not None
            and second.sound
            and second.ok == len(self.skus)
        )


def remote_counts(marketplace: str, fake: FakeMarketplace) -> Counter[str]:
    """Return, per catalog SKU, how many remote objects the fake holds for it."""
    counts: Counter[str] = Counter()
    if marketplace == "ebay":
        assert isinstance(fake, FakeEbay)
        market = MARKET["ebay"]
        for offer in fake.offers():
            counts[str(offer["sku"]).removesuffix(f"-{market}")] += 1
    elif marketplace == "amazon":
        for key in fake.state()["listings"]:
            counts[key.rsplit("/", 1)[-1]] += 1
    else:
        for record in fake.state()["items"].values():
            counts[str(record["fields"]["id"])] += 1
    return counts


def account(
    marketplace: str,
    fake: FakeMarketplace,
    store: SQLiteStateStore,
    report: SyncReport | None,
    skus: list[str],
) -> RunOutcome:
    """Classify every item of ``skus`` from the state store, the report and the fake."""
    outcome = RunOutcome()
    rows = {row.key.sku: row for row in store.select(marketplace, Shard(0, 1))}
    remote = remote_counts(marketplace, fake)
    notes: dict[str, tuple[str, ...]] = {}
    if report is not None and marketplace in report.targets:
        notes = {n.key.sku: n.reasons for n in report.target(marketplace).notes}
    for sku in skus:
        row = rows.get(sku)
        if remote[sku] > 1:
            outcome.duplicated += 1
        elif row is None:
            outcome.lost += 1  # no result: neither stored nor reported
        elif row.status == "ok":
            if remote[sku] == 1 and row.listed:
                outcome.ok += 1
            else:
                outcome.lost += 1  # reported ok, absent from the marketplace
        elif row.status == "failed":
            outcome.failed += 1
            reasons = [row.last_error] if row.last_error else list(notes.get(sku, ()))
            if not reasons or not all(r.strip() for r in reasons):
                outcome.failed_without_reason.append(sku)
            else:
                outcome.reasons[reasons[0][:60]] += 1
        elif row.status == "pending":
            if row.pending:
                outcome.pending += 1
            else:
                outcome.lost += 1  # pending on nothing: never confirmed
        else:
            outcome.problems.append(f"{sku}: unknown status {row.status!r}")
    return outcome


# -- capturing every text a secret could reach ----------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        # The formatted line, its exception, and the raw fields (extras included).
        self.lines.append(self.format(record))
        self.lines.append(repr(record.__dict__))


@contextmanager
def all_logs() -> Iterator[list[str]]:
    """Collect every record of every logger, at DEBUG, while the block runs."""
    root = logging.getLogger()
    handler = _Collect()
    level = root.level
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = [lg.level for lg in loggers]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for lg, old in zip(loggers, levels, strict=True):
            lg.setLevel(old)


def dump_tables(path: Path) -> str:
    """Return every row of every table of the SQLite file at ``path`` as text."""
    with sqlite3.connect(path) as db:
        lines = []
        tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for (table,) in tables:
            lines += [f"{table}: {row!r}" for row in db.execute(f'SELECT * FROM "{table}"')]
    db.close()
    return "\n".join(lines)


# -- one cell -------------------------------------------------------------------------------------


def _inject(fake: FakeMarketplace, marketplace: str, case: Scenario) -> Any:
    operation = WRITE_OP[marketplace] if case.operation is None else case.operation
    after = (MID_RUN_ANY if operation == "*" else MID_RUN)[marketplace]
    return fake.inject(
        case.kind,  # type: ignore[arg-type]
        operation=None if operation == "*" else operation,
        after=after if case.mid_run else 0,
        **case.options,
    )


def _failed_calls(fake: FakeMarketplace) -> int:
    return sum(1 for call in fake.calls if call.fault is not None)


def run_cell(
    marketplace: str,
    name: str,
    folder: Path,
    *,
    items: int = ITEMS,
    tamper: Callable[[FakeMarketplace], None] | None = None,
) -> CellOutcome:
    """Run scenario ``name`` on ``marketplace``'s fake (files in ``folder``); see the module.

    ``tamper`` is called with the fake after each run, before the items are accounted for
    (the harness's own tests use it to plant a duplicate, a loss or a leak).
    """
    case = scenario(name)
    clock = FakeClock(START)
    adapter, fake = _BUILD[marketplace](clock)
    cell = CellOutcome(marketplace, case)
    skipped = applies(marketplace, case, adapter.capabilities)
    if skipped:
        fake.close()
        cell.skipped = skipped
        return cell
    times = case.options.get("times")
    assert isinstance(times, int), "a scenario's fault fires a known number of times"
    listings = catalog(items)
    skus = cell.skus = [listing.sku for listing in listings]
    path = folder / f"state-{marketplace}.sqlite"
    store = SQLiteStateStore(path)
    http = httpx.Client(transport=transport([fake]))
    target = Target(adapter, [MARKET[marketplace]])
    events: list[str] = []
    texts: dict[str, str] = {}
    job = SyncJob(
        listings,
        [target],
        rates=rates(),
        seller=seller(),
        state=store,
        clock=clock,
        http=http,
        retry=POLICY,
        on=ON,
        on_event=lambda event: events.append(repr(event)),
        on_progress=lambda event: events.append(f"{event!r} {event}"),
    )
    fault = _inject(fake, marketplace, case)
    try:
        with all_logs() as logs:
            for label in ("first", "second"):
                if label == "second":
                    fake.clear_faults()
                    if isinstance(fake, FakeFacebookCatalog) and case.kind == "expired_token":
                        # Meta's system-user tokens are not refreshed by a client: the
                        # seller issues a new one (the same canary value, made valid again).
                        fake.add_token(META_TOKEN)
                    # Past any retry_after a failure asked for, and past the day after
                    # which a write still unknown to the marketplace is sent again.
                    clock.advance(24 * 3600 + 1)
                fake.reset_calls()
                started = clock.monotonic()
                report: SyncReport | None = None
                try:
                    report = job.run()
                except Exception as exc:  # any escape is recorded, and fails the cell
                    texts[f"{label} exception"] = (
                        f"{exc}\n{exc!r}\n{''.join(traceback.format_exception(exc))}"
                    )
                if tamper is not None:
                    tamper(fake)
                outcome = account(marketplace, fake, store, report, skus)
                outcome.calls = len(fake.calls)
                outcome.retries = _failed_calls(fake)
                outcome.seconds = clock.monotonic() - started
                # The second run has no fault, but may look up the first run's lost batches.
                outcome.bounds = bounds(marketplace, adapter, items, POLICY, times)
                if report is None:
                    outcome.problems.append(f"{label} run raised: {texts[f'{label} exception']}")
                else:
                    texts[f"{label} report"] = (
                        report.to_json() + "\n" + report.summary() + "\n" + str(report)
                    )
                if label == "first":
                    cell.first = outcome
                    cell.fired = fault.fired
                else:
                    cell.second = outcome
        texts["logs"] = "\n".join(logs)
        texts["events"] = "\n".join(events)
        texts["reprs"] = "\n".join(
            repr(x) for x in (job, target, adapter, adapter.settings, store, fake, fault)
        )
    finally:
        job.close()
        http.close()
        store.close()
        cell.secrets = frozenset(fake.tokens.secrets) | frozenset(CANARIES)
        fake.close()
    texts["state store"] = dump_tables(path)
    cell.texts = texts
    return cell


def leaks(cell: CellOutcome) -> list[str]:
    """Return where a canary secret appears in the texts ``cell`` collected (never which)."""
    return [
        f"{where} holds a secret"
        for where, text in cell.texts.items()
        if any(secret in text for secret in cell.secrets)
    ]
