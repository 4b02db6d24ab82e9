"""Compliance: check a listing against a destination's rules before it is published.

:func:`check` runs every rule registered in the ``xborder.rules`` entry-point group (the
built-ins register there too) and returns a :class:`Report` of
:class:`~xborder.findings.Finding` values; :func:`ensure_compliant` raises
:class:`~xborder.errors.ComplianceError` instead when the report has an error.
:func:`load_rule_file` adds a seller's own declarative rules. docs/compliance.md lists every
rule family and finding code.
"""

from xborder.compliance._context import ALL_REGIMES, Context, Regime, Rule, field_values
from xborder.compliance._engine import check, check_many, data_version, ensure_compliant
from xborder.compliance._registry import (
    FileRule,
    available_rules,
    load_rule_file,
    registered_rules,
)
from xborder.compliance._report import Report
from xborder.compliance.landed import (
    DutyRate,
    DutyRateSource,
    LandedCost,
    LandedCostLine,
    TableDutyRates,
    landed_cost,
)

__all__ = [
    "ALL_REGIMES",
    "Context",
    "DutyRate",
    "DutyRateSource",
    "FileRule",
    "LandedCost",
    "LandedCostLine",
    "Regime",
    "Report",
    "Rule",
    "TableDutyRates",
    "available_rules",
    "check",
    "check_many",
    "data_version",
    "ensure_compliant",
    "field_values",
    "landed_cost",
    "load_rule_file",
    "registered_rules",
]
