from __future__ import annotations

import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder import Money
from xborder.marketplaces import (
    Classification,
    Issue,
    ItemResult,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
)

KEY = OfferKey("ebay", "DE", "MUG-01")


def test_offer_key_is_a_tuple_and_reads_as_a_path() -> None:
    assert KEY == ("ebay", "DE", "MUG-01")
    assert (KEY.marketplace, KEY.market, KEY.sku) == ("ebay", "DE", "MUG-01")
    assert str(KEY) == "ebay/DE/MUG-01"
    assert {KEY: 1}[OfferKey("ebay", "DE", "MUG-01")] == 1


def test_remote_ref_holds_string_ids_and_drops_none() -> None:
    ref = RemoteRef(offerId="9001", listingId=None)
    assert ref.ids == {"offerId": "9001"}
    assert ref["offerId"] == "9001" and ref.get("listingId") is None
    assert "offerId" in ref and "listingId" not in ref
    assert list(ref) == ["offerId"] and len(ref) == 1 and ref
    assert not RemoteRef() and not RemoteRef(offerId=None)
    with pytest.raises(KeyError):
        ref["listingId"]


def test_remote_ref_is_immutable_hashable_and_equal_by_ids() -> None:
    ref = RemoteRef({"b": "2"}, a="1")
    assert ref == RemoteRef(a="1", b="2") and hash(ref) == hash(RemoteRef(b="2", a="1"))
    assert ref != RemoteRef(a="1")
    assert ref != {"a": "1", "b": "2"}
    with pytest.raises(AttributeError, match="immutable"):
        ref.x = "1"  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        ref.ids["a"] = "3"  # type: ignore[index]
    assert repr(ref) == "RemoteRef(a='1', b='2')"


def test_remote_ref_with_ids_and_merge() -> None:
    ref = RemoteRef(offerId="1")
    assert ref.with_ids(listingId="2") == RemoteRef(offerId="1", listingId="2")
    assert ref.with_ids(offerId=None) == RemoteRef()
    assert ref.merge(RemoteRef(offerId="3", feedId="f")) == RemoteRef(offerId="3", feedId="f")
    assert ref.merge(None) is ref and ref.merge(RemoteRef()) is ref


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"offerId": 9001}, TypeError, r"RemoteRef.offerId: ids are strings, got int 9001"),
        ({"offerId": b"1"}, TypeError, r"got bytes"),
    ],
)
def test_remote_ref_refuses_non_string_ids(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        RemoteRef(**kwargs)  # type: ignore[arg-type]


def test_remote_ref_refuses_blank_names() -> None:
    with pytest.raises(ValueError, match="RemoteRef name: must not be empty"):
        RemoteRef({" ": "1"})


@given(st.dictionaries(st.text(min_size=1).filter(str.strip), st.text(), max_size=6))
def test_remote_ref_json_round_trip(ids: dict[str, str]) -> None:
    ref = RemoteRef(ids)
    assert RemoteRef.from_json(ref.to_json()) == ref
    assert pickle.loads(pickle.dumps(ref)) == ref


@pytest.mark.parametrize(
    ("text", "message"),
    [("not json", "not JSON"), ("[1]", "expected a JSON object, got list")],
)
def test_remote_ref_from_bad_json(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RemoteRef.from_json(text)


def test_issue_reads_code_field_message() -> None:
    issue = Issue("25002", "Invalid price", field="price")
    assert str(issue) == "25002 [price]: Invalid price"
    assert str(Issue("x.y", "no field")) == "x.y: no field"
    with pytest.raises(ValueError, match=r"Issue\.severity"):
        Issue("a", "b", severity="fatal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Issue\.code: must not be empty"):
        Issue("", "b")


def test_item_result_statuses() -> None:
    ok = ItemResult(KEY, "ok", remote=RemoteRef(offerId="1"), state="live")
    assert ok.ok and not ok.failed and not ok.pending
    warning = Issue("w", "check it", severity="warning")
    failed = ItemResult(KEY, "failed", issues=[Issue("25002", "bad"), warning])  # type: ignore[arg-type]
    assert failed.failed and failed.issues == (Issue("25002", "bad"), warning)
    assert failed.errors == (Issue("25002", "bad"),)
    assert ItemResult(KEY, "pending").pending


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "done"}, r"ItemResult.status: expected one of ok, failed, pending, got 'done'"),
        ({"status": "ok", "state": "gone"}, r"ItemResult.state: expected one of live"),
        ({"status": "failed"}, r"a failed item needs at least one issue"),
    ],
)
def test_item_result_refuses_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ItemResult(KEY, **kwargs)  # type: ignore[arg-type]


def test_item_result_needs_an_offer_key() -> None:
    with pytest.raises(TypeError, match=r"ItemResult\.key: expected OfferKey, got tuple"):
        ItemResult(("ebay", "DE", "X"), "ok")  # type: ignore[arg-type]


def test_price_quantity_update() -> None:
    update = PriceQuantityUpdate(KEY, price=Money("9.99", "EUR"))
    assert update.quantity is None and update.price == Money(Decimal("9.99"), "EUR")
    assert PriceQuantityUpdate(KEY, quantity=0).quantity == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "give a price, a quantity or both"),
        ({"quantity": -1}, ValueError, r"quantity: must be >= 0, got -1"),
        ({"quantity": True}, TypeError, r"quantity: expected int, got bool True"),
        ({"quantity": 1.0}, TypeError, r"quantity: expected int, got float 1.0"),
        ({"price": "9.99"}, TypeError, r"price: expected Money, got str '9.99'"),
        ({"quantity": 1, "remote": {"offerId": "1"}}, TypeError, "remote: expected RemoteRef"),
    ],
)
def test_price_quantity_update_refuses_bad_values(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        PriceQuantityUpdate(KEY, **kwargs)  # type: ignore[arg-type]


def test_classification() -> None:
    assert not Classification("ok").retryable
    assert Classification("throttled", retry_after=2).retryable
    assert Classification("transient").retryable
    assert not Classification("permanent").retryable
    assert not Classification("auth_expired").retryable


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"verdict": "maybe"}, "Classification.verdict: expected one of ok, auth_expired"),
        ({"verdict": "ok", "retry_after": -1}, r"retry_after: expected a number >= 0, got -1"),
        ({"verdict": "ok", "rate_limit": True}, r"rate_limit: expected a number >= 0"),
        ({"verdict": "ok", "usage": "0.5"}, r"usage: expected a number >= 0"),
    ],
)
def test_classification_refuses_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Classification(**kwargs)  # type: ignore[arg-type]
