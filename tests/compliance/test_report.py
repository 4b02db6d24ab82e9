"""Report helpers: the order of findings, and the engine's way of building a Report."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.compliance._report import Report, build_report, sort_findings
from xborder.findings import Finding

_RANK = {"error": 0, "warning": 1, "info": 2}

findings = st.builds(
    Finding,
    code=st.sampled_from(["customs.hs_code_missing", "gpsr.picture_missing", "tax.ioss"]),
    severity=st.sampled_from(["error", "warning", "info"]),
    message=st.text(min_size=1, max_size=5),
    field=st.none() | st.sampled_from(["title", "price"]),
)


@given(st.lists(findings, max_size=12))
def test_errors_then_warnings_then_infos_each_in_the_order_found(found: list[Finding]) -> None:
    ordered = sort_findings(found)
    # The plain definition: a stable sort by rank (identity kept: no finding is rebuilt).
    expected = sorted(found, key=lambda f: _RANK[f.severity])
    assert len(ordered) == len(expected)
    assert all(a is b for a, b in zip(ordered, expected, strict=True))


def test_examples() -> None:
    e1, e2 = (Finding("a.e", "error", f"e{i}") for i in (1, 2))
    w1, w2 = (Finding("a.w", "warning", f"w{i}") for i in (1, 2))
    i1, i2 = (Finding("a.i", "info", f"i{i}") for i in (1, 2))
    assert sort_findings([i1, w1, e1, i2, w2, e2]) == (e1, e2, w1, w2, i1, i2)
    assert sort_findings([w1, e1]) == (e1, w1)
    assert sort_findings([i1, e1]) == (e1, i1)
    assert sort_findings([i1]) == (i1,)
    assert sort_findings([]) == ()


def test_a_severity_no_finding_can_hold_is_refused() -> None:
    # Only a tuple-level construction bypasses Finding's checks; such a value is not sorted.
    odd = tuple.__new__(Finding, ("a.b", "fatal", "m", None, None, None))
    with pytest.raises(KeyError):
        sort_findings([Finding("a.e", "error", "e"), odd])


def test_build_report_gives_the_report_the_constructor_gives() -> None:
    found = (Finding("a.e", "error", "e"), Finding("a.i", "info", "i"))
    dropped = (Finding("a.w", "warning", "w"),)
    for args in [
        ("SKU-1", "DE", "ebay", date(2026, 7, 1), found, dropped, ("a", "b"), "v 1"),
        (None, "JP", None, date(2025, 1, 2), (), (), (), ""),
    ]:
        built = build_report(*args)
        made = Report(*args)
        assert type(built) is Report
        assert built == made
        assert hash(built) == hash(made)
        assert repr(built) == repr(made)
        assert dataclasses.astuple(built) == args
        assert pickle.loads(pickle.dumps(built)) == made
        assert copy.deepcopy(built) == made
        assert dataclasses.replace(built, sku="other").sku == "other"
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.sku = "changed"  # type: ignore[misc]
