"""sanitize: hostile HTML never survives, harmless markup does, HTML to text, shortening."""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xborder.localize.channels import AMAZON, EBAY, FACEBOOK, ChannelRules, clean_description
from xborder.localize.sanitize import (
    ACTIVE_TAGS,
    has_active_content,
    html_sanitizer,
    html_to_text,
    removed_markup,
    sanitize_html,
    shorten_html,
    shorten_text,
)

# Each spelling is one way HTML has been used to run code, load something or hide markup.
HOSTILE = {
    "script": "<p>SAFE</p><script>alert(1)</script>",
    "script upper case": "<SCRIPT>alert(1)</SCRIPT>SAFE",
    "script mixed case src": '<ScRiPt SrC="https://evil.example/x.js"></sCrIpT>SAFE',
    "script split by tag": "<scr<script>ipt>alert(1)</script>SAFE",
    "script unclosed": "SAFE<script>alert(1)",
    "script with attributes and newline": '<script\ntype="text/javascript">alert(1)</script>SAFE',
    "img onerror": "<img src=x onerror=alert(1)>SAFE",
    "img onerror unquoted unterminated": "SAFE<img src=x onerror=alert(1)//",
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>SAFE",
    "svg script": "<svg><script>alert(1)</script></svg>SAFE",
    "iframe": '<iframe src="https://evil.example"></iframe>SAFE',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>SAFE',
    "object": '<object data="https://evil.example/x.swf"></object>SAFE',
    "embed": '<embed src="https://evil.example/x.swf">SAFE',
    "applet": '<applet code="X.class"></applet>SAFE',
    "javascript href": '<a href="javascript:alert(1)">SAFE</a>',
    "javascript href upper case": '<a href="JaVaScRiPt:alert(1)">SAFE</a>',
    "javascript href entity encoded": '<a href="&#106;&#97;vascript:alert(1)">SAFE</a>',
    "javascript href hex entities": '<a href="&#x6A;avascript&#x3A;alert(1)">SAFE</a>',
    "javascript href tab split": '<a href="java\tscript:alert(1)">SAFE</a>',
    "javascript href tab entity": '<a href="jav&#x09;ascript:alert(1)">SAFE</a>',
    "javascript href newline": '<a href="java\nscript:alert(1)">SAFE</a>',
    "javascript href leading space": '<a href=" javascript:alert(1)">SAFE</a>',
    "javascript href slash syntax": '<a/href="javascript:alert(1)">SAFE</a>',
    "vbscript href": '<a href="vbscript:msgbox(1)">SAFE</a>',
    "data text/html href": (
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">SAFE</a>'
    ),
    "data image src": '<img src="data:image/svg+xml,<svg onload=alert(1)>">SAFE',
    "style expression": "<style>p { width: expression(alert(1)); }</style><p>SAFE</p>",
    "style import": '<style>@import "https://evil.example/x.css";</style>SAFE',
    "inline style expression": '<p style="width: expression(alert(1))">SAFE</p>',
    "inline style url": '<p style="background: url(javascript:alert(1))">SAFE</p>',
    "form": '<form action="https://evil.example"><input name=q><button>Go</button></form>SAFE',
    "button formaction": '<button formaction="javascript:alert(1)">SAFE</button>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">SAFE',
    "base href": '<base href="https://evil.example/">SAFE',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">SAFE',
    "event handler on p": '<p onclick="alert(1)">SAFE</p>',
    "event handler on strong": '<strong onmouseover="alert(1)">SAFE</strong>',
    "event handler on a": '<a href="https://shop.example" onfocus="alert(1)" autofocus>SAFE</a>',
    "event handler on li": "<ul><li onmouseenter=alert(1)>SAFE</li></ul>",
    "nested broken markup": "<p><b><i>SAFE<script>alert(1)</b></i></p></script>",
    "attribute breaking out": '<img """><script>alert(1)</script>">SAFE',
    "comment hiding script": "<!--<script>alert(1)</script>-->SAFE",
    "conditional comment": "<!--[if IE]><script>alert(1)</script><![endif]-->SAFE",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>SAFE",
    "math href": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>SAFE',
    "math mglyph style": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "template": "<template><img src=x onerror=alert(1)></template>SAFE",
    "noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">SAFE',
    "video": "<video><source onerror=alert(1)></video>SAFE",
    "encoded script as text": "<p>&lt;script&gt;alert(1)&lt;/script&gt;SAFE</p>",
    "double encoded script": "<p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;SAFE</p>",
}

