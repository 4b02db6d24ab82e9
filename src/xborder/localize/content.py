"""localize(): a listing's text, attributes, units and price as a buyer in one market reads them.

Pure: it reads the seller's own translations, the shipped glossary and the translation cache
(filled beforehand by :func:`xborder.localize.translate.translate_flow`), never the network.
Every piece of text says where it came from (:class:`Provenance`), and text that nobody
translated keeps the seller's words with a ``localize.untranslated`` finding.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Final, Literal, NamedTuple

from babel import Locale
from babel.core import get_global, parse_locale

from xborder.errors import XborderError
from xborder.findings import Finding
from xborder.listing import Listing, Translation
from xborder.localize import sanitize
from xborder.localize.channels import ChannelRules, channel_rules, clean_description, fit_title
from xborder.localize.formatting import format_price
from xborder.localize.translate import (
    MACHINE_PROVIDERS,
    Glossary,
    TranslationCache,
    cache_key,
    glossary,
)
from xborder.localize.translate._lang import canonical_language, parse_language
from xborder.localize.units import (
    format_dimensions,
    format_measure,
    localize_dimensions,
    localize_weight,
)
from xborder.markets import Market
from xborder.money import Money

__all__ = [
    "LocalizedAttribute",
    "LocalizedContent",
    "LocalizedMeasure",
    "LocalizedText",
    "Provenance",
    "is_market_language",
    "localize",
    "seller_translation",
    "seller_translation_item",
    "translation_target",
]

ProvenanceKind = Literal["original", "seller", "glossary", "machine", "measure", "untranslated"]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a piece of localized text came from.

    ``original``: the listing is already in the market's language; ``seller``: the seller's
    own translation; ``glossary``: xborder's reviewed glossary; ``machine``: a machine
    translation by ``provider`` on ``translated_at``; ``measure``: a quantity such as
    "350 ml" written with the market's CLDR unit pattern (same unit, same value);
    ``untranslated``: nobody translated it, so the seller's source text is shown.
    """

    kind: ProvenanceKind
    provider: str | None = None
    translated_at: date | None = None

    def __str__(self) -> str:
        if self.kind == "machine":
            return f"machine ({self.provider}, {self.translated_at})"
        return self.kind


ORIGINAL: Final = Provenance("original")
SELLER: Final = Provenance("seller")
GLOSSARY: Final = Provenance("glossary")
MEASURE: Final = Provenance("measure")
UNTRANSLATED: Final = Provenance("untranslated")


# The per-text values are named tuples: a listing has dozens of them and localize() runs per
# listing × market, so they must be cheap to build (a frozen dataclass costs ~4× more).


class LocalizedText(NamedTuple):
    """A text in the market's language (or the source text, when untranslated)."""

    text: str
    provenance: Provenance

    def __str__(self) -> str:
        return self.text


class LocalizedAttribute(NamedTuple):
    """An attribute's name and values in the market's language."""

    key: str
    name: LocalizedText
    values: tuple[LocalizedText, ...]


class LocalizedMeasure(NamedTuple):
    """A weight or size in the market's measurement system: the exact value(s) and the text."""

    values: tuple[Decimal, ...]
    unit: str
    text: str


class LocalizedContent(NamedTuple):
    """What a buyer in ``market`` reads about one listing, with the provenance of each part."""

    sku: str
    market: str
    language: str
    locale: str
    channel: str | None
    title: LocalizedText
    description: LocalizedText
    attributes: tuple[LocalizedAttribute, ...]
    condition: LocalizedText
    weight: LocalizedMeasure | None
    dimensions: LocalizedMeasure | None
    price: str | None
    findings: tuple[Finding, ...]


@lru_cache(maxsize=1024)
def _language_of(locale: str) -> str:
    return Locale.parse(locale).language


#: German written with "ss" for "ß" (the glossary's regional spelling).
_SS_REGIONS: Final = frozenset({"CH", "LI"})


