"""Offers and credentials for the Acme Bazaar tests."""

from __future__ import annotations

from datetime import date

from acme_bazaar import CHANNEL, BazaarAdapter, BazaarSettings
from pydantic import SecretStr

import xborder as xb
from xborder.listing import Party, Weight

CLIENT_ID, CLIENT_SECRET = "acme-app", "bazaar-secret-4f1c"
ON = date(2026, 10, 1)


def listing(sku: str = "MUG-01", **changes: object) -> xb.Listing:
    """A listing that passes the compliance checks for the EU and the UK."""
    values: dict[str, object] = {
        "sku": sku,
        "title": "Stoneware coffee mug, 350 ml",
        "description": "Glazed stoneware. Dishwasher safe.",
        "price": xb.Money("24.00", "USD"),
        "quantity": 5,
        "brand": "Blue Ridge Kiln",
        "gtin": "4006381333931",
        "category": "home.drinkware",
        "images": ("https://img.example.com/mug-1.jpg",),
        "weight": Weight(value="0.4", unit="kg"),
        "hs_code": "691200",
        "origin_country": "US",
        "customs_description": "Stoneware coffee mug, glazed, 350 ml",
        "manufacturer": Party(
            name="Blue Ridge Kiln LLC",
            postal_address="1 Kiln Rd, Asheville NC",
            email="care@blueridgekiln.example",
        ),
        "eu_responsible_person": Party(
            name="EU Rep GmbH",
            postal_address="Hauptstr. 1, 10115 Berlin, Germany",
            email="gpsr@eurep.example",
        ),
        "safety_information": {"en": "Not for use in a microwave."},
    }
    values.update(changes)
    return xb.Listing(**values)


def prepare(item: xb.Listing, market: str = "DE") -> xb.Offer:
    """The offer of ``item`` for ``market`` on Acme Bazaar."""
    return xb.prepare(item, market, channel=CHANNEL, rates=xb.rates.bundled(), on=ON)


def make_adapter() -> BazaarAdapter:
    """An adapter with the credentials the tests' fakes accept."""
    return BazaarAdapter(
        BazaarSettings(client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET))
    )
