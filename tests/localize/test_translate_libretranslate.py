"""LibreTranslateTranslator against fixtures built from LibreTranslate's documentation.

Sources (also named at the top of each fixture file in fixtures/libretranslate/):
- https://docs.libretranslate.com/guides/api_usage/ (POST /translate, the "Simple" example)
- https://libretranslate.com/docs/ -- the OpenAPI description served by every server, generated
  from libretranslate/app.py in https://github.com/LibreTranslate/LibreTranslate (q as an
  array, translatedText as an array; 400 Invalid request, 403 Banned, 429 Slow down,
  500 Translation error, all as {"error": "..."})
- https://docs.libretranslate.com/guides/supported_languages/ (language codes, pb and zt)
"""

from __future__ import annotations

import json
import logging

import pytest
import respx
from pydantic import SecretStr

from xborder.errors import (
    ConfigurationError,
    TranslationError,
    TranslatorAuthError,
    TranslatorQuotaError,
)
from xborder.http import HttpRequest, HttpResponse, run_flow
from xborder.localize.translate import (
    LibreTranslateTranslator,
    MemoryTranslationCache,
    Translator,
    translate_flow,
)
from xborder.localize.translate._libre import libre_code

from .test_translate_helpers import drive, fixture, leaks, log_text

URL = "https://libretranslate.example.com"
KEY = "6b0f8a52-3c4d-4e7f-9a1b-c2d3e4f5a6b7"


def body_of(request: HttpRequest) -> dict[str, object]:
    loaded = json.loads(request.content)
    assert isinstance(loaded, dict)
    return loaded


def echo(request: HttpRequest) -> HttpResponse:
    texts = body_of(request)["q"]
    assert isinstance(texts, list)
    content = json.dumps({"translatedText": [f"<{t}>" for t in texts]}).encode()
    return HttpResponse(200, {"content-type": "application/json"}, content, request.url)


# -- configuration --------------------------------------------------------------------------------


def test_settings() -> None:
    translator = LibreTranslateTranslator(URL + "/", api_key=SecretStr(KEY), max_batch=10)
    assert isinstance(translator, Translator)
    assert (translator.name, translator.max_batch, translator.url) == ("libretranslate", 10, URL)
    assert repr(translator) == (
        "LibreTranslateTranslator(url='https://libretranslate.example.com', api_key=set, "
        "max_batch=10)"
    )
    assert "api_key=none" in repr(LibreTranslateTranslator("http://localhost:5000"))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"url": "localhost:5000"}, ConfigurationError, "url must be an http"),
        ({"url": URL, "api_key": ""}, ConfigurationError, "api_key is empty"),
        ({"url": URL, "api_key": 42}, TypeError, "got int"),
        ({"url": URL, "max_batch": 0}, ConfigurationError, "max_batch"),
        ({"url": URL, "max_batch": True}, ConfigurationError, "max_batch"),
    ],
)
def test_bad_settings(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        LibreTranslateTranslator(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "libre"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("pt", "pt"),
        ("pt-PT", "pt"),
        ("pt-BR", "pb"),
        ("zh", "zh"),
        ("zh-Hans", "zh"),
        ("zh-Hant", "zt"),
        ("zh-TW", "zt"),
        ("no", "nb"),
        ("ja-JP", "ja"),
    ],
)
def test_language_codes(code: str, libre: str) -> None:
    assert libre_code(code) == libre


def test_code_overrides_and_server_languages() -> None:
    translator = LibreTranslateTranslator(
        URL, languages=["en", "de"], codes={"zh_hans": "zh-Hans", "pt-BR": "pt-BR"}
    )
    assert translator.code("zh-Hans") == "zh-Hans"
    assert translator.code("pt-br") == "pt-BR"
    assert translator.supports("en", "zh-Hans")  # a mapped code counts as offered
    assert translator.supports("en", "de")
    assert not translator.supports("en", "fr")  # not loaded on this server
    requests, _ = drive(translator.flow(["Hi"], source="en", target="zh-Hans"), echo)
    assert body_of(requests[0])["target"] == "zh-Hans"


