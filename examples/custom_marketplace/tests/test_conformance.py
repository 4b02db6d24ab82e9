"""Acme Bazaar passes the xborder conformance kit (fixtures in conftest.py)."""

from __future__ import annotations

from xborder.testing.conformance import AdapterConformance


class TestBazaarConformance(AdapterConformance):
    """Every check of the kit: adapter, fake and offers come from conftest.py."""