@lru_cache(maxsize=1024)
def translation_target(locale: str) -> str:
    """Return the language tag that text for a market ``locale`` is translated into.

    The language alone (``de_DE`` and ``de_AT`` → ``"de"``, ``fr_CA`` → ``"fr"``), except
    where the region or script changes the words: a script other than the language's usual
    one (``zh_Hant_TW``, ``zh_Hant_HK`` → ``"zh-Hant"``; ``sr_Latn_RS`` → ``"sr-Latn"``),
    Brazilian Portuguese (``pt_BR`` → ``"pt-BR"``), and Swiss and Liechtenstein German
    (``de_CH`` → ``"de-CH"``, which the glossary writes with "ss"). :func:`localize` looks
    up the glossary and the translation cache with it, and sync jobs ask for machine
    translations into it: fill a cache with :func:`~xborder.localize.translate.translate_flow`
    for this target.

    >>> translation_target("zh_Hant_TW"), translation_target("pt_BR"), translation_target("de_DE")
    ('zh-Hant', 'pt-BR', 'de')
    """
    tag = parse_language(locale)
    if tag.script is not None and tag.script != _usual_script(tag.language, None):
        return f"{tag.language}-{tag.script}"
    if tag.language == "pt" and tag.region == "BR":
        return "pt-BR"
    if tag.language == "de" and tag.region in _SS_REGIONS:
        return f"de-{tag.region}"
    return tag.language


@lru_cache(maxsize=1024)
def _usual_script(language: str, region: str | None) -> str | None:
    """Return the script CLDR's likely subtags give ``language`` (in ``region``), if any."""
    likely = get_global("likely_subtags")
    for key in ((f"{language}_{region}",) if region else ()) + (language,):
        if key in likely:
            return parse_locale(likely[key])[2]
    return None


@lru_cache(maxsize=1024)
def _same_language(a: str, b: str) -> bool:
    """Whether texts in language tags ``a`` and ``b`` read the same: language and script.

    "zh-Hans" (or a plain "zh", Simplified) is not what a reader of "zh-Hant" reads; "de"
    and "de-CH", "pt" and "pt-BR" are the same language.
    """
    try:
        first, second = parse_language(a), parse_language(b)
    except XborderError:
        return (
            a.replace("_", "-").split("-")[0].lower() == b.replace("_", "-").split("-")[0].lower()
        )
    if first.language != second.language:
        return False
    scripts = [tag.script or _usual_script(tag.language, tag.region) for tag in (first, second)]
    return scripts[0] == scripts[1]


@lru_cache(maxsize=1024)
def is_market_language(language: str, locale: str) -> bool:
    """Return whether text in ``language`` is sent as it is to a market with ``locale``.

    The same language and script as :func:`translation_target` (``"de"`` for ``de_CH``,
    ``"pt"`` for ``pt_BR``; not ``"zh-Hans"`` for ``zh_Hant_TW``): :func:`localize` then
    keeps the listing's own text, and the compliance rules check that.
    """
    return _same_language(language, translation_target(locale))


@lru_cache(maxsize=1024)
def _translation_keys(locale: str) -> tuple[str, ...]:
    """Return the keys a seller's translation for ``locale`` may be under, most specific first.

    "zh-Hant-TW" for zh_Hant_TW, then the language and script ("zh-Hant"), the language and
    region ("zh-TW", "fr-CA"), the translation target ("pt-BR", "de-CH"), and last the
    language alone ("zh", "fr") where it reads as the target does: a plain "zh" is
    Simplified, no translation for Taiwan.
    """
    tag = parse_language(locale)
    target = translation_target(locale)
    keys = [str(tag)]
    if tag.script is not None:
        keys.append(f"{tag.language}-{tag.script}")
    if tag.region is not None:
        keys.append(f"{tag.language}-{tag.region}")
    keys.append(target)
    if _same_language(tag.language, target):
        keys.append(tag.language)
    return tuple(dict.fromkeys(keys))


def seller_translation_item(
    translations: Mapping[str, Translation], locale: str
) -> tuple[str, Translation] | None:
    """Return the key and the seller's translation that :func:`localize` uses for ``locale``.

    Keys are compared as canonical language tags, however the seller spelled them
    (``"zh_Hant"``, ``"zh-tw"``); see :func:`seller_translation`.
    """
    if not translations:
        return None
    keys = _translation_keys(locale)
    for key in keys:  # the usual case: keys written canonically
        found = translations.get(key)
        if found is not None:
            return key, found
    # Only a key not written canonically ("zh_Hant", "zh-tw") can still be one of them.
    best: tuple[int, str, Translation] | None = None
    for key, translation in translations.items():
        canonical = _canonical_key(key) if type(key) is str else None
        if canonical is not None and canonical != key and canonical in keys:
            rank = keys.index(canonical)
            if best is None or rank < best[0]:
                best = (rank, key, translation)
    return (best[1], best[2]) if best is not None else None


