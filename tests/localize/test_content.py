from __future__ import annotations

from datetime import date
from typing import Any

from xborder import Listing, Money
from xborder.localize.content import LocalizedContent, localize, translation_target
from xborder.localize.translate import CachedTranslation, MemoryTranslationCache, cache_key

ON = date(2026, 10, 30)

BASE: dict[str, Any] = {
    "sku": "MUG-01",
    "title": "Handmade stoneware mug",
    "description": "<p>Thrown by hand.</p><script>alert(1)</script>",
    "price": Money("24.00", "USD"),
    "quantity": 3,
    "attributes": {"color": ["Blue", "White"], "material": ["Stoneware"], "glaze": ["Ash"]},
    "weight": {"value": "0.45", "unit": "kg"},
    "dimensions": {"length": "12", "width": "9", "height": "10", "unit": "cm"},
}


def make(**changes: Any) -> Listing:
    return Listing(**{**BASE, **changes})


def codes(content: LocalizedContent) -> list[tuple[str, str | None]]:
    return [(f.code, f.field) for f in content.findings]


def test_same_language_keeps_everything_original() -> None:
    content = localize(make(), "GB", on=ON)
    assert content.language == "en" and content.locale == "en_GB"
    assert content.title.text == "Handmade stoneware mug"
    assert content.title.provenance.kind == "original"
    assert [a.name.text for a in content.attributes] == ["Color", "Material", "Glaze"]
    assert content.findings == ()


def test_seller_translation_glossary_and_untranslated() -> None:
    listing = make(translations={"de": {"title": "Handgemachte Steinzeugtasse"}})
    content = localize(listing, "DE", on=ON)
    assert content.title.text == "Handgemachte Steinzeugtasse"
    assert content.title.provenance.kind == "seller"
    color = content.attributes[0]
    assert color.name.provenance.kind == "glossary"
    assert [v.provenance.kind for v in color.values] == ["glossary", "glossary"]
    assert content.condition.provenance.kind == "glossary"
    # No German description anywhere: the source text stays, with a finding.
    assert content.description.provenance.kind == "untranslated"
    assert content.description.text == listing.description
    assert ("localize.untranslated", "description") in codes(content)
    glaze = content.attributes[2]
    assert glaze.values[0].provenance.kind == "untranslated"
    assert ("localize.untranslated", "attributes.glaze") in codes(content)


def test_machine_translation_from_the_cache() -> None:
    cache = MemoryTranslationCache()
    listing = make()
    for text, german in [
        (listing.title, "Handgemachte Tasse"),
        (listing.description, "<p>Von Hand.</p>"),
    ]:
        key = cache_key(text, "en", "de", "deepl")
        cache.put(key, CachedTranslation(german, "deepl", "en", "de", date(2026, 10, 1)))
    content = localize(listing, "DE", cache=cache, on=ON)
    assert content.title.text == "Handgemachte Tasse"
    assert content.title.provenance.kind == "machine"
    assert content.title.provenance.provider == "deepl"
    assert content.title.provenance.translated_at == date(2026, 10, 1)
    assert str(content.title.provenance) == "machine (deepl, 2026-10-01)"
    assert "description" not in [f.field for f in content.findings]


def test_seller_attribute_translation_wins() -> None:
    listing = make(translations={"de": {"attributes": {"glaze": ["Ascheglasur"]}}})
    content = localize(listing, "DE", on=ON)
    assert content.attributes[2].values[0].text == "Ascheglasur"
    assert content.attributes[2].values[0].provenance.kind == "seller"


def test_units_in_the_market_system() -> None:
    us = localize(make(weight={"value": "0.9", "unit": "kg"}), "US", on=ON)
    assert us.weight is not None
    assert us.weight.unit == "lb"
    assert us.weight.text == "1.98 lb"  # 0.9 / 0.45359237 = 1.984..., rounded for display only
    light = localize(make(), "US", on=ON)  # 0.45 kg is under a pound: ounces
    assert light.weight is not None
    assert light.weight.unit == "oz"
    de = localize(make(), "DE", on=ON)
    assert de.weight is not None
    assert de.weight.text == "450 g"
    assert de.dimensions is not None
    assert de.dimensions.unit == "cm"
    assert us.dimensions is not None
    assert us.dimensions.unit == "in"


