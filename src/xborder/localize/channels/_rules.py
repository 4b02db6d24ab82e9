"""The channel rules: one :class:`ChannelRules` value per marketplace, dated, with sources.

The built-ins (:data:`EBAY`, :data:`AMAZON`, :data:`FACEBOOK`) live in a registry keyed by
the marketplace registry names; :func:`register_channel` adds a custom marketplace's rules.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final, Literal

from xborder.errors import ConfigurationError
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
#: channel_rules() answers per (name as given, day): check() asks once per listing and
#: market, always the same few questions. Emptied by every registration; an answer worked
#: out from the registry as it was before a registration is not kept (_GENERATION).
_ANSWERS: dict[tuple[str, date | None], ChannelRules] = {}
_GENERATION: list[int] = [0]


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
        _ANSWERS.clear()
        _GENERATION[0] += 1


#: Amazon stores that kept 200-character titles when the others went to 75 (docs/channels.md:
#: the sources of the 75-character rule exempt the Saudi, Egyptian, Turkish and UAE stores).
_AMAZON_TITLE_200_MARKETS: Final = frozenset({"SA", "EG", "TR", "AE"})


def channel_rules(name: str, *, on: date | None = None, market: str | None = None) -> ChannelRules:
    """Return the rules of channel ``name`` (a marketplace registry name, any case).

    ``on`` picks the version in force that day (the oldest known version for days before
    it); without ``on`` the newest version is returned. ``market`` (a country code) picks
    a store's own rules where they differ: xborder's Amazon rules from 2026-07-27 (75-
    character titles) are :data:`AMAZON_2025`'s (200) in SA, EG, TR and AE. Raises
    :class:`~xborder.errors.ConfigurationError`, listing the known names, for an unknown one.

    >>> channel_rules("meta").title_max
    150
    >>> from datetime import date
    >>> day = date(2026, 10, 30)
    >>> channel_rules("amazon", on=day).title_max
    75
    >>> channel_rules("amazon", on=day, market="AE").title_max
    200
    """
    answer = _rules_on(name, on)
    if answer is AMAZON and isinstance(market, str) and market.upper() in _AMAZON_TITLE_200_MARKETS:
        return AMAZON_2025
    return answer


def _rules_on(name: str, on: date | None) -> ChannelRules:
    """Return the version of channel ``name`` in force on ``on`` (see channel_rules)."""
    if type(name) is str and (type(on) is date or on is None):
        answer = _ANSWERS.get((name, on))
        if answer is not None:
            return answer
    generation = _GENERATION[0]
    key = name.strip().lower() if isinstance(name, str) else name
    versions = _VERSIONS.get(_ALIASES.get(key, key)) if isinstance(key, str) else None
    if not versions:
        known = ", ".join(channel_names())
        raise ConfigurationError(
            f"unknown channel {name!r}; known channels: {known} (register_channel adds one)"
        )
    if on is None:
        answer = versions[-1]
    else:
        in_force = [v for v in versions if v.effective_from is None or v.effective_from <= on]
        answer = in_force[-1] if in_force else versions[0]
    if type(name) is str and (type(on) is date or on is None) and len(_ANSWERS) < 4096:
        with _LOCK:
            if generation == _GENERATION[0]:
                _ANSWERS[(name, on)] = answer
    return answer


def channel_names() -> tuple[str, ...]:
    """Return the registered channel names and aliases, sorted."""
    return tuple(sorted({*_VERSIONS, *_ALIASES}))


for _rules in (EBAY, AMAZON_2025, AMAZON):
    register_channel(_rules)
register_channel(FACEBOOK, aliases=("meta",))
