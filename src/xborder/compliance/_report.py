"""The result of one compliance check: a :class:`Report` of findings, as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from xborder.findings import Finding

__all__ = ["Report", "finding_to_dict"]

_RANK: Final = {"error": 0, "warning": 1, "info": 2}


def sort_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """Return ``findings`` ordered errors first, then warnings, then infos (stable)."""
    if len(findings) < 2:
        return tuple(findings)
    # Three buckets in one pass: every check() sorts its findings, and a key function
    # called per finding costs more than the sort itself.
    errors: list[Finding] = []
    warnings: list[Finding] = []
    infos: list[Finding] = []
    for finding in findings:
        severity = finding.severity
        if severity == "error":
            errors.append(finding)
        elif severity == "warning":
            warnings.append(finding)
        elif severity == "info":
            infos.append(finding)
        else:  # a severity only a Finding built around its checks can hold: as before
            return tuple(sorted(findings, key=_rank))
    return (*errors, *warnings, *infos)


def _rank(finding: Finding) -> int:
    return _RANK[finding.severity]


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """Return ``finding`` as a JSON-safe dict (dates as ISO strings)."""
    return {
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        "field": finding.field,
        "source": finding.source,
        "effective_from": (
            finding.effective_from.isoformat() if finding.effective_from is not None else None
        ),
    }


@dataclass(frozen=True, slots=True, init=False)
class Report:
    """What the compliance rules found about one listing for one market, channel and day.

    ``sku`` is the listing's SKU; ``market`` the country code; ``channel`` the channel's
    registry name (``None`` when no channel was named); ``on`` the day whose rules applied.
    ``findings`` are sorted errors first, then warnings, then infos (in rule order within
    each severity); ``suppressed`` holds the findings dropped by ``suppress=`` (kept, not
    lost). ``rules`` names the rules that ran. ``data_version`` identifies the rule data in
    force (the package version and a digest of the shipped facts and rule data), so a stored
    report says which data produced it.
    """

    sku: str | None
    market: str
    channel: str | None
    on: date
    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...] = ()
    rules: tuple[str, ...] = ()
    data_version: str = ""

    def __init__(
        self,
        sku: str | None,
        market: str,
        channel: str | None,
        on: date,
        findings: tuple[Finding, ...],
        suppressed: tuple[Finding, ...] = (),
        rules: tuple[str, ...] = (),
        data_version: str = "",
    ) -> None:
        # What the dataclass would generate, through the slots' own setters: its __init__
        # looks up and calls object.__setattr__ once per field, nearly twice as slow,
        # and every check() builds a Report.
        _SET_SKU(self, sku)
        _SET_MARKET(self, market)
        _SET_CHANNEL(self, channel)
        _SET_ON(self, on)
        _SET_FINDINGS(self, findings)
        _SET_SUPPRESSED(self, suppressed)
        _SET_RULES(self, rules)
        _SET_DATA_VERSION(self, data_version)

    @property
    def ok(self) -> bool:
        """Whether no finding is an error (warnings and infos do not block publishing)."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error findings, in report order."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The warning findings, in report order."""
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def infos(self) -> tuple[Finding, ...]:
        """The info findings, in report order."""
        return tuple(f for f in self.findings if f.severity == "info")

    @property
    def top_reason(self) -> str | None:
        """The first error's message, else the first warning's, else None."""
        for severity in ("error", "warning"):
            for finding in self.findings:
                if finding.severity == severity:
                    return finding.message
        return None

    def by_family(self) -> dict[str, tuple[Finding, ...]]:
        """Return the findings grouped by family (the part of the code before the dot).

        Families appear in the order of their first finding; each keeps report order.
        """
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.code.partition(".")[0], []).append(finding)
        return {family: tuple(items) for family, items in groups.items()}

    def codes(self) -> tuple[str, ...]:
        """Return the codes of the findings, in report order (duplicates kept)."""
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-safe dict (``json.dumps`` needs no default)."""
        return {
            "sku": self.sku,
            "market": self.market,
            "channel": self.channel,
            "on": self.on.isoformat(),
            "ok": self.ok,
            "data_version": self.data_version,
            "rules": list(self.rules),
            "findings": [finding_to_dict(f) for f in self.findings],
            "suppressed": [finding_to_dict(f) for f in self.suppressed],
        }

    def __str__(self) -> str:
        head = f"{self.sku} -> {self.market}" + (f" ({self.channel})" if self.channel else "")
        verdict = "ok" if self.ok else f"{len(self.errors)} error(s)"
        lines = [f"{head} on {self.on.isoformat()}: {verdict}"]
        lines += [f"  {finding}" for finding in self.findings]
        return "\n".join(lines)


class _Building:
    """A Report being built by :func:`build_report`: Report's slots, without its frozenness."""

    __slots__ = Report.__slots__
    sku: str | None
    market: str
    channel: str | None
    on: date
    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    rules: tuple[str, ...]
    data_version: str


def build_report(
    sku: str | None,
    market: str,
    channel: str | None,
    on: date,
    findings: tuple[Finding, ...],
    suppressed: tuple[Finding, ...],
    rules: tuple[str, ...],
    data_version: str,
) -> Report:
    """Return ``Report(sku, market, ...)``, built in about half the time; for the engine.

    Every check() builds a Report, and a frozen dataclass can be filled only through one
    call per field. This fills an object of a class with the same slots by plain
    assignments, then makes it a Report: Python allows assigning ``__class__`` between
    classes of the same layout (same base, same slots). The result is a genuine Report,
    frozen from then on; tests/compliance/test_report.py holds the two ways to the same
    value.
    """
    report = _Building()
    report.sku = sku
    report.market = market
    report.channel = channel
    report.on = on
    report.findings = findings
    report.suppressed = suppressed
    report.rules = rules
    report.data_version = data_version
    report.__class__ = Report  # type: ignore[assignment]
    return report  # type: ignore[return-value]


# The slot descriptors' __set__ bypasses the frozen dataclass's __setattr__ (which refuses
# every assignment); only Report.__init__ uses them.
_SET_SKU: Final[Any] = Report.__dict__["sku"].__set__
_SET_MARKET: Final[Any] = Report.__dict__["market"].__set__
_SET_CHANNEL: Final[Any] = Report.__dict__["channel"].__set__
_SET_ON: Final[Any] = Report.__dict__["on"].__set__
_SET_FINDINGS: Final[Any] = Report.__dict__["findings"].__set__
_SET_SUPPRESSED: Final[Any] = Report.__dict__["suppressed"].__set__
_SET_RULES: Final[Any] = Report.__dict__["rules"].__set__
_SET_DATA_VERSION: Final[Any] = Report.__dict__["data_version"].__set__
