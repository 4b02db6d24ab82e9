"""Secrets never reach the state, the runs, the reports or the logs, even when calls fail."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from pydantic import SecretStr

from xborder.jobs import Shard, Target
from xborder.marketplaces.ebay import EbayAdapter

from ._support import CLIENT_SECRET, World, catalog, ebay_settings, world

WRONG = "v^1.1#i^1#revoked-refresh-canary-0d0d"


def dump(path: Path) -> str:
    with sqlite3.connect(path) as db:
        rows = []
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            rows += [repr(row) for row in db.execute(f"SELECT * FROM {table}")]
    return "\n".join(rows)


def test_a_refused_credential_fails_the_items_without_leaking_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for w in world(tmp_path / "state.sqlite"):
        settings = ebay_settings(refresh_token=SecretStr(WRONG))
        job = w.job(catalog(60), [Target(EbayAdapter(settings), ["DE", "GB"])])
        report = job.run()
        part = report.target("ebay")
        assert not report.ok and part.count("failed") == 120
        reasons = [n.reasons[0] for n in part.notes]
        assert any(r.startswith("AuthenticationError") for r in reasons)
        assert any(r.startswith("not sent: AuthenticationError") for r in reasons)
        assert part.calls <= 2  # the token refused once: the other batches were not sent
        text = report.to_json() + report.summary() + dump(tmp_path / "state.sqlite")
        text += caplog.text + repr(job) + repr(job.targets[0])
        for secret in (WRONG, CLIENT_SECRET):
            assert secret not in text
        # Failed items are stored as failed (sent again next run), never as listed.
        rows = list(w.store.select("ebay", Shard(0, 1)))
        assert rows and all(r.status == "failed" and not r.listed for r in rows[:25])


def test_a_server_error_fails_one_batch_and_the_next_run_sends_it_again(w: World) -> None:
    w.ebay.inject("server_error", operation="bulk_create_offer", times=None)
    job = w.job(catalog(30))
    first = job.run()
    assert first.failed == 60 and first.target("ebay").calls > 4  # every batch was tried
    w.ebay.clear_faults()
    # eBay's adapter asks to retry a failed call's items in 60 s: until then they wait.
    assert job.plan().planned("deferred") == 60
    w.clock.advance(61)
    second = job.run()
    assert second.ok and second.planned("create") == 60
    assert len(w.ebay.offers()) == 60
