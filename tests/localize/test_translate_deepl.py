"""DeepLTranslator against fixtures built from DeepL's documentation.

Sources (also named at the top of each fixture file in fixtures/deepl/):
- https://developers.deepl.com/docs/api-reference/translate/openapi-spec-for-text-translation
  (request/response of POST /v2/translate, 50 texts and 128 KiB per request, languages)
- https://developers.deepl.com/docs/getting-started/auth (DeepL-Auth-Key header, ":fx" keys
  use https://api-free.deepl.com)
- https://developers.deepl.com/docs/best-practices/error-handling (429, 456, 500)
- https://support.deepl.com/hc/en-us/articles/9773964275868-DeepL-API-error-messages (400, 403)
"""

from __future__ import annotations

import json
import logging

import httpx
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
    DEEPL_MAX_REQUEST_BYTES,
    DeepLTranslator,
    MemoryTranslationCache,
    Translator,
    translate_flow,
)
from xborder.localize.translate._deepl import deepl_source, deepl_target

from .test_translate_helpers import FAKE_KEY, drive, fixture, leaks, log_text

PRO_KEY = "5c1d7e22-8a4b-4f6e-b3a9-2d0c9e8f7a61"
PRO_URL = "https://api.deepl.com/v2/translate"
FREE_URL = "https://api-free.deepl.com/v2/translate"


def body_of(request: HttpRequest | httpx.Request) -> dict[str, object]:
    loaded = json.loads(request.content)
    assert isinstance(loaded, dict)
    return loaded


def echo(request: HttpRequest) -> HttpResponse:
    texts = body_of(request)["text"]
    assert isinstance(texts, list)
    content = json.dumps({"translations": [{"text": f"<{t}>"} for t in texts]}).encode()
    return HttpResponse(200, {"content-type": "application/json"}, content, request.url)


# -- configuration ------------------------------------------------------------------------------


