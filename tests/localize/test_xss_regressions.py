"""Regressions of the holes the XSS grammar (tests/reliability/test_xss.py) found (issue #10)."""

from __future__ import annotations

from datetime import date

import pytest

import xborder as xb
from xborder.localize import localize
from xborder.localize.channels import channel_rules, clean_description
from xborder.localize.sanitize import has_active_content, html_to_text

ON = date(2026, 10, 1)


def make(**fields: object) -> xb.Listing:
    data: dict[str, object] = {
        "sku": "MUG-01",
        "title": "Stoneware mug",
        "description": "Wheel-thrown stoneware mug.",
        "price": xb.Money("24.00", "EUR"),
        "quantity": 5,
        "attributes": {"color": ["Blue"]},
    }
    data.update(fields)
    return xb.Listing(**data)  # type: ignore[arg-type]


# Titles and attribute values reached every marketplace as written, event handlers included.
@pytest.mark.parametrize("channel", ["ebay", "amazon", "facebook"])
@pytest.mark.parametrize(
    "payload",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "&lt;svg onload=alert(1)&gt;",
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
        '<a href="javascript:alert(1)"',
    ],
)
def test_title_and_attribute_markup_becomes_plain_text(channel: str, payload: str) -> None:
    item = make(title=f"Stoneware mug {payload}", attributes={"color": [f"Blue {payload}"]})
    content = localize(item, "GB", channel=channel, on=ON)
    value = content.attributes[0].values[0].text
    assert content.title.text.startswith("Stoneware mug")
    assert value.startswith("Blue")
    for text in (content.title.text, value):
        assert "<" not in text and "&" not in text and "onerror" not in text
    fields = {f.field for f in content.findings if f.code == "channel.html_removed"}
    assert {"title", "attributes.color"} <= fields


def test_titles_without_markup_are_left_alone() -> None:
    item = make(title="Tom &amp; Jerry mug, size < 10 cm", attributes={"size": ["3<4 cm"]})
    content = localize(item, "GB", channel="amazon", on=ON)
    assert content.title.text == "Tom &amp; Jerry mug, size < 10 cm"
    assert content.attributes[0].values[0].text == "3<4 cm"
    assert "channel.html_removed" not in {f.code for f in content.findings}


# A plain-text description's entities were decoded for Amazon and Meta: encoded markup came
# back as live markup ("&#60;img ... onerror=...&#62;" -> "<img ... onerror=...>").
@pytest.mark.parametrize("channel", ["amazon", "facebook"])
@pytest.mark.parametrize(
    "payload",
    [
        "&#60;img src=x onerror=alert(1)&#62;",
        "&#60img src=x onerror=alert(1)&#62",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    ],
)
def test_encoded_markup_in_a_plain_description_stays_dead(channel: str, payload: str) -> None:
    item = make(description=f"Wheel-thrown mug.\n\n{payload}\nDishwasher safe.")
    text = localize(item, "GB", channel=channel, on=ON).description.text
    assert "<" not in text and "&" not in text and "alert" not in text
    assert text.startswith("Wheel-thrown mug.\n\n")
    assert text.endswith("Dishwasher safe.")


@pytest.mark.parametrize("channel", ["amazon", "facebook"])
def test_clean_description_itself_keeps_encoded_markup_dead(channel: str) -> None:
    # The public function, not only localize(): the fix lives where plain text is decoded.
    rules = channel_rules(channel, on=ON)
    text, findings = clean_description("Mug.\n\n&#60;img src=x onerror=alert(1)&#62;", rules)
    assert "<" not in text and "onerror" not in text
    assert text.startswith("Mug.")
    assert "channel.html_removed" in {f.code for f in findings}


def test_plain_description_entities_are_still_decoded() -> None:
    item = make(description="Tom &amp; Jerry\n\nSize &lt; 10 cm")
    assert localize(item, "GB", channel="amazon", on=ON).description.text == (
        "Tom & Jerry\n\nSize < 10 cm"
    )


# has_active_content missed a tag that never ends: no parser reads it, but a later ">" closes it.
@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)"',
        "Mug <a href=jav&#x09;ascript:alert(1)",
        '<img src="vbscript:msgbox(1)"',
        "<iframe src=data:text/html,x",
    ],
)
def test_unterminated_tags_with_dangerous_urls_are_active(html: str) -> None:
    assert has_active_content(html)
    assert "script" not in html_to_text(f"Mug.\n\n{html}").lower()


def test_unterminated_tag_without_dangerous_url_is_not_active() -> None:
    assert not has_active_content('<a href="https://shop.example.com/mug"')
    assert not has_active_content("size = 3 < 4")


def test_html_to_text_decodes_numeric_references_without_semicolons() -> None:
    # Double-encoded: one level is decoded by the parser, the "&#60img" left must be too.
    assert html_to_text("Mug &amp;#60img src=x onerror=alert(1)&amp;#62 glazed") == "Mug glazed"
    assert html_to_text("Mug &#60img src=x onerror=alert(1)&#62 glazed") == "Mug glazed"
    assert html_to_text("<p>3 &#60 4</p>") == "3 < 4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain mug", False),
        ("Size < 5 cm, 3<4", False),
        ("Tom &amp; Jerry", False),
        ("Mug <b>bold</b>", True),
        ("Mug &lt;script&gt;x&lt;/script&gt;", True),
        ("Mug &amp;lt;img src=x onerror=alert(1)&amp;gt;", True),
        ('<a href="javascript:alert(1)"', True),
    ],
)
def test_has_markup_sees_tags_as_written_or_decoded(text: str, expected: bool) -> None:
    from xborder.localize.sanitize import has_markup

    assert has_markup(text) is expected


def test_has_markup_decodes_only_as_often_as_asked() -> None:
    from xborder.localize.sanitize import has_markup

    assert has_markup("&amp;lt;b&amp;gt;", decodes=1) is False
    assert has_markup("&amp;lt;b&amp;gt;", decodes=2) is True
