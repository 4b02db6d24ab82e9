"""Channel rules: registry, built-in limits and sources, fit_title, clean_description."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import unicodedata
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.errors import ConfigurationError
from xborder.findings import Finding
from xborder.localize.channels import (
    AMAZON,
    AMAZON_2025,
    EBAY,
    FACEBOOK,
    SMALL_WORDS,
    ChannelRules,
    _fit,
    _rules,
    channel_names,
    channel_rules,
    clean_description,
    fit_title,
    register_channel,
)

BUILT_IN = (EBAY, AMAZON_2025, AMAZON, FACEBOOK)
LONG_TITLE = (
    "Handmade Stoneware Coffee Mug with Handle and Lid for Tea and Coffee, 350 ml, "
    "Blue Glaze, Dishwasher Safe and Microwave Safe"
)


@pytest.fixture(autouse=True)
def _restore_registry() -> Iterator[None]:
    versions = {name: list(v) for name, v in _rules._VERSIONS.items()}
    aliases = dict(_rules._ALIASES)
    yield
    _rules._VERSIONS.clear()
    _rules._VERSIONS.update(versions)
    _rules._ALIASES.clear()
    _rules._ALIASES.update(aliases)
    _rules._ANSWERS.clear()
    _rules._GENERATION[0] += 1  # what a registration does: answers given meanwhile are stale


def custom(**changes: object) -> ChannelRules:
    values: dict[str, object] = {"title_max": 40, "description_max": 100, **changes}
    return ChannelRules("acme", **values)  # type: ignore[arg-type]


# -- registry ------------------------------------------------------------------------------


def test_built_in_channels_are_registered_under_the_marketplace_names() -> None:
    assert channel_names() == ("amazon", "ebay", "facebook", "meta")
    assert channel_rules("ebay") is EBAY
    assert channel_rules("amazon") is AMAZON
    assert channel_rules("facebook") is FACEBOOK
    assert channel_rules("meta") is FACEBOOK
    assert channel_rules(" eBay ") is EBAY


def test_dated_versions_pick_the_rules_in_force() -> None:
    assert channel_rules("amazon", on=date(2026, 7, 26)) is AMAZON_2025
    assert channel_rules("amazon", on=date(2026, 7, 27)) is AMAZON
    assert channel_rules("amazon", on=date(2025, 1, 21)).title_max == 200
    assert channel_rules("amazon", on=date(2024, 6, 1)) is AMAZON_2025  # oldest known
    assert channel_rules("ebay", on=date(2001, 1, 1)) is EBAY  # undated: always


def test_unknown_channel_lists_the_known_names() -> None:
    with pytest.raises(ConfigurationError, match=r"'etsy'.*amazon, ebay, facebook, meta"):
        channel_rules("etsy")
    with pytest.raises(ConfigurationError):
        channel_rules(None)  # type: ignore[arg-type]


def test_register_a_custom_channel_with_aliases() -> None:
    rules = custom(label="Acme Market")
    register_channel(rules, aliases=("acme-market",))
    assert channel_rules("acme") is rules
    assert channel_rules("ACME-market") is rules
    assert "acme" in channel_names()
    assert fit_title("x " * 30, rules)[0] == ("x " * 20).strip()


def test_registering_twice_needs_replace() -> None:
    register_channel(custom())
    with pytest.raises(ConfigurationError, match="already registered"):
        register_channel(custom(title_max=50))
    register_channel(custom(title_max=50), replace=True)
    assert channel_rules("acme").title_max == 50
    assert len(_rules._VERSIONS["acme"]) == 1


def test_a_new_dated_version_does_not_replace_the_old_one() -> None:
    newer = dataclasses.replace(EBAY, effective_from=date(2030, 1, 1), title_max=60)
    register_channel(newer)
    assert channel_rules("ebay") is newer
    assert channel_rules("ebay", on=date(2029, 12, 31)) is EBAY


def test_a_registration_replaces_answers_given_before_it() -> None:
    day = date(2031, 1, 1)
    assert channel_rules("ebay", on=day) is EBAY  # remembered
    assert channel_rules("ebay", on=day) is EBAY
    newer = dataclasses.replace(EBAY, effective_from=date(2030, 1, 1), title_max=60)
    register_channel(newer)
    assert channel_rules("ebay", on=day) is newer
    assert channel_rules("ebay") is newer


def test_an_alias_cannot_take_another_channels_name() -> None:
    with pytest.raises(ConfigurationError, match="alias 'ebay'"):
        register_channel(custom(), aliases=("ebay",))
    with pytest.raises(ConfigurationError, match="alias 'meta'"):
        register_channel(custom(), aliases=("meta",))
    assert "acme" not in channel_names()
    with pytest.raises(TypeError):
        register_channel({"name": "acme"})  # type: ignore[arg-type]


# -- ChannelRules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_max": 0}, "title_max must be a positive int"),
        ({"description_max": "80"}, "description_max must be a positive int"),
        ({"title_max": True}, "title_max must be a positive int"),
        ({"html": "full"}, "html must be 'limited' or 'none'"),
        ({"title_max_word_repeats": 0}, "title_max_word_repeats"),
        ({"title_banned": frozenset({"ab"})}, "single characters"),
        ({"allowed_tags": frozenset({"p", "script"})}, "active content"),
        ({"allowed_tags": frozenset({"p"}), "allowed_attributes": {"p": {"onclick"}}}, "onclick"),
        ({"url_schemes": frozenset({"javascript"})}, "url_schemes"),
        ({"sources": {"title": "https://x"}}, "rule names"),
    ],
)
def test_invalid_rules_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        custom(**changes)


@pytest.mark.parametrize("name", ["", "Acme", "1shop", "a b", None])
def test_channel_names_are_registry_names(name: object) -> None:
    with pytest.raises(ConfigurationError, match="channel name"):
        ChannelRules(name, title_max=1, description_max=1)  # type: ignore[arg-type]


def test_rules_are_frozen_hashable_values() -> None:
    rules = custom(allowed_tags={"P", "br"}, title_banned="!?", title_repeat_exempt={"The"})
    assert rules.allowed_tags == frozenset({"p", "br"})
    assert rules.title_banned == frozenset("!?")
    assert rules.title_repeat_exempt == frozenset({"the"})
    assert rules == custom(allowed_tags={"p", "br"}, title_banned="?!", title_repeat_exempt={"the"})
    assert hash(rules) == hash(custom())
    assert rules.label == "acme"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.title_max = 10  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.sources["title_max"] = "https://x"  # type: ignore[index]


@pytest.mark.parametrize("rules", BUILT_IN, ids=lambda r: f"{r.name}-{r.title_max}")
def test_rules_pickle_and_copy(rules: ChannelRules) -> None:
    assert pickle.loads(pickle.dumps(rules)) == rules
    assert copy.deepcopy(rules) == rules
    assert hash(copy.copy(rules)) == hash(rules)


def test_built_in_limits() -> None:
    assert (EBAY.title_max, EBAY.description_max, EBAY.html, EBAY.max_images) == (
        80,
        500_000,
        "limited",
        24,
    )
    assert EBAY.url_schemes == frozenset({"https"})
    assert {"p", "br", "ul", "ol", "li", "strong", "b", "table", "td"} <= EBAY.allowed_tags
    assert (AMAZON.title_max, AMAZON_2025.title_max) == (75, 200)
    for amazon in (AMAZON, AMAZON_2025):
        assert amazon.title_banned == frozenset("!$?_{}^¬¦")
        assert amazon.title_max_word_repeats == 2
        assert {"the", "and", "with", "für", "et", "de"} <= amazon.title_repeat_exempt
        assert (amazon.description_max, amazon.html) == (2000, "none")
    assert AMAZON.rule_dates["title_max"] == date(2026, 7, 27)
    assert AMAZON.rule_dates["title_banned"] == date(2025, 1, 21)
    assert (FACEBOOK.title_max, FACEBOOK.description_max, FACEBOOK.html) == (150, 9999, "none")
    assert (FACEBOOK.max_images, FACEBOOK.image_min_px) == (21, 500)


@pytest.mark.parametrize("rules", BUILT_IN, ids=lambda r: f"{r.name}-{r.title_max}")
def test_every_built_in_rule_cites_a_source(rules: ChannelRules) -> None:
    needed = {"title_max", "description_max", "html", "images"}
    if rules.title_banned:
        needed |= {"title_banned", "title_max_word_repeats"}
    assert needed <= set(rules.sources)
    assert all(url.startswith("https://") for url in rules.sources.values())


def test_small_words_are_lower_case_words() -> None:
    assert all(w == w.casefold() and " " not in w for w in SMALL_WORDS)
    assert {"and", "the", "und", "mit", "et", "avec", "y", "con", "och", "oraz"} <= SMALL_WORDS


# -- fit_title -----------------------------------------------------------------------------


def test_a_title_that_fits_is_returned_unchanged() -> None:
    assert fit_title("Handmade stoneware mug, 350 ml", EBAY) == (
        "Handmade stoneware mug, 350 ml",
        (),
    )


def test_whitespace_is_collapsed_without_a_finding() -> None:
    assert fit_title("  Stoneware \t mug\n350 ml  ", EBAY) == ("Stoneware mug 350 ml", ())


def test_text_is_normalized_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Tasse à café")
    assert fit_title(decomposed, EBAY)[0] == "Tasse à café"


def test_banned_characters_are_removed_except_in_the_brand() -> None:
    title, findings = fit_title(
        "Yahoo! Mug {Blue} Tea_Cup $5 ^new^ ¬¦ now?", AMAZON, brand="Yahoo!"
    )
    assert title == "Yahoo! Mug Blue Tea Cup 5 new now"
    (finding,) = findings
    assert finding == Finding(
        code="channel.title_banned_characters",
        severity="warning",
        message=finding.message,
        field="title",
        source=AMAZON.sources["title_banned"],
        effective_from=date(2025, 1, 21),
    )
    for char in "$?_{}^¬¦":  # not "!": it is only in the brand
        assert f'"{char}"' in finding.message
    assert "brand" in finding.message


def test_banned_characters_between_words_become_a_space() -> None:
    assert fit_title("Tea_Cup", AMAZON)[0] == "Tea Cup"
    assert fit_title("Mug !, red", AMAZON)[0] == "Mug, red"


def test_ebay_and_meta_ban_no_characters() -> None:
    assert fit_title("Mug! Really?", EBAY) == ("Mug! Really?", ())
    assert fit_title("Mug! Really?", FACEBOOK) == ("Mug! Really?", ())


def test_words_beyond_two_repeats_are_dropped_case_insensitively() -> None:
    title, findings = fit_title("Mug mug MUG Mug, stoneware", AMAZON)
    assert title == "Mug mug, stoneware"
    (finding,) = findings
    assert finding.code == "channel.title_word_repeated"
    assert finding.severity == "warning"
    assert finding.field == "title"
    assert finding.source == AMAZON.sources["title_max_word_repeats"]
    assert '"mug" (4×)' in finding.message
    assert "at most 2 times" in finding.message


def test_small_words_and_numbers_may_repeat() -> None:
    title = "Set of 2 Mugs for Tea and for Coffee and for Water, 2 x 2 cm"
    assert fit_title(title, AMAZON) == (title, ())
    german = "Tasse mit Henkel und mit Deckel und mit Untersetzer"
    assert fit_title(german, AMAZON) == (german, ())


def test_repeats_keep_punctuation_and_brackets_tidy() -> None:
    assert fit_title("Mug Mug Mug, red", AMAZON)[0] == "Mug Mug, red"
    assert fit_title("Mug, Mug, Mug, red", AMAZON)[0] == "Mug, Mug, red"
    assert fit_title("Red (Mug) (Mug) (Mug) set", AMAZON)[0] == "Red (Mug) (Mug) set"
    assert fit_title("mug (Mug mug) tea", AMAZON)[0] == "mug (Mug) tea"


def test_brand_words_are_never_dropped() -> None:
    title, findings = fit_title("Mug Mug Mug Co stoneware", AMAZON, brand="Mug Co")
    assert title == "Mug Mug Co stoneware"
    assert [f.code for f in findings] == ["channel.title_word_repeated"]


def test_a_long_title_is_cut_at_a_word_boundary() -> None:
    title, findings = fit_title(LONG_TITLE, EBAY)
    assert title == "Handmade Stoneware Coffee Mug with Handle and Lid for Tea and Coffee, 350 ml"
    assert LONG_TITLE.startswith(title)
    (finding,) = findings
    assert finding.code == "channel.title_shortened"
    assert finding.severity == "warning"
    assert finding.field == "title"
    assert finding.source == EBAY.sources["title_max"]
    assert finding.message == (
        f"The title has {len(LONG_TITLE)} characters; eBay allows at most 80, so it was "
        f"shortened to {len(title)} characters, after the last whole word that fits."
    )


@pytest.mark.parametrize(
    ("title", "limit", "expected"),
    [
        ("Mug with handle and lid", 19, "Mug with handle"),  # not "... and"
        ("Mug with handle, lid", 16, "Mug with handle"),  # not "handle,"
        ("Mug - blue glaze", 6, "Mug"),  # not "Mug -"
        ("Tasse mit Henkel und Deckel", 21, "Tasse mit Henkel"),  # not "... und"
        ("Mug (350 ml, blue glaze)", 20, "Mug 350 ml, blue"),  # no unmatched "("
        ("Mug & saucer", 6, "Mug"),
    ],
)
def test_nothing_is_left_dangling(title: str, limit: int, expected: str) -> None:
    assert fit_title(title, custom(title_max=limit))[0] == expected


def test_a_first_word_longer_than_the_limit_is_cut_and_said_so() -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze"
    title, (finding,) = fit_title(f"{word} blau", custom(title_max=20))
    assert title == word[:20]
    assert "its first word alone is longer than that" in finding.message


def test_a_cut_never_splits_a_combining_sequence() -> None:
    # NFC makes "a\u0308" one character (ä); the acute accent stays a combining mark.
    assert fit_title("a\u0308\u0301bcdef", custom(title_max=2))[0] == "\u00e4\u0301"
    assert fit_title("xa\u0308\u0301bcdef", custom(title_max=2))[0] == "x"


def test_all_three_fixes_in_one_title() -> None:
    title, findings = fit_title("Mug! " * 30, AMAZON)
    assert title == "Mug Mug"
    assert [f.code for f in findings] == [
        "channel.title_banned_characters",
        "channel.title_word_repeated",
    ]
    title, findings = fit_title("Stoneware mug! " + LONG_TITLE, AMAZON_2025)
    assert len(title) <= 200


def test_results_are_cached() -> None:
    assert fit_title(LONG_TITLE, AMAZON) is fit_title(LONG_TITLE, AMAZON)
    assert fit_title(LONG_TITLE, AMAZON, brand="") is fit_title(LONG_TITLE, AMAZON)


def test_a_removed_character_leaves_the_title_normalised() -> None:
    # Found by the hypothesis test below: "!" between a letter and a combining accent.
    fitted, _ = fit_title("M!\u0301", AMAZON)
    assert fitted == "\u1e3e"
    assert fit_title(fitted, AMAZON) == (fitted, ())


TITLES = st.lists(
    st.sampled_from([*"Mug mug and the é!?_{}$^¬¦,-()&", "Tasse ", "\u0301", "\t", "mit "]),
    max_size=120,
).map("".join)


@pytest.mark.parametrize("rules", BUILT_IN, ids=lambda r: f"{r.name}-{r.title_max}")
@given(title=TITLES, brand=st.sampled_from([None, "Mug!", "Tasse"]))
def test_fitted_titles_obey_the_rules_and_are_stable(
    rules: ChannelRules, title: str, brand: str | None
) -> None:
    fitted, findings = fit_title(title, rules, brand=brand)
    assert len(fitted) <= rules.title_max
    assert fitted == fitted.strip()
    assert "  " not in fitted
    outside_brand = fitted.replace(brand, "") if brand else fitted
    assert not set(outside_brand) & rules.title_banned
    assert len({f.code for f in findings}) == len(findings)
    refitted, again = fit_title(fitted, rules, brand=brand)
    assert refitted == fitted
    assert [f.code for f in again] in ([], ["channel.title_word_repeated"])


# -- clean_description ---------------------------------------------------------------------


def test_ebay_plain_text_becomes_paragraphs() -> None:
    text = "Handmade stoneware mug.\nGlazed twice.\n\nWash by hand & dry."
    out, findings = clean_description(text, EBAY)
    assert out == "<p>Handmade stoneware mug.<br>Glazed twice.</p><p>Wash by hand &amp; dry.</p>"
    assert findings == ()
    assert clean_description("Just one line", EBAY) == ("Just one line", ())


def test_plain_channels_keep_plain_text_lines() -> None:
    text = "Handmade  stoneware mug.\r\nGlazed twice.\n\n\n\nWash &amp; dry."
    assert clean_description(text, AMAZON) == (
        "Handmade stoneware mug.\nGlazed twice.\n\nWash & dry.",
        (),
    )


def test_plain_channels_convert_html_and_say_so() -> None:
    html = "<p>Handmade <b>stoneware</b> mug</p><ul><li>350 ml</li><li>Blue</li></ul>"
    out, (finding,) = clean_description(html, FACEBOOK)
    assert out == "Handmade stoneware mug\n\n• 350 ml\n• Blue"
    assert finding.code == "channel.html_removed"
    assert finding.severity == "info"
    assert finding.field == "description"
    assert finding.source == FACEBOOK.sources["html"]
    assert "Active content" not in finding.message
    out, (finding,) = clean_description(html + "<script>alert(1)</script>", AMAZON)
    assert "Active content was removed" in finding.message


def test_ebay_reports_what_was_removed() -> None:
    html = '<p onclick="x()">Mug</p><script>alert(1)</script><iframe src="https://x"></iframe>'
    out, (finding,) = clean_description(html, EBAY)
    assert out == "<p>Mug</p>"
    assert finding.message.endswith("does not allow: <iframe>, <script>, onclick on <p>.")


def test_long_descriptions_are_cut_with_a_finding() -> None:
    text = "A handmade mug. " * 200
    out, (finding,) = clean_description(text, AMAZON)
    assert len(out) <= 2000
    assert out.endswith("A handmade mug.")
    assert finding.code == "channel.description_shortened"
    assert finding.severity == "warning"
    assert finding.field == "description"
    assert f"has {len(text.strip())} characters" in finding.message
    assert "at most 2000" in finding.message


def test_long_html_descriptions_stay_well_formed() -> None:
    rules = custom(html="limited", allowed_tags={"p", "b"}, description_max=60)
    html = "<p>First paragraph of the text.</p><p>Second <b>bold paragraph</b> here.</p>"
    out, (finding,) = clean_description(html, rules)
    # "<p>Second <b>bold…</b></p>" would be 61 characters: the cut moves back a word.
    assert out == "<p>First paragraph of the text.</p><p>Second…</p>"
    assert "(markup included)" in finding.message


@pytest.mark.parametrize("rules", BUILT_IN, ids=lambda r: f"{r.name}-{r.title_max}")
@given(
    text=st.lists(
        st.sampled_from(
            ["<p>", "</p>", "Mug ", "stoneware. ", "\n", "<li>", "&amp;", "<script>x</script>"]
        ),
        max_size=40,
    ).map("".join)
)
def test_descriptions_respect_the_limit(rules: ChannelRules, text: str) -> None:
    small = dataclasses.replace(rules, description_max=50)
    out, findings = clean_description(text, small)
    assert len(out) <= 50
    assert ("channel.description_shortened" in {f.code for f in findings}) == (
        len(clean_description(text, rules)[0]) > 50
    )


def test_description_results_are_cached_per_text_and_rules() -> None:
    text = "<p>Mug</p><script>x</script>"
    first = clean_description(text, EBAY)
    assert clean_description("".join(["<p>Mug</p>", "<script>x</script>"]), EBAY) is first
    assert clean_description(text, AMAZON) is not first
    assert clean_description(text, AMAZON)[0] == "Mug"


def test_the_description_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fit, "_CACHE_SIZE", 3)
    _fit._DESCRIPTIONS.clear()
    for i in range(10):
        clean_description(f"text {i}", EBAY)
    assert len(_fit._DESCRIPTIONS) == 3