def test_free_and_pro_servers() -> None:
    assert DeepLTranslator(FAKE_KEY).url == FREE_URL
    assert DeepLTranslator(PRO_KEY).url == PRO_URL
    assert DeepLTranslator(SecretStr(PRO_KEY)).url == PRO_URL
    custom = DeepLTranslator(PRO_KEY, server_url="https://deepl.example.com/")
    assert custom.url == "https://deepl.example.com/v2/translate"
    translator = DeepLTranslator(PRO_KEY)
    assert isinstance(translator, Translator)
    assert (translator.name, translator.max_batch) == ("deepl", 50)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"api_key": ""}, ConfigurationError, "api_key is empty"),
        ({"api_key": SecretStr("  ")}, ConfigurationError, "api_key is empty"),
        ({"api_key": PRO_KEY + "\n"}, ConfigurationError, "line break"),
        ({"api_key": 1234}, TypeError, "str or pydantic.SecretStr, got int"),
        ({"api_key": PRO_KEY, "server_url": "ftp://x"}, ConfigurationError, "server_url"),
        ({"api_key": PRO_KEY, "formality": "casual"}, ConfigurationError, "formality"),
    ],
)
def test_bad_settings(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        DeepLTranslator(**kwargs)  # type: ignore[arg-type]
    assert not leaks(PRO_KEY, info.value)


@pytest.mark.parametrize(
    ("code", "source", "target"),
    [
        ("en", "EN", "EN-US"),
        ("en-US", "EN", "EN-US"),
        ("en-GB", "EN", "EN-GB"),
        ("en-AU", "EN", "EN-GB"),
        ("en-IE", "EN", "EN-GB"),
        ("en-CA", "EN", "EN-US"),
        ("pt", "PT", "PT-PT"),
        ("pt-PT", "PT", "PT-PT"),
        ("pt-BR", "PT", "PT-BR"),
        ("zh", "ZH", "ZH-HANS"),
        ("zh-Hans", "ZH", "ZH-HANS"),
        ("zh-CN", "ZH", "ZH-HANS"),
        ("zh-Hant", "ZH", "ZH-HANT"),
        ("zh-TW", "ZH", "ZH-HANT"),
        ("zh-HK", "ZH", "ZH-HANT"),
        ("es", "ES", "ES"),
        ("es-ES", "ES", "ES"),
        ("es-MX", "ES", "ES-419"),
        ("es-419", "ES", "ES-419"),
        ("no", "NB", "NB"),
        ("nb", "NB", "NB"),
        ("de-AT", "DE", "DE"),
        ("ja", "JA", "JA"),
        ("sv", "SV", "SV"),
        ("xh", None, None),
        ("nn", None, None),
    ],
)
def test_language_codes(code: str, source: str | None, target: str | None) -> None:
    assert deepl_source(code) == source
    assert deepl_target(code) == target


@pytest.mark.parametrize(("source", "target"), [("en", "xh"), ("cy", "de"), ("en", "nn")])
def test_unsupported_pairs_fail_before_any_request(source: str, target: str) -> None:
    translator = DeepLTranslator(PRO_KEY)
    assert not translator.supports(source, target)
    with pytest.raises(TranslationError, match=r"deepl: language pair .* is not supported") as info:
        translator.flow(["Mug"], source=source, target=target)
    assert info.value.status is None
    assert not leaks(PRO_KEY, info.value)


# -- success -----------------------------------------------------------------------------------


@respx.mock
def test_documented_example_through_run_flow() -> None:
    fx = fixture("deepl", "translate")
    route = respx.post(PRO_URL).mock(return_value=fx.httpx_response())
    result = run_flow(DeepLTranslator(PRO_KEY).flow(["Hello, World!"], source="en", target="de"))
    assert result == ["Hallo, Welt!"]
    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"DeepL-Auth-Key {PRO_KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert body_of(sent) == fx.request


def test_batch_driven_by_hand() -> None:
    fx = fixture("deepl", "translate-batch")
    translator = DeepLTranslator(PRO_KEY)
    texts = ["Hello, World!", "Handmade stoneware mug"]
    requests, result = drive(translator.flow(texts, source="en", target="de"), [fx.response()])
    assert result == ["Hallo, Welt!", "Handgemachte Tasse aus Steinzeug"]
    (request,) = requests
    assert (request.method, request.url) == ("POST", PRO_URL)
    assert body_of(request) == fx.request


@respx.mock
def test_batch_through_translate_flow_and_run_flow() -> None:
    fx = fixture("deepl", "translate-batch")
    respx.post(FREE_URL).mock(return_value=fx.httpx_response())
    cache = MemoryTranslationCache()
    texts = ["Hello, World!", "Handmade stoneware mug"]
    run = run_flow(translate_flow(texts, "en", "de", DeepLTranslator(FAKE_KEY), cache))
    assert run.translated == 2


def test_formality_and_target_variants_are_sent() -> None:
    translator = DeepLTranslator(PRO_KEY, formality="prefer_less")
    requests, _ = drive(translator.flow(["Hi"], source="en-US", target="pt-BR"), echo)
    assert body_of(requests[0]) == {
        "text": ["Hi"],
        "source_lang": "EN",
        "target_lang": "PT-BR",
        "formality": "prefer_less",
    }


def test_no_texts_no_request() -> None:
    requests, result = drive(DeepLTranslator(PRO_KEY).flow([], source="en", target="de"), echo)
    assert requests == [] and result == []


def test_at_most_50_texts_per_request() -> None:
    texts = [f"t{i}" for i in range(101)]
    requests, result = drive(DeepLTranslator(PRO_KEY).flow(texts, source="en", target="fr"), echo)
    assert [len(body_of(r)["text"]) for r in requests] == [50, 50, 1]  # type: ignore[arg-type]
    assert result == [f"<{t}>" for t in texts]


def test_at_most_128_kib_per_request() -> None:
    texts = ["é" * 20_000 for _ in range(5)]  # 40,000 bytes each in UTF-8
    requests, result = drive(DeepLTranslator(PRO_KEY).flow(texts, source="en", target="fr"), echo)
    assert [len(body_of(r)["text"]) for r in requests] == [3, 2]  # type: ignore[arg-type]
    assert all(len(r.content) <= DEEPL_MAX_REQUEST_BYTES for r in requests)
    assert len(result) == 5


def test_a_text_too_big_for_one_request() -> None:
    with pytest.raises(TranslationError, match="does not fit in one request"):
        DeepLTranslator(PRO_KEY).flow(["x" * DEEPL_MAX_REQUEST_BYTES], source="en", target="fr")


# -- errors ----------------------------------------------------------------------------------------

ERRORS = [
    ("error-403", TranslatorAuthError, 403, "API key was refused: Authorization failed"),
    ("error-456", TranslatorQuotaError, 456, "character quota is exhausted"),
    ("error-429", TranslatorQuotaError, 429, "too many requests.*retry after 3 s"),
    ("error-500", TranslationError, 500, "temporary DeepL error: Internal error"),
    ("error-400", TranslationError, 400, "bad request: Value for 'target_lang' not supported"),
    ("malformed", TranslationError, 200, "not JSON"),
    ("wrong-count", TranslationError, 200, "answered 1 translations for 2 texts"),
]


@pytest.mark.parametrize(("name", "error", "status", "message"), ERRORS)
def test_errors_driven_by_hand(
    name: str, error: type[TranslationError], status: int, message: str
) -> None:
    fx = fixture("deepl", name)
    translator = DeepLTranslator(PRO_KEY)
    flow = translator.flow(["Hello, World!", "Mug"], source="en", target="de")
    with pytest.raises(error, match=message) as info:
        drive(flow, [fx.response()])
    assert type(info.value) is error
    assert info.value.status == status and info.value.provider == "deepl"
    assert not leaks(PRO_KEY, info.value, translator)


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
    respx.post(FREE_URL).mock(return_value=fixture("deepl", name).httpx_response())
    translator = DeepLTranslator(FAKE_KEY)
    cache = MemoryTranslationCache()
    with pytest.raises(error, match=message) as info:
        run_flow(translate_flow(["Hello, World!", "Mug"], "en", "de", translator, cache))
    assert info.value.status == status
    assert not leaks(FAKE_KEY, info.value, translator, cache)
    assert FAKE_KEY not in log_text(caplog.records) and "deepl: POST" in caplog.text


def test_quota_errors_carry_retry_after() -> None:
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    with pytest.raises(TranslatorQuotaError) as info:
        drive(flow, [fixture("deepl", "error-429").response()])
    assert info.value.retry_after == 3.0
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    with pytest.raises(TranslatorQuotaError) as quota:
        drive(flow, [fixture("deepl", "error-456").response()])
    assert quota.value.retry_after is None


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "120"}, 120.0),
        ({"Retry-After": "1.5"}, 1.5),
        (
            {
                "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT",
                "date": "Wed, 21 Oct 2026 07:28:00 GMT",
            },
            30.0,
        ),
        ({"retry-after": "Wed, 21 Oct 2026 07:28:30 GMT"}, None),  # no Date to count from
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-5"}, None),
        ({}, None),
    ],
)
def test_retry_after_forms(headers: dict[str, str], seconds: float | None) -> None:
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    with pytest.raises(TranslatorQuotaError) as info:
        drive(flow, [HttpResponse(429, headers, b"")])
    assert info.value.retry_after == seconds
    assert "retry" in str(info.value)


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (401, TranslatorAuthError, "API key was refused"),
        (
            404,
            TranslationError,
            "HTTP 404 from https://api.deepl.com/v2/translate; check server_url",
        ),
        (413, TranslationError, "larger than DeepL accepts"),
        (529, TranslatorQuotaError, "too many requests"),
        (503, TranslationError, "HTTP 503, a temporary DeepL error"),
        (418, TranslationError, "unexpected HTTP 418"),
    ],
)
def test_other_statuses(status: int, error: type[TranslationError], message: str) -> None:
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    with pytest.raises(error, match=message):
        drive(flow, [HttpResponse(status, {}, b"")])


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"translations": {}}',
        b'{"translations": [{"detected_source_language": "EN"}]}',
        b'{"translations": ["Hallo"]}',
        b"\xff\xfe",
    ],
)
def test_bodies_that_do_not_fit_the_spec(body: bytes) -> None:
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    with pytest.raises(TranslationError):
        drive(flow, [HttpResponse(200, {}, body)])


