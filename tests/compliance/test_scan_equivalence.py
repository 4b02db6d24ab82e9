"""The fast text scans give what the plain ones gave.

The restricted rule's keyword scan and the channel rule's contact-detail pre-checks take
cheaper paths for the usual text (ASCII, no tag, no entity). The implementations they
replaced are kept here, as they were, as the reference: every text must scan the same.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from xborder import Listing, Money
from xborder.compliance import field_values
from xborder.compliance._data import load
from xborder.compliance.rules import channel, restricted
from xborder.compliance.rules.restricted import phrase_forms
from xborder.localize import sanitize

# -- the reference keyword scan (restricted.py before the fast paths) ---------------------------

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_SPLIT = re.compile(r"[\s\-]+")
_DASHES = re.compile("[\u2010-\u2015\u2212]")
_ENTITY = re.compile(r"&(?:#\w+|\w+);?")


@cache
def _compile(form: str) -> re.Pattern[str]:
    body = r"[\s\-]+".join(re.escape(p) for p in _SPLIT.split(form) if p)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _normalise(text: str) -> str:
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    text = text.lower()
    return _DASHES.sub("-", text) if _DASHES.search(text) else text


def _anchor(form: str) -> str:
    return str(max(_WORD.findall(form), key=len))


class ReferenceMatcher:
    """restricted._Matcher as it was: a set of the text's words, a regex per form."""

    def __init__(self, groups: list[tuple[list[str], tuple[str, ...]]]) -> None:
        keywords: dict[str, list[tuple[int, str]]] = {}
        benign: dict[str, list[int]] = {}
        for group, (words, phrases) in enumerate(groups):
            for keyword in words:
                for form in phrase_forms(keyword):
                    keywords.setdefault(form, []).append((group, keyword))
            for phrase in phrases:
                for form in phrase_forms(phrase):
                    benign.setdefault(form, []).append(group)
        self.keywords: dict[str, list[tuple[str, list[tuple[int, str]]]]] = {}
        self.benign: dict[str, list[tuple[str, list[int]]]] = {}
        for form, targets in keywords.items():
            self.keywords.setdefault(_anchor(form), []).append((form, targets))
        for form, owners in benign.items():
            self.benign.setdefault(_anchor(form), []).append((form, owners))
        self.anchors = frozenset(self.keywords)

    def scan(self, text: str) -> tuple[tuple[int, str], ...]:
        norm = _normalise(text)
        words = set(_WORD.findall(norm))
        found: list[tuple[int, int, int, str]] = []
        for word in words & self.anchors:
            for form, targets in self.keywords[word]:
                for m in _compile(form).finditer(norm):
                    found += [(m.start(), -m.end(), g, k) for g, k in targets]
        if not found:
            return ()
        spans: dict[int, list[tuple[int, int]]] = {}
        for word in words:
            for form, owners in self.benign.get(word, ()):
                for m in _compile(form).finditer(norm):
                    for g in owners:
                        spans.setdefault(g, []).append(m.span())
        found.sort()
        kept = (
            (g, k)
            for start, neg_end, g, k in found
            if not any(s <= start and -neg_end <= e for s, e in spans.get(g, ()))
        )
        return tuple(dict.fromkeys(kept))


@cache
def groups() -> list[tuple[list[str], tuple[str, ...]]]:
    """The keyword groups as restricted._data() builds them from the rule data."""
    index: dict[tuple[str, tuple[str, ...]], int] = {}
    members: list[tuple[set[str], tuple[str, ...]]] = []
    for raw in load("restricted")["entries"]:
        key = (str(raw["rule"]), tuple(raw["exclude"]))
        if key not in index:
            index[key] = len(members)
            members.append((set(), key[1]))
        members[index[key]][0].update(raw["keywords"])
    return [(sorted(words), benign) for words, benign in members]


@cache
def reference() -> ReferenceMatcher:
    return ReferenceMatcher(groups())


@cache
def matcher() -> restricted._Matcher:
    """A matcher of its own (restricted._matcher_for() holds the rule's)."""
    return restricted._Matcher(groups())


def every_group() -> restricted._Matcher:
    """The rule's own matcher of every keyword group."""
    return restricted._matcher_for(frozenset(range(len(groups()))))


