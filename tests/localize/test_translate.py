"""translate_flow, the cache and its keys, language tags (xborder.localize.translate)."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime

import httpx
import pytest
import respx

from xborder.errors import TranslationError, UnknownLocaleError
from xborder.http import HttpRequest, HttpResponse, run_flow
from xborder.localize.translate import (
    CachedTranslation,
    DeepLTranslator,
    GlossaryTranslator,
    MemoryTranslationCache,
    TranslationCache,
    TranslationRun,
    Translator,
    cache_key,
    canonical_language,
    text_hash,
    translate_flow,
)
from xborder.testing import FakeClock

from .test_translate_helpers import FAKE_KEY, FakeTranslator, drive, ok

DAY = date(2026, 3, 14)

# -- keys and the memory cache ----------------------------------------------------------------


def test_text_hash_is_sha256_of_nfc() -> None:
    composed = "Café"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert text_hash(composed) == text_hash(decomposed)
    assert text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert text_hash("Blue") != text_hash("blue")


def test_cache_key_uses_canonical_language_tags() -> None:
    assert cache_key("Mug", "EN", "pt_br", "deepl") == (text_hash("Mug"), "en", "pt-BR", "deepl")
    assert cache_key("Mug", "en", "zh-hant", "x")[2] == "zh-Hant"


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("pt_BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("zh-hant", "zh-Hant"),
        ("zh_Hant_TW", "zh-Hant-TW"),
        ("es-419", "es-419"),
        (" fr-CA ", "fr-CA"),
    ],
)
def test_canonical_language(code: str, canonical: str) -> None:
    assert canonical_language(code) == canonical


@pytest.mark.parametrize("code", ["", "x", "english", "de-DE-1996", "en-u-ca", "12", "de--DE"])
def test_bad_language_codes(code: str) -> None:
    with pytest.raises(UnknownLocaleError):
        canonical_language(code)


def test_memory_cache_protocol_and_lru() -> None:
    cache = MemoryTranslationCache(maxsize=2)
    assert isinstance(cache, TranslationCache)
    a, b, c = (cache_key(t, "en", "de", "p") for t in "abc")
    value = CachedTranslation("x", "p", "en", "de", DAY)
    cache.put(a, value)
    cache.put(b, value)
    assert cache.get(a) == value  # a is now the most recently used
    cache.put(c, value)  # evicts b
    assert cache.get(b) is None
    assert cache.get(a) == value and cache.get(c) == value
    assert len(cache) == 2 and a in cache
    assert "maxsize=2" in repr(cache)
    cache.clear()
    assert len(cache) == 0


def test_unbounded_memory_cache_keeps_everything() -> None:
    cache = MemoryTranslationCache()
    value = CachedTranslation("x", "p", "en", "de", DAY)
    for i in range(500):
        cache.put(cache_key(str(i), "en", "de", "p"), value)
    assert len(cache) == 500


@pytest.mark.parametrize("maxsize", [0, -1, 1.5, True, "3"])
def test_memory_cache_refuses_bad_maxsize(maxsize: object) -> None:
    with pytest.raises(ValueError, match="maxsize"):
        MemoryTranslationCache(maxsize=maxsize)  # type: ignore[arg-type]


def test_memory_cache_refuses_other_values() -> None:
    with pytest.raises(TypeError, match="CachedTranslation"):
        MemoryTranslationCache().put(cache_key("a", "en", "de", "p"), "Blau")  # type: ignore[arg-type]


def test_cached_translation_is_frozen() -> None:
    value = CachedTranslation("Blau", "glossary", "en", "de", DAY)
    with pytest.raises(AttributeError):
        value.text = "Rot"  # type: ignore[misc]


def test_builtins_are_translators() -> None:
    assert isinstance(GlossaryTranslator(), Translator)
    assert isinstance(DeepLTranslator(FAKE_KEY), Translator)
    assert isinstance(FakeTranslator({}), Translator)
    assert not isinstance(object(), Translator)


# -- translate_flow -----------------------------------------------------------------------------


def test_translates_caches_and_reports() -> None:
    fake = FakeTranslator({"Mug": "Tasse", "Blue": "Blau"})
    cache = MemoryTranslationCache()
    clock = FakeClock(datetime(2026, 3, 14, 23, 59, tzinfo=UTC))
    requests, run = drive(translate_flow(["Mug", "Blue"], "en", "de", fake, cache, clock=clock), ok)
    assert run == TranslationRun(requested=2, cache_hits=0, translated=2, missing=())
    assert len(requests) == 1
    assert cache.get(cache_key("Mug", "en", "de", "fake")) == CachedTranslation(
        "Tasse", "fake", "en", "de", DAY
    )


def test_translated_at_comes_from_the_clock_when_the_batch_is_answered() -> None:
    clock = FakeClock(datetime(2026, 3, 14, 23, 59, 59, tzinfo=UTC))
    fake = FakeTranslator({"a": "A", "b": "B"}, max_batch=1)
    cache = MemoryTranslationCache()
    flow = translate_flow(["a", "b"], "en", "de", fake, cache, clock=clock)
    next(flow)
    next_request = flow.send(HttpResponse(200))  # first batch answered on 2026-03-14
    assert isinstance(next_request, HttpRequest)
    clock.advance(2)  # midnight passes while the second request is in flight
    with pytest.raises(StopIteration):
        flow.send(HttpResponse(200))
    assert cache.get(cache_key("a", "en", "de", "fake")).translated_at == DAY  # type: ignore[union-attr]
    assert cache.get(cache_key("b", "en", "de", "fake")).translated_at == date(2026, 3, 15)  # type: ignore[union-attr]


def test_default_clock_is_the_system_clock(frozen_today: date) -> None:
    cache = MemoryTranslationCache()
    drive(translate_flow(["a"], "en", "de", FakeTranslator({"a": "A"}), cache), ok)
    assert cache.get(cache_key("a", "en", "de", "fake")).translated_at == frozen_today  # type: ignore[union-attr]


def test_cache_hits_make_no_calls() -> None:
    fake = FakeTranslator({"Mug": "Tasse"})
    cache = MemoryTranslationCache()
    cache.put(
        cache_key("Mug", "en", "de", "fake"), CachedTranslation("Tasse", "fake", "en", "de", DAY)
    )
    requests, run = drive(translate_flow(["Mug", "Mug"], "en", "de", fake, cache), ok)
    assert requests == [] and fake.calls == []
    assert run == TranslationRun(requested=1, cache_hits=1, translated=0, missing=())


def test_cache_hits_are_per_provider_and_language_pair() -> None:
    cache = MemoryTranslationCache()
    cache.put(
        cache_key("Mug", "en", "de", "other"), CachedTranslation("X", "other", "en", "de", DAY)
    )
    cache.put(cache_key("Mug", "en", "fr", "fake"), CachedTranslation("X", "fake", "en", "fr", DAY))
    fake = FakeTranslator({"Mug": "Tasse"})
    _, run = drive(translate_flow(["Mug"], "en", "de", fake, cache), ok)
    assert run.translated == 1 and fake.calls == [["Mug"]]


def test_cache_hits_make_no_http_calls_through_run_flow() -> None:
    cache = MemoryTranslationCache()
    for text in ("Mug", "Blue"):
        cache.put(
            cache_key(text, "en", "de", "deepl"), CachedTranslation("x", "deepl", "en", "de", DAY)
        )
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        route = router.post("https://api-free.deepl.com/v2/translate").mock(
            return_value=httpx.Response(200, json={"translations": []})
        )
        translator = DeepLTranslator(FAKE_KEY)
        run = run_flow(translate_flow(["Mug", "Blue", "  "], "en", "de", translator, cache))
    assert run == TranslationRun(requested=2, cache_hits=2, translated=0, missing=())
    assert route.call_count == 0
    assert router.calls.call_count == 0


def test_dedupes_and_skips_blank_texts() -> None:
    fake = FakeTranslator({"Mug": "Tasse", "Café": "Kaffee"})
    texts = ["Mug", "", "   ", "\n", "Mug", "Café", unicodedata.normalize("NFD", "Café")]
    _, run = drive(translate_flow(texts, "en", "de", fake, MemoryTranslationCache()), ok)
    assert fake.calls == [["Mug", "Café"]]
    assert run.requested == 2 and run.translated == 2


def test_batches_at_max_batch() -> None:
    texts = [f"text {i}" for i in range(7)]
    fake = FakeTranslator({t: t.upper() for t in texts}, max_batch=3)
    requests, run = drive(translate_flow(texts, "en", "de", fake, MemoryTranslationCache()), ok)
    assert [len(c) for c in fake.calls] == [3, 3, 1]
    assert [t for c in fake.calls for t in c] == texts  # order kept
    assert len(requests) == 3
    assert run.translated == 7


def test_only_uncached_texts_are_batched() -> None:
    texts = [f"t{i}" for i in range(5)]
    cache = MemoryTranslationCache()
    for t in ("t0", "t2"):
        cache.put(cache_key(t, "en", "de", "fake"), CachedTranslation("x", "fake", "en", "de", DAY))
    fake = FakeTranslator({t: t for t in texts}, max_batch=2)
    _, run = drive(translate_flow(texts, "en", "de", fake, cache), ok)
    assert fake.calls == [["t1", "t3"], ["t4"]]
    assert run == TranslationRun(requested=5, cache_hits=2, translated=3, missing=())


def test_none_and_blank_results_are_not_cached() -> None:
    fake = FakeTranslator({"Mug": "Tasse", "Odd": "  "})
    cache = MemoryTranslationCache()
    _, run = drive(translate_flow(["Mug", "Unknown", "Odd"], "en", "de", fake, cache), ok)
    assert run == TranslationRun(
        requested=3, cache_hits=0, translated=1, missing=("Unknown", "Odd")
    )
    assert cache.get(cache_key("Unknown", "en", "de", "fake")) is None
    assert cache.get(cache_key("Odd", "en", "de", "fake")) is None
    # Asked again, the missing texts are asked again (nothing was cached for them).
    _, again = drive(translate_flow(["Mug", "Unknown"], "en", "de", fake, cache), ok)
    assert fake.calls[-1] == ["Unknown"]
    assert again.cache_hits == 1 and again.missing == ("Unknown",)


def test_language_codes_are_canonical_in_keys_and_calls() -> None:
    seen: list[tuple[str, str]] = []

    class Recording(FakeTranslator):
        def flow(self, texts, *, source, target):  # type: ignore[no-untyped-def]
            seen.append((source, target))
            return super().flow(texts, source=source, target=target)

    cache = MemoryTranslationCache()
    drive(translate_flow(["Mug"], "EN", "pt_br", Recording({"Mug": "Caneca"}), cache), ok)
    assert seen == [("en", "pt-BR")]
    assert cache.get(cache_key("Mug", "en", "pt-BR", "fake")) is not None


def test_a_failed_batch_leaves_earlier_batches_cached() -> None:
    texts = ["a", "b", "c"]
    fake = FakeTranslator({t: t.upper() for t in texts}, max_batch=1, fail_on_call=2)
    cache = MemoryTranslationCache()
    with pytest.raises(TranslationError, match="boom"):
        drive(translate_flow(texts, "en", "de", fake, cache), ok)
    assert cache.get(cache_key("a", "en", "de", "fake")) is not None
    assert cache.get(cache_key("b", "en", "de", "fake")) is None
    # A rerun continues where it stopped.
    fake.fail_on_call = None
    _, run = drive(translate_flow(texts, "en", "de", fake, cache), ok)
    assert run == TranslationRun(requested=3, cache_hits=1, translated=2, missing=())


def test_a_translator_returning_the_wrong_count_is_an_error() -> None:
    class Short(FakeTranslator):
        def flow(self, texts, *, source, target):  # type: ignore[no-untyped-def]
            result = yield from super().flow(texts, source=source, target=target)
            return result[:-1]

    with pytest.raises(TranslationError, match="fake: returned 1 results for 2 texts"):
        drive(translate_flow(["a", "b"], "en", "de", Short({}), MemoryTranslationCache()), ok)


def test_a_translator_returning_non_strings_is_an_error() -> None:
    class Bad(FakeTranslator):
        def flow(self, texts, *, source, target):  # type: ignore[no-untyped-def]
            yield from super().flow(texts, source=source, target=target)
            return [42]

    with pytest.raises(TranslationError, match="instead of a str or None"):
        drive(translate_flow(["a"], "en", "de", Bad({}), MemoryTranslationCache()), ok)


def test_arguments_are_checked_before_anything_runs() -> None:
    cache = MemoryTranslationCache()
    with pytest.raises(TypeError, match="translator"):
        translate_flow(["a"], "en", "de", object(), cache)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cache"):
        translate_flow(["a"], "en", "de", FakeTranslator({}), {})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="one str"):
        translate_flow("Mug", "en", "de", FakeTranslator({}), cache)
    with pytest.raises(TypeError, match="str items"):
        translate_flow([b"Mug"], "en", "de", FakeTranslator({}), cache)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="max_batch"):
        translate_flow(["a"], "en", "de", FakeTranslator({}, max_batch=0), cache)
    with pytest.raises(UnknownLocaleError):
        translate_flow(["a"], "en", "Deutsch", FakeTranslator({}), cache)


def test_nothing_to_do_finishes_without_a_request() -> None:
    requests, run = drive(
        translate_flow([], "en", "de", FakeTranslator({}), MemoryTranslationCache()), ok
    )
    assert requests == [] and run == TranslationRun(0, 0, 0, ())


def test_glossary_step_needs_no_driver_io() -> None:
    cache = MemoryTranslationCache()
    clock = FakeClock(DAY)
    requests, run = drive(
        translate_flow(
            ["Blue", "Navy", "Handmade mug"], "en", "de", GlossaryTranslator(), cache, clock=clock
        ),
        ok,
    )
    assert requests == []
    assert run == TranslationRun(requested=3, cache_hits=0, translated=2, missing=("Handmade mug",))
    assert cache.get(cache_key("Navy", "en", "de", "glossary")) == CachedTranslation(
        "Marineblau", "glossary", "en", "de", DAY
    )


@respx.mock
def test_run_flow_with_deepl_batches_and_caches() -> None:
    texts = [f"Mug {i}" for i in range(120)]

    def answer(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)["text"]
        return httpx.Response(
            200, json={"translations": [{"text": t.replace("Mug", "Tasse")} for t in sent]}
        )

    route = respx.post("https://api-free.deepl.com/v2/translate").mock(side_effect=answer)
    cache = MemoryTranslationCache()
    run = run_flow(
        translate_flow(texts, "en", "de", DeepLTranslator(FAKE_KEY), cache, clock=FakeClock(DAY))
    )
    assert route.call_count == 3  # 50 + 50 + 20
    assert [len(json.loads(c.request.content)["text"]) for c in route.calls] == [50, 50, 20]
    assert run == TranslationRun(requested=120, cache_hits=0, translated=120, missing=())
    assert cache.get(cache_key("Mug 7", "en", "de", "deepl")) == CachedTranslation(
        "Tasse 7", "deepl", "en", "de", DAY
    )
    # The second run is served from the cache: no call at all.
    again = run_flow(translate_flow(texts, "en", "de", DeepLTranslator(FAKE_KEY), cache))
    assert again.cache_hits == 120 and route.call_count == 3
