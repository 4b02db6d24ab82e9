"""Channel rules: what each marketplace accepts in titles, descriptions and images.

One :class:`ChannelRules` value per channel holds the limits and the URLs of the documents
they follow. The built-in rules (:data:`EBAY`, :data:`AMAZON`, :data:`FACEBOOK`) are in a
registry keyed by the marketplace registry names (``"meta"`` is an alias of
``"facebook"``); :func:`register_channel` adds a custom marketplace's rules, so that its
listings get the same checks. Rules that changed on a known day are kept as dated versions:
``channel_rules("amazon")`` gives the newest, ``channel_rules("amazon", on=day)`` the one in
force that day. docs/channels.md lists every limit, its source and where sources disagree.

:func:`fit_title` and :func:`clean_description` change what can be changed automatically
(banned characters, repeated words, length, disallowed markup) and report each change as a
:class:`~xborder.findings.Finding`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html as _html
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Final, Literal

from xborder.errors import ConfigurationError
from xborder.findings import Finding
from xborder.localize import sanitize

__all__ = [
    "AMAZON",
    "AMAZON_2025",
    "EBAY",
    "FACEBOOK",
    "SMALL_WORDS",
    "ChannelRules",
    "HtmlPolicy",
    "channel_names",
    "channel_rules",
    "clean_description",
    "fit_title",
    "register_channel",
]

HtmlPolicy = Literal["limited", "none"]

_NAME: Final = re.compile(r"[a-z][a-z0-9_-]*")
_RULE_KEYS: Final = frozenset(
    {"title_max", "title_banned", "title_max_word_repeats", "description_max", "html", "images"}
)


@dataclass(frozen=True, slots=True)
class ChannelRules:
    """What one marketplace channel accepts in a listing's text and images.

    ``title_max`` and ``description_max`` count characters (Unicode code points; for
    ``html="limited"`` the markup counts too, as eBay counts it). ``title_banned`` are
    characters refused in titles except inside the brand name; ``title_max_word_repeats``
    how often one word may occur (``None``: no rule), not counting ``title_repeat_exempt``
    (lower-case articles, prepositions and conjunctions). ``html`` is ``"limited"`` (the
    ``allowed_tags``, ``allowed_attributes``, ``url_schemes`` and ``style_properties`` are
    kept, active content never) or ``"none"`` (plain text). ``max_images``,
    ``image_https_only`` and ``image_min_px`` (longest side) describe images; ``None`` means
    not documented. ``sources`` maps a rule (``title_max``, ``title_banned``,
    ``title_max_word_repeats``, ``description_max``, ``html``, ``images``) to the URL of the
    document it follows, ``rule_dates`` to the day it took effect; ``effective_from`` is the
    first day this version of the channel's rules applies (``None``: always).
    """

    name: str
    _: KW_ONLY
    title_max: int
    description_max: int
    html: HtmlPolicy = "none"
    title_banned: frozenset[str] = frozenset()
    title_max_word_repeats: int | None = None
    title_repeat_exempt: frozenset[str] = frozenset()
    allowed_tags: frozenset[str] = frozenset()
    allowed_attributes: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    url_schemes: frozenset[str] = frozenset({"https"})
    style_properties: frozenset[str] = frozenset()
    max_images: int | None = None
    image_https_only: bool = True
    image_min_px: int | None = None
    label: str = ""
    effective_from: date | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    rule_dates: Mapping[str, date] = field(default_factory=lambda: MappingProxyType({}))
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        put, name = object.__setattr__, self.name
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigurationError(f"channel name: expected lower-case [a-z0-9_-], got {name!r}")
        repeats = self.title_max_word_repeats
        problems = [
            f"{limit} must be a positive int, got {value!r}"
            for limit, value in (
                ("title_max", self.title_max),
                ("description_max", self.description_max),
            )
            if isinstance(value, bool) or not isinstance(value, int) or value < 1
        ]
        if self.html not in ("limited", "none"):
            problems.append(f"html must be 'limited' or 'none', got {self.html!r}")
        if repeats is not None and (not isinstance(repeats, int) or repeats < 1):
            problems.append("title_max_word_repeats must be None or >= 1")
        if any(len(c) != 1 for c in self.title_banned):
            problems.append("title_banned must hold single characters")
        attributes = {
            t.lower(): frozenset(a.lower() for a in v) for t, v in self.allowed_attributes.items()
        }
        for key in ("allowed_tags", "url_schemes", "style_properties"):
            put(self, key, frozenset(s.lower() for s in getattr(self, key)))
        try:
            sanitize.check_allow_list(self.allowed_tags, attributes, self.url_schemes)
        except ValueError as exc:
            problems.append(str(exc))
        for key in ("sources", "rule_dates"):
            put(self, key, MappingProxyType(dict(getattr(self, key))))
            if set(getattr(self, key)) - _RULE_KEYS:
                problems.append(f"{key}: rule names are {', '.join(sorted(_RULE_KEYS))}")
        if problems:
            raise ConfigurationError(f"channel {name!r}: " + "; ".join(problems))
        put(self, "title_banned", frozenset(self.title_banned))
        put(self, "title_repeat_exempt", frozenset(w.casefold() for w in self.title_repeat_exempt))
        put(self, "allowed_attributes", MappingProxyType(attributes))
        put(self, "label", self.label or name)
        put(self, "_hash", hash((name, self.effective_from, self.title_max, self.description_max)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[Callable[..., ChannelRules], tuple[dict[str, object]]]:
        # Mapping proxies do not pickle; rebuild from plain values (pickle, copy, deepcopy).
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        for key in ("allowed_attributes", "sources", "rule_dates"):
            values[key] = dict(values[key])
        return _rebuild, (values,)

    def source(self, rule: str) -> str | None:
        """Return the URL of the document ``rule`` follows, if known."""
        return self.sources.get(rule)


def _rebuild(values: dict[str, object]) -> ChannelRules:
    return ChannelRules(**values)  # type: ignore[arg-type]


# -- built-in rules (docs/channels.md gives every source and disagreement) ------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Articles, prepositions and conjunctions of the languages xborder localizes into (en, de,
#: fr, es, it, nl, pl, sv, pt). Amazon's word-repeat rule exempts them; :func:`fit_title`
#: never leaves one dangling at the end of a shortened title.
_SMALL_WORDS = (
    # en
    "a an the and or nor but for so yet of in on at to by with from into onto over under up "
    "as per via vs off out than about after before between without within through "
    # de
    "der die das den dem des ein eine einen einem einer eines und oder aber für mit von vom "
    "zu zum zur im an am auf aus bei nach über unter ohne gegen durch um bis als "
    # fr
    "le la les l un une des du de d et ou mais pour avec sans en dans sur sous par au aux à "
    "chez entre contre vers "
    # es, pt, it
    "el los las unos unas y e o u pero del al con sin para por sobre hasta desde os as um uma "
    "do da dos das em no na nos nas com sem pelo pela il lo i gli ed ma di da su tra fra allo "
    "alla ai agli alle dello della dei degli delle nel nella nei sul sulla "
    # nl, pl, sv
    "het een en of maar voor met van op aan bij naar uit zonder tot door om te oraz lub albo "
    "ale w we z ze do od dla po przy bez pod nad za przez ett den det och eller men för med av "
    "på till från om utan vid"
)
SMALL_WORDS: Final = _words(_SMALL_WORDS)

_EBAY_TAGS: Final = _words(
    "p br b strong i em u s small sub sup span div hr h1 h2 h3 h4 h5 h6 blockquote ul ol li dl "
    "dt dd table thead tbody tfoot tr td th caption colgroup col a img"
)
_EBAY_ATTRIBUTES: Final = {
    tag: _words(names)
    for tag, names in {
        "a": "href title target",
        "img": "src alt title width height",
        "td": "colspan rowspan align valign width",
        "th": "colspan rowspan align valign width",
        "table": "width border cellpadding cellspacing align",
        "col": "span width",
        "colgroup": "span",
        "ol": "start type",
        "p": "align",
        # eBay's mobile description snippet: <div vocab="https://schema.org/"
        # typeof="Product"><span property="description">...</span></div>.
        "div": "vocab typeof align",
        "span": "property",
    }.items()
}
_EBAY_STYLE: Final = _words(
    "color background-color font-family font-size font-style font-weight text-align "
    "text-decoration text-transform line-height letter-spacing margin margin-top margin-right "
    "margin-bottom margin-left padding padding-top padding-right padding-bottom padding-left "
    "border border-collapse border-color border-style border-width width max-width height "
    "vertical-align list-style-type display"
)

EBAY: Final = ChannelRules(
    "ebay",
    label="eBay",
    title_max=80,
    description_max=500_000,
    html="limited",
    allowed_tags=_EBAY_TAGS,
    allowed_attributes=_EBAY_ATTRIBUTES,
    url_schemes=frozenset({"https"}),
    style_properties=_EBAY_STYLE,
    max_images=24,
    image_https_only=True,
    image_min_px=500,
    sources={
        "title_max": "https://developer.ebay.com/api-docs/user-guides/static/trading-user-guide/listing-title.html",
        "description_max": "https://developer.ebay.com/api-docs/sell/inventory/types/slr:EbayOfferDetailsWithKeys",
        "html": "https://www.ebay.com/help/policies/listing-policies/javascript-policy?id=4247",
        "images": "https://www.ebay.com/help/policies/listing-policies/picture-policy?id=4370",
    },
)

_AMAZON_SOURCES: Final = {
    "title_max": "https://sellercentral-europe.amazon.com/help/hub/reference/external/201100890?locale=hi-IN",
    "title_banned": "https://sellercentral-europe.amazon.com/help/hub/reference/external/201100890?locale=hi-IN",
    "title_max_word_repeats": "https://sellercentral.amazon.it/seller-forums/discussions/t/5a52c895-8d38-42f2-b58c-6d9795219649?postId=5a52c895-8d38-42f2-b58c-6d9795219649",
    "description_max": "https://viral-launch.com/?p=1954",
    "html": "https://sellercentral.amazon.com/gp/help/external/help.html?itemID=200390640&language=en_US&ref=efph_200390640_cont_G1801",
    "images": "https://www.mercatuslab.com/blog/amazon-product-image-requirements/",
}
_AMAZON_2025_DATES: Final = {
    "title_banned": date(2025, 1, 21),
    "title_max_word_repeats": date(2025, 1, 21),
}

#: Amazon from 2025-01-21 to 2026-07-26: 200-character titles. Still the title limit for
#: media product types and for the SA, EG, TR and AE stores (docs/channels.md).
AMAZON_2025: Final = ChannelRules(
    "amazon",
    label="Amazon",
    effective_from=date(2025, 1, 21),
    title_max=200,
    title_banned=frozenset("!$?_{}^¬¦"),
    title_max_word_repeats=2,
    title_repeat_exempt=SMALL_WORDS,
    description_max=2000,
    html="none",
    max_images=9,
    image_https_only=True,
    image_min_px=500,
    sources=_AMAZON_SOURCES,
    rule_dates=_AMAZON_2025_DATES,
)

#: Amazon from 2026-07-27: titles of at most 75 characters (non-media product types).
AMAZON: Final = dataclasses.replace(
    AMAZON_2025,
    effective_from=date(2026, 7, 27),
    title_max=75,
    sources={
        **_AMAZON_SOURCES,
        "title_max": "https://sellercentral.amazon.com/seller-forums/discussions/t/145b6d0f-999c-4555-896c-c694bda2e470",
    },
    rule_dates={**_AMAZON_2025_DATES, "title_max": date(2026, 7, 27)},
)

FACEBOOK: Final = ChannelRules(
    "facebook",
    label="Meta (Facebook/Instagram)",
    title_max=150,
    description_max=9999,
    html="none",
    max_images=21,
    image_https_only=True,
    image_min_px=500,
    sources={
        "title_max": "https://thebritishcrafthouse.co.uk/facebook-instagram-ads-product-requirements/",
        "description_max": "https://developers.facebook.com/documentation/ads-commerce/commerce-platform/catalog/fields",
        "html": "https://developers.facebook.com/documentation/ads-commerce/catalog/best-practices",
        "images": "https://flexify.net/meta-catalog-docs/categories/common",
    },
)

# -- registry ------------------------------------------------------------------------------

_VERSIONS: dict[str, list[ChannelRules]] = {}
_ALIASES: dict[str, str] = {}
_LOCK: Final = threading.Lock()


def register_channel(
    rules: ChannelRules, *, aliases: Iterable[str] = (), replace: bool = False
) -> None:
    """Add ``rules`` to the registry under ``rules.name`` (and ``aliases``).

    Several versions of one channel may be registered with different ``effective_from``
    days. Registering a version that exists (same name and ``effective_from``), or an alias
    that names another channel, raises :class:`~xborder.errors.ConfigurationError` unless
    ``replace`` is true.
    """
    if not isinstance(rules, ChannelRules):
        raise TypeError(f"register_channel expects ChannelRules, got {type(rules).__name__}")
    aliases = tuple(aliases)
    with _LOCK:
        versions = _VERSIONS.get(rules.name, [])
        same = [v for v in versions if v.effective_from == rules.effective_from]
        if same and not replace:
            raise ConfigurationError(
                f"channel {rules.name!r} (effective_from={rules.effective_from}) is already "
                f"registered; pass replace=True to replace it"
            )
        for alias in aliases:
            target = _ALIASES.get(alias, alias if alias in _VERSIONS else None)
            if not _NAME.fullmatch(alias) or (target not in (None, rules.name) and not replace):
                raise ConfigurationError(f"alias {alias!r} is invalid or names channel {target!r}")
        versions = [v for v in versions if v not in same] + [rules]
        _VERSIONS[rules.name] = sorted(versions, key=lambda v: v.effective_from or date.min)
        _ALIASES.update(dict.fromkeys(aliases, rules.name))


def channel_rules(name: str, *, on: date | None = None) -> ChannelRules:
    """Return the rules of channel ``name`` (a marketplace registry name, any case).

    ``on`` picks the version in force that day (the oldest known version for days before
    it); without ``on`` the newest version is returned. Raises
    :class:`~xborder.errors.ConfigurationError`, listing the known names, for an unknown one.

    >>> channel_rules("meta").title_max
    150
    """
    key = name.strip().lower() if isinstance(name, str) else name
    versions = _VERSIONS.get(_ALIASES.get(key, key)) if isinstance(key, str) else None
    if not versions:
        known = ", ".join(channel_names())
        raise ConfigurationError(
            f"unknown channel {name!r}; known channels: {known} (register_channel adds one)"
        )
    if on is None:
        return versions[-1]
    in_force = [v for v in versions if v.effective_from is None or v.effective_from <= on]
    return in_force[-1] if in_force else versions[0]


def channel_names() -> tuple[str, ...]:
    """Return the registered channel names and aliases, sorted."""
    return tuple(sorted({*_VERSIONS, *_ALIASES}))


for _rules in (EBAY, AMAZON_2025, AMAZON):
    register_channel(_rules)
register_channel(FACEBOOK, aliases=("meta",))


# -- titles --------------------------------------------------------------------------------

_SPACE: Final = re.compile(r"\s+")
_EDGE_PUNCTUATION: Final = re.compile(r"^[\W_]+|[\W_]+$")
_LETTER: Final = re.compile(r"[^\W\d_]")
_TITLE_DANGLING: Final = " ,;:-–—/&|+·•*([{"
_PUNCTUATION: Final = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»‹›„“”‘’‚–—…·•¦¬"


def fit_title(
    title: str, rules: ChannelRules, *, brand: str | None = None
) -> tuple[str, tuple[Finding, ...]]:
    """Return ``title`` fitted to ``rules``, and a finding for each change made.

    In order: whitespace is collapsed; ``rules.title_banned`` characters are removed except
    inside ``brand`` (``channel.title_banned_characters``); words occurring more often than
    ``rules.title_max_word_repeats`` (case-insensitive, small words exempt) lose their extra
    occurrences (``channel.title_word_repeated``); a title over ``rules.title_max`` is cut at
    a word boundary with no punctuation or small word left dangling, or, if its first word
    alone is too long, inside that word (``channel.title_shortened``).

    >>> fit_title("Mug! Mug Mug, stoneware", AMAZON)[0]
    'Mug Mug, stoneware'
    """
    return _fit_title(title, rules, brand or None)


@lru_cache(maxsize=8192)
def _fit_title(
    title: str, rules: ChannelRules, brand: str | None
) -> tuple[str, tuple[Finding, ...]]:
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", title)).strip()
    brand = _SPACE.sub(" ", unicodedata.normalize("NFC", brand)).strip() if brand else ""
    findings: list[Finding] = []
    if rules.title_banned:
        text, removed = _remove_banned(text, rules, brand)
        if removed:
            chars = ", ".join(f'"{c}"' for c in removed)
            findings.append(_finding(rules, "title_banned_characters", chars=chars))
    if rules.title_max_word_repeats is not None:
        text, dropped = _drop_repeats(text, rules, brand)
        if dropped:
            words = ", ".join(f'"{w}" ({n}×)' for w, n in dropped)
            n = rules.title_max_word_repeats
            findings.append(_finding(rules, "title_word_repeated", words=words, n=n))
    if len(text) > rules.title_max:
        short, cut_word = _shorten_title(text, rules.title_max)
        how = (
            ": its first word alone is longer than that, so the word itself was cut"
            if cut_word
            else ", after the last whole word that fits"
        )
        findings.append(
            _finding(
                rules,
                "title_shortened",
                before=len(title),
                limit=rules.title_max,
                after=len(short),
                how=how,
            )
        )
        text = short
    return text, tuple(findings)


# reason -> (rule followed, listing field, severity, message)
_MESSAGES: Final[dict[str, tuple[str, str, Literal["warning", "info"], str]]] = {
    "title_banned_characters": ("title_banned", "title", "warning",
        "Removed {chars} from the title: {label} does not allow these characters in titles, "
        "except as part of the brand name."),
    "title_word_repeated": ("title_max_word_repeats", "title", "warning",
        "Removed repeated words from the title: {words}; {label} allows a word at most {n} "
        "times (articles, prepositions and conjunctions excepted)."),
    "title_shortened": ("title_max", "title", "warning",
        "The title has {before} characters; {label} allows at most {limit}, so it was "
        "shortened to {after} characters{how}."),
    "html_removed": ("html", "description", "info",
        "Removed from the description what {label} does not allow: {removed}."),
    "html_converted": ("html", "description", "info",
        "Converted the HTML description to plain text: {label} does not allow HTML in "
        "descriptions.{active}"),
    "description_shortened": ("description_max", "description", "warning",
        "The description has {before} characters{markup}; {label} allows at most {limit}, so "
        "it was cut to {after} characters at a paragraph, sentence or word end."),
}  # fmt: skip


def _finding(rules: ChannelRules, reason: str, **values: object) -> Finding:
    rule, field_name, severity, template = _MESSAGES[reason]
    return Finding(
        code=f"channel.{'html_removed' if reason == 'html_converted' else reason}",
        severity=severity,
        message=template.format(label=rules.label, **values),
        field=field_name,
        source=rules.source(rule),
        effective_from=rules.rule_dates.get(rule),
    )


@lru_cache(maxsize=256)
def _brand_pattern(brand: str) -> re.Pattern[str]:
    return re.compile(re.escape(brand), re.IGNORECASE)


def _brand_spans(text: str, brand: str) -> list[tuple[int, int]]:
    return [m.span() for m in _brand_pattern(brand).finditer(text)] if brand else []


@lru_cache(maxsize=64)
def _banned_pattern(banned: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(banned)) + "]")


def _remove_banned(text: str, rules: ChannelRules, brand: str) -> tuple[str, tuple[str, ...]]:
    spans = _brand_spans(text, brand)
    parts: list[str] = []
    removed: set[str] = set()
    last = 0
    for match in _banned_pattern(rules.title_banned).finditer(text):
        i = match.start()
        if any(start <= i < end for start, end in spans):
            continue
        between_words = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
        parts += [text[last:i], " " if between_words else ""]
        removed.add(match.group())
        last = i + 1
    if not removed:
        return text, ()
    cleaned = _SPACE.sub(" ", "".join([*parts, text[last:]])).strip()
    return re.sub(r" (?=[,.;:])", "", cleaned), tuple(sorted(removed))


def _word_key(token: str) -> str:
    return _EDGE_PUNCTUATION.sub("", token).casefold()


def _counted_key(token: str, exempt: frozenset[str]) -> str:
    """Return the key a word is counted under for repeats, or "" if it is not counted."""
    key = token.strip(_PUNCTUATION).casefold()
    if key and not (key[0].isalnum() and key[-1].isalnum()):  # other edge characters
        key = _word_key(token)
    if not key or key in exempt or not (key[0].isalpha() or _LETTER.search(key)):
        return ""
    return key


def _drop_repeats(text: str, rules: ChannelRules, brand: str) -> tuple[str, list[tuple[str, int]]]:
    limit = rules.title_max_word_repeats or 0
    words = text.split(" ")
    keys = [_counted_key(word, rules.title_repeat_exempt) for word in words]
    counts = Counter(keys)
    if all(n <= limit for key, n in counts.items() if key):
        return text, []  # the usual case
    spans = _brand_spans(text, brand)
    tokens: list[tuple[str, str, bool]] = []  # (token, key, inside the brand)
    offset = 0
    for token, key in zip(words, keys, strict=True):
        inside = any(start < offset + len(token) and offset < end for start, end in spans)
        tokens.append((token, key, inside))
        offset += len(token) + 1
    total: dict[str, int] = {}
    allowed: dict[str, int] = {}
    for _token, key, inside in tokens:
        if key:
            total[key] = total.get(key, 0) + 1
            allowed[key] = allowed.get(key, limit) - inside  # brand words are never dropped
    kept: list[str] = []
    carry = ""  # leading punctuation of a dropped word, for the next word: "(Mug" -> "("
    seen: dict[str, int] = {}
    for token, key, inside in tokens:
        if key and not inside:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > allowed[key]:
                core = _EDGE_PUNCTUATION.sub("", token)
                lead, _, trail = token.partition(core) if core else (token, "", "")
                if any(c in lead for c in "([{") and any(c in trail for c in ")]}"):
                    lead, trail = lead.strip("([{"), trail.lstrip(")]}")  # "(Mug)" goes whole
                carry += lead
                if trail and kept and not _EDGE_PUNCTUATION.search(kept[-1][-1:]):
                    kept[-1] += trail  # "Mug Mug Mug, red" -> "Mug Mug, red"
                continue
        kept.append(carry + token)
        carry = ""
    dropped = [
        (key, n) for key, n in total.items() if n > limit and seen.get(key, 0) > allowed[key]
    ]
    return " ".join(kept).strip(), dropped


def _shorten_title(text: str, limit: int) -> tuple[str, bool]:
    space = text.rfind(" ", 0, limit + 1)
    if space <= 0:
        end = limit
        while end > 1 and unicodedata.combining(text[end]):  # keep é whole, even decomposed
            end -= 1
        return text[:end], True
    cut = text[:space]
    while True:
        trimmed = cut.rstrip(_TITLE_DANGLING)
        head, _, last = trimmed.rpartition(" ")
        if head and _word_key(last) in SMALL_WORDS and _word_key(last) == last.casefold():
            trimmed = head
        if trimmed == cut:
            break
        cut = trimmed
    cut = cut or text[:space].rstrip()
    for opener, closer in (("(", ")"), ("[", "]")):
        while cut.count(opener) > cut.count(closer):  # "Mug (350 ml, blue" -> "Mug 350 ml, blue"
            i = cut.rfind(opener)
            cut = (cut[:i] + cut[i + 1 :]).replace("  ", " ").strip()
    return cut, False


# -- descriptions --------------------------------------------------------------------------

_TAG: Final = re.compile(r"<[A-Za-z/!?][^<>]*>")
_ENTITY: Final = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_LINE_SPACE: Final = re.compile(r"[^\S\n]+")
_BLANKS: Final = re.compile(r"\n\s*\n")
_CACHE_SIZE: Final = 2048
_DESCRIPTIONS: dict[tuple[bytes, ChannelRules], tuple[str, tuple[Finding, ...]]] = {}


def clean_description(text: str, rules: ChannelRules) -> tuple[str, tuple[Finding, ...]]:
    """Return ``text`` as ``rules`` accept it as a description, and a finding per change.

    ``html="limited"``: HTML is sanitised to the channel's allow-list (active content never
    survives); plain text becomes HTML paragraphs so its line breaks show. ``html="none"``:
    HTML becomes plain text (paragraphs, "• item" lines); plain text keeps its lines. Markup
    removed gives ``channel.html_removed`` (info); a text over ``rules.description_max`` is
    cut at a paragraph, sentence or word end (``channel.description_shortened``). Results
    are cached per (text digest, rules).

    >>> clean_description("<p>Stoneware mug<script>alert(1)</script></p>", EBAY)[0]
    '<p>Stoneware mug</p>'
    """
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), rules)
    cached = _DESCRIPTIONS.get(key)
    if cached is None:
        cached = _clean_description(text, rules)
        with _LOCK:
            if len(_DESCRIPTIONS) >= _CACHE_SIZE:
                _DESCRIPTIONS.pop(next(iter(_DESCRIPTIONS)), None)  # oldest first
            _DESCRIPTIONS[key] = cached
    return cached


def _clean_description(text: str, rules: ChannelRules) -> tuple[str, tuple[Finding, ...]]:
    findings: list[Finding] = []
    # An unterminated "<img src=x onerror=..." has no ">" but is markup all the same.
    is_html = _TAG.search(text) is not None or sanitize.has_active_content(text)
    if rules.html == "limited":
        out = _sanitizer(rules)(text) if is_html else _text_to_html(text)
        removed = sanitize.removed_markup(text, out) if is_html and out != text else ()
        if is_html and not removed and sanitize.has_active_content(text):
            removed = ("inline CSS that could run or load something",)
        if removed:
            findings.append(_finding(rules, "html_removed", removed=_listing(removed)))
    else:
        out = sanitize.html_to_text(text) if is_html else _plain_text(text)
        if is_html:
            active = sanitize.has_active_content(text)
            note = " Active content was removed with it." if active else ""
            findings.append(_finding(rules, "html_converted", active=note))
    if len(out) > rules.description_max:
        before, limit = len(out), rules.description_max
        if rules.html == "limited":
            out = sanitize.shorten_html(out, limit, _sanitizer(rules))
        else:
            out = sanitize.shorten_text(out, limit)
        markup = " (markup included)" if rules.html == "limited" else ""
        findings.append(
            _finding(
                rules,
                "description_shortened",
                before=before,
                limit=limit,
                after=len(out),
                markup=markup,
            )
        )
    return out, tuple(findings)


def _listing(items: tuple[str, ...], most: int = 8) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


@lru_cache(maxsize=64)
def _sanitizer(rules: ChannelRules) -> Callable[[str], str]:
    return sanitize.html_sanitizer(
        tags=rules.allowed_tags,
        attributes=rules.allowed_attributes,
        url_schemes=rules.url_schemes,
        style_properties=rules.style_properties,
    )


def _plain_text(text: str) -> str:
    if _ENTITY.search(text):
        text = _html.unescape(text)
    lines = (_LINE_SPACE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_to_html(text: str) -> str:
    paragraphs = [
        _html.escape(p, quote=False).replace("\n", "<br>")
        for p in _BLANKS.split(_plain_text(text))
        if p
    ]
    if len(paragraphs) == 1:
        return paragraphs[0]
    return "".join(f"<p>{p}</p>" for p in paragraphs)
