"""Report helpers: the order of findings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.compliance._report import sort_findings
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
