"""The planner's rules, one at a time: prices, pending writes, reconcile outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Context, Decimal, Inexact, localcontext

import pytest

import xborder as xb
from xborder.jobs import ItemState, PendingWrite, Target, needs_price
from xborder.jobs._execute import confirm
from xborder.jobs._price import policy_key, price_basis, price_floor
from xborder.jobs._reconcile import adopt
from xborder.marketplaces import Issue, ItemResult, OfferKey, RemoteRef
from xborder.marketplaces.ebay import EbayAdapter

from ._support import ON, ebay_settings, listing, rates

KEY = OfferKey("ebay", "DE", "MUG-01")
NOW = datetime(2026, 10, 1, 9, tzinfo=UTC)


def confirmed(price: str, basis: str = "b") -> ItemState:
    return ItemState(KEY, listed=True, price=xb.Money(price, "EUR"), basis=basis, quantity=3)


def no_floor() -> Decimal | None:
    return None


@pytest.mark.parametrize(
    ("last", "new", "basis", "sent"),
    [
        ("20.00", "20.00", "b", False),
        ("20.00", "20.19", "b", False),  # 0.95 %: a rate move below the threshold
        ("20.00", "20.20", "b", True),  # 1 %
        ("20.00", "19.80", "b", True),  # -1 %
        ("20.00", "20.01", "other", True),  # the home price, policy or facts changed
    ],
)
def test_the_fx_drift_rule(last: str, new: str, basis: str, sent: bool) -> None:
    why = needs_price(
        confirmed(last), xb.Money(new, "EUR"), basis, drift_percent=Decimal(1), floor=no_floor
    )
    assert (why is not None) is sent


def test_a_confirmed_price_below_the_floor_is_always_replaced() -> None:
    why = needs_price(
        confirmed("20.00"),
        xb.Money("20.05", "EUR"),
        "b",
        drift_percent=Decimal(1),
        floor=lambda: Decimal("20.05"),
    )
    assert why is not None and "below the floor" in why


def test_the_floor_is_only_computed_when_needed() -> None:
    def explode() -> Decimal | None:
        raise AssertionError("computed for an unchanged price")

    assert (
        needs_price(
            confirmed("20.00"),
            xb.Money("20.00", "EUR"),
            "b",
            drift_percent=Decimal(1),
            floor=explode,
        )
        is None
    )


def test_no_confirmed_price_or_another_currency_is_sent() -> None:
    bare = ItemState(KEY, listed=True)
    assert needs_price(bare, xb.Money("1.00", "EUR"), "b", drift_percent=Decimal(1), floor=no_floor)
    assert needs_price(
        confirmed("20.00"), xb.Money("20.00", "GBP"), "b", drift_percent=Decimal(1), floor=no_floor
    )


def test_the_policy_key_is_stable_and_sensitive() -> None:
    a = xb.PricingPolicy(endings={"EUR": ".99"}, min_prices={"EUR": xb.Money("5.00", "EUR")})
    b = xb.PricingPolicy(min_prices={"EUR": xb.Money("5.00", "EUR")}, endings={"EUR": ".99"})
    assert policy_key(a) == policy_key(b) != policy_key(xb.PricingPolicy())
    assert policy_key(xb.PricingPolicy(markup_percent=Decimal("10"))) == policy_key(
        xb.PricingPolicy(markup_percent=Decimal("10.0"))
    )


def test_the_price_basis_ignores_the_rate_but_not_the_home_price() -> None:
    item = listing("MUG-01")
    offer = xb.prepare(item, "DE", channel="ebay", rates=rates(), on=ON)
    again = xb.prepare(item, "DE", channel="ebay", rates=rates(), on=ON.replace(day=2))
    dearer = xb.prepare(
        item.model_copy(update={"price": xb.Money("39.00", "USD")}),
        "DE",
        channel="ebay",
        rates=rates(),
        on=ON,
    )
    assert price_basis(offer, "p") == price_basis(again, "p") != price_basis(dearer, "p")
    assert price_basis(offer, "p") != price_basis(offer, "q")


def test_price_floor_reads_the_policy() -> None:
    offer = xb.prepare(listing("MUG-01"), "DE", channel="ebay", rates=rates(), on=ON)
    assert price_floor(offer, xb.PricingPolicy(), rates()) is None
    minimum = xb.PricingPolicy(min_prices={"EUR": xb.Money("99.00", "EUR")})
    assert price_floor(offer, minimum, rates()) == Decimal("99.00")


@pytest.mark.parametrize(
    ("context", "last", "new"),
    [
        # 20.00 -> 20.19 moved 0.95 %: at one significant digit 0.19 / 20 rounds to 0.01 (1 %).
        (Context(prec=1), "20.00", "20.19"),
        # 0.20 / 30 is inexact: a context that traps Inexact must not make the planner raise.
        (Context(traps=[Inexact]), "30.00", "30.20"),
    ],
)
def test_the_drift_is_worked_out_whatever_the_callers_decimal_context(
    context: Context, last: str, new: str
) -> None:
    with localcontext(context):
        why = needs_price(
            confirmed(last), xb.Money(new, "EUR"), "b", drift_percent=Decimal(1), floor=no_floor
        )
    assert why is None


def test_the_margin_floor_is_worked_out_whatever_the_callers_decimal_context() -> None:
    offer = xb.prepare(
        listing("MUG-01", cost=xb.Money("20.00", "USD")), "DE", channel="ebay", rates=rates(), on=ON
    )
    policy = xb.PricingPolicy(min_margin_percent=Decimal("10"))
    expected = price_floor(offer, policy, rates())
    assert expected is not None
    with localcontext(Context(prec=2)):  # 1 + 19 / 100 would be 1.2
        assert price_floor(offer, policy, rates()) == expected


def pending(operation: str = "create") -> ItemState:
    return ItemState(
        KEY,
        listed=True,
        status="pending",
        pending=PendingWrite(operation, "f" * 64, xb.Money("24.99", "EUR"), 5, "b"),
        remote=RemoteRef(feedId="77"),
        updated_at=NOW,
    )


def read(state: str | None, status: str = "ok", **kwargs: object) -> ItemResult:
    issues = (Issue("x.rejected", "no"),) if status == "failed" or state == "rejected" else ()
    return ItemResult(KEY, status, state=state, issues=issues, **kwargs)  # type: ignore[arg-type]


def target() -> Target:
    return Target(EbayAdapter(ebay_settings()), ["DE"])


def test_a_pending_write_is_confirmed_when_live() -> None:
    row, outcome = confirm(pending(), read("live", remote=RemoteRef(sku="X")), NOW, target())
    assert outcome == "ok" and row.status == "ok" and row.pending is None
    assert row.fingerprint == "f" * 64 and row.price == xb.Money("24.99", "EUR")
    assert row.remote == RemoteRef(feedId="77", sku="X") and row.state == "live"


def test_a_pending_write_rejected_fails_and_unknown_stays_pending() -> None:
    row, outcome = confirm(pending(), read("rejected"), NOW, target())
    assert outcome == "failed" and row.status == "failed" and "x.rejected" in (row.last_error or "")
    for result in (read("pending"), read("absent"), read(None, status="pending")):
        assert confirm(pending(), result, NOW, target()) == (pending(), "pending")
    failed = read(None, status="failed")
    assert confirm(pending(), failed, NOW, target())[1] == "pending"


def test_a_write_never_processed_is_sent_again_a_day_later() -> None:
    later = NOW + timedelta(days=1, seconds=1)
    row, outcome = confirm(pending(), read("absent"), later, target())
    assert outcome == "failed" and not row.listed and row.pending is None
    row, _ = confirm(pending("update"), read("absent"), later, target())
    assert row.listed  # the old listing is still on sale


def test_a_pending_withdrawal_is_confirmed_when_gone() -> None:
    row, outcome = confirm(pending("withdraw"), read("inactive"), NOW, target())
    assert outcome == "ok" and not row.listed
    assert confirm(pending("withdraw"), read("live"), NOW, target())[1] == "pending"


def test_reconcile_adopts_unknown_listings_and_notes_what_changed() -> None:
    ref = RemoteRef(offerId="1")
    row, outcome = adopt(KEY, None, read("live", remote=ref), NOW)
    assert outcome == "adopted" and row is not None and row.listed and row.fingerprint is None
    assert row.remote == ref and row.operation == "adopt"
    assert adopt(KEY, None, read("absent"), NOW) == (None, "absent")
    known = ItemState(KEY, listed=True, state="live", remote=ref)
    assert adopt(KEY, known, read("live", remote=ref), NOW) == (None, "unchanged")
    ended, outcome = adopt(KEY, known, read("inactive", remote=ref), NOW)
    assert outcome == "ended" and ended is not None and not ended.listed
    missing, outcome = adopt(KEY, known, read("absent"), NOW)
    assert outcome == "missing" and missing is not None and not missing.listed
    found, outcome = adopt(KEY, known.replace(listed=False), read("live", remote=ref), NOW)
    assert outcome == "found" and found is not None and found.listed
    assert adopt(KEY, known, read(None, status="failed"), NOW) == (None, "failed")