#: canonical_language() of translation keys, or "" for a key that is no language tag: a
#: plain dict (every check of a listing with translations reads its keys).
_CANONICAL_KEYS: dict[str, str] = {}


def _canonical_key(key: str) -> str | None:
    canonical = _CANONICAL_KEYS.get(key)
    if canonical is None:
        try:
            canonical = canonical_language(key)
        except XborderError:
            canonical = ""  # not a tag: never a market's
        if len(_CANONICAL_KEYS) >= 4096:
            _CANONICAL_KEYS.clear()
        _CANONICAL_KEYS[key] = canonical
    return canonical or None


def seller_translation(translations: Mapping[str, Translation], locale: str) -> Translation | None:
    """Return the seller's own translation that :func:`localize` sends to a market ``locale``.

    Most specific first: ``zh-Hant-TW``, then ``zh-Hant``, ``zh-TW``, the
    :func:`translation_target`, and the language alone where it reads the same (``"pt"``
    for Brazil, ``"de"`` for Switzerland; not ``"zh"``, Simplified, for Taiwan). The
    compliance rules check this same text.
    """
    item = seller_translation_item(translations, locale)
    return item[1] if item is not None else None


class _Resolver:
    """Finds a text in the market's language: seller, glossary, cache — in that order."""

    __slots__ = ("cache", "findings", "glossary", "locale", "providers", "source", "target")

    def __init__(
        self,
        source: str,
        target: str,
        words: Glossary,
        cache: TranslationCache | None,
        providers: tuple[str, ...],
        locale: str = "",
    ) -> None:
        self.source = source
        self.target = target
        self.locale = locale
        self.glossary = words
        self.cache = cache
        self.providers = providers
        self.findings: list[Finding] = []

    def text(
        self, text: str, field: str, seller: str | None = None, *, terms: bool = True
    ) -> LocalizedText:
        if seller:
            return LocalizedText(seller, SELLER)
        if terms:
            term = self.glossary.lookup(text, source=self.source, target=self.target)
            if term is not None:
                return LocalizedText(term, GLOSSARY)
            quantity = _quantity(text, self.locale)
            if quantity is not None:
                return LocalizedText(quantity, MEASURE)
        machine = self.machine(text)
        if machine is not None:
            return machine
        return self.untranslated(text, field)

    def machine(self, text: str) -> LocalizedText | None:
        if self.cache is None or not text.strip():
            return None
        digest, source, target, _ = cache_key(text, self.source, self.target, "")
        for provider in self.providers:
            hit = self.cache.get((digest, source, target, provider))
            if hit is not None:
                return LocalizedText(
                    hit.text, Provenance("machine", hit.provider, hit.translated_at)
                )
        return None

    def untranslated(self, text: str, field: str) -> LocalizedText:
        if text.strip():
            self.findings.append(_untranslated_finding(field, self.source, self.target))
        return LocalizedText(text, UNTRANSLATED)


# Unit symbols are case-sensitive, as in the glossary: "5G", "4G" and "3G" are network
# generations and "8 G" is no unit at all, never grams, and a capital M or L standing alone
# is a clothing size. A symbol matches as written in SI and common use (g, kg, ml and mL,
# l and L: the litre has both) and, if it has two letters or more, in the capitalised and
# all-capitals forms sellers type ("Kg", "KG", "ML", "Fl Oz", "FL OZ"), none of which is
# another unit a product is measured in. The single letter g has no other form.
_SYMBOLS: Final = {
    "ml": "ml",
    "kg": "kg",
    "mm": "mm",
    "cm": "cm",
    "in": "in",
    "oz": "oz",
    "lb": "lb",
    "fl oz": "fl_oz",
    "fl. oz": "fl_oz",
    "fl.oz": "fl_oz",
    "floz": "fl_oz",
}

# Each spelling a seller may write and the unit (of format_measure) it stands for.
_QUANTITY_UNITS: Final = {
    "g": "g",
    "l": "l",
    "L": "l",
    "mL": "ml",
    **{
        spelling: unit
        for symbol, unit in _SYMBOLS.items()
        for spelling in (symbol, symbol.capitalize(), symbol.title(), symbol.upper())
    },
}
# "350 ml", "1.5 kg", "12 fl oz": a number and a unit symbol, nothing else. Case-sensitive;
# longest spellings first, so that the alternation never stops at a prefix.
_QUANTITY: Final = re.compile(
    r"(\d+(?:\.\d+)?)\s*("
    + "|".join(re.escape(s) for s in sorted(_QUANTITY_UNITS, key=len, reverse=True))
    + ")"
)


