"""XSS payloads from the committed grammar (xss_grammar.json), and an independent checker.

The grammar is expanded deterministically: every template is the product of its slots (and
of its encodings, applied to the slot named by ``encode``), in sorted order, without any
randomness. The checker does not use xborder's sanitiser: it walks a string with Python's
:mod:`html.parser`, the way a browser would see the markup, and reports active content.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

GRAMMAR = Path(__file__).with_name("xss_grammar.json")


@dataclass(frozen=True, order=True)
class Payload:
    klass: str
    text: str
    source: str


def _alternate(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


def _inside(text: str, insert: str) -> str:
    # After the fourth character: "java" + insert + "script:" breaks the scheme name.
    return text[:4] + insert + text[4:]


# The encodings the grammar's "encodings" section names; each applies to one slot value.
ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "upper": str.upper,
    "mixed": _alternate,
    "decimal": lambda s: "".join(f"&#{ord(c)};" for c in s),
    "decimal_padded": lambda s: "".join(f"&#{ord(c):07d}" for c in s),
    "decimal_no_semicolon": lambda s: "".join(f"&#{ord(c)}" for c in s),
    "hex": lambda s: "".join(f"&#x{ord(c):X};" for c in s),
    # The colon stays raw: "&#x3Aa" would read as U+03AA, the payload would be inert.
    "hex_no_semicolon": lambda s: "".join(f"&#x{ord(c):X}" for c in s[:-1]) + s[-1:],
    "named_colon": lambda s: s.replace(":", "&colon;"),
    "tab": lambda s: _inside(s, "\t"),
    "newline": lambda s: _inside(s, "\n"),
    "entity_tab": lambda s: _inside(s, "&#x09;"),
    "entity_newline": lambda s: _inside(s, "&#x0A;"),
    "leading_space": lambda s: " " + s,
    "leading_entity_control": lambda s: "&#14;" + s,
    "percent": lambda s: "".join(f"%{ord(c):02X}" for c in s),
    "null": lambda s: _inside(s, "\x00"),
    "entity_null": lambda s: _inside(s, "&#0;"),
}


@cache
def grammar() -> Mapping[str, Any]:
    data: Mapping[str, Any] = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    return data


def _resolve(value: Any, parts: Mapping[str, list[str]]) -> list[str]:
    if isinstance(value, str) and value.startswith("@"):
        return list(parts[value[1:]])
    return list(value)


def _expand(template: Mapping[str, Any], parts: Mapping[str, list[str]]) -> Iterator[str]:
    slots = {name: _resolve(values, parts) for name, values in template["slots"].items()}
    encode = template.get("encode")
    encodings = _resolve(template.get("encodings", ["plain"]), parts)
    names = sorted(slots)
    for encoding in encodings:
        for values in itertools.product(*(slots[name] for name in names)):
            text = template["template"]
            for name, value in zip(names, values, strict=True):
                if name == encode:
                    value = ENCODINGS[encoding](value)
                text = text.replace("{" + name + "}", value)
            yield text


@cache
def payloads() -> tuple[Payload, ...]:
    """Every payload of the grammar, distinct, sorted by class and text."""
    data = grammar()
    found: set[Payload] = set()
    for klass in data["classes"]:
        source = data["sources"][klass["source"]]
        for template in klass["templates"]:
            for text in _expand(template, data["parts"]):
                found.add(Payload(klass["name"], text, source))
    return tuple(sorted(found))


def classes() -> list[str]:
    return [klass["name"] for klass in grammar()["classes"]]


def of_class(name: str) -> list[Payload]:
    return [p for p in payloads() if p.klass == name]


# -- the independent checker -----------------------------------------------------------------

#: Elements that run script, load documents or plug-ins, restyle or redirect the page, or
#: submit data (the "active content" of eBay's policy,
#: https://www.ebay.com/help/policies/listing-policies/javascript-policy?id=4247).
ACTIVE_ELEMENTS = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "param",
        "base",
        "meta",
        "link",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "svg",
        "math",
        "template",
        "portal",
        "noscript",
    ]
)
_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# Browsers drop ASCII tab/newline anywhere in a URL and trim C0 controls and spaces at its
# ends (WHATWG URL Standard, https://url.spec.whatwg.org/#concept-basic-url-parser); this
# removes them anywhere, which is stricter.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\ufffd]+")
_CSS_ACTIVE = re.compile(r"expression|url\s*\(|behaviou?r|binding|@import|javascript", re.I)
# CSS escapes and comments split keywords ("e\\xpression", "exp/**/ression"); drop both first.
_CSS_NOISE = re.compile(r"/\*.*?\*/|\\", re.S)
# A backup for what html.parser may read as text although a browser reads a tag.
_RAW_ELEMENT = re.compile(
    r"<\s*/?\s*(?:" + "|".join(sorted(ACTIVE_ELEMENTS)) + r")(?![a-z0-9-])", re.I
)
_RAW_HANDLER = re.compile(r"<[a-z][^>]*?[\s/\"'`]on[a-z]+\s*=", re.I)
_RAW_URL = re.compile(
    r"<[a-z][^>]*?=\s*[\"'`]?\s*(?:java|vb|live)script:|<[a-z][^>]*?=\s*[\"'`]?\s*data:", re.I
)


def _url(value: str) -> str:
    # Decode entities and percent-escapes until nothing changes (double encoding too).
    for _ in range(4):
        decoded = unquote(html.unescape(value))
        if decoded == value:
            break
        value = decoded
    return _IGNORED_IN_URL.sub("", value).lower()


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_ELEMENTS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name in ("srcdoc", "formaction", "http-equiv"):
                self.found.append(f"{name} on <{tag}>")
            elif name == "style" and _CSS_ACTIVE.search(_CSS_NOISE.sub("", value)):
                self.found.append(f"style {value!r} on <{tag}>")
            elif _url(value).startswith(_DANGEROUS_SCHEMES):
                self.found.append(f"{name}={value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        # Conditional comments and commented-out markup come back to life in some readers.
        if "<" in data or "[if" in data.lower():
            self.found.append(f"comment {data!r}")

    def unknown_decl(self, data: str) -> None:
        if "<" in data:
            self.found.append(f"declaration {data!r}")

    def handle_pi(self, data: str) -> None:
        # <?xml-stylesheet href=...?>: an XML reader would load the stylesheet.
        if "<" in data or _url(data.partition("href=")[2].strip("\"' ?")).startswith(
            _DANGEROUS_SCHEMES
        ):
            self.found.append(f"processing instruction {data!r}")


def active_content(value: str) -> list[str]:
    """Name the active content in ``value`` read as HTML (empty: none)."""
    walker = _Walker()
    walker.feed(value)
    walker.close()
    found = walker.found
    bare = _IGNORED_IN_URL.sub(" ", value)
    found += [f"raw {m.group()!r}" for m in _RAW_ELEMENT.finditer(bare)]
    found += [f"raw {m.group()!r}" for m in _RAW_HANDLER.finditer(bare)]
    found += [f"raw {m.group()!r}" for m in _RAW_URL.finditer(bare)]
    return found


def decoded(value: str) -> list[str]:
    """``value`` and its entity-decoded forms (up to three levels), for plain-text fields.

    A plain-text field may be shown by a page that decodes entities once more than intended;
    xborder's html_to_text promises nothing active "not even as double-encoded text".
    """
    forms = [value]
    for _ in range(3):
        value = html.unescape(value)
        if value == forms[-1]:
            break
        forms.append(value)
    return forms


_JS_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")
_STRIPPED_WORDS = re.compile(r"script|onerror|iframe", re.I)


def revealed(value: str) -> list[str]:
    """The forms a payload is meant to turn into somewhere: decoded or stripped once.

    Only for checking the grammar itself (every payload is active in one of these forms);
    xborder's output is checked as HTML (:func:`active_content`, :func:`decoded`).
    """
    forms = decoded(value)
    forms.append(unquote(value))
    forms.append(_JS_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), value))
    forms.append(unicodedata.normalize("NFKC", value))
    forms.append(re.sub(r"<[^<>]*>", "", value, count=1))  # a naive one-pass tag stripper
    forms.append(_STRIPPED_WORDS.sub("", value, count=1))  # a naive keyword remover
    return forms


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield (path, text) for every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield f"{path}.{key}#key", str(key)
            yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")


# Elements whose content a browser never shows as text (raw text, replaced or foreign content).
_HIDDEN = frozenset(
    [
        "script",
        "style",
        "template",
        "iframe",
        "noscript",
        "xmp",
        "textarea",
        "title",
        "svg",
        "math",
        "object",
        "select",
        "video",
        "audio",
        "noembed",
        "noframes",
    ]
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in _HIDDEN

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(value: str) -> str:
    """The text a reader of ``value`` sees: an element left open (``<iframe>…``) hides the rest."""
    reader = _Text()
    reader.feed(value)
    reader.close()
    return "".join(reader.parts)
