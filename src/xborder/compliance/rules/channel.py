"""Marketplace content rules: title limits, active content, contact details and images.

Checks the text that would be sent to the channel: the seller's translation for the
market's language when there is one, else the listing's own text (the same choice as
:func:`xborder.localize.localize`; machine translations keep whatever the source says).
Limits come from :class:`~xborder.localize.channels.ChannelRules` (docs/channels.md gives
every limit and its source). Without a channel this rule finds nothing.

* Title: what :func:`~xborder.localize.channels.fit_title` would change (banned characters,
  repeated words, length) is reported with fit_title's own findings; a title that would be
  left empty is an error.
* Active content (scripts, event handlers, ``javascript:`` links): eBay blocks it (JavaScript
  policy), Amazon and Meta allow no HTML at all. It is removed when the offer is prepared
  (descriptions are sanitised, titles made plain text): a warning.
* Contact details and off-platform links: eBay's links policy allows no email addresses,
  phone numbers or links off eBay (except product videos and legally required
  information); Amazon's product detail page rules allow no phone numbers, email
  addresses or website URLs in titles and descriptions.
* Images: at least one; no more than the channel shows; https only.

>>> from datetime import date
>>> from xborder.compliance import check
>>> from xborder.listing import Listing
>>> from xborder.money import Money
>>> mug = Listing(sku="MUG-1", title="Mug! Call +49 30 1234567", price=Money("20", "USD"),
...               quantity=1, images=("https://img.example.com/mug.jpg",))
>>> report = check(mug, "DE", channel="amazon", on=date(2026, 10, 30), rules=[RULE])
>>> report.codes()
('channel.contact_details', 'channel.title_banned_characters', 'engine.strictest_regime')
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Final, Literal

from xborder.compliance._context import Context
from xborder.findings import Finding
from xborder.localize import sanitize
from xborder.localize.channels import ChannelRules, fit_title
from xborder.localize.content import is_market_language, seller_translation

__all__ = ["RULE", "ChannelRule", "contact_details"]

#: eBay links policy: no links off eBay except eBay pages, product videos, approved freight
#: services and legally required information; no email addresses or phone numbers.
EBAY_LINKS: Final = "https://www.ebay.ca/help/policies/listing-policies/links-policy?id=4248"
#: amz_listing_policies (facts/sources.json): "Phone numbers, addresses, e-mail addresses,
#: or website URLs" are not allowed in titles, descriptions, bullet points or images.
AMAZON_CONTENT: Final = "https://sellercentral.amazon.com/gp/help/external/help.html?itemID=200390640&language=en_US&ref=efph_200390640_cont_G1801"

_CONTACT_POLICIES: Final = {"ebay": EBAY_LINKS, "amazon": AMAZON_CONTENT}
#: Channels that require at least one image (eBay picture policy; Amazon main image;
#: Meta's required ``image_link``).
_IMAGE_REQUIRED: Final = frozenset({"ebay", "amazon", "facebook"})

_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
# The endings of a bare web address ("blueridgekiln.com"): generic ones in any case, and the
# country endings of the markets xborder sellers reach in lower case, as addresses are
# written, and only with a subdomain or a path ("shop.blueridgekiln.de", "example.com.au",
# "blueridgekiln.de/mugs"): "quality.it" or "product.de" alone are as likely a sentence
# typed without a space after its full stop.
_GENERIC_TLDS: Final = r"com|net|org|shop|store|biz|info|io|co\.uk"
_COUNTRY_TLDS: Final = (
    r"com\.au|com\.mx|com\.br|co\.jp|co\.nz|"
    r"de|fr|it|es|nl|at|ch|be|eu|ie|pl|se|dk|fi|pt|jp|au|nz|ca|mx|sg|ae"
)
_URL: Final = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]{1,2000}"
    rf"|(?-i:\b[a-z][a-z0-9-]{{0,62}}(?:(?:\.[a-z][a-z0-9-]{{0,62}}){{1,3}}\.(?:{_COUNTRY_TLDS})\b"
    rf"|\.(?:{_COUNTRY_TLDS})(?=/)))"
    rf"|\b[a-z0-9][a-z0-9-]{{0,62}}(?:\.[a-z0-9-]{{1,63}}){{0,4}}\.(?:{_GENERIC_TLDS})\b",
    re.IGNORECASE,
)
# International numbers (+49 30 1234567, 0044 20 7946 0958: "00" then a country code and a
# separator, so that a barcode starting "00" is none; never right after "." or ",", as in
# "0.005" or "2.001.500"), North American ones ((555) 123-4567, 555-123-4567,
# 1-800-555-0199: an area code starts with 2-9, so part numbers such as 100-200-3000 are
# none), or a number announced as one ("Tel: 030 1234567", "Tél. : 01 23 45 67 89",
# "Telefonnummer: ...", "Tel.-Nr.: ...", "Handy: ...", "Phone number: ...", "Call us on 0800
# ...", "電話番号は03-..."). No nested repeats (no runaway backtracking); the digits are
# checked afterwards (_phone_digits).
_PHONE: Final = re.compile(
    r"(?<![\w+.,])(?:\+|00(?=[1-9]\d{0,2}[\s./-]\d))\d[\d\s()./-]{6,20}\d(?!\w)"
    r"|\([2-9]\d{2}\)\s?\d{3}[-.\s]\d{4}\b"
    r"|(?<![\w.-])(?:1[-.])?[2-9]\d{2}[-.]\d{3}[-.]\d{4}(?![\w.-])"
    r"|(?:\b(?:t[eé]l(?:[eé]phone|efon(?:nummer)?|[eé]fono)?|phone(?:\s+number)?|tfno"
    r"|call(?:\s+us)?(?:\s+(?:on|at))?|whatsapp|fax|mobile?|m[oó]vil|handy)\b(?:\.?-?\s?nr)?"
    r"|電話(?:番号)?)"
    r"\.?\s{0,2}[:\uff1a\u306f]?\s{0,3}(?:\+|00|\()?\d[\d\s()./-]{5,20}\d",
    re.IGNORECASE,
)
_DIGIT_GROUPS: Final = re.compile(r"\d+")
# Cheap pre-checks: most titles and descriptions hold none of these, and then the full
# patterns above never run.
_MAY_LINK: Final = re.compile(
    rf"https?:|www\.|\.(?:{_GENERIC_TLDS}|{_COUNTRY_TLDS})\b", re.IGNORECASE
)
_MAY_PHONE: Final = re.compile(r"\d[\d\s()./-]{5,}\d")
# The same pre-checks for ASCII text, several times cheaper (most titles are new, so
# uncached), read on the text's classes (_CLASSES): letters lower-cased, digits "0", "_",
# "." and ":" kept, the other characters of [\s()./-] a space, anything else "#". Each
# class keeps what the patterns ask of a character: a letter (lower case suffices, as
# _MAY_LINK ignores case), a digit, "." or ":", a member of [\d\s()./-], a word character
# for \b (letters, digits, "_": \w on ASCII).
_CLASSES: Final = bytes(
    c + 32
    if 65 <= c <= 90
    else c
    if 97 <= c <= 122 or c in b"_.:"
    else 48
    if 48 <= c <= 57
    else 32
    if re.fullmatch(r"[\s()/-]", chr(c))
    else 35
    for c in range(128)
) + bytes(128)  # never read: the text is ASCII
# Any ending of two to six letters stands in for the endings _URL knows: one class test
# per "." instead of trying some thirty endings, and still true wherever _URL may match.
_MAY_LINK_CLASSES: Final = re.compile(rb"https?:|www\.|\.[a-z]{2,6}\b")
# Its "www\." and "\.<ending>" branches, from the "." they share: a pattern that starts
# with a literal lets the regex engine skip ahead to the next "." (without both "http" and
# ":", the first branch cannot match).
_MAY_DOT_LINK_CLASSES: Final = re.compile(rb"\.(?:[a-z]{2,6}\b|(?<=www\.))")
# Starts with a literal too: skips ahead to the next digit.
_MAY_PHONE_CLASSES: Final = re.compile(rb"0[0 .]{5,}0")
_IMG_TAG: Final = re.compile(r"<img\b[^<>]{0,4000}>", re.IGNORECASE)
_IMAGE_FILE: Final = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|heic|bmp|tiff?)(?:[?#]\S*)?$", re.I)
# An eBay site's host name (www.ebay.de, ebay.co.uk, pages.ebay.com.au), matched against a
# URL's host only: "https://shop.example/ebay.de/" links off eBay.
_EBAY_HOST: Final = re.compile(
    r"(?:[a-z0-9-]+\.)*ebay\.(?:com|co\.uk|com\.au|com\.hk|com\.sg|com\.my|[a-z]{2})",
    re.IGNORECASE,
)
_SCHEME: Final = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_PATH_START: Final = re.compile(r"[/?#\\]")
# An HTML entity ("&#64;", "&nbsp;"): a text holding one, or a tag, is also read as the
# buyer sees it (contact details hidden by entities or split by tags).
_ENTITY: Final = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_NONWORD: Final = re.compile(r"[\W_]+")

Kind = Literal["email address", "phone number", "web address"]


def contact_details(text: str, *, channel: str = "") -> tuple[tuple[Kind, str], ...]:
    """Return the contact details and off-platform links in ``text``: ``(kind, text)`` pairs.

    Image addresses (``<img>`` tags, URLs of image files) do not count; for ``channel``
    ``"ebay"`` links to eBay pages do not count either. Heuristic: it looks for email
    addresses, phone numbers written as phone numbers, and web addresses.

    >>> contact_details("Questions? Mail shop@example.com or visit www.example.com")
    (('email address', 'shop@example.com'), ('web address', 'www.example.com'))
    >>> contact_details("Mug 350 ml, 7.5 x 7.5 x 10 cm, EAN 4006381333931")
    ()
    """
    return _contact_details(text[:100_000], channel)


def _find_contact_details(text: str, channel: str) -> tuple[tuple[Kind, str], ...]:
    found = _scan_contact_details(text, channel)
    if "<" in text or ("&" in text and _ENTITY.search(text) is not None):
        # What the buyer reads: "shop&#64;example.de", "Call&nbsp;+44&nbsp;20 ...", "Tel:
        # <b>030</b> 1234567" hold contact details only once decoded or rid of their tags;
        # the text as written still holds what only markup carries (a link's href).
        plain = _as_read(text)
        more = [item for item in _scan_contact_details(plain, channel) if item not in found]
        if more:
            every = list(found) + more
            emails = [value for kind, value in every if kind == "email address"]
            found = tuple(
                (kind, value)
                for kind, value in every
                if kind != "web address" or not any(value in e for e in emails)
            )
    return found


#: Where what no buyer reads starts (script and style contents, comments), and where each
#: ends: found with one forward search each, so that hostile text ("<!--" ten thousand times)
#: costs linear time.
_UNREAD_START: Final = re.compile(r"<(?:(script|style)\b|!--)", re.IGNORECASE)
_UNREAD_END: Final = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}


def _unread_removed(text: str) -> str:
    """Return ``text`` with scripts, styles and comments a space; an unclosed one ends it."""
    parts: list[str] = []
    pos = 0
    while (start := _UNREAD_START.search(text, pos)) is not None:
        parts.append(text[pos : start.start()])
        name = start.group(1)
        if name is None:
            close = text.find("-->", start.end())
            end = close + 3 if close >= 0 else -1
        else:
            found = _UNREAD_END[name.lower()].search(text, start.end())
            end = found.end() if found is not None else -1
        if end < 0:
            return "".join(parts)  # as a browser reads it: the rest is inside
        parts.append(" ")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


#: Tags whose text runs on in the same line ("<b>030</b> 1234567" reads "030 1234567").
_INLINE_TAG_NAMES: Final = (
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub "
    "sup time tt u var"
)
_INLINE_TAGS: Final = frozenset(_INLINE_TAG_NAMES.split())
# No "<" inside a tag: each attempt stops at the next "<" (linear on "<<<<...").
_TAG: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]{0,4000}>|<[^<>]{0,4000}>")
#: No-break and other fixed-width spaces, as plain spaces (entities decode into them).
_SPACES: Final = dict.fromkeys(
    (0xA0, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x202F),
    " ",
)


def _untag(match: re.Match[str]) -> str:
    name = match.group(2)
    return "" if name is not None and name.lower() in _INLINE_TAGS else " "


def _as_read(text: str) -> str:
    """Return ``text`` as a buyer reads it, for the contact-detail scan only.

    Without scripts, styles and comments; inline tags removed and other tags a space (so
    "</p><p>" still separates words); entities decoded; no-break spaces plain. Cheaper than
    :func:`sanitize.html_to_text` (no sanitiser run): nothing here is shown.
    """
    if "<" in text:
        text = _TAG.sub(_untag, _unread_removed(text))
    if "&" in text:
        text = html.unescape(text)
    return text if text.isascii() else text.translate(_SPACES)


def _ebay_page(url: str) -> bool:
    """Whether ``url`` leads to an eBay site: its host is one (not merely its path)."""
    rest = url[m.end() :] if (m := _SCHEME.match(url)) else url
    authority = _PATH_START.split(rest, maxsplit=1)[0].rpartition("@")[2]
    host = authority.partition(":")[0]  # without the port
    return _EBAY_HOST.fullmatch(host) is not None


def _scan_contact_details(text: str, channel: str) -> tuple[tuple[Kind, str], ...]:
    """Return the contact details in ``text`` as written (see contact_details)."""
    if "<" in text:
        text = _IMG_TAG.sub(" ", text)
    found: list[tuple[Kind, str]] = []
    emails: list[str] = []
    if "@" in text:  # no list built for the usual text without one
        emails = [m.group() for m in _EMAIL.finditer(text)]
        found += [("email address", e) for e in emails]
    if type(text) is str and text.isascii():
        classes = text.encode("ascii").translate(_CLASSES)
        if b":" in classes and b"http" in classes:
            may_link = _MAY_LINK_CLASSES.search(classes) is not None
        else:
            may_link = _MAY_DOT_LINK_CLASSES.search(classes) is not None
        # A phone number counts only with 7 to 15 digits (below): a text with fewer digits
        # holds none, whatever the pattern finds.
        may_phone = classes.count(b"0") >= 7 and _MAY_PHONE_CLASSES.search(classes) is not None
    else:
        may_link = _MAY_LINK.search(text) is not None
        may_phone = _MAY_PHONE.search(text) is not None
    if may_link:
        for match in _URL.finditer(text):
            url = match.group().rstrip(".,;:!?")
            if _IMAGE_FILE.search(url) or any(url in e for e in emails):
                continue
            if channel == "ebay" and _ebay_page(url):
                continue
            found.append(("web address", url))
    if may_phone:
        for match in _PHONE.finditer(text):
            if _phone_digits(match.group()):
                found.append(("phone number", match.group().strip()))
    return tuple(found) if found else ()


def _phone_digits(number: str) -> bool:
    """Whether a match of _PHONE has the digits of a phone number.

    At most 15 digits (ITU-T E.164), and written as a phone number is: after "+" (at least
    7 digits) or "00" (at least 8 after it), with a trunk "0" ("030 1234567", "01 23 45 67
    89"), announced with a colon ("Móvil: 612 345 678"), in the North American 3-3-4 shape
    (area code 2-9), or with a group of 5 digits or more. Year ranges, sizes and model
    lists after a word such as "Handy" or "Phone" ("Handy 2019-2024", "Phone 12 13 14
    15", "Mobil 2500 3000 mAh") are none.
    """
    groups = _DIGIT_GROUPS.findall(number)
    digits = sum(map(len, groups))
    if "+" in number:
        return 7 <= digits <= 15
    first = groups[0]
    if first.startswith("00"):
        return 8 <= digits - 2 <= 15
    if not 7 <= digits <= 15:
        return False
    if first.startswith("0") or any(colon in number for colon in _ANNOUNCED):
        return True  # a trunk "0", or announced with a colon: "Móvil: 612 345 678"
    shape = [len(g) for g in groups]
    if shape[-3:] == [3, 3, 4] and (len(shape) == 3 or (shape == [1, 3, 3, 4] and first == "1")):
        return groups[-3][0] in "23456789"
    return max(shape) >= 5


#: What follows a word that announces a phone number ("Tel:", "Tel：", "電話番号は").
_ANNOUNCED: Final = (":", "\uff1a", "\u306f")


#: contact_details() per text; the rule's own calls come from its per-text caches and skip
#: this one (a second cache entry per new text would only cost).
_contact_details: Final = lru_cache(maxsize=8192)(_find_contact_details)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _sent_text(context: Context) -> tuple[str, str]:
    """Return the (title, description) that would be sent in the market's language."""
    values = context.values
    title = values["title"]
    if not isinstance(title, str):
        title = ""
    description = values["description"]
    if not isinstance(description, str):
        description = ""
    translations = values["translations"]
    if not translations or not (
        # A validated listing holds a mappingproxy: test for it before the (slow) ABC check.
        type(translations) is MappingProxyType or isinstance(translations, Mapping)
    ):
        return title, description
    locale = context.market.locale
    own = values["language"]
    # The choice localize() makes (the same functions): the listing's own text where its
    # language is the market's, else the seller's translation for the market, if any.
    if is_market_language(own if isinstance(own, str) and own else "en", locale):
        return title, description
    try:
        translation = seller_translation(translations, locale)
    except Exception:  # a junk mapping (unhashable or failing keys): nothing to read there
        translation = None
    if translation is None:
        return title, description
    return (
        _str(getattr(translation, "title", None)) or title,
        _str(getattr(translation, "description", None)) or description,
    )


class ChannelRule:
    """The channel's content rules: titles, active content, contact details, images."""

    name = "channel"

    def check(self, context: Context) -> list[Finding]:
        """Return findings for what the channel would refuse or change."""
        rules = context.channel
        if rules is None:
            return []
        title, description = _sent_text(context)
        values = context.values
        brand = values["brand"]
        if not (isinstance(brand, str) and brand):
            brand = None
        # The findings of each text, remembered per text (see _TITLES).
        if (
            type(title) is str
            and len(title) <= _CACHED_TEXT
            and (brand is None or type(brand) is str)
        ):
            key = (id(rules), title, brand)
            known = _TITLES.get(key)
            if known is not None and known[0] is rules:
                title_checks = known[1]
            else:
                title_checks = _title_verdict(title, rules, brand)
                if len(_TITLES) >= _MAX_TEXTS:
                    _TITLES.clear()
                _TITLES[key] = (rules, title_checks)
        else:
            title_checks = _title_verdict(title, rules, brand)
        fitted, title_active, title_contact = title_checks
        if type(description) is str and len(description) <= _CACHED_TEXT:
            where = (id(rules), description)
            seen = _DESCRIPTIONS.get(where)
            if seen is not None and seen[0] is rules:
                description_checks = seen[1]
            else:
                description_checks = _description_verdict(description, rules)
                if len(_DESCRIPTIONS) >= _MAX_TEXTS:
                    _DESCRIPTIONS.clear()
                _DESCRIPTIONS[where] = (rules, description_checks)
        else:
            description_checks = _description_verdict(description, rules)
        description_active, description_contact = description_checks
        # The order of the findings: the title as fitted, active content (title, then
        # description), contact details (title, then description), images.
        findings = list(fitted)
        if title_active is not None:
            findings.append(title_active)
        if description_active is not None:
            findings.append(description_active)
        if title_contact is not None:
            findings.append(title_contact)
        if description_contact is not None:
            findings.append(description_contact)
        findings += _image_findings(values.get("images", ()), rules)
        return findings


# -- what a text gives, remembered per text --------------------------------------------------
#
# A text's findings depend only on the text, the channel rules and (for the title) the brand:
# they are worked out once per text and reused by every market and every re-check of the
# listing. Only plain str texts up to _CACHED_TEXT characters are remembered (a str subclass
# could hash or compare in its own way; a huge text is not worth keeping alive).

_CACHED_TEXT: Final = 100_000
_TitleChecks = tuple[tuple[Finding, ...], Finding | None, Finding | None]
_TextChecks = tuple[Finding | None, Finding | None]

#: The checks of each title, by (id of the ChannelRules, title, brand), and of each
#: description, by (id of the ChannelRules, description); each entry holds the ChannelRules
#: object it was worked out for, and is used only for that very object (an id names no other
#: object while the entry keeps it alive). Plain dicts: cheaper to read than an lru_cache
#: keyed by the rules, whose hash is a Python method. Each starts again once it holds
#: _MAX_TEXTS texts.
_TITLES: dict[tuple[int, str, str | None], tuple[ChannelRules, _TitleChecks]] = {}
_DESCRIPTIONS: dict[tuple[int, str], tuple[ChannelRules, _TextChecks]] = {}
_MAX_TEXTS: Final = 8192


def _title_verdict(title: str, rules: ChannelRules, brand: str | None) -> _TitleChecks:
    """Return the title's (fit findings, active content, contact details)."""
    active = _active_content(rules, "title") if title and _active(title) else None
    return tuple(_title_findings(title, rules, brand)), active, _contact(title, rules, "title")


def _description_verdict(description: str, rules: ChannelRules) -> _TextChecks:
    """Return the description's (active content, contact details)."""
    active = None
    if description and _active(description):
        active = _active_content(rules, "description")
    return active, _contact(description, rules, "description")


def _contact(text: str, rules: ChannelRules, field: str) -> Finding | None:
    """Return the contact-details finding for ``text``, where the channel has that policy."""
    if not text or rules.name not in _CONTACT_POLICIES:
        return None
    text = text[:100_000]  # as contact_details()
    # _find_contact_details reads markup again as text: skip the call where there is none
    # (nearly every title).
    if "<" in text or "&" in text:
        found = _find_contact_details(text, rules.name)
    else:
        found = _scan_contact_details(text, rules.name)
    return _contact_finding(rules, field, found) if found else None


def _title_findings(title: str, rules: ChannelRules, brand: str | None) -> list[Finding]:
    if not title.strip():
        return [_title_empty(rules, "The title is empty.")]
    if not _title_may_change(title, rules):
        return []  # the usual case: fit_title would change nothing
    fitted, notes = fit_title(title, rules, brand=brand)
    found = list(notes)
    if not fitted.strip():
        found.append(_title_empty(rules, "Nothing is left of the title once it is fitted."))
    return found


def _title_may_change(title: str, rules: ChannelRules) -> bool:
    """Cheap pre-check: False only when fit_title would certainly report nothing."""
    if len(title) > rules.title_max or not unicodedata.is_normalized("NFC", title):
        return True
    if rules.title_banned and not rules.title_banned.isdisjoint(title):
        return True
    limit = rules.title_max_word_repeats
    if limit is None:
        return False
    # Counts at least as many repeats as fit_title does (it strips edge punctuation and
    # exempts small words; this strips all punctuation and exempts nothing).
    words = _word_keys(title)
    if len(set(words)) == len(words):  # the usual title: no word twice
        return bool(words) and limit < 1
    return any(n > limit for n in Counter(words).values())


def _word_keys(title: str) -> list[str] | list[bytes]:
    """Return the title's words, case-folded, with everything but letters and digits removed.

    An ASCII title is read through bytes: one translate and one split instead of a regex
    substitution per word (several times cheaper; the same words, as bytes).
    """
    if type(title) is str and title.isascii():
        return title.encode("ascii").translate(_ASCII_WORD_KEYS, _ASCII_NONWORD).split()
    return [k for k in (_NONWORD.sub("", w) for w in title.casefold().split()) if k]


#: For _word_keys: ASCII letters lower-cased (casefold() of ASCII), the separators
#: str.split() splits on turned into spaces (bytes.split() knows only six of them), and
#: every other byte that is not a letter or digit removed (what _NONWORD removes).
_ASCII_SEPARATORS: Final = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_ASCII_WORD_KEYS: Final = bytes(
    c + 32 if 65 <= c <= 90 else 32 if c in _ASCII_SEPARATORS else c for c in range(256)
)
_ASCII_NONWORD: Final = bytes(
    c for c in range(128) if not (chr(c).isalnum() or c in _ASCII_SEPARATORS)
)


def _active(text: str) -> bool:
    if "<" not in text:
        # No tag: nothing that could run. sanitize.has_active_content finds active content
        # only in or behind a "<" (tags, their attributes, comments; tests/compliance/
        # test_fast_paths.py holds it to that); a title such as "Cedar & Sage" would
        # otherwise go through its whole HTML inventory.
        return False
    return _has_active_content(text)


@lru_cache(maxsize=8192)
def _has_active_content(text: str) -> bool:
    return sanitize.has_active_content(text)


@lru_cache(maxsize=64)
def _title_empty(rules: ChannelRules, why: str) -> Finding:
    return Finding(
        "channel.title_empty",
        "error",
        f"{why} {rules.label} needs a title: write one with words the channel allows.",
        field="title",
        source=rules.source("title_max") or rules.source("title_banned"),
    )


@lru_cache(maxsize=64)
def _active_content(rules: ChannelRules, field: str) -> Finding:
    # xborder.localize removes it from both (descriptions are sanitised, titles made plain
    # text): what is sent holds none, but the listing as written should not either.
    return Finding(
        "channel.active_content",
        "warning",
        f"The {field} contains active content (scripts, event handlers or javascript: "
        f"links), which {rules.label} does not allow. It is removed when the offer is "
        f"prepared; remove it from your listing too.",
        field=field,
        source=rules.source("html"),
    )


@lru_cache(maxsize=4096)
def _contact_finding(
    rules: ChannelRules, field: str, found: tuple[tuple[Kind, str], ...]
) -> Finding:
    kinds = sorted({kind for kind, _ in found})
    sample = found[0][1][:60]
    links_only = kinds == ["web address"]
    # eBay allows a few links (eBay pages, product videos, legally required information):
    # a web address alone is a warning there; an email address or phone number never is.
    severity: Literal["error", "warning"] = (
        "warning" if links_only and rules.name == "ebay" else "error"
    )
    return Finding(
        "channel.contact_details",
        severity,
        f"The {field} contains {' and '.join(kinds)} ({sample!r}). {rules.label} does not "
        f"allow contact details or links to other websites in listings: buyers must contact "
        f"you through {rules.label}. Remove them.",
        field=field,
        source=_CONTACT_POLICIES.get(rules.name),
    )


def _image_findings(images: object, rules: ChannelRules) -> list[Finding]:
    items = images if isinstance(images, (tuple, list)) else ()
    findings: list[Finding] = []
    if not items and rules.name in _IMAGE_REQUIRED:
        findings.append(_image_missing(rules))
    if rules.max_images is not None and len(items) > rules.max_images:
        findings.append(_image_count(rules, len(items)))
    if rules.image_https_only:
        # A plain loop: a listing has a handful of images, too few for sum() over a
        # generator to pay for itself (it ran on every check).
        bad = 0
        for url in items:
            if not (isinstance(url, str) and url.startswith("https://")):
                bad += 1
        if bad:
            findings.append(_image_not_https(rules, bad))
    return findings


@lru_cache(maxsize=64)
def _image_missing(rules: ChannelRules) -> Finding:
    return Finding(
        "channel.image_missing",
        "error",
        f"The listing has no image; {rules.label} needs at least one product photo.",
        field="images",
        source=rules.source("images"),
    )


@lru_cache(maxsize=256)
def _image_count(rules: ChannelRules, count: int) -> Finding:
    shown = rules.max_images or 0
    return Finding(
        "channel.image_count",
        "warning",
        f"The listing has {count} images; {rules.label} takes at most {shown}, so the last "
        f"{count - shown} will not be published. Put the best ones first.",
        field="images",
        source=rules.source("images"),
    )


@lru_cache(maxsize=256)
def _image_not_https(rules: ChannelRules, count: int) -> Finding:
    return Finding(
        "channel.image_not_https",
        "error",
        f"{count} image address(es) do not start with https://; {rules.label} accepts only "
        f"secure (https) image links.",
        field="images",
        source=rules.source("images"),
    )


#: The rule object registered as ``xborder.rules`` entry point ``channel``.
RULE: Final = ChannelRule()
