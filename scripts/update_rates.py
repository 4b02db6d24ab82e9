#!/usr/bin/env python3
"""Refresh the ECB reference rates shipped in src/xborder/rates/data/.

Input (one of):
  default      the ``eurofxref-hist.zip`` bundled with the ``currency_converter`` package
               (offline; the ECB's own history CSV: N/A gaps, trailing comma, newest first)
  --file PATH  an ECB file: eurofxref-hist.zip, eurofxref-hist.csv, eurofxref-hist.xml,
               eurofxref-hist-90d.xml or eurofxref-daily.xml
  --url URL    the same, downloaded (e.g. https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip)

Output: ``eurofxref.csv`` (ECB history layout restricted to the days kept and to the
currencies published in them; every value is the ECB's text) and ``eurofxref.json``
(as_of, first, source, generated_at, currencies, rows, sha256 of the CSV). The output is
deterministic: the same input gives the same bytes. ``--check`` compares instead of
writing and exits 1 if the shipped files differ.

Usage:
  .venv/bin/python scripts/update_rates.py
  .venv/bin/python scripts/update_rates.py --url https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip
  .venv/bin/python scripts/update_rates.py --since 2024-01-01 --check
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import zipfile
from datetime import date
from importlib.util import find_spec
from pathlib import Path

from xborder.rates._bundled import DATA_FILE, METADATA_FILE
from xborder.rates._snapshot import RateSnapshot

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "src" / "xborder" / "rates" / "data"
ECB_HIST_ZIP_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"


def currency_converter_zip() -> Path:
    spec = find_spec("currency_converter")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("currency_converter is not installed; pass --file or --url")
    path = Path(next(iter(spec.submodule_search_locations))) / "eurofxref-hist.zip"
    if not path.is_file():
        raise SystemExit(f"{path} not found; pass --file or --url")
    return path


def read_snapshot(name: str, payload: bytes) -> RateSnapshot:
    """Parse an ECB file (zip, csv or xml), recognised by its name or its first bytes."""
    lowered = name.lower()
    if lowered.endswith(".zip") or payload[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if len(members) != 1:
                raise SystemExit(f"{name}: expected one CSV in the zip, found {members}")
            text = archive.read(members[0]).decode("utf-8-sig")
        return RateSnapshot.from_csv(text, source=f"{name}!{members[0]}")
    if lowered.endswith(".xml") or payload.lstrip()[:5] == b"<?xml":
        return RateSnapshot.from_xml(payload, source=name)
    return RateSnapshot.from_csv(payload.decode("utf-8-sig"), source=name)


def download(url: str) -> bytes:
    import httpx

    response = httpx.get(url, timeout=60.0, follow_redirects=True)
    response.raise_for_status()
    return response.content


def build(
    snapshot: RateSnapshot, *, since: date | None, source: str, generated_at: date | None
) -> tuple[bytes, bytes]:
    """Return (csv bytes, metadata json bytes) for the days from ``since``."""
    first_kept = since if since is not None else date(snapshot.as_of.year - 3, 1, 1)
    kept = snapshot.between(first_kept, None)
    columns = kept.columns()
    csv_bytes = kept.to_csv(columns).encode("ascii")
    metadata = {
        "as_of": kept.as_of.isoformat(),
        "first": kept.first.isoformat(),
        "source": source,
        "publisher": "European Central Bank, euro foreign exchange reference rates",
        "generated_at": (generated_at or kept.as_of).isoformat(),
        "currencies": columns,
        "rows": len(kept),
        "file": DATA_FILE,
        "sha256": hashlib.sha256(csv_bytes).hexdigest(),
    }
    json_bytes = (json.dumps(metadata, indent=2, ensure_ascii=True) + "\n").encode("ascii")
    return csv_bytes, json_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--file", type=Path, help="an ECB eurofxref file (zip, csv or xml)")
    where.add_argument("--url", help="download an ECB eurofxref file")
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        help="first day to keep (default: 1 January three years before the last day)",
    )
    parser.add_argument(
        "--generated-at",
        type=date.fromisoformat,
        help="date written as generated_at (default: the last day of the data)",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)

    if args.url:
        payload = download(args.url)
        name = args.url
        source = args.url
    else:
        path = args.file or currency_converter_zip()
        payload = path.read_bytes()
        name = path.name
        if args.file is None:
            source = f"{ECB_HIST_ZIP_URL} (as bundled in the currency_converter package)"
        else:
            source = path.name
    snapshot = read_snapshot(name, payload)
    csv_bytes, json_bytes = build(
        snapshot, since=args.since, source=source, generated_at=args.generated_at
    )
    targets = {args.out / DATA_FILE: csv_bytes, args.out / METADATA_FILE: json_bytes}
    if args.check:
        stale = [p for p, data in targets.items() if not p.is_file() or p.read_bytes() != data]
        for path in stale:
            print(f"differs: {path}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path, data in targets.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    meta = json.loads(json_bytes)
    print(
        f"wrote {args.out / DATA_FILE} ({len(csv_bytes):,} bytes, {meta['rows']} days "
        f"{meta['first']}..{meta['as_of']}, {len(meta['currencies'])} currencies)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