def test_channel_rules_applied() -> None:
    listing = make(title="Mug " + "very " * 30 + "long")
    content = localize(listing, "GB", channel="ebay", on=ON)
    assert len(content.title.text) <= 80
    assert ("channel.title_shortened", "title") in codes(content)
    assert "<script" not in content.description.text
    amazon = localize(make(), "GB", channel="amazon", on=ON)
    assert "<p>" not in amazon.description.text
    assert amazon.channel == "amazon"


def test_price_formatted_for_the_market() -> None:
    content = localize(make(), "DE", price=Money("25.99", "EUR"), on=ON)
    assert content.price == "25,99\xa0€"
    assert localize(make(), "DE", on=ON).price is None


def test_japanese_market() -> None:
    listing = make(translations={"ja": {"title": "手作りの炻器マグカップ"}})
    content = localize(listing, "JP", on=ON)
    assert content.language == "ja"
    assert content.title.text == "手作りの炻器マグカップ"
    assert content.attributes[1].values[0].provenance.kind == "glossary"


def test_quantities_are_written_the_market_way() -> None:
    listing = make(attributes={"capacity": ["350 ml"], "size": ["1.5 l"]})
    content = localize(listing, "DE", on=ON)
    capacity, size = content.attributes
    assert capacity.values[0].text == "350\xa0ml"  # CLDR de: a no-break space
    assert capacity.values[0].provenance.kind == "measure"
    assert size.values[0].text == "1,5 l"  # CLDR de writes litres with a plain space
    assert {f.field for f in content.findings} == {"title", "description"}


def test_network_generations_are_not_grams() -> None:
    # "5G" is a network generation, not five grams: unit symbols are case-sensitive, so the
    # values stay as the seller wrote them, and the missing translation is reported.
    listing = make(
        attributes={
            "connectivity": ["5G", "4G LTE"],
            "network": ["4G", "3G"],
            "memory": ["8 G", "5 GB"],
        }
    )
    content = localize(listing, "DE", on=ON)
    values = {a.key: [(v.text, v.provenance.kind) for v in a.values] for a in content.attributes}
    assert values == {
        "connectivity": [("5G", "untranslated"), ("4G LTE", "untranslated")],
        "network": [("4G", "untranslated"), ("3G", "untranslated")],
        "memory": [("8 G", "untranslated"), ("5 GB", "untranslated")],
    }
    fields = {field for _, field in codes(content)}
    assert {"attributes.connectivity", "attributes.network", "attributes.memory"} <= fields


def test_clothing_sizes_are_not_units() -> None:
    content = localize(make(attributes={"size": ["M", "L", "XL"]}), "DE", on=ON)
    assert [v.provenance.kind for v in content.attributes[0].values] == ["untranslated"] * 3


def test_unit_symbols_convert_in_their_usual_spellings() -> None:
    written = {
        "500 g": "500 g",
        "5g": "5 g",
        "2 kg": "2 kg",
        "2 KG": "2 kg",
        "1.5 Kg": "1,5 kg",
        "350 ml": "350\xa0ml",
        "350 mL": "350\xa0ml",
        "350 ML": "350\xa0ml",
        "350 Ml": "350\xa0ml",
        "1.5 l": "1,5 l",
        "1.5 L": "1,5 l",
        "2L": "2 l",
        "10 mm": "10 mm",
        "10 MM": "10 mm",
        "12 cm": "12 cm",
        "12 CM": "12 cm",
        "12 Cm": "12 cm",
        "5 in": "5 in",
        "5 IN": "5 in",
        "8 oz": "8 oz",
        "8 OZ": "8 oz",
        "8 Oz": "8 oz",
        "2 lb": "2 lb",
        "2 LB": "2 lb",
        "2 Lb": "2 lb",
        "12 fl oz": "12 fl oz",
        "12 FL OZ": "12 fl oz",
        "12 Fl Oz": "12 fl oz",
        "12 Fl. oz": "12 fl oz",
        "12 fl.oz": "12 fl oz",
        "12 FLOZ": "12 fl oz",
    }
    content = localize(make(attributes={"size": list(written)}), "DE", on=ON)
    got = [(v.text, v.provenance.kind) for v in content.attributes[0].values]
    assert got == [(text, "measure") for text in written.values()]
    assert "attributes.size" not in {field for _, field in codes(content)}


