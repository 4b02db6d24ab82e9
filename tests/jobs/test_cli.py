"""xborder plan / sync / reconcile: the CLI module, on the fake eBay."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xborder.jobs._cli import Progress, add_parsers, run
from xborder.jobs._demo import demo_environ, demo_world
from xborder.jobs._report import JobEvent

from ._support import ROOT, START


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="xborder")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Any]]:
    for name, value in demo_environ().items():
        monkeypatch.setenv(name, value)
    for name in ("xborder.toml", "catalog.jsonl", "seller.json"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    world = demo_world(start=START)
    try:
        yield {
            "clock": world.clock,
            "http": world.http,
            "world": world,
            "fake": world.fakes["ebay"],
        }
    finally:
        world.close()


def call(env: dict[str, Any], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parse(*argv), out, err=err, clock=env["clock"], http=env["http"])
    return code, out.getvalue(), err.getvalue()


def test_plan_sync_and_plan_again(env: dict[str, Any]) -> None:
    code, out, err = call(env, "plan")
    assert code == 0 and "create" in out and env["world"].writes() == 0
    code, out, err = call(env, "sync", "--json")
    report = json.loads(out)
    assert code == 0, out
    assert report["kind"] == "sync" and set(report["targets"]) == {"ebay", "amazon", "facebook"}
    assert all(t["planned"]["create"] > 0 for t in report["targets"].values())
    assert err == ""  # --json: no progress lines either
    code, out, _ = call(env, "plan", "--json")
    for target in json.loads(out)["targets"].values():
        assert target["planned"].keys() <= {"unchanged", "blocked"}


def test_sync_dry_run_writes_nothing(env: dict[str, Any]) -> None:
    code, out, _ = call(env, "sync", "--dry-run")
    assert code == 0 and out.startswith("plan of shard 0/1") and env["world"].writes() == 0


def test_progress_lines_go_to_stderr(env: dict[str, Any]) -> None:
    code, out, err = call(env, "sync", "--shard", "0/2")
    assert code == 0 and "ebay upsert" in err and "sync of shard 0/2" in out
    secrets = [v for k, v in demo_environ().items() if k.endswith(("SECRET", "TOKEN"))]
    assert not any(secret in out + err for secret in secrets)


def test_items_failing_exit_1(env: dict[str, Any]) -> None:
    env["fake"].inject(
        "server_error", operation="bulk_create_or_replace_inventory_item", times=None
    )
    code, out, _ = call(env, "sync")
    assert code == 1 and "failed" in out


def test_configuration_problems_exit_2(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XBORDER_AMAZON_SELLER_ID")
    code, _, err = call(env, "plan")
    assert code == 2 and "XBORDER_AMAZON_SELLER_ID is not set" in err
    code, _, err = call(env, "plan", "--config", "nope.toml")
    assert code == 2 and "cannot read" in err


def test_reconcile_dry_run_stores_nothing(env: dict[str, Any]) -> None:
    call(env, "sync")
    code, out, _ = call(env, "reconcile", "--dry-run", "--json")
    report = json.loads(out)
    assert code == 0 and report["kind"] == "reconcile"
    assert report["targets"]["ebay"]["reconciled"].get("unchanged", 0) > 0


def test_a_bad_shard_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("sync", "--shard", "4/4")
    assert "shard index" in capsys.readouterr().err


def test_the_progress_line_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress(JobEvent("planned", listings=256))
    progress(JobEvent("batch", "ebay", "upsert", 25, ok=25))
    progress(JobEvent("done"))
    text = stream.getvalue()
    assert text.startswith("\rplanned 256 listings") and "ebay 25" in text and text.endswith("\n")
