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

from xborder.localize.channels._fit import clean_description, fit_title
from xborder.localize.channels._rules import (
    AMAZON,
    AMAZON_2025,
    EBAY,
    FACEBOOK,
    SMALL_WORDS,
    ChannelRules,
    HtmlPolicy,
    channel_names,
    channel_rules,
    register_channel,
)

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
