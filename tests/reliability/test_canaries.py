"""Canary credentials never show: adapters, translators, the Client and the CLI (issue #10).

Every credential here is a canary: a unique marker that must not appear in any log record
(all loggers, DEBUG, message, arguments and formatted traceback), any repr/str, any exception
(with its __cause__/__context__ chain and formatted traceback), any event, any result or any
CLI output. The answers are hostile on purpose: the marketplace or provider echoes the
credentials it was sent in its error body, as a misbehaving server or proxy may.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import shutil
import sqlite3
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from xborder.client import AsyncClient, Client, Event, RetryPolicy
from xborder.errors import XborderError
from xborder.localize.translate import (
    DeepLTranslator,
    LibreTranslateTranslator,
    MemoryTranslationCache,
    translate_flow,
)
from xborder.marketplaces import Adapter, OfferKey
from xborder.marketplaces.amazon import AmazonAdapter, AmazonSettings
from xborder.marketplaces.ebay import EbayAdapter, EbaySettings
from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings
from xborder.testing import FakeClock

# Each canary starts with its own random-looking tag, so that even the start of one (left
# by a cut through it) is found.
EBAY_SECRET = "c4n1e7b2a9f01d33-ebay-cert"
EBAY_REFRESH = "v^1.1#i^1#c4n2e7b2a9f01d44-ebay-refresh"
AMAZON_SECRET = "amzn1.oa2-cs.v1.c4n3a7b2a9f01d55-amazon-secret"
AMAZON_REFRESH = "Atzr|c4n4a7b2a9f01d66-amazon-refresh"
META_TOKEN = "EAABc4n5f7b2a9f01d77-meta-token"
META_APP_SECRET = "c4n6f7b2a9f01d88-meta-app-secret"
ACCESS = "Atza|c4n7a7b2a9f01d99-issued-access"
DEEPL_KEY = "c4n8d7b2a9f01daa-deepl-key:fx"
LIBRE_KEY = "c4n9l7b2a9f01dbb-libre-key"
CANARIES = (
    EBAY_SECRET,
    EBAY_REFRESH,
    AMAZON_SECRET,
    AMAZON_REFRESH,
    META_TOKEN,
    META_APP_SECRET,
    ACCESS,
    DEEPL_KEY,
    LIBRE_KEY,
)
TAGS = tuple(c[c.index("c4n") : c.index("c4n") + 16] for c in CANARIES)
# What each adapter holds, and (with the access token issued to it) what it sends: a server
# can only echo what it received.
HELD = {
    "ebay": (EBAY_SECRET, EBAY_REFRESH),
    "amazon": (AMAZON_SECRET, AMAZON_REFRESH),
}
KNOWN = {
    "ebay": (EBAY_SECRET, EBAY_REFRESH, ACCESS),
    "amazon": (AMAZON_SECRET, AMAZON_REFRESH, ACCESS),
    "facebook": (META_TOKEN, META_APP_SECRET),
    "deepl": (DEEPL_KEY,),
    "libretranslate": (LIBRE_KEY,),
}


def leaks(*texts: str) -> list[str]:
    return [tag for tag in TAGS for text in texts if tag in text]


def exception_texts(error: BaseException) -> list[str]:
    texts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [
            str(current),
            repr(current),
            repr(vars(current)) if hasattr(current, "__dict__") else "",
        ]
        texts += [repr(arg) for arg in current.args]
        current = current.__cause__ or current.__context__
    return texts


def record_texts(records: list[logging.LogRecord]) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts: list[str] = []
    for record in records:
        texts += [formatter.format(record), str(record.msg), repr(record.args)]
        if record.exc_info and record.exc_info[1] is not None:
            texts += exception_texts(record.exc_info[1])
    return texts


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    # DEBUG on the root logger: every logger (xborder's, httpx's, httpcore's) propagates here.
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "xborder"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


# -- adapters ----------------------------------------------------------------------------------


def ebay() -> EbayAdapter:
    return EbayAdapter(
        EbaySettings(
            client_id="xborder-app-PRD-canary",
            client_secret=SecretStr(EBAY_SECRET),
            refresh_token=SecretStr(EBAY_REFRESH),
            ru_name="xborder-xborder-PRD-abc",
        )
    )


def amazon() -> AmazonAdapter:
    return AmazonAdapter(
        AmazonSettings(
            client_id="amzn1.application-oa2-client.canary",
            client_secret=SecretStr(AMAZON_SECRET),
            refresh_token=SecretStr(AMAZON_REFRESH),
            seller_id="A2CANARY1",
        )
    )


def facebook() -> FacebookAdapter:
    return FacebookAdapter(
        FacebookSettings(
            catalog_id="1234567890123456",
            access_token=SecretStr(META_TOKEN),
            app_secret=SecretStr(META_APP_SECRET),
            base_market="GB",
        )
    )


ADAPTERS: dict[str, Callable[[], Adapter]] = {
    "ebay": ebay,
    "amazon": amazon,
    "facebook": facebook,
}


def is_token(request: httpx.Request) -> bool:
    return request.url.path.endswith(("/oauth2/token", "/o2/token"))


def token_ok(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"access_token": ACCESS, "expires_in": 3600})


def echo_error(name: str, status: int) -> httpx.Response:
    """The marketplace's error shape, every text slot echoing the adapter's credentials."""
    echo = " ".join(KNOWN[name])
    if name == "ebay":
        body: dict[str, Any] = {
            "errors": [
                {
                    "errorId": 1001 if status == 401 else 25002,
                    "message": f"bad {echo}",
                    "longMessage": f"request had Authorization: Bearer {ACCESS} ({echo})",
                    "parameters": [{"name": "fieldName", "value": echo}],
                }
            ]
        }
    elif name == "amazon":
        body = {"errors": [{"code": "Unauthorized", "message": echo, "details": echo}]}
    else:
        body = {
            "error": {
                "message": f"Invalid OAuth access token - {echo}",
                "type": "OAuthException",
                "code": 190 if status == 401 else 100,
                "fbtrace_id": echo,
            }
        }
    return httpx.Response(status, json=body, headers={"x-request-id": ACCESS})


SCENARIOS: dict[str, Callable[[str], Callable[[httpx.Request], httpx.Response]]] = {
    # The usual way: a token, then an answer (not found).
    "normal": lambda name: lambda r: token_ok(r) if is_token(r) else httpx.Response(404),
    # The token endpoint refuses the credentials and quotes them back.
    "token_refused": lambda name: (
        lambda r: (
            httpx.Response(
                401,
                json={
                    "error": "invalid_client",
                    "error_description": f"bad client {' '.join(HELD[name])}",
                },
            )
            if is_token(r)
            else echo_error(name, 401)
        )
    ),
    # The API refuses the access token (twice: after one re-authentication) and quotes it.
    "api_refused": lambda name: lambda r: token_ok(r) if is_token(r) else echo_error(name, 401),
    "bad_request": lambda name: lambda r: token_ok(r) if is_token(r) else echo_error(name, 400),
    "server_error": lambda name: lambda r: token_ok(r) if is_token(r) else echo_error(name, 503),
}


def timeout_scenario(name: str) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if is_token(request):
            return token_ok(request)
        echo = " ".join(KNOWN[name])
        raise httpx.ReadTimeout(f"timed out; headers were {dict(request.headers)} {echo}")

    return handler


SCENARIOS["timeout"] = timeout_scenario


def drive(mode: str, handler: Any, work: Callable[[Any], Any], on_event: Any) -> Any:
    options: dict[str, Any] = {
        "clock": FakeClock(),
        "retry": RetryPolicy(max_attempts=2, seed=3),
        "on_event": on_event,
    }
    if mode == "sync":
        with (
            httpx.Client(transport=httpx.MockTransport(handler)) as http,
            Client(http=http, **options) as client,
        ):
            return work(client), repr(client)

    async def main() -> Any:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http,
            AsyncClient(http=http, **options) as client,
        ):
            return await work(client), repr(client)

    return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_no_adapter_path_leaks_a_canary(
    name: str, scenario: str, mode: str, logs: pytest.LogCaptureFixture
) -> None:
    adapter = ADAPTERS[name]()
    events: list[Event] = []
    market = "GB" if name == "facebook" else "DE"
    keys = [OfferKey(name, market, "MUG-01")]
    texts: list[str] = []
    handler = SCENARIOS[scenario](name)
    try:
        results, client_repr = drive(
            mode, handler, lambda c: c.marketplace(adapter).status(keys), events.append
        )
    except XborderError as exc:
        texts += exception_texts(exc)
        outcome = "raised"
    else:
        texts += [client_repr, repr(results), str(results)]
        texts += [str(issue) for result in results for issue in result.issues]
        outcome = "returned"
    texts += record_texts(logs.records)
    texts += [repr(event) for event in events]
    texts += [repr(adapter), str(adapter), repr(adapter.settings), str(adapter.settings)]
    texts += [repr(adapter.settings.model_dump()), adapter.settings.model_dump_json()]
    texts += [repr(p) + p.cache_key for p in adapter.token_providers().values()]
    assert logs.records and events  # something was logged and reported: the test has teeth
    if scenario != "normal":
        assert outcome == "raised" or "failed" in repr(texts)
    assert not leaks(*texts)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_an_echoed_secret_is_redacted_not_dropped(name: str) -> None:
    # The message still says what went wrong, with the credential replaced by ***.
    events: list[Event] = []
    keys = [OfferKey(name, "GB" if name == "facebook" else "DE", "MUG-01")]
    adapter = ADAPTERS[name]()
    try:
        results, _ = drive(
            "sync",
            SCENARIOS["bad_request"](name),
            lambda c: c.marketplace(adapter).status(keys),
            events.append,
        )
        text = " ".join(str(issue) for issue in results[0].issues)
    except XborderError as exc:
        text = str(exc)
    assert "***" in text and not leaks(text)


# -- translators -------------------------------------------------------------------------------


def deepl_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"translations": [{"text": "Becher"}]})


def libre_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"translatedText": ["Becher"]})


def raise_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout(f"timed out sending {request.content!r} {dict(request.headers)}")


TRANSLATOR_ANSWERS: dict[str, Callable[[str], Callable[[httpx.Request], httpx.Response]]] = {
    "forbidden": lambda echo: lambda r: httpx.Response(403, json={"message": f"Invalid {echo}"}),
    "libre_error": lambda echo: lambda r: httpx.Response(400, json={"error": f"Bad key {echo}"}),
    "server_error": lambda echo: lambda r: httpx.Response(500, text=f"upstream said: {echo}"),
    # Not JSON, the key placed where the old 80-byte preview cut through it.
    "not_json": lambda echo: (
        lambda r: httpx.Response(200, content=b"<" + b"x" * 70 + echo.encode())
    ),
    "plain_text": lambda echo: lambda r: httpx.Response(429, text="y" * 290 + echo),
    "timeout": lambda echo: raise_timeout,
}


def translators() -> dict[str, tuple[Any, Callable[[httpx.Request], httpx.Response]]]:
    return {
        "deepl": (DeepLTranslator(SecretStr(DEEPL_KEY)), deepl_ok),
        "libretranslate": (
            LibreTranslateTranslator("https://translate.example.com", api_key=LIBRE_KEY),
            libre_ok,
        ),
    }


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("answer", ["normal", *sorted(TRANSLATOR_ANSWERS)])
@pytest.mark.parametrize("provider", ["deepl", "libretranslate"])
def test_no_translator_path_leaks_a_canary(
    provider: str, answer: str, mode: str, logs: pytest.LogCaptureFixture
) -> None:
    translator, ok = translators()[provider]
    echo = " ".join(KNOWN[provider])
    handler = ok if answer == "normal" else TRANSLATOR_ANSWERS[answer](echo)
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    texts = [repr(translator), str(translator)]
    events: list[Event] = []
    try:
        result, client_repr = drive(
            mode,
            recording,
            lambda c: c.run(
                translate_flow(["Mug"], "en", "de", translator, MemoryTranslationCache())
            ),
            events.append,
        )
        texts += [repr(result), client_repr]
        assert answer == "normal"
    except XborderError as exc:
        assert answer != "normal"
        texts += exception_texts(exc)
    texts += record_texts(logs.records) + [repr(e) for e in events]
    # The key did go out (in a header): the canary is live, and nothing else shows it.
    sent = " ".join(f"{list(r.headers.items())} {r.content!r}" for r in seen)
    assert leaks(sent)
    assert not leaks(*texts)


# -- the CLI -----------------------------------------------------------------------------------


def test_xborder_auth_ebay_never_prints_a_secret_even_when_echoed(tmp_path: Path) -> None:
    from xborder.cli import _parser
    from xborder.marketplaces.ebay import _cli

    environ = {
        "XBORDER_EBAY_CLIENT_ID": "xborder-app-PRD-canary",
        "XBORDER_EBAY_CLIENT_SECRET": EBAY_SECRET,
        "XBORDER_EBAY_RU_NAME": "xborder-xborder-PRD-abc",
    }
    code = "v^1.1#i^1#c4nAe7b2a9f01dcc-auth-code"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={
                "error": f"invalid_grant {EBAY_SECRET}",
                "error_description": f"bad code {code} for {request.headers['authorization']} "
                f"and {EBAY_SECRET}\r\n\x1b[2J",
            },
        )

    out = io.StringIO()
    args = _parser().parse_args(["auth", "ebay", "--env-file", str(tmp_path / ".env.ebay")])
    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        Client(http=http, clock=FakeClock()) as client,
    ):
        status = _cli.run(args, out, ask=lambda _: code, environ=environ, client=client)
    text = out.getvalue()
    assert status == 1 and "eBay refused the authorization code" in text
    assert not leaks(text) and "c4nAe7b2a9f01dcc" not in text
    basic = http.headers  # nothing to assert on: the header is only in the request
    assert "\x1b" not in text and "\r" not in text
    assert not (tmp_path / ".env.ebay").exists()
    del basic


class Hostile(httpx.BaseTransport):
    """The demo fakes, except that each marketplace fails its own way and echoes secrets."""

    def __init__(self, inner: httpx.BaseTransport, environ: dict[str, str]) -> None:
        self.inner = inner
        # Each marketplace echoes the credentials it was sent (it knows no others).
        self.echo = {
            name: " ".join(
                value
                for key, value in environ.items()
                if key.startswith(f"XBORDER_{name.upper()}_") and key.endswith(("SECRET", "TOKEN"))
            )
            for name in ("ebay", "amazon", "facebook")
        }
        self.hits = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if "ebay" in host and is_token(request):
            self.hits += 1
            echo = self.echo["ebay"]
            return httpx.Response(401, json={"error": "invalid_client", "error_description": echo})
        if "amazon" in host and not is_token(request):
            self.hits += 1
            echo = self.echo["amazon"]
            return httpx.Response(503, json={"errors": [{"code": "x", "message": echo}]})
        if "facebook" in host:
            self.hits += 1
            raise httpx.ReadTimeout(f"read timed out: {self.echo['facebook']}")
        return self.inner.handle_request(request)


def test_xborder_sync_with_credentials_in_the_environment_never_prints_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    from jobs._support import START
    from xborder.jobs._cli import add_parsers, run
    from xborder.jobs._demo import demo_environ, demo_world

    root = Path(__file__).resolve().parents[2]
    environ = demo_environ()
    secrets = [v for k, v in environ.items() if k.endswith(("SECRET", "TOKEN"))]
    assert len(secrets) >= 3
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    for name in ("xborder.toml", "catalog.jsonl", "seller.json"):
        shutil.copy(root / "examples" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    world = demo_world(start=START)
    hostile = Hostile(world.http._transport, environ)
    outputs: list[str] = []
    try:
        with httpx.Client(transport=hostile) as http:
            for argv in (["sync"], ["sync", "--json"], ["plan"]):
                parser = argparse.ArgumentParser(prog="xborder")
                add_parsers(parser.add_subparsers(dest="command", required=True))
                out, err = io.StringIO(), io.StringIO()
                code = run(parser.parse_args(argv), out, err=err, clock=world.clock, http=http)
                outputs += [out.getvalue(), err.getvalue(), str(code)]
    finally:
        world.close()
    assert hostile.hits > 0 and any("failed" in o for o in outputs)
    stored = ""
    for path in tmp_path.glob("*.sqlite"):
        with sqlite3.connect(path) as db:
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                stored += repr(db.execute(f"SELECT * FROM {table}").fetchall())
    texts = [*outputs, stored, *record_texts(logs.records)]
    for secret in secrets:
        where = [text[max(0, text.find(secret) - 300) :][:400] for text in texts if secret in text]
        assert not where, where
