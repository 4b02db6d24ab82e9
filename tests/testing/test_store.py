from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from testing._shop import BASE, ShopFake, token_for
from xborder.testing import FakeClock, Store

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def test_records_by_namespace_and_key() -> None:
    with Store() as store:
        assert store.path is None and store.get("items", "A") is None
        assert store.get("items", "A", default={}) == {}
        store.put("items", "B", {"n": 2})
        store.put("items", "A", [1, "x"])
        store.put("other", "A", None)
        assert store.items("items") == [("A", [1, "x"]), ("B", {"n": 2})]
        assert store.count("items") == 2 and store.namespaces() == ["items", "other"]
        store.put("items", "A", "replaced")
        assert store.get("items", "A") == "replaced"
        assert store.delete("items", "A") is True and store.delete("items", "A") is False
        assert store.snapshot() == {"items": {"B": {"n": 2}}, "other": {"A": None}}
        assert store.snapshot(("items", "none")) == {"items": {"B": {"n": 2}}, "none": {}}
        assert repr(store) == "Store('memory')"


@given(value=json_values)
def test_any_json_value_round_trips(value: Any) -> None:
    with Store() as store:
        store.put("ns", "key", value)
        assert store.get("ns", "key") == value


def test_sequences_count_up_per_namespace(tmp_path: Path) -> None:
    path = tmp_path / "seq.sqlite"
    with Store(path) as store:
        assert [store.next_id("a"), store.next_id("a"), store.next_id("b")] == [1, 2, 1]
    with Store(path) as store:
        assert store.next_id("a") == 3


def test_transactions_commit_together_or_not_at_all() -> None:
    with Store() as store:
        with store.transaction():
            store.put("ns", "a", 1)
            with store.transaction():  # nested: joins the outer one
                store.put("ns", "b", 2)
        assert store.count("ns") == 2

        def abort() -> None:
            with store.transaction():
                store.put("ns", "c", 3)
                with store.transaction():
                    store.put("ns", "d", 4)
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            abort()
        assert store.count("ns") == 2
        store.put("ns", "e", 5)  # the connection is usable after a rollback
        assert store.count("ns") == 3


def test_a_file_store_is_wal_and_reopens_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "fake.sqlite"
    with Store(path, owner="shop") as store:
        store.put("items", "A", {"n": 1})
        assert store.path == path and store.owner == "shop"
        assert store.integrity_check() == []
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()
    with Store(path, owner="shop") as store:
        assert store.get("items", "A") == {"n": 1}


def test_a_store_file_belongs_to_one_owner(tmp_path: Path) -> None:
    path = tmp_path / "fake.sqlite"
    Store(path, owner="shop").close()
    with pytest.raises(ValueError, match="belongs to 'shop', not 'ebay'"):
        Store(path, owner="ebay")
    Store(path).close()  # no owner: opens anything


def test_a_store_of_another_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    raw.close()
    with pytest.raises(ValueError, match="store schema '99'"):
        Store(path)


def test_integrity_check_reports_problems(tmp_path: Path) -> None:
    path = tmp_path / "fake.sqlite"
    with Store(path) as store, store.transaction():
        for index in range(200):
            store.put("ns", f"k{index:04d}", "x" * 200)
    data = bytearray(path.read_bytes())
    # Point the cell pointers of the last b-tree page (records) out of the page.
    last = len(data) - 4096
    data[last + 8 : last + 40] = b"\x00\x05" * 16
    path.write_bytes(bytes(data))
    with Store(path) as store:
        problems = store.integrity_check()
    assert problems and "out of range" in problems[0]


# -- a persisted fake ------------------------------------------------------------------------


def test_a_persisted_fake_outlives_its_client(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    clock = FakeClock()
    first = ShopFake(clock=clock, persist_to=path)
    token = first.issue_token()
    with first.http_client(base_url=BASE, headers={"authorization": f"Bearer {token}"}) as http:
        assert http.put("/items/A", json={"title": "A", "quantity": 3}).status_code == 200
        feed = http.post("/feeds", json={"skus": ["F"], "polls": 2}).json()["feedId"]
        http.get(f"/feeds/{feed}")
    # The client "crashes": nothing is closed. A new fake opened on the same file (another
    # process, in real life) sees every answered write, the issued token and the job.
    second = ShopFake(clock=clock, persist_to=path)
    try:
        assert (
            second.state()
            == first.state()
            == {"items": {"A": {"title": "A", "quantity": 3, "status": "active"}}}
        )
        assert second.store.integrity_check() == []
        with second.http_client(base_url=BASE, headers={"authorization": f"Bearer {token}"}) as h:
            assert h.get("/items/A").json()["quantity"] == 3
            assert h.get(f"/feeds/{feed}").json()["status"] == "done"
        assert second.store.get("items", "F") is not None
    finally:
        second.close()
        first.close()


def test_each_answer_is_committed_before_it_returns(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    with ShopFake(persist_to=path) as fake:
        observer = sqlite3.connect(path)
        try:
            with fake.http_client(base_url=BASE, headers=token_for(fake)) as http:
                for index in range(3):
                    http.put(f"/items/S{index}", json={"title": "t", "quantity": index})
                    rows = observer.execute(
                        "SELECT COUNT(*) FROM records WHERE namespace = 'items'"
                    ).fetchone()
                    assert rows[0] == index + 1
        finally:
            observer.close()


def test_a_refused_request_leaves_the_file_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    with ShopFake(persist_to=path) as fake, fake.http_client(base_url=BASE) as http:
        http.headers.update(token_for(fake))
        http.put("/items/A", json={"title": "A", "quantity": 1})
        assert http.delete("/items/A", params={"refuse": "1"}).status_code == 409
    with ShopFake(persist_to=path) as again:
        assert again.store.get("items", "A") is not None
        assert "persist_to=" in repr(again)


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    with ShopFake(persist_to=path) as fake:
        token = fake.issue_token()
        fake.tokens.add_refresh("refresh-secret-1")
        assert "1 access tokens" in repr(fake.tokens)
    text = b"".join(file.read_bytes() for file in tmp_path.iterdir())
    assert token.encode() not in text and b"refresh-secret-1" not in text


def test_persisted_fake_answers_through_a_restarted_client(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    with ShopFake(persist_to=path) as fake:
        token = fake.issue_token()
        with fake.http_client(base_url=BASE) as http:
            http.headers["authorization"] = f"Bearer {token}"
            http.put("/items/A", json={"title": "A", "quantity": 1})
    with ShopFake(persist_to=path) as fake, httpx.Client(transport=fake.transport()) as http:
        answer = http.get(f"{BASE}/items/A", headers={"authorization": f"Bearer {token}"})
        assert answer.status_code == 200
