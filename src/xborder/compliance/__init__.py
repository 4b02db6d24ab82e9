"""Compliance: check a listing against a destination's rules before it is published."""

from xborder.compliance._context import ALL_REGIMES, Context, Regime, Rule

__all__ = ["ALL_REGIMES", "Context", "Regime", "Rule"]
