"""The shipped glossary (data tests), Glossary.lookup/condition, and GlossaryTranslator."""

from __future__ import annotations

import json
import re
import typing
from datetime import date
from importlib.resources import files

import pytest

from xborder.errors import TranslationError
from xborder.listing import Condition
from xborder.localize.translate import (
    CONDITION_TERMS,
    Glossary,
    GlossaryTranslator,
    Translator,
    glossary,
)

from .test_translate_helpers import drive, ok

LANGUAGES = ("de", "fr", "es", "it", "nl", "pl", "sv", "ja")
RAW = json.loads(files("xborder.localize").joinpath("data", "glossary.json").read_text("utf-8"))
ALL_TERMS = [(g, t, tr) for g, terms in RAW["terms"].items() for t, tr in terms.items()]

# -- the data --------------------------------------------------------------------------------------


def test_shape_and_provenance() -> None:
    assert set(RAW) >= {"as_of", "languages", "note", "terms"}
    assert tuple(RAW["languages"]) == LANGUAGES
    assert date.fromisoformat(RAW["as_of"]) == glossary().as_of
    assert "review" in RAW["note"].lower() and len(RAW["note"]) > 200
    assert set(RAW["terms"]) >= {"attributes", "conditions", "colours", "materials", "units"}


@pytest.mark.parametrize(("group", "term", "translations"), ALL_TERMS, ids=lambda v: str(v)[:30])
def test_every_term_has_all_eight_languages(
    group: str, term: str, translations: dict[str, str]
) -> None:
    assert set(translations) == set(LANGUAGES), f"{group}/{term}"
    for lang, text in translations.items():
        assert text == text.strip() and text, f"{group}/{term}/{lang}"
        assert "  " not in text


def test_groups_are_big_enough_and_hold_the_required_terms() -> None:
    terms = RAW["terms"]
    required = {
        "attributes": "color colour material size capacity weight dimensions length width height "
        "volume style pattern finish scent fit gender",
        "colours": "white black blue navy green red brown beige grey gray pink purple yellow "
        "orange gold silver natural cream",
        "materials": "stoneware ceramic porcelain leather cotton linen wool silk wood oak walnut "
        "brass glass beeswax paper cardboard plastic bamboo",
        "units": "ml l g kg cm mm in oz lb",
    }
    for group, words in required.items():
        assert set(words.split()) <= set(terms[group]), group
    assert {"age group", "full-grain leather", "sterling silver", "stainless steel", "soy wax"} <= (
        set(terms["attributes"]) | set(terms["materials"])
    )
    assert "fl oz" in terms["units"]
    assert len(terms["colours"]) >= 25 and len(terms["materials"]) >= 25


def test_condition_terms_cover_xborder_conditions() -> None:
    assert set(CONDITION_TERMS) == set(typing.get_args(Condition))
    assert set(CONDITION_TERMS.values()) == set(RAW["terms"]["conditions"])


def test_spelling_conventions() -> None:
    """German entries start with a capital, other Latin-script ones in lower case."""
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for group, term, translations in ALL_TERMS:
        assert translations["de"][0].isupper(), f"{group}/{term}: {translations['de']}"
        for lang in ("fr", "es", "it", "nl", "pl", "sv"):
            assert not translations[lang][0].isupper(), f"{group}/{term}/{lang}"
        assert japanese.search(translations["ja"]), f"{group}/{term}/ja"
        assert not re.search("[A-Za-z]", translations["ja"]), f"{group}/{term}/ja"


def test_shipped_glossary_is_loaded_once() -> None:
    assert glossary() is glossary()
    assert len(glossary()) == len(ALL_TERMS)
    assert "2026" in repr(glossary())


# -- lookups in all eight languages ---------------------------------------------------------------