@cache
def vocabulary() -> list[str]:
    """Every keyword and benign-phrase form, a few near misses, and filler words."""
    words: set[str] = set()
    for keywords, phrases in groups():
        for phrase in (*keywords, *phrases):
            words.update(phrase_forms(phrase))
    near = {w + "s" for w in list(words)[:200]} | {"x" + w for w in list(words)[:200]}
    filler = {"mug", "stoneware", "blue", "No.", "12", "1", "oz", "350 ml", "the", "a", "of"}
    return sorted(words | near | filler)


SEPARATORS = st.sampled_from(
    [" ", "  ", "-", " - ", "--", "\u2011", "\u2013", "\u2212", "_", ".", ",", "/", "\n", "\t",
     "<b>", "</p><p>", "<br/>", "&amp;", "&#8209;", "&nbsp;", "&#x2d;", "&", "&foo", "<",
     "é", "ß", "İ", "\u00a0", "'", ":", "1", "ǅ", "\u0130", "ﬁ", ""]
)  # fmt: skip


def _cased(word: str, how: int) -> str:
    return (word, word.upper(), word.title(), word.swapcase())[how]


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Keyword and benign forms among filler, joined by separators that matter."""
    pieces = draw(
        st.lists(
            st.tuples(st.sampled_from(vocabulary()), st.integers(0, 3), SEPARATORS),
            max_size=8,
        )
    )
    return "".join(_cased(word, how) + sep for word, how, sep in pieces)


ANY_TEXT = st.one_of(
    texts(),
    st.text(max_size=60),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=60),
)


class Text(str):
    """A str subclass: scanned through the cache's other path."""


@settings(max_examples=600)
@given(text=ANY_TEXT)
def test_the_keyword_scan_is_the_reference_scan(text: str) -> None:
    expected = reference().scan(text)
    assert matcher()._scan(text) == expected  # not cached
    assert matcher().scan(text) == expected
    assert matcher().scan(text) == expected  # cached
    assert matcher().scan(Text(text)) == expected


@settings(max_examples=300)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_words_are_the_regex_words(text: str) -> None:
    expected = [w.encode() for w in _WORD.findall(text.lower())]
    assert restricted._ascii_words(text) == expected


@settings(max_examples=300)
@given(text=texts(), form=st.sampled_from(vocabulary()))
def test_spans_are_finditer_spans(text: str, form: str) -> None:
    norm = _normalise(text)
    first, _ = restricted._parts(form)
    expected = [m.span() for m in _compile(form).finditer(norm)]
    assert restricted._spans(form, first, norm) == expected
    assert restricted._spans(form, first, Text(norm)) == expected


# -- the reference contact details (channel.py before the fast pre-checks) ----------------------

_MAY_LINK = re.compile(
    r"https?:|www\.|\.(?:com|net|org|shop|store|biz|info|io|co\.uk"
    r"|com\.au|com\.mx|com\.br|co\.jp|co\.nz"
    r"|de|fr|it|es|nl|at|ch|be|eu|ie|pl|se|dk|fi|pt|jp|au|nz|ca|mx|sg|ae)\b",
    re.IGNORECASE,
)
_MAY_PHONE = re.compile(r"\d[\d\s()./-]{5,}\d")

Kind = Literal["email address", "phone number", "web address"]


def reference_contact_details(text: str, channel_name: str) -> tuple[tuple[Kind, str], ...]:
    if "<" in text:
        text = channel._IMG_TAG.sub(" ", text)
    found: list[tuple[Kind, str]] = []
    emails = [m.group() for m in channel._EMAIL.finditer(text)] if "@" in text else []
    found += [("email address", e) for e in emails]
    for match in channel._URL.finditer(text) if _MAY_LINK.search(text) else ():
        url = match.group().rstrip(".,;:!?")
        if channel._IMAGE_FILE.search(url) or any(url in e for e in emails):
            continue
        if channel_name == "ebay" and channel._ebay_page(url):
            continue
        found.append(("web address", url))
    for match in channel._PHONE.finditer(text) if _MAY_PHONE.search(text) else ():
        if channel._phone_digits(match.group()):
            found.append(("phone number", match.group().strip()))
    return tuple(found)


