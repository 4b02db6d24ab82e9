"""Fitting text to a channel: :func:`fit_title` and :func:`clean_description`.

Both change what can be changed automatically (banned characters, repeated words, length,
disallowed markup) and report each change as a :class:`~xborder.findings.Finding`.
"""

from __future__ import annotations

import hashlib
import html as _html
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Final, Literal

from xborder.findings import Finding
from xborder.localize import sanitize
from xborder.localize.channels._rules import SMALL_WORDS, ChannelRules

__all__ = ["clean_description", "fit_title"]

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
    if findings:
        # A removal can leave a combining mark next to a new base letter ("M!\u0301" ->
        # "M\u0301"): normalise again, so that fitting the fitted title changes nothing.
        text = unicodedata.normalize("NFC", text)
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
_LOCK: Final = threading.Lock()
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
        if not is_html and sanitize.has_markup(text):
            # Plain text is made plain by decoding its entities: "&#60;img onerror=...&#62;"
            # would come out as a live tag. Read as the HTML it stands for instead (each
            # paragraph escaped as it is), so html_to_text strips what the decoding reveals.
            is_html = True
            text = "".join(
                f"<p>{_html.escape(part, quote=False).replace(chr(10), '<br>')}</p>"
                for part in _BLANKS.split(text.replace("\r\n", "\n").strip())
            )
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
