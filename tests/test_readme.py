"""The README's tour is code users copy: it must run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_readme_starts_with_exactly_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 2
    install_demo, install_test = (b.strip() for b in blocks)
    assert "\n" not in install_demo and install_demo.endswith("xborder demo")
    assert "\n" not in install_test and install_test.endswith("pytest")
    assert "[test]" in install_test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "run pytest\n" in ci


def test_readme_tour_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "2026-10-30" in out
    assert "[]" in out  # the sample catalog reads without errors
    assert "ok live RemoteRef(listingId=" in out  # published to the fake eBay