CONTACT_PIECES = st.sampled_from(
    ["www", "WWW", ".", "..", ".com", ".CO.UK", ".io", ".info", ".shop", ".store", ".biz",
     ".net", ".org", "http", "HTTPS", "https", ":", "://", "/", "example", "ebay", "ebay.de",
     "shop@example.com", "@", "+49", "30", "1234567", "(555)", "123-4567", "555.123.4567",
     "tel", "Tel:", "call us", "whatsapp", "téléphone", "7", "0", " ", "-", "(", ")", "\t",
     "\x1c", "_", "ſ", "K", "\u212a", "ı", "ﬁ", "mug", "img.jpg", "<img src=x>", "ｗｗｗ",
     "1.5", "No. 17", "12 oz", "²", "٣", "com", "io", "http://localhost", "HTTP://LOCAL/a",
     "https://www.ebay.com/itm/1", "www.example.com", "a.co.uk", "x.IO", "mailto:a@b.de",
     "&#64;", "&nbsp;", "&amp;", "<b>", "</p>", "00", "0044", "1-800", "Telephone", "Handy:",
     "\u96fb\u8a71", "\uff1a", "-Nr.", "on", "https://x.example/ebay.de/", ".de", ".DE",
     ".com.au", "shop.example.de", "It", ".it"]
)  # fmt: skip
CONTACT_TEXT = st.one_of(
    st.lists(CONTACT_PIECES, max_size=12).map("".join),
    st.lists(CONTACT_PIECES, max_size=12).map(" ".join),
    st.text(max_size=60),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=60),
)


@settings(max_examples=600)
@given(text=CONTACT_TEXT, channel_name=st.sampled_from(["ebay", "amazon", ""]))
def test_contact_details_are_the_reference_ones(text: str, channel_name: str) -> None:
    # The pre-checks skip only texts the patterns find nothing in (the text as written; a
    # text with tags or entities is also read decoded, by the same scan).
    expected = reference_contact_details(text, channel_name)
    assert channel._scan_contact_details(text, channel_name) == expected
    assert channel._scan_contact_details(Text(text), channel_name) == expected
    whole = channel._find_contact_details(text, channel_name)
    assert channel.contact_details(text, channel=channel_name) == whole
    assert channel._find_contact_details(Text(text), channel_name) == whole
    assert set(expected) <= set(whole) or any(kind == "email address" for kind, _ in whole)


@settings(max_examples=300)
@given(text=st.one_of(CONTACT_TEXT, texts(), st.text(max_size=80)))
def test_no_active_content_without_a_tag(text: str) -> None:
    # channel._active skips sanitize.has_active_content for a text without "<": it must
    # find nothing there (entities, schemes and "&" alone are not active content).
    text = text.replace("<", "")
    for extra in ("", " javascript:alert(1)", " &#60;script&#62;", " &lt;script&gt; onload="):
        assert sanitize.has_active_content(text + extra) is False


# -- the listing pre-filter: title and attribute values read at once ----------------------------

ATTRIBUTE_NAMES = st.sampled_from(["material", "Color", "colour", "style", "contents", "size"])


@st.composite
def listings(draw: st.DrawFn) -> Listing:
    """A validated listing, or one model_copy(update=...) left with a plain dict."""
    attributes = draw(
        st.dictionaries(ATTRIBUTE_NAMES, st.lists(ANY_TEXT.filter(str.strip), max_size=3))
    )
    title = draw(ANY_TEXT.filter(lambda t: 0 < len(t.strip()) <= 80))
    base = Listing(sku="T-1", title="Plain mug", price=Money("10.00", "USD"), quantity=1)
    if draw(st.booleans()):
        return base.model_copy(update={"title": title, "attributes": attributes})
    return base.model_copy(
        update={"title": title, "attributes": {k: tuple(v) for k, v in attributes.items()}}
    )


@settings(max_examples=300)
@given(listing=listings(), groups_of=st.sampled_from(["all", "half"]))
def test_the_joined_scan_notes_what_the_text_by_text_scan_notes(
    listing: Listing, groups_of: str
) -> None:
    # Same hits, same fields, same order (check() reads the first keyword of each entry).
    matcher_ = every_group()
    every = range(len(groups()))
    groups_ = frozenset(every if groups_of == "all" else every[::2])
    expected = restricted._hits(field_values(listing), "en", None, reference().scan, groups_)
    got = restricted._hits(field_values(listing), "en", None, matcher_.scan, groups_, matcher_)
    assert list(got.items()) == list(expected.items())
    # A matcher of those groups alone notes the same, on its own or for the joined texts
    # beside the per-text scans of every group (as a destination's check reads them).
    own = restricted._matcher_for(groups_)
    alone = restricted._hits(field_values(listing), "en", None, own.scan, groups_, own)
    assert list(alone.items()) == list(expected.items())
    mixed = restricted._hits(field_values(listing), "en", None, matcher_.scan, groups_, own)
    assert list(mixed.items()) == list(expected.items())