def test_a_response_that_is_not_an_http_response() -> None:
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    next(flow)
    with pytest.raises(TypeError, match="HttpResponse"):
        flow.send("200 OK")  # type: ignore[arg-type]


# -- the key never leaks -----------------------------------------------------------------------


def test_the_key_is_not_in_reprs() -> None:
    translator = DeepLTranslator(SecretStr(PRO_KEY), formality="more")
    assert not leaks(PRO_KEY, translator, vars(translator), str(translator))
    assert (
        repr(translator) == "DeepLTranslator(server_url='https://api.deepl.com', formality='more')"
    )


def test_a_key_echoed_by_the_server_is_redacted() -> None:
    body = json.dumps({"message": f"Key {PRO_KEY} is not valid"}).encode()
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    with pytest.raises(TranslatorAuthError, match=r"Key \*\*\* is not valid") as info:
        drive(flow, [HttpResponse(403, {}, body)])
    assert not leaks(PRO_KEY, info.value)


def test_a_key_in_a_malformed_body_is_redacted() -> None:
    flow = DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de")
    with pytest.raises(TranslationError, match="not JSON") as info:
        drive(flow, [HttpResponse(200, {}, f"oops {PRO_KEY}".encode())])
    assert not leaks(PRO_KEY, info.value)


def test_the_key_is_only_in_the_authorization_header() -> None:
    requests, _ = drive(DeepLTranslator(PRO_KEY).flow(["a"], source="en", target="de"), echo)
    (request,) = requests
    assert PRO_KEY not in request.url and PRO_KEY.encode() not in request.content
    assert [k for k, v in request.headers.items() if PRO_KEY in v] == ["Authorization"]
