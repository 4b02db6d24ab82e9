"""Issue #10: XSS payloads from the committed grammar never reach a marketplace request.

Every payload of tests/reliability/xss_grammar.json is put into a listing's description, its
title and an attribute value (the eBay item specific, the Amazon bullet point), and in the
seller's German translation of both texts. The listing goes the way a seller's listing goes:
``xb.prepare`` for eBay, Amazon and Meta in GB and DE (localization and sanitising), then the
adapter's upsert through ``xb.Client`` against the marketplace's fake. Every string of every
request body the fake received is read by an independent checker (html.parser, not xborder's
sanitiser; see _xss.py), which must find no active content.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pytest

import xborder as xb
from jobs._support import ebay_settings, fake_ebay
from marketplaces.amazon import _support as amazon
from marketplaces.facebook import _support as meta
from xborder.client import Client
from xborder.marketplaces.ebay import EbayAdapter
from xborder.offer import Offer
from xborder.testing import FakeClock, FakeMarketplace
from xborder.testing.facebook import FakeFacebookCatalog

from ._xss import (
    ENCODINGS,
    Payload,
    active_content,
    classes,
    decoded,
    grammar,
    of_class,
    payloads,
    revealed,
    strings,
    visible_text,
)

ON = date(2026, 10, 1)
MARKETS = ("GB", "DE")
CHANNELS = ("ebay", "amazon", "facebook")
OPENING = "Wheel-thrown stoneware mug."
CLOSING = "Dishwasher safe, 350 ml."
OPENING_DE = "Auf der Scheibe gedrehte Steinzeugtasse."
# What Listing refuses outright (its Text rule): such a payload never gets in at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# eBay's two description fields are HTML; every other string a request carries is plain text.
_HTML_FIELDS = re.compile(r"\.(?:product\.description|listingDescription)$")


# -- the grammar ------------------------------------------------------------------------------


def test_grammar_expands_to_at_least_100_distinct_payloads_deterministically() -> None:
    expanded = payloads()
    assert len(expanded) >= 100
    assert len({p.text for p in expanded}) == len(expanded)
    assert list(expanded) == sorted(expanded)
    payloads.cache_clear()
    assert payloads() == expanded  # same grammar, same payloads, in the same order


def test_every_class_cites_a_public_list_and_has_payloads() -> None:
    data = grammar()
    known = set(data["sources"].values())
    assert known == {
        "https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html",
        "https://portswigger.net/web-security/cross-site-scripting/cheat-sheet",
        "https://html5sec.org/",
    }
    assert data["encodings"]["source"] in data["sources"]
    for name in classes():
        found = of_class(name)
        assert found, name
        assert {p.source for p in found} <= known
    names = classes()
    assert len(names) == len(set(names)) >= 10


def test_every_encoding_named_is_described_and_implemented() -> None:
    data = grammar()
    used = set(data["parts"]["case"])
    for klass in data["classes"]:
        for template in klass["templates"]:
            encodings = template.get("encodings", [])
            used |= set(data["parts"][encodings[1:]] if isinstance(encodings, str) else encodings)
            if encodings:
                assert template["encode"] in template["slots"], template["template"]
    assert used == set(data["encodings"]["kinds"]) == set(ENCODINGS)


@pytest.mark.parametrize("klass", classes())
def test_the_checker_sees_every_payload_of(klass: str) -> None:
    # Each payload is active as written, or once decoded/stripped the way it is meant to be:
    # so a clean result below means something, and the grammar has no dud.
    blind = [p.text for p in of_class(klass) if not any(map(active_content, revealed(p.text)))]
    assert blind == []


def test_the_checker_passes_ordinary_descriptions() -> None:
    ordinary = (
        '<div vocab="https://schema.org/" typeof="Product"><span property="description">'
        '<p style="color:#333;font-size:14px">Stoneware &amp; glaze, 350&nbsp;ml</p>'
        '<a href="https://shop.example.com/mug" rel="noopener noreferrer nofollow">Shop</a>'
        '<img src="https://images.example.com/mug.jpg" alt="Mug"><ul><li>Size &lt; 10 cm</li>'
        "</ul></span></div>"
    )
    assert active_content(ordinary) == []
    assert all(active_content(form) == [] for form in decoded("Tom &amp; Jerry mug, 3 < 4"))


# -- through xborder ---------------------------------------------------------------------------


def _line(text: str, limit: int) -> str:
    # Titles and attribute values are single lines (Listing's Line rule).
    return " ".join(text.split())[:limit]


def listing(sku: str, payload: str) -> xb.Listing:
    return xb.Listing(
        sku=sku,
        title=_line(f"Stoneware mug {payload}", 200),
        description=f"<p>{OPENING}</p>\n{payload}\n<p>{CLOSING}</p>",
        price=xb.Money("24.00", "EUR"),
        quantity=5,
        brand="Ridgeline",
        category="home.drinkware",
        gtin="4006381333931",
        images=("https://images.example.com/mug-1.jpg",),
        url="https://shop.example.com/products/mug",
        attributes={"color": [_line(f"Blue {payload}", 500)]},
        translations={
            "de": {
                "title": _line(f"Steinzeugtasse {payload}", 200),
                "description": f"{OPENING_DE}\n\n{payload}",
            }
        },
    )


@dataclass
class Sent:
    offers: list[Offer]
    bodies: list[tuple[str, Any]]  # (URL, JSON body) of every request with a body


def _upsert(fake: FakeMarketplace, adapter: Any, offers: list[Offer], clock: FakeClock) -> Sent:
    with fake, fake.http_client() as http, Client(http=http, clock=clock) as client:
        # allow_noncompliant: whatever compliance says, the request must still be clean.
        results = client.marketplace(adapter).upsert(offers, allow_noncompliant=True)
        assert [r.status for r in results] == ["ok"] * len(offers)
        bodies = [
            (str(call.request.url), json.loads(call.request.content))
            for call in fake.calls
            if call.request.content and call.operation != "token"
        ]
    return Sent(offers, bodies)


@cache
def sent(klass: str, channel: str) -> Sent:
    """Prepare and upsert every payload of ``klass`` on ``channel`` (once per session)."""
    items = [listing(f"XSS-{i:04d}", p.text) for i, p in enumerate(of_class(klass)) if ok(p)]
    rates = xb.rates.bundled()
    offers = [
        xb.prepare(item, market, channel=channel, rates=rates, on=ON)
        for item in items
        for market in MARKETS
    ]
    clock = FakeClock(datetime(2026, 10, 1, 9, tzinfo=UTC))
    if channel == "ebay":
        return _upsert(fake_ebay(clock), EbayAdapter(ebay_settings()), offers, clock)
    if channel == "amazon":
        # Per-item PUTs (no feed): every listing is one request body the test can read.
        adapter = amazon.adapter(feed_threshold=10_000)
        return _upsert(amazon.fake(clock), adapter, offers, clock)
    fake = FakeFacebookCatalog(clock=clock, catalog_id=meta.CATALOG_ID, access_token=meta.TOKEN)
    return _upsert(fake, meta.adapter(), offers, clock)


def ok(payload: Payload) -> bool:
    return _CONTROL.search(payload.text) is None


def _findings(body: Any) -> Iterator[str]:
    for path, text in strings(body):
        forms = [text] if _HTML_FIELDS.search(path) else decoded(text)
        for form in forms:
            for found in active_content(form):
                yield f"{path}: {found} in {text[:160]!r}"


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("klass", classes())
def test_no_active_content_reaches_any_request(klass: str, channel: str) -> None:
    result = sent(klass, channel)
    assert result.offers and result.bodies
    problems = [found for _, body in result.bodies for found in _findings(body)]
    assert problems == []
    # Every offer was sent (nothing passed by being left out).
    everything = " ".join(url + json.dumps(body) for url, body in result.bodies)
    assert {o.key.sku for o in result.offers} <= set(re.findall(r"XSS-\d{4}", everything))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("klass", classes())
def test_descriptions_keep_their_ordinary_text(klass: str, channel: str) -> None:
    result = sent(klass, channel)
    for offer in result.offers:
        text = offer.content.description.text
        if offer.market.country == "DE":
            assert OPENING_DE in text, (offer.key, text)
            continue
        # The text before the payload always stays; the text after it stays unless the payload
        # leaves an element open that hides it from a reader too (<iframe>, <script>, …).
        assert OPENING in text, (offer.key, text)
        if CLOSING in visible_text(offer.listing.description):
            assert CLOSING in text, (offer.key, text)
    kept = [
        text
        for _, body in result.bodies
        for path, text in strings(body)
        if "description" in path.lower() and "#key" not in path
        if OPENING in text or OPENING_DE in text
    ]
    assert len(kept) >= len(result.offers)  # every offer sent a description with that text


@pytest.mark.parametrize("channel", CHANNELS)
def test_titles_and_bullets_become_plain_text(channel: str) -> None:
    result = sent("event-handler", channel)
    for offer in result.offers:
        assert "<" not in offer.content.title.text
        assert offer.content.title.text.startswith(("Stoneware mug", "Steinzeugtasse"))
        for attribute in offer.content.attributes:
            assert all("<" not in value.text for value in attribute.values)
        assert "channel.html_removed" in {f.code for f in offer.content.findings}


def test_payloads_with_control_characters_are_refused_at_the_door() -> None:
    refused = [p for p in payloads() if not ok(p)]
    assert refused  # the grammar has raw NUL and form-feed spellings
    for payload in refused:
        with pytest.raises(xb.InvalidListingError):
            listing("XSS-0000", payload.text)


# -- fields sent as written: markup refused when the listing is made ---------------------------

PLAIN_FIELDS = ("brand", "mpn", "customs_description", "manufacturer", "safety_information")


def _with_field(name: str, text: str) -> dict[str, Any]:
    if name == "manufacturer":
        return {"manufacturer": {"name": text, "postal_address": "1 Kiln Lane", "email": "a@b.de"}}
    if name == "safety_information":
        return {"safety_information": {"en": text}}
    return {name: text}


@pytest.mark.parametrize("field", PLAIN_FIELDS)
def test_fields_sent_as_written_refuse_every_payload_or_keep_nothing_active(field: str) -> None:
    # Brand, MPN, customs description, the GPSR parties and safety information go to the
    # marketplaces as the seller wrote them (no per-channel cleaning): a payload there is
    # refused with an error naming the field, or what is kept is inert in every decoded form.
    refused = 0
    for payload in payloads():
        data = {
            "sku": "XSS-1",
            "title": "Stoneware mug",
            "price": xb.Money("24.00", "USD"),
            "quantity": 1,
            **_with_field(field, payload.text),
        }
        try:
            made = xb.Listing.model_validate(data)
        except xb.InvalidListingError as exc:
            message = str(exc)
            refused += 1
            assert field in message
            continue
        for _, text in strings(made.model_dump(mode="json", include={field})):
            for form in decoded(text):
                assert not active_content(form), (payload.klass, payload.text)
    assert refused >= len(payloads()) * 9 // 10  # nearly all of them hold a tag start


@pytest.mark.parametrize("text", ["Tom & Jerry", "3<4", "Not for children < 3 years", "A&B"])
def test_plain_fields_keep_ordinary_ampersands_and_comparisons(text: str) -> None:
    made = xb.Listing.model_validate(
        {
            "sku": "XSS-1",
            "title": "Stoneware mug",
            "price": xb.Money("24.00", "USD"),
            "quantity": 1,
            "brand": text,
            "safety_information": {"en": text},
        }
    )
    assert made.brand == text
    assert made.safety_information["en"] == text