def test_a_text_holding_the_join_character_is_scanned_text_by_text() -> None:
    # Found by the test above: an unvalidated listing (model_copy) may hold "\x00", the
    # character the joined scan separates texts with; the hit's field must stay its own.
    base = Listing(sku="T-1", title="0", price=Money("10.00", "USD"), quantity=1)
    listing = base.model_copy(update={"attributes": {"material": ("\x00", "18650 ")}})
    matcher_ = every_group()
    groups_ = frozenset(range(len(groups())))
    got = restricted._hits(field_values(listing), "en", None, matcher_.scan, groups_, matcher_)
    assert set(got.values()) == {"attributes.material"}
    expected = restricted._hits(field_values(listing), "en", None, reference().scan, groups_)
    assert list(got.items()) == list(expected.items())


def _listing(title: str, **attributes: tuple[str, ...]) -> Listing:
    return Listing(
        sku="T-1", title=title, price=Money("10.00", "USD"), quantity=1, attributes=attributes
    )


def test_the_joined_scan_names_the_field_of_each_hit() -> None:
    matcher_ = every_group()
    listing = _listing(
        "Gift set No. 4", contents=("mug", "e-cigarette"), color=("Tobacco",), note=("vape",)
    )
    located = restricted._joined_hits(listing.title, listing.attributes, matcher_)
    assert located is not None
    assert {field for _, field in located} == {"attributes.contents", "attributes.note"}
    hits = restricted._hits(
        field_values(listing), "en", None, matcher_.scan, frozenset(range(len(groups()))), matcher_
    )
    assert set(hits.values()) == {"attributes.contents", "attributes.note"}


def test_a_keyword_cannot_match_across_two_joined_texts() -> None:
    # "e-cigarette" split over the title's end and an attribute's start is no hit.
    matcher_ = every_group()
    listing = _listing("Gift set e", contents=("cigarette-free",))
    assert restricted._joined_hits(listing.title, listing.attributes, matcher_) == (
        list(
            restricted._hits(
                field_values(listing), "en", None, reference().scan, frozenset(range(len(groups())))
            ).items()
        )
    )


def test_quiet_listings_and_unusual_ones() -> None:
    matcher_ = every_group()
    plain = _listing("A blue mug", material=("stoneware",))
    assert restricted._joined_hits(plain.title, plain.attributes, matcher_) == []
    leather = _listing("Leather belt", material=("full-grain leather",))
    assert restricted._joined_hits(leather.title, leather.attributes, matcher_) == []
    accented = _listing("Café mug")
    assert restricted._joined_hits(accented.title, accented.attributes, matcher_) == []
    # Not ASCII: read joined too, each hit with its field.
    german = _listing("Geschenkset für Raucher", inhalt=("Tasse", "E‑Zigarette", "vape"))
    located = restricted._joined_hits(german.title, german.attributes, matcher_)
    assert located is not None
    assert {field for _, field in located} == {"attributes.inhalt"}
    # Positions that lower-casing moves ("İ" becomes two characters), tags and entities:
    # each text on its own.
    for title in ("İstanbul vape", "Mug &amp; saucer", "Mug <b>vape</b>"):
        unusual = _listing(title, material=("stoneware",))
        assert restricted._joined_hits(unusual.title, unusual.attributes, matcher_) is None


def test_the_rule_reads_the_groups_built_here() -> None:
    assert restricted._data()[1] == tuple((tuple(words), benign) for words, benign in groups())
    # Each destination searches its own groups' keywords, with one matcher per set of groups.
    de, fr = restricted._destination("DE", True), restricted._destination("FR", True)
    assert de.matcher is restricted._matcher_for(de.groups)
    assert (de.matcher is fr.matcher) == (de.groups == fr.groups)


def test_a_keyword_with_a_non_ascii_anchor_is_found_in_non_ascii_text() -> None:
    # The shipped keywords all have ASCII anchors, so non-ASCII text is first read for them
    # as ASCII words; a matcher holding a non-ASCII anchor must not take that shortcut.
    own = restricted._Matcher([(["säge", "knife"], ())])
    assert not own.ascii_only
    assert own.scan("Japanische Säge, 24 cm") == ((0, "säge"),)
    assert own.scan("Messer und Säge — knife") == ((0, "säge"), (0, "knife"))
    shipped = matcher()
    assert shipped.ascii_only
    assert shipped.scan("Giclée print, 8x10 in") == reference().scan("Giclée print, 8x10 in")
