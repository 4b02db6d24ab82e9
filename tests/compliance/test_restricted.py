"""The ``restricted`` rule: keyword review, HS/category/battery confirmation, the sample catalog."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xborder
from xborder import Listing, Money
from xborder.compliance import ALL_REGIMES, Context, Rule
from xborder.compliance.rules.restricted import (
    RULE,
    RestrictedRule,
    entries_for,
    normalise,
    phrase_forms,
    word_forms,
)
from xborder.findings import Finding
from xborder.localize.channels import channel_rules
from xborder.markets import Market

ON = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "examples" / "catalog.csv"
MARKETS = ("DE", "GB", "JP", "AU", "CA", "US", "NO")
RESTRICTED_SKUS = ("KNF-01", "CBD-01", "VAP-01", "SED-01", "PHN-01")
COSMETICS = ("COS-LIP-01", "COS-BRD-01", "COS-HND-01")
R, P, C = "restricted.restricted", "restricted.prohibited", "restricted.carrier_only"


def listing(title: str = "Plain stoneware mug", **fields: Any) -> Listing:
    return Listing(sku="T-1", title=title, price=Money("10.00", "USD"), quantity=1, **fields)


@cache
def market(country: str, on: date = ON) -> Market:
    return Market.for_country(country, on=on)


def run(
    item: Listing,
    country: str,
    *,
    rule: RestrictedRule = RULE,
    on: date = ON,
    language: str | None = None,
) -> list[Finding]:
    m = market(country, on)
    lang = language or (m.languages[0] if m.languages else "en")
    context = Context(
        listing=item,
        market=m,
        on=on,
        channel=None,
        seller=None,
        regimes=ALL_REGIMES,
        language=lang,
    )
    return list(rule.check(context))


def codes(findings: Iterable[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


@cache
def catalog() -> dict[str, Listing]:
    return {item.sku: item for item in xborder.read_catalog(CATALOG)}


@cache
def facts() -> dict[str, Any]:
    text = resources.files("xborder").joinpath("data/facts/restricted_goods.json").read_text()
    return {r["id"]: r for r in json.loads(text)["rules"]}


# -- the rule object ---------------------------------------------------------------------------


def test_rule_satisfies_the_protocol() -> None:
    assert isinstance(RULE, Rule)
    assert RULE.name == "restricted"
    assert RULE.strict is False
    assert RestrictedRule(strict=True).strict is True
    assert repr(RestrictedRule(strict=True)) == "RestrictedRule(strict=True)"


def test_an_ordinary_listing_passes_everywhere() -> None:
    mug = listing(
        "Stoneware coffee mug, 350 ml",
        description="<p>Wheel-thrown, dishwasher safe.</p>",
        hs_code="691200",
        category="home.drinkware",
    )
    for country in (*MARKETS, "FR", "NZ", "SG", "MY", "KR", "IN"):
        assert run(mug, country) == []


# -- words, plurals, boundaries ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("vape", ("vape", "vapes")),
        ("knife", ("knife", "knives")),
        ("seeds", ("seeds", "seed")),
        ("battery", ("battery", "batteries")),
        ("glass", ("glass", "glasses")),
        ("lenses", ("lenses", "lens", "lense")),
        ("shelf", ("shelf", "shelves", "shelfs")),
        ("18650", ("18650",)),
        ("cr2032", ("cr2032",)),
        ("gin", ("gin", "gins")),
    ],
)
def test_word_forms(word: str, forms: tuple[str, ...]) -> None:
    assert word_forms(word) == forms


def test_phrase_forms_cover_plurals_and_joined_spellings() -> None:
    assert set(phrase_forms("e-liquid")) == {"e-liquid", "eliquid", "e-liquids", "eliquids"}
    assert "power banks" in phrase_forms("power bank")
    assert "powerbank" in phrase_forms("power bank")
    assert phrase_forms("1:1") == ("1:1",)


@pytest.mark.parametrize(
    ("title", "country", "word"),
    [
        ("Vapes, mint, pack of 3", "AU", "vape"),
        ("Kitchen knives, set of 3", "NO", "knife"),
        ("Tomato seed, heirloom", "AU", "seeds"),
        ("Spare e-bike batteries", "US", "e-bike battery"),
        ("Two power banks", "US", "power bank"),
        ("Powerbank 10000 mAh", "US", "power bank"),
        ("E liquid, 10 ml", "AU", "e-liquid"),
        ("Nicotine salts for refills", "AU", "nicotine salt"),
    ],
)
def test_plurals_and_spellings_flag_the_listing(title: str, country: str, word: str) -> None:
    (finding,) = run(listing(title), country)
    assert finding.code == "restricted.keyword_review"
    assert finding.severity == "warning"
    assert finding.field == "title"
    assert f"'{word}'" in finding.message


@pytest.mark.parametrize(
    "title",
    [
        "Ginger tea",  # gin
        "Evaporated milk jug",  # vape
        "Knifeless cheese wire",  # knife
        "Scale model 1:10",  # 1:1
        "Seedless grape print",  # seed
        "Vapeur cotton scarf",  # vape
    ],
)
def test_keywords_match_on_word_boundaries_only(title: str) -> None:
    for country in ("AU", "NO", "US"):
        assert run(listing(title), country) == []


@pytest.mark.parametrize(
    "title",
    [
        "Fake leather wallet",
        "Coral glaze mug",
        "Seed bead bracelet",
        "Knife-edge pleats skirt",
        "Knife edge pleats skirt",
        "Battery of tests workbook",
        "Ivory white vase",
        "Wine glasses, set of 2",
        "Cream jug, stoneware",
        "Bulb vase for hyacinths",
        "Cutting board, walnut",
        "Moss green throw",
        "Tobacco brown leather belt",
        "Light bulb pendant",
        "For the sake of tea",
        "Elephant print tote",
    ],
)
def test_benign_phrases_raise_nothing(title: str) -> None:
    for country in (*MARKETS, "FR", "MY", "KR", "NZ"):
        assert run(listing(title), country) == [], (title, country)


def test_a_keyword_alone_never_blocks() -> None:
    # "inspired by" is a counterfeit trigger: it asks the seller, it does not block.
    for country in (*MARKETS, "MY", "FR"):
        findings = run(listing("Wave print inspired by Hokusai"), country)
        assert [(f.code, f.severity) for f in findings] == [
            ("restricted.keyword_review", "warning")
        ]
        assert "'inspired by'" in findings[0].message
        assert "confirm" in findings[0].message


def test_colour_attributes_are_not_read() -> None:
    vase = listing("Bud vase", attributes={"color": ["Ivory", "Coral"], "material": ["Clay"]})
    assert run(vase, "MY") == []
    coral = listing("Bud vase", attributes={"material": ["Coral"]})
    assert codes(run(coral, "MY")) == ["restricted.keyword_review"]
    assert run(coral, "MY")[0].field == "attributes.material"


def test_description_html_is_stripped_before_matching() -> None:
    hidden = listing(description='<span class="vape" title="knife">Stoneware mug</span>')
    assert run(hidden, "AU") == []
    shown = listing(description="<p>A <b>disposable&nbsp;vape</b>, mint</p>")
    (finding,) = run(shown, "AU")
    assert finding.field == "description"
    assert "'disposable vape'" in finding.message
    assert normalise("<p>E&#8209;Liquid</p>").strip() == "e-liquid"


def test_the_customs_description_and_category_label_are_read() -> None:
    item = listing("Pocket tool", customs_description="Folding knife, 76 mm blade")
    assert run(item, "NO")[0].field == "customs_description"


def test_english_and_destination_language_translations_are_read() -> None:
    german = listing("Klappmesser mit Holzgriff", language="de")
    assert run(german, "NO") == []  # the facts' keywords are English (documented limitation)
    with_english = listing(
        "Klappmesser mit Holzgriff",
        language="de",
        translations={"en": {"title": "Folding knife, wooden handle"}},
    )
    (finding,) = run(with_english, "NO")
    assert finding.field == "translations.en.title"
    balm = listing("Lip care stick", translations={"de": {"title": "CBD Lippenpflege"}})
    (finding,) = run(balm, "DE")
    assert (finding.code, finding.field) == ("restricted.keyword_review", "translations.de.title")
    assert codes(run(balm, "FR", language="fr")) == []  # the German text is not published there


# -- confirmation ------------------------------------------------------------------------------


def test_hs_prefix_confirms_whatever_the_words() -> None:
    item = listing("Mountain mint device", hs_code="2404120000")
    (au,) = run(item, "AU")
    assert (au.code, au.severity, au.field) == ("restricted.prohibited", "error", "hs_code")
    assert "2404.12" in au.message and "Australia" in au.message
    (gb,) = run(item, "GB")
    assert (gb.code, gb.severity) == ("restricted.restricted", "error")
    assert gb.effective_from == date(2025, 6, 1)
    assert run(item, "US") == []


def test_chapter_and_range_prefixes_confirm() -> None:
    sword = listing("Display piece", hs_code="930700")  # 9307 and chapter 93
    assert codes(run(sword, "NO")) == ["restricted.restricted"]
    whisky = listing("Single malt", hs_code="220830")  # 2203-2208
    assert codes(run(whisky, "US")) == ["restricted.restricted"]  # "*": excise from unit one


def test_category_confirms() -> None:
    knife = listing("Pocket companion", category="tools.knives")
    (finding,) = run(knife, "NO")
    assert (finding.code, finding.field) == ("restricted.restricted", "category")
    assert "tools.knives" in finding.message
    for country in ("DE", "GB", "JP", "AU", "CA", "US"):
        assert run(knife, country) == []  # the facts list knives for NO and MY only


def test_a_battery_confirms_the_lithium_rule_and_the_phone_category_alone_does_not() -> None:
    case = listing("Slim phone case", category="electronics.phone_accessories", hs_code="392690")
    assert run(case, "DE") == []
    powered = listing(
        "Slim phone case",
        category="electronics.phone_accessories",
        hs_code="392690",
        dangerous_goods={"battery": "contained"},
    )
    assert codes(run(powered, "US")) == ["restricted.carrier_only"]
    assert run(powered, "US")[0].field == "dangerous_goods.battery"
    de = run(powered, "DE")
    assert codes(de) == [
        "restricted.carrier_only",
        "restricted.restricted",
        "restricted.restricted",
    ]
    messages = " ".join(f.message for f in de)
    assert "EU Batteries Regulation" in messages and "stiftung ear" in messages
    bank = listing("Compact charger", category="electronics.batteries")
    assert codes(run(bank, "US")) == ["restricted.carrier_only"]


def test_the_perfume_carrier_entry_is_about_perfume_only() -> None:
    perfume = listing("Eau de toilette, cedar", category="cosmetics.fragrance", hs_code="330300")
    assert "restricted.carrier_only" in codes(run(perfume, "US"))
    # Declared aerosols and flammable goods are no cosmetics: the facts' cosmetics rule names
    # no dangerous goods (the dangerous_goods rule reports their carrier limits).
    for goods in ({"aerosol": True}, {"flammable": True}):
        for title, category in (("Room spray", None), ("Soy wax candle", "home.candles")):
            item = listing(title, category=category, dangerous_goods=goods)
            assert run(item, "JP") == [] and run(item, "US") == []
    cream = listing("Hand cream", category="cosmetics.skincare", hs_code="330499")
    assert run(cream, "US") == []
    assert codes(run(cream, "DE")) == ["restricted.restricted"]  # CPNP, EU responsible person
    assert codes(run(cream, "GB")) == ["restricted.restricted"]  # SCPN, UK responsible person


def test_strict_mode_treats_a_keyword_as_confirmation() -> None:
    item = listing("Disposable vape, mint")
    (review,) = run(item, "AU")
    assert review.severity == "warning"
    (strict,) = run(item, "AU", rule=RestrictedRule(strict=True))
    assert (strict.code, strict.severity, strict.field) == (
        "restricted.prohibited",
        "error",
        "title",
    )
    assert "strict mode" in strict.message
    (carrier,) = run(listing("Lithium cells"), "US", rule=RestrictedRule(strict=True))
    assert (carrier.code, carrier.severity) == ("restricted.carrier_only", "warning")


def test_eu_entries_apply_to_every_member_state_only() -> None:
    balm = listing("Muscle balm", category="health.cbd")
    for country in ("DE", "FR", "IT", "PL", "IE"):
        (finding,) = run(balm, country)
        assert finding.code == "restricted.restricted"
        assert "the EU" in finding.message and "CPNP" in finding.message
    for country in ("GB", "NO", "CH", "US", "JP", "AU"):
        assert run(balm, country) == []
    assert {e.country for e in entries_for("FR", True)} >= {"EU", "*"}
    assert "EU" not in {e.country for e in entries_for("NO", False)}


def test_russia_and_belarus_luxury_rule_covers_all_goods() -> None:
    for country in ("RU", "BY"):
        findings = run(listing(), country)
        assert [(f.code, f.severity, f.field) for f in findings] == [
            ("restricted.prohibited", "error", None)
        ]
        assert "all goods" in findings[0].message


def test_dated_entry_applies_from_its_date() -> None:
    vape = listing("Disposable vape", hs_code="240412")
    assert run(vape, "GB", on=date(2025, 5, 31)) == []
    (finding,) = run(vape, "GB", on=date(2025, 6, 1))
    assert finding.effective_from == date(2025, 6, 1)
    assert "In force since 2025-06-01" in finding.message


WORDS = st.sampled_from(
    ["vape", "knife", "seeds", "lithium", "cbd", "wine", "replica", "coral", "1:1", "e-liquid"]
)


@given(st.lists(WORDS | st.text(alphabet="abcdefghij -:1", min_size=1), min_size=1, max_size=8))
def test_words_alone_never_give_an_error(words: list[str]) -> None:
    title = " ".join(words).strip() or "x"
    item = listing(title[:200])
    for country in ("AU", "DE", "NO", "MY"):
        assert all(f.severity == "warning" for f in run(item, country))


# -- findings ----------------------------------------------------------------------------------


def test_every_finding_is_sourced_and_plain() -> None:
    for item in catalog().values():
        for country in (*MARKETS, "FR", "MY", "RU"):
            for finding in run(item, country):
                assert finding.source and finding.source.startswith(("https://", "http://"))
                assert finding.code.startswith("restricted.")
                assert market(country).name in finding.message
                assert finding.message.endswith(".")


def test_keyword_review_names_the_words_and_asks_to_confirm() -> None:
    (finding,) = run(listing("Heirloom seeds, 5 packets"), "NO")
    assert "'seeds'" in finding.message
    assert "Norway" in finding.message
    assert "plants and seeds are restricted goods" in finding.message
    assert "confirm" in finding.message


# -- the sample catalog ------------------------------------------------------------------------

#: The statuses the facts give the sample catalog's restricted products (docs/catalog.md):
#: knives NO; CBD EU (+ cosmetics EU/GB by its HS 3304); vape AU prohibited, GB and JP
#: restricted, lithium battery EPR in DE (EU + DE) and the carrier rule everywhere; seeds AU
#: and NO; the battery phone case: lithium EPR in DE and the carrier rule everywhere.
EXPECTED: dict[str, dict[str, list[str]]] = {
    "KNF-01": {"NO": [R]},
    "CBD-01": {"DE": [R, R], "GB": [R]},
    "VAP-01": {
        "DE": [C, R, R],
        "GB": [C, R],
        "JP": [C, R],
        "AU": [C, P],
        "CA": [C],
        "US": [C],
        "NO": [C],
    },
    "SED-01": {"AU": [R], "NO": [R]},
    "PHN-01": {"DE": [C, R, R], **{c: [C] for c in ("GB", "JP", "AU", "CA", "US", "NO")}},
    **{sku: {"DE": [R], "GB": [R]} for sku in COSMETICS},
}


@pytest.mark.parametrize("sku", sorted(EXPECTED))
def test_sample_catalog_restricted_products(sku: str) -> None:
    for country in MARKETS:
        got = codes(run(catalog()[sku], country))
        assert got == sorted(EXPECTED[sku].get(country, [])), (sku, country)


def test_sample_catalog_ordinary_products_raise_nothing_anywhere() -> None:
    ordinary = [sku for sku in catalog() if sku not in EXPECTED]
    assert len(ordinary) == 36 - len(RESTRICTED_SKUS) - len(COSMETICS)
    for sku in ordinary:
        for country in (*MARKETS, "FR", "NZ", "MY", "KR"):
            assert run(catalog()[sku], country) == [], (sku, country)


def _countries(rule_id: str, statuses: set[str]) -> set[str]:
    """The matrix markets where the facts give ``rule_id`` one of ``statuses``."""
    out = set()
    for dest in facts()[rule_id]["destinations"]:
        if dest["status"] not in statuses:
            continue
        for country in MARKETS:
            eu = market(country).eu_member
            if dest["country"] in (country, "*") or (dest["country"] == "EU" and eu):
                out.add(country)
    return out


@pytest.mark.parametrize(
    ("sku", "rule_id"),
    [
        ("KNF-01", "knives_weapons"),
        ("CBD-01", "cbd_hemp_cannabis"),
        ("VAP-01", "vapes_e_cigarettes"),
        ("SED-01", "biosecurity_plants_seeds_soil_food"),
        ("PHN-01", "lithium_batteries"),
    ],
)
def test_sample_catalog_follows_the_facts(sku: str, rule_id: str) -> None:
    # Independent of the builder: read the facts themselves and compare.
    category = facts()[rule_id]["category"]
    for severity, statuses in (("error", {"prohibited", "restricted"}), ("warning", {"carrier"})):
        flagged = {
            country
            for country in MARKETS
            for f in run(catalog()[sku], country)
            if f.severity == severity and category in f.message
        }
        assert flagged == _countries(rule_id, statuses), (sku, severity)


def test_vape_messages_say_what_the_facts_say() -> None:
    vape = catalog()["VAP-01"]
    by_country = {c: [f for f in run(vape, c) if "E-cigarettes" in f.message] for c in MARKETS}
    assert "Disposable vapes import ban" in by_country["AU"][0].message
    assert "Single-use (disposable) vapes" in by_country["GB"][0].message
    assert "Nicotine e-liquid treated as a medicinal product" in by_country["JP"][0].message
    assert (
        by_country["AU"][0].source
        == "https://ashurstcd.azureedge.net/en/insights/clearing-the-air-what-you-need-to-know-about-australias-new-regulation-of-vapes"
    )


def test_findings_are_deterministic_and_cached() -> None:
    vape = catalog()["VAP-01"]
    first = run(vape, "DE")
    assert run(vape, "DE") == first
    assert all(a is b for a, b in zip(run(vape, "DE"), first, strict=True))


def test_performance_smoke() -> None:
    # No timing assert (machines are noisy): the catalog x markets runs, repeatedly, the same.
    contexts = [
        Context(
            listing=item,
            market=market(country),
            on=ON,
            channel=None,
            seller=None,
            regimes=ALL_REGIMES,
            language=market(country).languages[0],
        )
        for item in catalog().values()
        for country in MARKETS
    ]
    first = [RULE.check(c) for c in contexts]
    for _ in range(20):
        assert [RULE.check(c) for c in contexts] == first
    counts = Counter(f.severity for found in first for f in found)
    assert counts == Counter({"error": 19, "warning": 14})


def test_words_of_the_category_label_are_not_said_to_be_the_sellers() -> None:
    # tobacco.vapes is labelled "Electronic cigarettes, vapes, e-liquids": its words confirm
    # nothing on their own, and a message must not say the listing wrote them.
    (alone,) = run(listing("Pod device", category="tobacco.vapes"), "GB")
    assert "the category's label says 'vape', 'e-liquid'" in alone.message
    assert "the listing says" not in alone.message
    (mixed,) = run(listing("Disposable vape pod", category="tobacco.vapes"), "GB")
    assert "the listing says 'disposable vape', 'vape'" in mixed.message
    assert "the category's label says 'e-liquid'" in mixed.message


# -- Meta's commerce policies (facts: marketplace_policy) ---------------------------------------

META = "restricted.marketplace_policy"


def on_channel(item: Listing, country: str, channel: str | None) -> list[Finding]:
    rules = channel_rules(channel, on=ON) if channel is not None else None
    m = market(country)
    context = Context(item, m, ON, rules, None, ALL_REGIMES, m.languages[0])
    return list(RULE.check(context))


@pytest.mark.parametrize("country", ["US", "CA", "GB", "DE"])
def test_meta_policies_warn_on_meta_only(country: str) -> None:
    vape = catalog()["VAP-01"]
    for channel in ("facebook", "meta"):
        (finding,) = [f for f in on_channel(vape, country, channel) if f.code == META]
        assert (finding.severity, finding.field) == ("warning", "hs_code")
        assert "Tobacco items and related paraphernalia prohibited" in finding.message
        assert finding.source == "https://romanticpoetry.info/commerce.html"
    assert META not in codes(on_channel(vape, country, "ebay"))
    assert META not in codes(on_channel(vape, country, None))


def test_meta_policies_are_confirmed_by_hs_code_or_category_or_flagged_by_words() -> None:
    (knife,) = [f for f in on_channel(catalog()["KNF-01"], "US", "facebook") if f.code == META]
    assert "HS code 821193 falls under 8211" in knife.message
    assert "kitchen knives usually fine" in knife.message
    (cbd,) = [f for f in on_channel(catalog()["CBD-01"], "US", "facebook") if f.code == META]
    assert (cbd.field, "category health.cbd" in cbd.message) == ("category", True)
    (words,) = on_channel(listing("Disposable vape pen, mint"), "US", "facebook")
    assert (words.code, words.field) == (META, "title")
    assert "'disposable vape', 'vape' in title may mean" in words.message


def test_meta_policies_leave_ordinary_goods_and_seeds_alone() -> None:
    for sku, item in catalog().items():
        found = [f for f in on_channel(item, "US", "facebook") if f.code == META]
        assert bool(found) == (sku in ("VAP-01", "KNF-01", "CBD-01")), sku
    # The facts attach "Live animals prohibited" to plants and seeds: not applied to them.
    assert META not in codes(on_channel(catalog()["SED-01"], "AU", "facebook"))


def test_the_translation_read_is_the_one_localize_sends() -> None:
    item = listing("Plain mug", translations={"zh-Hant": {"title": "Vape pod kit"}})
    found = codes(on_channel(item, "TW", "facebook"))
    assert META in found and "restricted.keyword_review" in found