@pytest.mark.parametrize(("source", "target"), [("en", "xh"), ("cy", "de"), ("en", "en-GB")])
def test_unsupported_pairs_fail_before_any_request(source: str, target: str) -> None:
    translator = LibreTranslateTranslator(URL, api_key=KEY)
    assert not translator.supports(source, target)
    with pytest.raises(TranslationError, match=r"libretranslate: language pair .* not supported"):
        translator.flow(["Mug"], source=source, target=target)


# -- success ------------------------------------------------------------------------------------


@respx.mock
def test_documented_batch_through_run_flow() -> None:
    fx = fixture("libretranslate", "translate-batch")
    route = respx.post(f"{URL}/translate").mock(return_value=fx.httpx_response())
    translator = LibreTranslateTranslator(URL)
    result = run_flow(translator.flow(["Hello!", "Hello world!"], source="en", target="es"))
    assert result == ["¡Hola!", "¡Hola Mundo!"]
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.content) == fx.request


def test_batch_driven_by_hand_with_a_key() -> None:
    fx = fixture("libretranslate", "translate-batch")
    translator = LibreTranslateTranslator(URL, api_key=SecretStr(KEY))
    requests, result = drive(
        translator.flow(["Hello!", "Hello world!"], source="en", target="es"), [fx.response()]
    )
    assert result == ["¡Hola!", "¡Hola Mundo!"]
    (request,) = requests
    assert (request.method, request.url) == ("POST", f"{URL}/translate")
    assert body_of(request) == {**(fx.request or {}), "api_key": KEY}


@respx.mock
def test_through_translate_flow() -> None:
    respx.post(f"{URL}/translate").mock(
        return_value=fixture("libretranslate", "translate-batch").httpx_response()
    )
    cache = MemoryTranslationCache()
    translator = LibreTranslateTranslator(URL)
    run = run_flow(translate_flow(["Hello!", "Hello world!"], "en", "es", translator, cache))
    assert run.translated == 2 and run.missing == ()


def test_batches_of_max_batch() -> None:
    texts = [f"t{i}" for i in range(5)]
    translator = LibreTranslateTranslator(URL, max_batch=2)
    requests, result = drive(translator.flow(texts, source="en", target="fr"), echo)
    assert [body_of(r)["q"] for r in requests] == [["t0", "t1"], ["t2", "t3"], ["t4"]]
    assert result == [f"<{t}>" for t in texts]


def test_brazilian_portuguese_and_traditional_chinese_codes_are_sent() -> None:
    translator = LibreTranslateTranslator(URL)
    requests, _ = drive(translator.flow(["Hi"], source="en", target="pt-BR"), echo)
    assert body_of(requests[0])["target"] == "pb"
    requests, _ = drive(translator.flow(["Hi"], source="en", target="zh-TW"), echo)
    assert body_of(requests[0])["target"] == "zt"


def test_the_documented_single_string_answer_means_no_batch_support() -> None:
    flow = LibreTranslateTranslator(URL).flow(["Hello!"], source="en", target="es")
    with pytest.raises(TranslationError, match="does not seem to support batch"):
        drive(flow, [fixture("libretranslate", "translate").response()])


# -- errors --------------------------------------------------------------------------------------

ERRORS = [
    ("error-403-invalid-key", TranslatorAuthError, 403, "refused the API key.*Invalid API key"),
    ("error-400-key-required", TranslatorAuthError, 400, "contact the server operator"),
    ("error-403-banned", TranslatorQuotaError, 403, "banned.*Too many request limits violations"),
    ("error-429", TranslatorQuotaError, 429, "Slowdown: 20 per 1 minute; retry after 60 s"),
    ("error-500", TranslationError, 500, "failed to translate: Cannot translate text"),
    ("error-400-unsupported", TranslationError, 400, "invalid request: xx is not supported"),
    ("malformed", TranslationError, 200, "not JSON"),
    ("wrong-count", TranslationError, 200, "answered 1 translations for 2 texts"),
]


