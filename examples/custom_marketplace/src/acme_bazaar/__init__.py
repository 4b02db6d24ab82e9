"""Acme Bazaar for xborder: the adapter (``acme_bazaar.adapter``) and its fake (``.fake``).

Importing the package registers the ``acme_bazaar`` channel rules, so
``xborder.prepare(listing, market, channel="acme_bazaar", rates=...)`` works.
"""

from __future__ import annotations

from acme_bazaar.adapter import CHANNEL, BazaarAdapter, BazaarSettings

__all__ = ["CHANNEL", "BazaarAdapter", "BazaarSettings"]
