"""channel (compliance rule): titles, active content, contact details and images per channel."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.compliance import Report, check
from xborder.compliance.rules.channel import (
    _NONWORD,
    RULE,
    _as_read,
    _title_may_change,
    _unread_removed,
    _word_keys,
    contact_details,
)
from xborder.listing import Listing, Seller, Translation
from xborder.localize import localize
from xborder.localize.channels import (
    AMAZON,
    AMAZON_2025,
    EBAY,
    FACEBOOK,
    ChannelRules,
    channel_rules,
    fit_title,
)
from xborder.money import Money

ON = date(2026, 10, 30)
SELLER = Seller(country="US", regimes=("US",))
IMAGE = "https://img.example.com/mug-1.jpg"


def make_listing(**changes: Any) -> Listing:
    values: dict[str, Any] = {
        "sku": "MUG-01",
        "title": "Stoneware coffee mug, 350 ml",
        "description": "<p>Wheel-thrown stoneware mug.</p>",
        "price": Money("24.00", "USD"),
        "quantity": 5,
        "brand": "Blue Ridge Kiln",
        "images": (IMAGE,),
    }
    values.update(changes)
    return Listing(**values)


def run(listing: Listing, channel: str | ChannelRules | None, market: str = "US") -> Report:
    return check(listing, market, channel=channel, on=ON, seller=SELLER, rules=[RULE])


@pytest.mark.parametrize("channel", ["ebay", "amazon", "facebook"])
def test_clean_listing_passes(channel: str) -> None:
    assert run(make_listing(), channel).findings == ()


def test_no_channel_no_findings() -> None:
    messy = make_listing(
        title="Mug!!! mail me a@b.com", description="<script>x</script>", images=()
    )
    assert run(messy, None).findings == ()


# -- titles ----------------------------------------------------------------------------------


def test_long_title_is_reported_as_fit_title_reports_it() -> None:
    title = "Handmade stoneware coffee mug with a deep cobalt glaze, wheel thrown in Asheville NC"
    report = run(make_listing(title=title), "ebay")
    assert report.codes() == ("channel.title_shortened",)
    expected = fit_title(title, EBAY, brand="Blue Ridge Kiln")[1]
    assert report.findings == expected
    assert report.findings[0].severity == "warning"


def test_amazon_banned_characters_and_repeats() -> None:
    report = run(make_listing(title="Mug! Mug mug MUG, blue"), "amazon")
    assert report.codes() == ("channel.title_banned_characters", "channel.title_word_repeated")
    assert report.findings[0].effective_from == date(2025, 1, 21)
    assert run(make_listing(title="Mug! Mug mug MUG, blue"), "ebay").findings == ()


def test_amazon_title_limit_follows_the_day() -> None:
    title = "Stoneware coffee mug with cobalt glaze, handmade in Asheville, 350 ml capacity"
    assert len(title) > 75
    new = check(
        make_listing(title=title), "US", channel="amazon", on=ON, seller=SELLER, rules=[RULE]
    )
    old_day = date(2026, 1, 1)
    old = check(
        make_listing(title=title), "US", channel="amazon", on=old_day, seller=SELLER, rules=[RULE]
    )
    assert new.codes() == ("channel.title_shortened",) and old.findings == ()


@pytest.mark.parametrize("country", ["SA", "EG", "TR", "AE"])
def test_amazon_stores_that_keep_200_character_titles(country: str) -> None:
    title = "Stoneware coffee mug with cobalt glaze, handmade in Asheville, 350 ml capacity"
    listing = make_listing(title=title)
    report = check(listing, country, channel="amazon", on=ON, seller=SELLER, rules=[RULE])
    assert "channel.title_shortened" not in report.codes()
    assert localize(listing, country, channel="amazon", on=ON).title.text == title
    assert channel_rules("amazon", on=ON, market=country) is AMAZON_2025
    assert channel_rules("amazon", on=ON, market=country.lower()) is AMAZON_2025
    assert channel_rules("amazon", on=ON, market="DE") is AMAZON


def test_title_that_fits_to_nothing_is_an_error() -> None:
    report = run(make_listing(title="!?!? $$$"), "amazon")
    assert report.errors[0].code == "channel.title_empty"
    assert "channel.title_banned_characters" in report.codes()
    empty = make_listing().model_copy(update={"title": "   "})
    assert run(empty, "ebay").codes() == ("channel.title_empty",)


def test_brand_may_keep_banned_characters() -> None:
    listing = make_listing(title="Yahoo! stoneware mug", brand="Yahoo!")
    assert run(listing, "amazon").findings == ()


def test_the_title_checked_is_the_one_sent_in_the_market_language() -> None:
    long_german = (
        "Handgemachte Steinzeugtasse mit tiefblauer Kobaltglasur, auf der Töpferscheibe gedreht"
    )
    listing = make_listing(translations={"de": Translation(title=long_german)})
    assert run(listing, "ebay", market="DE").codes() == ("channel.title_shortened",)
    assert run(listing, "ebay", market="US").findings == ()  # English: the original title
    assert run(listing, "ebay", market="JP").findings == ()  # no Japanese text: the original


@given(st.text(alphabet=st.sampled_from("ab Ab!?$_-,. éé\u0301\u00a0\t"), max_size=120))
def test_title_fast_path_never_hides_a_change(title: str) -> None:
    for rules in (EBAY, AMAZON, FACEBOOK):
        if not _title_may_change(title, rules):
            assert fit_title(title, rules)[1] == ()


# -- active content --------------------------------------------------------------------------


def test_a_text_checked_for_one_channel_rules_object_is_checked_anew_for_another() -> None:
    # The checks of a text are remembered per ChannelRules object: a title that fits one
    # channel's limit is checked again against a stricter one, and the first still passes.
    title = "Stoneware coffee mug, 350 ml, handmade"
    strict = dataclasses.replace(EBAY, title_max=20)
    assert run(make_listing(title=title), EBAY).findings == ()
    assert run(make_listing(title=title), strict).codes() == ("channel.title_shortened",)
    assert run(make_listing(title=title), EBAY).findings == ()
    # An equal but distinct object gives the same findings.
    again = dataclasses.replace(strict)
    assert (
        run(make_listing(title=title), again).findings
        == run(make_listing(title=title), strict).findings
    )


def test_active_content_in_description_is_a_warning() -> None:
    listing = make_listing(description="<p>Mug</p><script>steal()</script>")
    for channel in ("ebay", "amazon", "facebook"):
        (finding,) = run(listing, channel).findings
        assert (finding.code, finding.severity, finding.field) == (
            "channel.active_content",
            "warning",
            "description",
        )
        assert finding.source and finding.source.startswith("https://")
    handler = make_listing(description='<img src="x.jpg" onerror="alert(1)">')
    assert run(handler, "ebay").codes() == ("channel.active_content",)
    link = make_listing(description='<a href="javascript:alert(1)">x</a>')
    assert run(link, "ebay").codes() == ("channel.active_content",)


def test_active_content_in_title_is_a_warning_as_localize_removes_it() -> None:
    listing = make_listing(title="Mug <script>x</script> blue")
    (finding,) = run(listing, "ebay").findings
    assert (finding.code, finding.severity, finding.field) == (
        "channel.active_content",
        "warning",
        "title",
    )
    assert "removed when the offer is prepared" in finding.message
    # What the message says: the title sent holds no markup.
    assert localize(listing, "US", channel="ebay").title.text == "Mug blue"


def test_plain_html_is_not_active_content() -> None:
    listing = make_listing(description="<p><strong>Mug</strong> &amp; saucer: 350 ml</p>")
    assert run(listing, "ebay").findings == ()


# -- contact details -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Questions? mail shop@example.com", "email address"),
        ("Call +49 30 1234567 today", "phone number"),
        ("Phone: (555) 123-4567", "phone number"),
        ("Tel. 030/1234567", "phone number"),
        ("More at https://shop.example.com/mugs", "web address"),
        ("More at www.blueridgekiln.com", "web address"),
        ("Visit blueridgekiln.com for more", "web address"),
        ("Telephone: 020 7946 0958", "phone number"),
        ("Téléphone : 01 23 45 67 89", "phone number"),
        ("Tel.-Nr.: 030 1234567", "phone number"),
        ("Handy: 0171 1234567", "phone number"),
        ("Order line 1-800-555-0199", "phone number"),
        ("Call us on 0800 123 4567", "phone number"),
        ("0044 20 7946 0958", "phone number"),
        ("Tel\uff1a03-1234-5678", "phone number"),
        ("\u96fb\u8a71 03-1234-5678", "phone number"),
        ("\u96fb\u8a71\u756a\u53f7\u306f03-1234-5678\u3067\u3059", "phone number"),
        ("Telefonnummer: 030 1234567", "phone number"),
        ("Phone number: 020 7946 0958", "phone number"),
        ("T\u00e9l. : 01 23 45 67 89", "phone number"),
        ("M\u00f3vil: 612 345 678", "phone number"),
        # Hidden by entities or split by tags, as the buyer reads them.
        ("<p>Mail shop&#64;example.de</p>", "email address"),
        ("<p>Call&nbsp;+44&nbsp;20&nbsp;7946&nbsp;0958</p>", "phone number"),
        ("<p>Tel: <b>030</b> 1234567</p>", "phone number"),
        ("Visit www&#46;example&#46;com", "web address"),
        ('<a href="https://myshop.example/mugs">more mugs</a>', "web address"),
        ("More mugs at blueridgekiln.de/shop", "web address"),
        ("More mugs at shop.blueridgekiln.de", "web address"),
        ("Visit shop.example.com.au", "web address"),
    ],
)
def test_contact_details_found(text: str, kind: str) -> None:
    assert [k for k, _ in contact_details(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Stoneware mug, 350 ml, 7.5 x 7.5 x 10 cm",
        "EAN 4006381333931, model BRK-MUG01-BLU",
        "Made 2026-07-24, batch 123-456",
        "ISBN 978-0-471-11709-4",
        '<img src="https://img.example.com/mug.jpg" alt="mug">',
        "See the photo https://img.example.com/mug.png?w=1200",
        "Blue Ridge Kiln & Leather Co. in Asheville",
        "Works with Node.js and e.g. U.S. outlets",
        "Part No. 100-200-3000, model 123-456-7890",  # no North American area code
        "Phone Case for Phone 12 13 14 15",
        "EAN 0012345678905",
        "Battery cell 18650 3000 mAh",
        "Tom &amp; Jerry mug &ndash; <b>350</b> ml",
        "Great quality.It is dishwasher safe",  # a missing space, not a .it address
        "great quality.it works, nice product.de",
        "Schutzhülle für Handy 2019-2024, Handy 100 200 300 mm, Mobil 2500 3000 mAh",
        "Feeler gauge 0.005 0.01 0.02 0.03 mm, Bestellnummer 001 234 567, 2.001.500.000",
        "ca. 30 cm, inkl. MwSt., z.B. für Tee",
    ],
)
def test_no_false_contact_details(text: str) -> None:
    assert contact_details(text) == ()


def test_ebay_links_to_ebay_pages_are_allowed() -> None:
    assert (
        contact_details("See my other items: https://www.ebay.de/str/blueridge", channel="ebay")
        == ()
    )
    assert contact_details("https://www.ebay.de/str/blueridge", channel="amazon") != ()
    assert contact_details("https://pages.ebay.com.au/help", channel="ebay") == ()
    assert contact_details("https://www.ebay.co.uk:443/str/x", channel="ebay") == ()


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/ebay.de/",
        "https://shop.example/x.ebay.com",
        "https://ebay.de.shop.example/",
        "https://ebay.de.co/",
        "https://ebay.com.xx/",
    ],
)
def test_a_link_off_ebay_is_no_ebay_page_because_its_path_names_one(url: str) -> None:
    assert contact_details(f"More: {url}", channel="ebay") == (("web address", url),)


def test_an_email_hidden_by_an_entity_is_an_email_address_on_ebay() -> None:
    # Read as written, only "example.com" (a link: a warning on eBay); the buyer reads an
    # email address (an error).
    found = contact_details("Contact shop&#64;example.com", channel="ebay")
    assert found == (("email address", "shop@example.com"),)
    listing = make_listing(description="<p>Contact shop&#64;example.com</p>")
    (finding,) = run(listing, "ebay").findings
    assert (finding.code, finding.severity) == ("channel.contact_details", "error")


def test_contact_details_per_channel() -> None:
    email = make_listing(description="<p>Mug. Questions: shop@blueridgekiln.example.com</p>")
    for channel in ("ebay", "amazon"):
        (finding,) = run(email, channel).findings
        assert (finding.code, finding.severity, finding.field) == (
            "channel.contact_details",
            "error",
            "description",
        )
        assert "email address" in finding.message
    assert "ebay" in (run(email, "ebay").findings[0].source or "")
    assert "amazon" in (run(email, "amazon").findings[0].source or "")
    assert run(email, "facebook").findings == ()  # no policy source for Meta: not checked
    link = make_listing(description="<p>Care guide: https://blueridgekiln.example.com/care</p>")
    assert run(link, "ebay").findings[0].severity == "warning"  # eBay allows a few links
    assert run(link, "amazon").findings[0].severity == "error"  # Amazon allows none
    title = make_listing(title="Mug, call 555-123-4567")
    assert run(title, "amazon").findings[0].field == "title"


# -- images ----------------------------------------------------------------------------------


def test_image_missing() -> None:
    for channel in ("ebay", "amazon", "facebook"):
        (finding,) = run(make_listing(images=()), channel).findings
        assert (finding.code, finding.severity) == ("channel.image_missing", "error")
        assert finding.source
    custom = ChannelRules("etsy_like", title_max=140, description_max=5000)
    assert run(make_listing(images=()), custom).findings == ()


def test_image_count_over_the_channel_limit() -> None:
    images = tuple(f"https://img.example.com/{i}.jpg" for i in range(10))
    (finding,) = run(make_listing(images=images), "amazon").findings
    assert (finding.code, finding.severity) == ("channel.image_count", "warning")
    assert "10 images" in finding.message and "at most 9" in finding.message
    assert run(make_listing(images=images), "ebay").findings == ()


def test_image_not_https() -> None:
    listing = make_listing().model_copy(
        update={"images": (IMAGE, "http://img.example.com/2.jpg", 3)}
    )
    (finding,) = run(listing, "ebay").findings
    assert (finding.code, finding.severity) == ("channel.image_not_https", "error")
    assert finding.message.startswith("2 image")


def test_every_finding_has_source_and_message() -> None:
    listing = make_listing(
        title="Mug! <script>x</script> Mug mug",
        description="<script>x</script> mail a@b.com " + "word " * 10,
    ).model_copy(update={"images": ("http://x.example.com/a.jpg",) * 12})
    seen = set()
    for channel in ("ebay", "amazon", "facebook"):
        for finding in run(listing, channel).findings:
            seen.add(finding.code)
            assert finding.source and finding.source.startswith("http"), finding
            assert finding.field and finding.message
    assert {
        "channel.active_content",
        "channel.contact_details",
        "channel.image_count",
        "channel.image_not_https",
        "channel.title_banned_characters",
    } <= seen


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_words_are_those_of_the_regex(title: str) -> None:
    fast = _word_keys(title)
    slow = [k for k in (_NONWORD.sub("", w) for w in title.casefold().split()) if k]
    assert [k.decode() if isinstance(k, bytes) else k for k in fast] == slow


def test_a_repeated_word_in_an_ascii_title_is_seen_whatever_its_case_and_punctuation() -> None:
    assert _title_may_change("Mug, MUG; mug! Blue", AMAZON)  # three times: Amazon allows two
    assert not _title_may_change("Mug, MUG Blue", AMAZON)
    assert not _title_may_change("Mug\x1cmug", EBAY)  # eBay sets no repeat limit


def test_the_text_as_read_drops_scripts_styles_and_comments_in_one_pass() -> None:
    assert _unread_removed("a<script>x</script>b<!-- c -->d<STYLE>e</style >f") == "a b d f"
    assert _unread_removed("a<!-- never closed <b>030 1234567</b>") == "a"
    # Hostile text: each opener is searched for once, whatever follows.
    assert _unread_removed("<!--" * 25_000) == ""
    assert _unread_removed("<script>" * 12_000) == ""
    hidden = "<p>Mug</p><script>var tel = '+49 30 1234567';</script><!-- shop@example.de -->"
    assert _as_read(hidden).split() == ["Mug"]
    # The text as written is still read too: contact details hidden there are reported.
    assert [kind for kind, _ in contact_details(hidden)] == ["email address", "phone number"]


@pytest.mark.parametrize("key", ["zh-Hant", "zh_Hant", "zh-TW"])
def test_the_translation_checked_is_the_one_localize_sends(key: str) -> None:
    listing = make_listing(
        translations={key: Translation(title="Mug Tel: 030 1234567", description="x")}
    )
    sent = localize(listing, "TW", channel="ebay", on=ON).title.text
    assert "030 1234567" in sent
    assert (
        "channel.contact_details"
        in check(listing, "TW", channel="ebay", on=ON, seller=SELLER, rules=[RULE]).codes()
    )
    # A plain "zh" translation (Simplified) is not sent to Taiwan, nor checked for it.
    simplified = make_listing(translations={"zh": Translation(title="Mug Tel: 030 1234567")})
    assert "030" not in localize(simplified, "TW", channel="ebay", on=ON).title.text
    assert (
        "channel.contact_details"
        not in check(simplified, "TW", channel="ebay", on=ON, seller=SELLER, rules=[RULE]).codes()
    )
