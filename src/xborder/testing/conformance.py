"""The adapter conformance kit: what every marketplace adapter must do, checked on its fake.

Run it in one of two ways (docs/testing.md shows both in full):

* as a **pytest base class**: subclass :class:`AdapterConformance` in a test module and give
  three fixtures, ``adapter``, ``fake`` (a :class:`~xborder.testing.FakeMarketplace` on the
  same clock the kit should use) and ``offers`` (one or more offers prepared for the adapter's
  channel). Every check becomes one test, ``test_<check>``; fixtures are fresh per test.

  ::

      class TestBazaarConformance(AdapterConformance):
          @pytest.fixture
          def fake(self):
              return BazaarFake(clients={"app": "secret"})

          @pytest.fixture
          def adapter(self):
              return BazaarAdapter(BazaarSettings(client_id="app", client_secret="secret"))

          @pytest.fixture
          def offers(self):
              return [xb.prepare(listing, "DE", channel="acme_bazaar", rates=...)]

* as a **function**: :func:`check_adapter` runs every check (or those named) against one
  adapter and fake and returns a :class:`ConformanceReport`; by default it raises
  :class:`ConformanceError` (an ``AssertionError``) listing every failure.

The checks (:data:`CHECKS`), run through a real :class:`xborder.client.Client` whose HTTP
goes to the fake and whose clock is the fake's (so retries never sleep):

=======================  =================================================================
protocol                 fits the Adapter protocol, name, api_version, settings,
                         capabilities, token providers, channel rules; offers keyed for it
classify                 ``classify`` never raises on junk and reads the fake's throttle,
                         5xx, expired-token and 400 answers right
upsert                   one ok/pending result per offer, in order; status reads them back
idempotent_upsert        repeating an upsert changes nothing; a lost answer retried
                         writes nothing twice
batch_splitting          2 × limit + 1 items: the fewest batch calls, none above the limit,
                         one result per item (for every operation with a batch limit)
per_item_results         a partly failed batch reports each item's own outcome
update_price_quantity    updates apply, one result per item, and repeat harmlessly
withdraw                 withdrawn items read inactive/absent; withdrawing twice is fine
status_absent            unknown keys read ``absent`` without an exception
unknown_state            a state value the adapter cannot know is tolerated, never "live"
error_mapping            5xx, throttling, timeouts, resets, undocumented statuses, malformed
                         bodies and 400s become the right MarketplaceError (with the request
                         id and field) or failed items; one throttle or 5xx is retried
token_refresh            an expired token is refreshed once and the call goes through
secrets                  no credential in reprs, requests, results, errors, events or logs
async_parity             AsyncClient gives the same results as Client
=======================  =================================================================

A check that does not apply is skipped with the reason (an adapter without
``update_price_quantity``, a fake without :meth:`~FakeMarketplace.force_unknown_state`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal

from xborder.marketplaces._protocol import Adapter
from xborder.offer import Offer
from xborder.testing._checks import CHECKS as _CHECKS
from xborder.testing._fake import FakeMarketplace
from xborder.testing._harness import Failed, Harness, Skipped

__all__ = [
    "CHECKS",
    "DEFAULT_MAX_ITEMS",
    "AdapterConformance",
    "CheckResult",
    "ConformanceError",
    "ConformanceReport",
    "check_adapter",
    "run_check",
]

#: The names of the checks, in the order they run.
CHECKS: Final[tuple[str, ...]] = tuple(_CHECKS)
#: The most items one check sends in one operation (batch limits above half of it are not
#: exercised by ``batch_splitting``).
DEFAULT_MAX_ITEMS: Final = 250

Outcome = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check: ``passed``, ``failed`` or ``skipped``, and why.

    ``error`` is the unexpected exception a failed check met, if any (its traceback helps).
    """

    name: str
    outcome: Outcome
    message: str = ""
    error: BaseException | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}[self.outcome]
        return f"{mark} {self.name}" + (f": {self.message}" if self.message else "")


