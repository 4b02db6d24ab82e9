"""docs/markets.md: every Python block runs (the frozen clock makes it deterministic)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "markets.md"


def test_python_blocks_in_docs_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    for n, code in enumerate(blocks):
        exec(compile(code, f"{DOC.name}[{n}]", "exec"), {"__name__": "docs"})