LOOKUPS = {
    "Colour": ["Farbe", "Couleur", "Color", "Colore", "Kleur", "Kolor", "Färg", "カラー"],
    "material": [
        "Material",
        "matière",
        "material",
        "materiale",
        "materiaal",
        "materiał",
        "material",
        "素材",
    ],
    "Capacity": [
        "Fassungsvermögen",
        "Capacité",
        "Capacidad",
        "Capacità",
        "Inhoud",
        "Pojemność",
        "Kapacitet",
        "容量",
    ],
    "age group": [
        "Altersgruppe",
        "tranche d'âge",
        "rango de edad",
        "fascia d'età",
        "leeftijdsgroep",
        "grupa wiekowa",
        "åldersgrupp",
        "対象年齢",
    ],
    "navy": [
        "Marineblau",
        "bleu marine",
        "azul marino",
        "blu navy",
        "marineblauw",
        "granatowy",
        "marinblå",
        "ネイビー",
    ],
    "grey": ["Grau", "gris", "gris", "grigio", "grijs", "szary", "grå", "グレー"],
    "gray": ["Grau", "gris", "gris", "grigio", "grijs", "szary", "grå", "グレー"],
    "white": ["Weiß", "blanc", "blanco", "bianco", "wit", "biały", "vit", "ホワイト"],
    "stoneware": ["Steinzeug", "grès", "gres", "gres", "steengoed", "kamionka", "stengods", "炻器"],
    "full-grain leather": [
        "Vollnarbenleder",
        "cuir pleine fleur",
        "piel plena flor",
        "pelle pieno fiore",
        "volnerf leer",
        "skóra pełnoziarnista",
        "fullnarvsläder",
        "フルグレインレザー",
    ],
    "Stainless Steel": [
        "Edelstahl",
        "Acier inoxydable",
        "Acero inoxidable",
        "Acciaio inossidabile",
        "Roestvrij staal",
        "Stal nierdzewna",
        "Rostfritt stål",
        "ステンレス",
    ],
    "soy wax": [
        "Sojawachs",
        "cire de soja",
        "cera de soja",
        "cera di soia",
        "sojawas",
        "wosk sojowy",
        "sojavax",
        "ソイワックス",
    ],
    "ml": [
        "Milliliter",
        "millilitre",
        "mililitro",
        "millilitro",
        "milliliter",
        "mililitr",
        "milliliter",
        "ミリリットル",
    ],
    "fl oz": [
        "Flüssigunze",
        "once liquide",
        "onza líquida",
        "oncia liquida",
        "fluid ounce",
        "uncja płynu",
        "vätskeuns",
        "液量オンス",
    ],
    "oz": ["Unze", "once", "onza", "oncia", "ounce", "uncja", "uns", "オンス"],
}


@pytest.mark.parametrize("english", LOOKUPS)
def test_lookup_in_all_languages(english: str) -> None:
    got = [glossary().lookup(english, source="en", target=lang) for lang in LANGUAGES]
    assert got == LOOKUPS[english]


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        ("blue", "de", "Blau"),  # a colour standing alone is a noun in German
        ("Blue", "de", "Blau"),
        ("BLUE", "de", "BLAU"),
        ("blue", "fr", "bleu"),
        ("Blue", "fr", "Bleu"),
        ("BLUE", "fr", "BLEU"),
        ("WHITE", "de", "WEISS"),
        ("BLUE", "ja", "ブルー"),
        ("Navy", "pl", "Granatowy"),
        ("  blue  ", "it", "blu"),
        ("b", "de", None),
    ],
)
def test_lookup_keeps_the_casing_style(text: str, target: str, expected: str | None) -> None:
    assert glossary().lookup(text, source="en", target=target) == expected


@pytest.mark.parametrize(
    "text",
    ["used - like new", "Used – Like New", "USED—LIKE NEW", "used  -like   new", "used-like new"],
)
def test_lookup_ignores_dashes_and_spacing(text: str) -> None:
    found = glossary().lookup(text, source="en", target="de")
    assert found is not None and found.casefold() == "gebraucht – wie neu"