@dataclass(frozen=True, slots=True)
class ConformanceReport:
    """The outcomes of a conformance run for the adapter named ``adapter``."""

    adapter: str
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not self.failed

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The failed checks."""
        return tuple(r for r in self.results if r.outcome == "failed")

    @property
    def passed(self) -> tuple[CheckResult, ...]:
        """The passed checks."""
        return tuple(r for r in self.results if r.outcome == "passed")

    @property
    def skipped(self) -> tuple[CheckResult, ...]:
        """The skipped checks."""
        return tuple(r for r in self.results if r.outcome == "skipped")

    def raise_for_failures(self) -> None:
        """Raise :class:`ConformanceError` when a check failed."""
        if self.failed:
            raise ConformanceError(self)

    def __str__(self) -> str:
        counts = (
            f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.skipped)} skipped"
        )
        lines = [f"conformance of {self.adapter!r}: {counts}"]
        return "\n".join([*lines, *(f"  {result}" for result in self.results)])


class ConformanceError(AssertionError):
    """An adapter failed conformance checks; ``report`` holds every outcome."""

    def __init__(self, report: ConformanceReport) -> None:
        failures = "\n".join(f"  {result}" for result in report.failed)
        super().__init__(
            f"{report.adapter!r} failed {len(report.failed)} conformance check(s):\n{failures}"
        )
        self.report = report


def run_check(
    name: str,
    adapter: Adapter,
    fake: FakeMarketplace,
    offers: Sequence[Offer],
    *,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> CheckResult:
    """Run the check ``name`` (one of :data:`CHECKS`) and return its outcome.

    The fake's injected faults are cleared before and after. An unexpected exception is a
    failure whose ``error`` is that exception.
    """
    check = _CHECKS.get(name)
    if check is None:
        raise ValueError(f"unknown conformance check {name!r}; the checks: {', '.join(CHECKS)}")
    fake.clear_faults()
    harness = Harness(adapter, fake, offers, max_items=max_items)
    try:
        check(harness)
    except Failed as failure:
        return CheckResult(name, "failed", str(failure))
    except Skipped as skipped:
        return CheckResult(name, "skipped", str(skipped))
    except Exception as error:
        message = f"unexpected {type(error).__name__}: {error}"
        return CheckResult(name, "failed", message, error)
    finally:
        fake.clear_faults()
    return CheckResult(name, "passed")


def check_adapter(
    adapter: Adapter,
    fake: FakeMarketplace,
    offers: Sequence[Offer],
    *,
    checks: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    max_items: int = DEFAULT_MAX_ITEMS,
    raise_on_failure: bool = True,
) -> ConformanceReport:
    """Run the conformance checks on ``adapter`` against ``fake`` with ``offers``.

    Args:
        adapter: the adapter under test, with settings the fake accepts.
        fake: its fake marketplace; the kit uses the fake's clock for the client too.
        offers: one or more offers prepared for the adapter's channel (they need not pass
            compliance: the kit runs the adapter's flows directly). Checks write copies of
            them under derived SKUs (``<sku>-<tag><n>``), so checks may share one fake.
        checks: the names of the checks to run (default: all of :data:`CHECKS`, in order).
        skip: names of checks to leave out.
        max_items: the most items one operation is given (see :data:`DEFAULT_MAX_ITEMS`).
        raise_on_failure: raise :class:`ConformanceError` when a check fails.

    Returns the :class:`ConformanceReport`. Raises ValueError for an unknown check name.
    """
    names = list(CHECKS if checks is None else checks)
    skipped = set(skip)
    unknown = [name for name in [*names, *skipped] if name not in _CHECKS]
    if unknown:
        raise ValueError(f"unknown conformance checks {unknown}; the checks: {', '.join(CHECKS)}")
    results = tuple(
        run_check(name, adapter, fake, offers, max_items=max_items)
        if name not in skipped
        else CheckResult(name, "skipped", "left out (skip=)")
        for name in names
    )
    report = ConformanceReport(str(getattr(adapter, "name", type(adapter).__name__)), results)
    if raise_on_failure:
        report.raise_for_failures()
    return report


class AdapterConformance:
    """Pytest base class: one test per conformance check (see the module docs).

    Subclass it (name the subclass ``Test...``) and provide the fixtures ``adapter``,
    ``fake`` and ``offers``. ``skip_checks`` names checks to skip; ``max_items`` caps the
    items one operation is given.
    """

    skip_checks: ClassVar[frozenset[str]] = frozenset()
    max_items: ClassVar[int] = DEFAULT_MAX_ITEMS

    def conformance_check(
        self, name: str, adapter: Adapter, fake: FakeMarketplace, offers: Sequence[Offer]
    ) -> None:
        """Run the check ``name``; skip or fail the running pytest test accordingly."""
        import pytest  # only here: the rest of xborder.testing works without pytest

        if name in self.skip_checks:
            pytest.skip(f"{name}: in {type(self).__name__}.skip_checks")
        result = run_check(name, adapter, fake, offers, max_items=self.max_items)
        if result.outcome == "skipped":
            pytest.skip(f"{name}: {result.message}")
        if result.outcome == "failed":
            report = ConformanceReport(adapter.name, (result,))
            raise ConformanceError(report) from result.error

    def test_protocol(self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]) -> None:
        """See :data:`CHECKS`: protocol."""
        self.conformance_check("protocol", adapter, fake, offers)

    def test_classify(self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]) -> None:
        """See :data:`CHECKS`: classify."""
        self.conformance_check("classify", adapter, fake, offers)

    def test_upsert(self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]) -> None:
        """See :data:`CHECKS`: upsert."""
        self.conformance_check("upsert", adapter, fake, offers)

    def test_idempotent_upsert(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: idempotent_upsert."""
        self.conformance_check("idempotent_upsert", adapter, fake, offers)

    def test_batch_splitting(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: batch_splitting."""
        self.conformance_check("batch_splitting", adapter, fake, offers)

    def test_per_item_results(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: per_item_results."""
        self.conformance_check("per_item_results", adapter, fake, offers)

    def test_update_price_quantity(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: update_price_quantity."""
        self.conformance_check("update_price_quantity", adapter, fake, offers)

    def test_withdraw(self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]) -> None:
        """See :data:`CHECKS`: withdraw."""
        self.conformance_check("withdraw", adapter, fake, offers)

    def test_status_absent(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: status_absent."""
        self.conformance_check("status_absent", adapter, fake, offers)

    def test_unknown_state(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: unknown_state."""
        self.conformance_check("unknown_state", adapter, fake, offers)

    def test_error_mapping(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: error_mapping."""
        self.conformance_check("error_mapping", adapter, fake, offers)

    def test_token_refresh(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: token_refresh."""
        self.conformance_check("token_refresh", adapter, fake, offers)

    def test_secrets(self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]) -> None:
        """See :data:`CHECKS`: secrets."""
        self.conformance_check("secrets", adapter, fake, offers)

    def test_async_parity(
        self, adapter: Adapter, fake: FakeMarketplace, offers: list[Offer]
    ) -> None:
        """See :data:`CHECKS`: async_parity."""
        self.conformance_check("async_parity", adapter, fake, offers)
