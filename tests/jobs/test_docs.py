"""docs/jobs.md says what the code does: operations, defaults, options, keys."""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

from xborder.jobs import DAILY_REVISIONS, DEFAULT_FX_DRIFT_PERCENT, OPERATIONS, SyncJob, Target
from xborder.jobs._cli import COMMANDS, add_parsers
from xborder.jobs._config import _JOB_KEYS, _TARGET_KEYS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "jobs.md").read_text(encoding="utf-8")


def test_every_operation_is_documented() -> None:
    for operation in OPERATIONS:
        assert re.search(rf"^\| `{operation}` \|", DOC, flags=re.M), operation


def test_the_defaults_are_the_codes() -> None:
    params = inspect.signature(SyncJob).parameters
    assert params["fx_drift_percent"].default == DEFAULT_FX_DRIFT_PERCENT == 1
    assert "(default **1 %**)" in DOC
    assert params["chunk_size"].default == 256 and "(256 listings)" in DOC
    assert DAILY_REVISIONS["ebay"][0] == 250 and "eBay 250" in DOC
    signature = str(inspect.signature(Target))
    for name in ("settings", "stock", "policy", "channel", "zero_quantity", "daily_revisions"):
        assert name in signature and f"`{name}`" in DOC


def test_the_command_line_is_documented() -> None:
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers())
    for command in COMMANDS:
        assert f"xborder {command}" in DOC
    for option in ("--config", "--dry-run", "--json", "--shard I/N"):
        assert f"| `{option}` |" in DOC


def test_every_configuration_key_is_shown() -> None:
    for key in _JOB_KEYS - {"chunk_size"}:
        assert re.search(rf"^# ?{key} = |^{key} = ", DOC, flags=re.M), key
    for key in _TARGET_KEYS - {"channel"}:
        assert key in DOC, key
