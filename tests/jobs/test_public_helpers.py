"""The jobs package uses other modules through their public names only.

A third party writing a job or a fake needs the same helpers the jobs use; a private one
(``pricing._floor``, ``localize.content._MT_PROVIDERS``, ``FakeMarketplace._match`` before)
would be a helper they cannot rely on.
"""

from __future__ import annotations

import ast
from pathlib import Path

import xborder.jobs

JOBS = Path(xborder.jobs.__file__).resolve().parent

# Private attributes still read outside their own module, each with why it is allowed:
# ``_replace`` is NamedTuple's public method; ``_SubParsersAction`` is argparse's (stdlib);
# ``Money._trusted`` (xborder.money, not owned here) skips re-validating amounts the store
# wrote itself.
ALLOWED_ATTRIBUTES = {"_replace", "_SubParsersAction", "_trusted"}

# xborder's own internal modules (CSV escaping, text tables, entry-point loading) serve the
# whole package; they are not another module's private helper.
ALLOWED_MODULES = {"_csv", "_text", "_plugins"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def offences() -> list[str]:
    found = []
    for path in sorted(JOBS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                if node.module.startswith("xborder.jobs"):
                    continue
                found += [
                    f"{where} {node.module}.{a.name}"
                    for a in node.names
                    if _private(a.name)
                    and not (node.module == "xborder" and a.name in ALLOWED_MODULES)
                ]
            elif isinstance(node, ast.Attribute) and _private(node.attr):
                mine = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
                if not mine and node.attr not in ALLOWED_ATTRIBUTES:
                    found.append(f"{where} {ast.unparse(node)}")
    return found


def test_the_jobs_import_no_private_name_of_another_module() -> None:
    assert offences() == []


def test_the_scan_sees_the_jobs_modules() -> None:
    # The scan would pass vacuously on an empty folder.
    names = {p.name for p in JOBS.glob("*.py")}
    assert {"_job.py", "_price.py", "_fakes.py", "_plan.py"} <= names
