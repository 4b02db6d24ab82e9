"""MACHINE_PROVIDERS: the machine translators whose cached text localize() reads by default."""

from __future__ import annotations

from datetime import date

import pytest

from xborder import Listing, Money
from xborder.localize import translate as tr
from xborder.localize.content import localize

ON = date(2026, 10, 30)
TITLE = "Handmade stoneware mug"


def listing() -> Listing:
    return Listing(sku="MUG-01", title=TITLE, price=Money("24.00", "USD"), quantity=3)


def cached(provider: str) -> tr.MemoryTranslationCache:
    cache = tr.MemoryTranslationCache()
    key = tr.cache_key(TITLE, "en", "de", provider)
    cache.put(key, tr.CachedTranslation("Handgemachte Tasse", provider, "en", "de", ON))
    return cache


def test_the_constant_names_the_shipped_machine_translators() -> None:
    assert tr.MACHINE_PROVIDERS == ("deepl", "libretranslate")
    assert (tr.DeepLTranslator.name, tr.LibreTranslateTranslator.name) == tr.MACHINE_PROVIDERS
    assert "MACHINE_PROVIDERS" in tr.__all__
    assert tr.GlossaryTranslator.name not in tr.MACHINE_PROVIDERS


@pytest.mark.parametrize("provider", ["deepl", "libretranslate"])
def test_localize_reads_every_listed_provider_by_default(provider: str) -> None:
    content = localize(listing(), "DE", cache=cached(provider), on=ON)
    assert content.title.text == "Handgemachte Tasse"
    assert content.title.provenance.provider == provider


def test_a_provider_not_listed_is_read_only_when_asked() -> None:
    cache = cached("acme-mt")
    assert localize(listing(), "DE", cache=cache, on=ON).title.provenance.kind == "untranslated"
    asked = localize(listing(), "DE", cache=cache, on=ON, providers=["acme-mt"])
    assert asked.title.provenance.provider == "acme-mt"