@pytest.mark.parametrize(("name", "error", "status", "message"), ERRORS)
def test_errors_driven_by_hand(
    name: str, error: type[TranslationError], status: int, message: str
) -> None:
    translator = LibreTranslateTranslator(URL, api_key=KEY)
    flow = translator.flow(["Hello!", "Hello world!"], source="en", target="es")
    with pytest.raises(error, match=message) as info:
        drive(flow, [fixture("libretranslate", name).response()])
    assert type(info.value) is error
    assert info.value.status == status and info.value.provider == "libretranslate"
    assert not leaks(KEY, info.value, translator)


@pytest.mark.parametrize(("name", "error", "status", "message"), ERRORS)
@respx.mock
def test_errors_through_run_flow(
    name: str,
    error: type[TranslationError],
    status: int,
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    respx.post(f"{URL}/translate").mock(
        return_value=fixture("libretranslate", name).httpx_response()
    )
    translator = LibreTranslateTranslator(URL, api_key=SecretStr(KEY))
    cache = MemoryTranslationCache()
    with pytest.raises(error, match=message) as info:
        run_flow(translate_flow(["Hello!", "Hello world!"], "en", "es", translator, cache))
    assert info.value.status == status
    assert not leaks(KEY, info.value, translator, cache)
    assert KEY not in log_text(caplog.records) and "libretranslate: POST" in caplog.text


def test_retry_after() -> None:
    flow = LibreTranslateTranslator(URL).flow(["a"], source="en", target="de")
    with pytest.raises(TranslatorQuotaError) as info:
        drive(flow, [fixture("libretranslate", "error-429").response()])
    assert info.value.retry_after == 60.0
    flow = LibreTranslateTranslator(URL).flow(["a"], source="en", target="de")
    with pytest.raises(TranslatorQuotaError, match="slow down") as bare:
        drive(flow, [HttpResponse(429, {}, b"")])
    assert bare.value.retry_after is None


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (401, b"", TranslatorAuthError, "HTTP 401"),
        (403, b"", TranslatorQuotaError, "banned"),
        (502, b"<html>Bad Gateway</html>", TranslationError, "HTTP 502, the server failed"),
        (404, b'{"error": "Not Found"}', TranslationError, "unexpected HTTP 404: Not Found"),
        (400, b"plain words", TranslationError, "invalid request: plain words"),
    ],
)
def test_other_answers(
    status: int, body: bytes, error: type[TranslationError], message: str
) -> None:
    flow = LibreTranslateTranslator(URL).flow(["a"], source="en", target="de")
    with pytest.raises(error, match=message):
        drive(flow, [HttpResponse(status, {}, body)])


@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"translatedText": null}', b'{"translatedText": [1]}', b'{"error": "x"}'],
)
def test_bodies_that_do_not_fit_the_spec(body: bytes) -> None:
    flow = LibreTranslateTranslator(URL).flow(["a"], source="en", target="de")
    with pytest.raises(TranslationError):
        drive(flow, [HttpResponse(200, {}, body)])


# -- the key never leaks ---------------------------------------------------------------------------


def test_the_key_is_only_in_the_json_body() -> None:
    translator = LibreTranslateTranslator(URL, api_key=KEY)
    assert not leaks(KEY, translator, vars(translator))
    requests, _ = drive(translator.flow(["a"], source="en", target="de"), echo)
    (request,) = requests
    assert KEY not in request.url
    assert all(KEY not in v for v in request.headers.values())
    assert body_of(request)["api_key"] == KEY


def test_a_key_echoed_by_the_server_is_redacted() -> None:
    body = json.dumps({"error": f"Invalid API key {KEY}"}).encode()
    flow = LibreTranslateTranslator(URL, api_key=KEY).flow(["a"], source="en", target="de")
    with pytest.raises(TranslatorAuthError, match=r"Invalid API key \*\*\*") as info:
        drive(flow, [HttpResponse(403, {}, body)])
    assert not leaks(KEY, info.value)
