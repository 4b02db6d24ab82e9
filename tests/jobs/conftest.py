from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._support import World, world


@pytest.fixture
def w() -> Iterator[World]:
    yield from world()