def test_apostrophes_are_normalised() -> None:
    g = Glossary(
        {"a": {"kid’s size": {"fr": "taille enfant"}}}, languages=["fr"], as_of=date(2026, 1, 1)
    )
    assert g.lookup("kid's size", source="en", target="fr") == "taille enfant"


def test_unit_symbols_match_case_sensitively() -> None:
    g = glossary()
    assert g.lookup("l", source="en", target="de") == "Liter"
    assert g.lookup("ml", source="en", target="fr") == "millilitre"
    # Clothing sizes are not units.
    assert g.lookup("L", source="en", target="de") is None
    assert g.lookup("M", source="en", target="de") is None
    assert g.lookup("ML", source="en", target="de") is None
    # Long unit names match in any case.
    assert g.lookup("Millilitre", source="en", target="de") == "Milliliter"
    assert g.lookup("INCH", source="en", target="fr") == "POUCE"


def test_only_whole_texts_match() -> None:
    assert glossary().lookup("blue mug", source="en", target="de") is None
    assert glossary().lookup("", source="en", target="de") is None
    assert glossary().lookup("   ", source="en", target="de") is None


def test_lookup_restricted_to_a_group() -> None:
    g = glossary()
    assert g.lookup("gold", source="en", target="fr", group="colours") == "doré"
    assert g.lookup("gold", source="en", target="fr", group="materials") is None


def test_regional_targets() -> None:
    g = glossary()
    assert g.lookup("white", source="en-US", target="fr-CA") == "blanc"
    assert g.lookup("white", source="en", target="de-AT") == "Weiß"
    assert g.lookup("white", source="en", target="de-CH") == "Weiss"  # no ß in Swiss German
    assert g.lookup("size", source="en_GB", target="de_LI") == "Grösse"
    assert g.lookup("white", source="en", target="ja-JP") == "ホワイト"


def test_target_not_covered_gives_none_and_source_must_be_english() -> None:
    g = glossary()
    assert g.lookup("white", source="en", target="pt-BR") is None
    assert g.lookup("white", source="en", target="en") is None
    with pytest.raises(ValueError, match="from 'en' only"):
        g.lookup("weiß", source="de", target="fr")


def test_supports() -> None:
    g = glossary()
    assert all(g.supports("en", lang) for lang in LANGUAGES)
    assert g.supports("en-GB", "sv-FI")
    assert not g.supports("en", "pt")
    assert not g.supports("de", "fr")


@pytest.mark.parametrize("key", list(CONDITION_TERMS))
def test_condition_labels_in_all_languages(key: str) -> None:
    labels = [glossary().condition(key, lang) for lang in LANGUAGES]
    assert all(labels)
    for lang, label in zip(LANGUAGES, labels, strict=True):
        assert label is not None
        first = next((c for c in label if c.isalpha()), "")
        assert lang == "ja" or first.isupper(), (lang, label)


def test_condition_examples() -> None:
    g = glossary()
    assert g.condition("new", "de") == "Neu"
    assert g.condition("new", "fr") == "Neuf"
    assert g.condition("used_like_new", "de") == "Gebraucht – wie neu"
    assert g.condition("used_like_new", "ja") == "中古品 - ほぼ新品"
    assert g.condition("used_good", "it") == "Usato – buone condizioni"
    assert g.condition("used_acceptable", "sv") == "Begagnad – godtagbart skick"
    assert g.condition("refurbished", "es") == "Reacondicionado"
    assert g.condition("refurbished", "ja") == "整備済み品"
    assert g.condition("new", "pt") is None
    with pytest.raises(ValueError, match="unknown key 'mint'"):
        g.condition("mint", "de")


# -- building a glossary ------------------------------------------------------------------------


