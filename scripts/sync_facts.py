"""Copy the sourced market, restricted-goods and sanctions facts into package data.

Usage: python scripts/sync_facts.py [--from ../shared/facts] [--check]

The facts are copied byte for byte (sources, ``as_of`` and ``unverified`` notes kept), and a
MANIFEST.json records each file's SHA-256 and ``as_of`` so a reviewer can see which version
ships. ``--check`` exits 1 when the package data differs from the source (for CI of the facts).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

FILES = ("markets.json", "restricted_goods.json", "sanctions.json", "sources.json", "README.md")
ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "src" / "xborder" / "data" / "facts"


def _as_of(path: Path) -> str | None:
    if path.suffix != ".json":
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("as_of"), str):
        return str(data["as_of"])
    if isinstance(data, list):
        dates = sorted({d["as_of"] for d in data if isinstance(d, dict) and "as_of" in d})
        return dates[-1] if dates else None
    return None


def manifest(folder: Path) -> dict[str, object]:
    files = {}
    for name in FILES:
        path = folder / name
        files[name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "as_of": _as_of(path),
        }
    return {"source": "shared/facts (see sources.json for every fact's source)", "files": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="src", type=Path, default=ROOT.parent / "shared" / "facts")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args(argv)
    src: Path = args.src
    missing = [name for name in FILES if not (src / name).is_file()]
    if missing:
        print(f"error: {src} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.check:
        differ = [
            n
            for n in FILES
            if not (DEST / n).is_file() or (DEST / n).read_bytes() != (src / n).read_bytes()
        ]
        for name in differ:
            print(f"differs: {name}")
        return 1 if differ else 0
    DEST.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(src / name, DEST / name)
    text = json.dumps(manifest(DEST), indent=2, sort_keys=True) + "\n"
    (DEST / "MANIFEST.json").write_text(text, encoding="utf-8")
    print(f"copied {len(FILES)} files from {src} to {DEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
