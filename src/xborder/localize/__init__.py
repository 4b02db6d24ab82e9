"""Localization: a listing's text, units and price as buyers in another market read them.

- :func:`localize` — title, description, attributes, condition, units and price for one
  market (and optionally one channel), each text with its :class:`Provenance`.
- :mod:`xborder.localize.translate` — machine translation as a sans-I/O step that fills a
  cache before :func:`localize` runs; the offline glossary; DeepL and LibreTranslate.
- :mod:`xborder.localize.channels` — each marketplace's content rules (:class:`ChannelRules`),
  title fitting and description cleaning; :mod:`xborder.localize.sanitize` (nh3).
- :mod:`xborder.localize.units` — exact unit conversion and cached CLDR unit formatting.
- :func:`format_price` — babel-identical price display, precomputed per locale.
"""

from xborder.localize.channels import (
    ChannelRules,
    channel_rules,
    clean_description,
    fit_title,
    register_channel,
)
from xborder.localize.content import (
    LocalizedAttribute,
    LocalizedContent,
    LocalizedMeasure,
    LocalizedText,
    Provenance,
    localize,
    translation_target,
)
from xborder.localize.formatting import (
    UnknownLocaleError,
    babel_fallbacks,
    babel_swiss_grouping_bug,
    clear_cache,
    format_price,
)
from xborder.localize.units import (
    format_dimensions,
    format_measure,
    localize_dimensions,
    localize_weight,
)

__all__ = [
    "ChannelRules",
    "LocalizedAttribute",
    "LocalizedContent",
    "LocalizedMeasure",
    "LocalizedText",
    "Provenance",
    "UnknownLocaleError",
    "babel_fallbacks",
    "babel_swiss_grouping_bug",
    "channel_rules",
    "clean_description",
    "clear_cache",
    "fit_title",
    "format_dimensions",
    "format_measure",
    "format_price",
    "localize",
    "localize_dimensions",
    "localize_weight",
    "register_channel",
    "translation_target",
]
