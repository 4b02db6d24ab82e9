"""docs/testing.md: its ``python`` blocks run, in order, in one namespace.

Blocks fenced ``py`` show code that needs an adapter or pytest around it; they are not run.
"""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def test_python_blocks_in_the_testing_guide_run() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) == 3
    namespace: dict[str, object] = {"__name__": "docs_testing"}
    for number, code in enumerate(blocks, 1):
        exec(compile(code, f"{DOC.name}[{number}]", "exec", dont_inherit=True), namespace)
    fake = namespace["fake"]
    fake.close()  # type: ignore[attr-defined]
