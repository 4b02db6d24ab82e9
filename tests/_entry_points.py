"""Fake entry points for registry tests: ``importlib.metadata.entry_points`` answers these."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest


class FakeDist:
    """Quacks like the distribution an entry point comes from."""

    def __init__(self, name: str) -> None:
        self.name = name


class FakeEntryPoint:
    """Quacks like importlib.metadata.EntryPoint, with a distribution attached."""

    def __init__(self, group: str, name: str, value: str, dist: str | None = None) -> None:
        self.name = name
        self.value = value
        self.group = group
        self.dist = FakeDist(dist) if dist is not None else None
        self._real = importlib.metadata.EntryPoint(name=name, value=value, group=group)

    def load(self) -> Any:
        return self._real.load()


def use_entry_points(monkeypatch: pytest.MonkeyPatch, group: str, *entries: FakeEntryPoint) -> None:
    """Make ``importlib.metadata.entry_points(group=group)`` return ``entries`` only."""

    def fake(**params: Any) -> list[FakeEntryPoint]:
        assert params == {"group": group}
        return list(entries)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