def test_a_custom_glossary() -> None:
    g = Glossary.from_json(
        json.dumps(
            {
                "as_of": "2026-01-02",
                "languages": ["de"],
                "note": "ours",
                "terms": {"colours": {"teal": {"de": "Petrol"}}},
            }
        )
    )
    assert g.lookup("Teal", source="en", target="de") == "Petrol"
    assert g.groups == ("colours",)
    assert dict(g.terms("colours")) == {"teal": {"de": "Petrol"}}
    assert list(g) == [("colours", "teal", {"de": "Petrol"})]
    with pytest.raises(KeyError, match="unknown glossary group"):
        g.terms("nope")


def test_terms_are_read_only() -> None:
    with pytest.raises(TypeError):
        glossary().terms("colours")["blue"] = {"de": "Blau"}  # type: ignore[index]


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"g": {"x": {"pt": "y"}}}, "language 'pt'"),
        ({"g": {"x": {"de": ""}}}, "non-empty"),
        ({"g": {"x": {"de": " Blau"}}}, "trimmed"),
        ({"g": {"": {"de": "x"}}}, "non-empty str"),
        (
            {"a": {"Blue": {"de": "Blau"}}, "b": {"blue": {"de": "Blau (Farbe)"}}},
            "translate differently",
        ),
    ],
)
def test_bad_glossaries(terms: dict[str, dict[str, dict[str, str]]], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Glossary(terms, languages=["de"], as_of=date(2026, 1, 1))


def test_the_same_term_in_two_groups_with_the_same_translations_is_fine() -> None:
    g = Glossary(
        {"a": {"blue": {"de": "Blau"}}, "b": {"Blue": {"de": "Blau"}}},
        languages=["de"],
        as_of=date(2026, 1, 1),
    )
    assert g.lookup("BLUE", source="en", target="de") == "BLAU"


def test_bad_glossary_json() -> None:
    with pytest.raises(ValueError, match="'terms' object"):
        Glossary.from_json("[]")
    with pytest.raises(ValueError, match="at least one target language"):
        Glossary({}, languages=[], as_of=date(2026, 1, 1))
    with pytest.raises(TypeError, match="as_of"):
        Glossary({}, languages=["de"], as_of="2026-01-01")  # type: ignore[arg-type]


# -- the translator -----------------------------------------------------------------------------


def test_glossary_translator_yields_no_request() -> None:
    translator = GlossaryTranslator()
    assert isinstance(translator, Translator)
    assert translator.name == "glossary" and translator.max_batch >= 1000
    flow = translator.flow(["Blue", "handmade mug", "COTTON"], source="en", target="sv")
    with pytest.raises(StopIteration) as done:
        next(flow)
    assert done.value.value == ["Blå", None, "BOMULL"]


def test_glossary_translator_through_a_driver() -> None:
    requests, result = drive(GlossaryTranslator().flow(["oak"], source="en", target="nl"), ok)
    assert requests == [] and result == ["eikenhout"]


def test_glossary_translator_unsupported_pairs() -> None:
    translator = GlossaryTranslator()
    assert translator.supports("en", "de") and not translator.supports("en", "pt")
    for source, target in [("en", "pt-BR"), ("de", "fr"), ("en", "en-GB")]:
        with pytest.raises(TranslationError, match=r"glossary: language pair .* is not supported"):
            translator.flow(["Blue"], source=source, target=target)


def test_glossary_translator_with_its_own_glossary() -> None:
    own = Glossary({"c": {"teal": {"de": "Petrol"}}}, languages=["de"], as_of=date(2026, 1, 1))
    translator = GlossaryTranslator(own)
    assert translator.glossary is own
    assert "1 terms" in repr(translator)
    _, result = drive(translator.flow(["teal", "blue"], source="en", target="de"), ok)
    assert result == ["Petrol", None]
    with pytest.raises(TypeError, match="Glossary"):
        GlossaryTranslator({"teal": "Petrol"})  # type: ignore[arg-type]