HARMLESS = (
    "<p>Handmade <strong>stoneware</strong> mug</p>"
    "<ul><li>350 ml</li><li>Dishwasher safe</li></ul>"
    "<p>Glazed twice<br>Fired at 1240 °C</p>"
)
NO_TAGS_ALLOWED = re.compile(r"<[A-Za-z/!?][^<>]*>")
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:")
PLAIN_CHANNELS = (AMAZON, FACEBOOK)


class _Parsed(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.comments = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.comments += 1


def assert_inert(html: str) -> None:
    """Parse ``html`` and check that nothing in it can run, load or hide anything."""
    parsed = _Parsed(html)
    assert not set(parsed.tags) & ACTIVE_TAGS, parsed.tags
    assert parsed.comments == 0
    for tag, name, value in parsed.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name not in ("srcdoc", "formaction", "action", "http-equiv"), (tag, name)
        url = re.sub(r"[\x00-\x20]", "", _html.unescape(value)).lower()
        assert not url.startswith(ACTIVE_SCHEMES), (tag, name, value)
        if name == "style":
            assert not re.search(r"expression|url\(|javascript", value, re.I), value
    assert not re.search(r"<\s*script", html, re.I)
    assert not has_active_content(html)


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_inert_for_ebay(html: str) -> None:
    out, _ = clean_description(html, EBAY)
    assert_inert(out)
    assert not re.search(r"<\s*(iframe|object|embed|svg|math|form)", out, re.I)


@pytest.mark.parametrize("rules", PLAIN_CHANNELS, ids=lambda r: r.name)
@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_leaves_only_text_for_plain_channels(html: str, rules: ChannelRules) -> None:
    out, findings = clean_description(html, rules)
    assert_inert(out)
    assert not NO_TAGS_ALLOWED.search(out), out
    assert _Parsed(out).tags == []
    assert "javascript:" not in out.lower()
    assert [f.code for f in findings] == ["channel.html_removed"]


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_detected(html: str) -> None:
    # Entity-encoded markup is text, not active content: it is shown, never run.
    encoded = html.startswith("<p>&")
    assert has_active_content(html) is not encoded


@pytest.mark.parametrize("html", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_gives_a_finding_for_ebay(html: str) -> None:
    _, findings = clean_description(html, EBAY)
    if has_active_content(html):
        assert [f.code for f in findings] == ["channel.html_removed"]
        assert findings[0].severity == "info"
        assert findings[0].field == "description"
        assert findings[0].source == EBAY.sources["html"]


def test_harmless_markup_survives_for_ebay() -> None:
    out, findings = clean_description(HARMLESS, EBAY)
    assert out == HARMLESS
    assert findings == ()
    parsed = _Parsed(out)
    assert {"p", "strong", "ul", "li", "br"} <= set(parsed.tags)


def test_ebay_keeps_https_links_images_tables_and_safe_styles() -> None:
    html = (
        '<div vocab="https://schema.org/" typeof="Product"><span property="description">'
        "Mug</span></div>"
        '<p style="color: #333; text-align: center; position: fixed">Blue</p>'
        '<a href="https://shop.example/care">Care</a>'
        '<img src="https://img.example/mug.jpg" alt="Mug" width="500">'
        '<table><tbody><tr><th colspan="2">Size</th></tr></tbody></table>'
    )
    out, findings = clean_description(html, EBAY)
    assert '<div vocab="https://schema.org/" typeof="Product">' in out
    assert '<span property="description">' in out
    assert 'style="color:#333;text-align:center"' in out
    assert '<a href="https://shop.example/care" rel="noopener noreferrer nofollow">' in out
    assert '<img src="https://img.example/mug.jpg" alt="Mug" width="500">' in out
    assert '<th colspan="2">' in out
    assert findings == ()  # a dropped CSS property is not markup removed


def test_ebay_drops_http_and_relative_urls() -> None:
    out, findings = clean_description(
        '<a href="http://shop.example">a</a><img src="/img.jpg"><a href="mailto:x@y.z">m</a>', EBAY
    )
    assert "href" not in out
    assert "src" not in out
    assert "href on <a>" in findings[0].message
    assert "src on <img>" in findings[0].message


def test_removed_markup_names_what_went() -> None:
    before = '<p onclick="x()">Hi<script>a</script><!-- c --><img src="http://x" alt="a"></p>'
    after = sanitize_html(
        before, tags={"p", "img"}, attributes={"img": {"src", "alt"}}, url_schemes={"https"}
    )
    assert after == '<p>Hi<img alt="a"></p>'
    assert removed_markup(before, after) == (
        "<script>",
        "src on <img>",
        "onclick on <p>",
        "HTML comments",
    )
    assert removed_markup(HARMLESS, HARMLESS) == ()


@pytest.mark.parametrize(
    ("tags", "attributes", "schemes"),
    [
        ({"p", "script"}, {}, {"https"}),
        ({"iframe"}, {}, {"https"}),
        ({"p"}, {"p": {"onclick"}}, {"https"}),
        ({"iframe", "p"}, {"*": {"srcdoc"}}, {"https"}),
        ({"p"}, {"p": {"style"}}, {"https"}),
        ({"a"}, {"a": {"href"}}, {"https", "javascript"}),
        ({"a"}, {"a": {"href"}}, {"data"}),
    ],
)
def test_unsafe_allow_lists_are_refused(
    tags: set[str], attributes: dict[str, set[str]], schemes: set[str]
) -> None:
    with pytest.raises(ValueError, match=r"allowed|never"):
        sanitize_html("<p>x</p>", tags=tags, attributes=attributes, url_schemes=schemes)


def test_style_filter_keeps_only_allowed_and_inert_declarations() -> None:
    clean = html_sanitizer(
        tags={"span"}, attributes={}, url_schemes={"https"}, style_properties={"color", "width"}
    )
    assert clean('<span style="color:red;width:expression(alert(1))">x</span>') == (
        '<span style="color:red">x</span>'
    )
    assert clean('<span style="width:1px;background:url(x)">x</span>') == (
        '<span style="width:1px">x</span>'
    )
    assert clean('<span style="width:\\65xpression(1)">x</span>') == "<span>x</span>"


def test_sanitizers_are_cached() -> None:
    one = html_sanitizer(tags={"p"}, attributes={}, url_schemes={"https"})
    two = html_sanitizer(tags=["p"], attributes={}, url_schemes=("https",))
    assert one is two


# -- html_to_text ---------------------------------------------------------------------------


def test_html_to_text_keeps_paragraphs_and_list_items() -> None:
    html = (
        "<h2>Mug</h2><p>Handmade   stoneware,\n  glazed twice.</p>"
        "<ul><li>350&nbsp;ml</li><li><p>Dishwasher safe</p></li></ul>"
        "<ol><li>Rinse</li><li>Use</li></ol>"
        "<p>Line one<br>Line two &amp; &eacute;t&eacute;</p>"
        "<table><tr><th>Material</th><td>Stoneware</td></tr><tr><td>Size</td><td>9 cm</td></tr>"
        "</table>"
    )
    assert html_to_text(html) == (
        "Mug\n\nHandmade stoneware, glazed twice.\n\n"
        "• 350\xa0ml\n• Dishwasher safe\n\n"
        "1. Rinse\n2. Use\n\n"
        "Line one\nLine two & été\n\n"
        "Material | Stoneware\nSize | 9 cm"
    )


def test_html_to_text_inline_tags_do_not_add_spaces() -> None:
    assert html_to_text("<b>Stone</b>ware <i>mug</i>") == "Stoneware mug"


def test_html_to_text_removes_encoded_markup_but_keeps_comparisons() -> None:
    assert html_to_text("<p>&lt;b&gt;bold&lt;/b&gt; for 5 &lt; 10 cm</p>") == "bold for 5 < 10 cm"
    assert html_to_text("<p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;ok</p>") == "ok"


def test_html_to_text_drops_script_and_style_content() -> None:
    assert html_to_text("<style>p{}</style><p>Mug</p><script>var x</script>") == "Mug"


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' &;#abcdeipst:lnorvjx\n")), max_size=80))
def test_html_to_text_never_returns_a_tag(noise: str) -> None:
    text = html_to_text(noise + "<script>alert(1)</script>" + noise)
    assert not NO_TAGS_ALLOWED.search(text)


@given(
    st.lists(
        st.sampled_from(
            [*HOSTILE.values(), "<p>", "</p>", "<b>", "text ", "&amp;", "<a href='", "'>", '"']
        ),
        max_size=6,
    )
)
def test_mixed_hostile_fragments_stay_inert(parts: list[str]) -> None:
    html = "".join(parts)
    assert_inert(clean_description(html, EBAY)[0])
    assert not NO_TAGS_ALLOWED.search(clean_description(html, AMAZON)[0])


# -- shortening ----------------------------------------------------------------------------


def test_shorten_text_prefers_sentence_ends() -> None:
    text = "Made by hand in Devon. Every mug is unique. Glazed twice and fired hot."
    assert shorten_text(text, 50) == "Made by hand in Devon. Every mug is unique."
    assert shorten_text(text, len(text)) == text


def test_shorten_text_falls_back_to_a_word_end_with_an_ellipsis() -> None:
    assert shorten_text("Made by hand. Every mug is unique and glazed twice.", 30) == (
        "Made by hand. Every mug is…"
    )
    assert shorten_text("Stoneware, glazed, fired", 20) == "Stoneware, glazed…"
    assert shorten_text("x" * 50, 10) == "xxxxxxxxx…"


def test_shorten_text_prefers_paragraph_ends() -> None:
    text = "First paragraph here\n\nSecond paragraph is long enough"
    assert shorten_text(text, 25) == "First paragraph here"


@given(st.text(min_size=0, max_size=300), st.integers(min_value=2, max_value=200))
def test_shorten_text_respects_the_limit(text: str, limit: int) -> None:
    short = shorten_text(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text


def test_shorten_html_closes_elements_and_never_cuts_a_tag_or_entity() -> None:
    clean = html_sanitizer(tags={"p", "b", "ul", "li"}, attributes={}, url_schemes=())
    html = (
        "<p>Stoneware <b>mug &amp; saucer, glazed twice</b> and fired.</p><ul><li>350 ml</li></ul>"
    )
    for limit in range(12, len(html)):
        short = shorten_html(html, limit, clean)
        assert len(short) <= limit, (limit, short)
        assert short == clean(short), short  # well-formed: sanitising changes nothing
        assert "&am…" not in short and "&…" not in short
    assert shorten_html(html, len(html), clean) == html
    assert (
        shorten_html(html, 72, clean)
        == "<p>Stoneware <b>mug &amp; saucer, glazed twice</b> and fired.</p>"
    )


def test_active_tags_cover_the_ebay_active_content_policy() -> None:
    assert {"script", "iframe", "object", "embed", "form", "style", "meta", "base"} <= ACTIVE_TAGS