def test_unit_symbols_in_other_cases_are_not_read() -> None:
    # Neither a symbol nor a seller's usual spelling of one: left as written, and reported.
    # (lbs, m and the other units xborder does not format are left alone too.)
    texts = ["5 G", "2 kG", "12 fL oz", "350 mL.", "5 lbs", "3 m"]
    content = localize(make(attributes={"size": texts}), "DE", on=ON)
    assert [(v.text, v.provenance.kind) for v in content.attributes[0].values] == [
        (text, "untranslated") for text in texts
    ]


# -- regional and script variants -----------------------------------------------------------


def test_translation_targets_keep_what_changes_the_words() -> None:
    assert [
        translation_target(locale)
        for locale in ("de_DE", "de_AT", "de_CH", "de_LI", "fr_CA", "pt_PT", "pt_BR")
    ] == ["de", "de", "de-CH", "de-LI", "fr", "pt", "pt-BR"]
    assert [
        translation_target(locale)
        for locale in ("zh_Hans_CN", "zh_Hant_TW", "zh_Hant_HK", "sr_Cyrl_RS", "sr_Latn_RS")
    ] == ["zh", "zh-Hant", "zh-Hant", "sr", "sr-Latn"]


def test_swiss_german_gets_the_glossary_swiss_spelling() -> None:
    content = localize(make(attributes={"color": ["White"]}), "CH", on=ON)
    assert content.attributes[0].values[0].text == "Weiss"
    assert (
        localize(make(attributes={"color": ["White"]}), "DE", on=ON).attributes[0].values[0].text
        == "Weiß"
    )


def test_taiwan_reads_the_traditional_chinese_cache_and_brazil_the_brazilian() -> None:
    listing = make(description="")
    cache = MemoryTranslationCache()
    for target, text in [("zh-Hant", "手工杯"), ("zh", "手工杯 (简体)"), ("pt-BR", "Caneca")]:
        key = cache_key(listing.title, "en", target, "deepl")
        cache.put(key, CachedTranslation(text, "deepl", "en", target, date(2026, 10, 1)))
    assert localize(listing, "TW", cache=cache, on=ON).title.text == "手工杯"
    assert localize(listing, "CN", cache=cache, on=ON).title.text == "手工杯 (简体)"
    assert localize(listing, "BR", cache=cache, on=ON).title.text == "Caneca"
    assert localize(listing, "PT", cache=cache, on=ON).title.provenance.kind == "untranslated"


def test_seller_translations_are_found_under_any_spelling_of_the_market_tag() -> None:
    for key in ("zh-Hant", "zh_Hant", "zh-TW", "zh-Hant-TW", "zh_hant_tw"):
        listing = make(translations={key: {"title": "手工杯"}, "zh-Hans": {"title": "手工杯简"}})
        assert localize(listing, "TW", on=ON).title.text == "手工杯", key
    simplified = make(translations={"zh-Hans": {"title": "手工杯简"}})
    assert localize(simplified, "CN", on=ON).title.text == "手工杯简"
    # A Simplified translation is no Traditional one.
    assert localize(simplified, "TW", on=ON).title.provenance.kind == "untranslated"


def test_a_listing_in_simplified_chinese_is_no_original_for_taiwan() -> None:
    listing = make(language="zh-Hans", title="手工杯", attributes={})
    assert localize(listing, "CN", on=ON).title.provenance.kind == "original"
    taiwan = localize(listing, "TW", on=ON)
    assert taiwan.title.provenance.kind == "untranslated"
    assert ("localize.untranslated", "title") in codes(taiwan)
