"""The vendored files are the ones SOURCES.md names, byte for byte."""

from __future__ import annotations

import hashlib
import re

from marketplaces.amazon._support import SPECS

ROW = re.compile(r"^\| (\S+) \|(?:.*\|)? ([0-9a-f]{64}) \|$", re.M)


def test_every_file_matches_its_sha256_and_is_listed() -> None:
    listed = dict(ROW.findall((SPECS / "SOURCES.md").read_text(encoding="utf-8")))
    files = {p.name for p in SPECS.iterdir() if p.suffix == ".json"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((SPECS / name).read_bytes()).hexdigest() == digest, name
    assert "Apache License" in (SPECS / "LICENSE").read_text(encoding="utf-8")