@lru_cache(maxsize=4096)
def _quantity(text: str, locale: str) -> str | None:
    # Quantities need no translation, only the market's way of writing them ("350 ml" is
    # "350 ml" in German and "350 mL" in Japanese): the same value and unit through CLDR.
    match = _QUANTITY.fullmatch(text.strip())
    if match is None or not locale:
        return None
    unit = _QUANTITY_UNITS[match.group(2)]
    return format_measure(Decimal(match.group(1)), unit, locale)


@lru_cache(maxsize=4096)
def _untranslated_finding(field: str, source: str, target: str) -> Finding:
    # Findings are immutable values: one per (field, languages) serves every listing.
    return Finding(
        "localize.untranslated",
        "warning",
        f"no {target} translation for this text: the {source} original is shown. Add "
        f"translations.{target} to the listing or run machine translation first.",
        field=field,
    )


def localize(
    listing: Listing,
    market: Market | str,
    *,
    channel: str | ChannelRules | None = None,
    cache: TranslationCache | None = None,
    providers: Iterable[str] = MACHINE_PROVIDERS,
    price: Money | None = None,
    on: date | None = None,
) -> LocalizedContent:
    """Return ``listing``'s content as a buyer in ``market`` reads it.

    Text comes, in this order, from the seller's ``translations``, xborder's glossary
    (attribute names and values, conditions, units) and ``cache`` (machine translations of
    the given ``providers``, filled beforehand by ``translate_flow``; by default
    :data:`~xborder.localize.translate.MACHINE_PROVIDERS`); otherwise the source text
    stays, with provenance ``untranslated`` and a ``localize.untranslated`` finding. With a
    ``channel`` (``"ebay"``, ``"amazon"``, ``"facebook"`` or :class:`ChannelRules`) the
    title and description are fitted to its rules, with findings for every change.
    ``price`` (already quoted and quantized) is formatted for the market's locale. Weight
    and dimensions are converted exactly to the market's measurement system.
    """
    target_market = market if isinstance(market, Market) else Market.for_country(market, on=on)
    locale = target_market.locale
    language = _language_of(locale)
    target = translation_target(locale)
    rules = (
        channel_rules(channel, on=on, market=target_market.country)
        if isinstance(channel, str)
        else channel
    )

    if is_market_language(listing.language, locale):
        content = _original(listing)
        findings: list[Finding] = []
    else:
        resolver = _Resolver(listing.language, target, glossary(), cache, tuple(providers), locale)
        content = _translated(listing, resolver, seller_translation(listing.translations, locale))
        findings = resolver.findings

    title, description, attributes, condition = content
    if rules is not None:
        title = _plain_text(title, "title", rules, findings)
        attributes = _plain_attributes(attributes, rules, findings)
        fitted, notes = fit_title(title.text, rules, brand=listing.brand)
        if fitted != title.text:
            title = LocalizedText(fitted, title.provenance)
        findings.extend(notes)
        cleaned, notes = clean_description(description.text, rules)
        if cleaned != description.text:
            description = LocalizedText(cleaned, description.provenance)
        findings.extend(notes)

    measurement = target_market.measurement
    weight = None
    if listing.weight is not None:
        value, unit = localize_weight(listing.weight, measurement)
        weight = LocalizedMeasure((value,), unit, format_measure(value, unit, locale))
    dimensions = None
    if listing.dimensions is not None:
        values, unit = localize_dimensions(listing.dimensions, measurement)
        dimensions = LocalizedMeasure(values, unit, format_dimensions(values, unit, locale))

    return LocalizedContent(
        sku=listing.sku,
        market=target_market.country,
        language=language,
        locale=locale,
        channel=rules.name if rules is not None else None,
        title=title,
        description=description,
        attributes=attributes,
        condition=condition,
        weight=weight,
        dimensions=dimensions,
        price=format_price(price, locale) if price is not None else None,
        findings=tuple(findings),
    )


_Parts = tuple[LocalizedText, LocalizedText, tuple[LocalizedAttribute, ...], LocalizedText]


def _plain_text(
    text: LocalizedText, field: str, rules: ChannelRules, findings: list[Finding]
) -> LocalizedText:
    """Return ``text`` without markup: titles and attributes are plain text on every channel.

    eBay titles and item specifics, Amazon item names and bullet points and Meta titles take
    no HTML; markup pasted there would reach the marketplace as it was, event handlers and
    all (issue #10). It becomes text on one line, as :func:`sanitize.html_to_text` reads it.
    """
    if not sanitize.has_markup(text.text):
        return text
    cleaned = " ".join(sanitize.html_to_text(text.text).split())
    # html_to_text keeps a lone "<" or "&" as text; a second pass removes what a decode revives.
    for _ in range(3):
        if not sanitize.has_markup(cleaned):
            break
        again = " ".join(sanitize.html_to_text(_html.unescape(cleaned)).split())
        if again == cleaned:
            break
        cleaned = again
    findings.append(
        Finding(
            "channel.html_removed",
            "info",
            f"Removed markup from the {field} field: {rules.label} shows it as plain text, "
            f"so tags, scripts and event handlers are not kept.",
            field=field,
            source=rules.source("html"),
            effective_from=rules.rule_dates.get("html"),
        )
    )
    return LocalizedText(cleaned, text.provenance)


def _plain_attributes(
    attributes: tuple[LocalizedAttribute, ...], rules: ChannelRules, findings: list[Finding]
) -> tuple[LocalizedAttribute, ...]:
    out = []
    for attribute in attributes:
        field = f"attributes.{attribute.key}"
        name = _plain_text(attribute.name, f"{field}.name", rules, findings)
        values = tuple(_plain_text(value, field, rules, findings) for value in attribute.values)
        if name is attribute.name and all(
            new is old for new, old in zip(values, attribute.values, strict=True)
        ):
            out.append(attribute)
        else:
            out.append(LocalizedAttribute(attribute.key, name, values))
    return tuple(out)


def _original(listing: Listing) -> _Parts:
    attributes = tuple(
        LocalizedAttribute(
            key,
            LocalizedText(_attribute_label(key), ORIGINAL),
            tuple(LocalizedText(v, ORIGINAL) for v in values),
        )
        for key, values in listing.attributes.items()
    )
    return (
        LocalizedText(listing.title, ORIGINAL),
        LocalizedText(listing.description, ORIGINAL),
        attributes,
        LocalizedText(_condition_label(listing.condition), ORIGINAL),
    )


def _translated(listing: Listing, resolve: _Resolver, seller: Translation | None) -> _Parts:
    seller_attributes: Mapping[str, tuple[str, ...]] = seller.attributes if seller else {}
    # The glossary holds terms (attribute names and values, conditions, units), not sentences:
    # titles and descriptions are never looked up in it.
    title = resolve.text(listing.title, "title", seller.title if seller else None, terms=False)
    description = (
        resolve.text(
            listing.description,
            "description",
            seller.description if seller else None,
            terms=False,
        )
        if listing.description
        else LocalizedText("", ORIGINAL)
    )
    attributes = []
    for key, values in listing.attributes.items():
        name = resolve.text(_attribute_label(key), f"attributes.{key}.name")
        given = seller_attributes.get(key)
        if given:
            localized = tuple(LocalizedText(v, SELLER) for v in given)
        else:
            field = f"attributes.{key}"
            localized = tuple([resolve.text(v, field) for v in values])
        attributes.append(LocalizedAttribute(key, name, localized))
    condition_text = resolve.glossary.condition(listing.condition, resolve.target)
    if condition_text is not None:
        condition = LocalizedText(condition_text, GLOSSARY)
    else:
        condition = resolve.untranslated(_condition_label(listing.condition), "condition")
    return title, description, tuple(attributes), condition


def _attribute_label(key: str) -> str:
    # Attribute keys are identifiers such as "color" or "age_group"; shown as display names
    # ("Color", "Age group"), which is also how the glossary is looked up (case-insensitive).
    return key.replace("_", " ").capitalize()


_CONDITIONS: Final = {
    "new": "New",
    "used_like_new": "Used – like new",
    "used_good": "Used – good",
    "used_acceptable": "Used – acceptable",
    "refurbished": "Refurbished",
}


def _condition_label(key: str) -> str:
    return _CONDITIONS.get(key, key)
