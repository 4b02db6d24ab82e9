"""Hostile and huge answers: bounded memory, and only escaped, bounded text downstream.

Issue #10: a marketplace (or anything posing as one) may answer with an endless body, a
Content-Length in the terabytes, or error messages built to forge log lines (CR/LF), drive a
terminal (ANSI escapes) or inject markup. These tests count the bytes pulled from the stream
and read every place such text can reach: errors, issues, log records, events, the SyncReport.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import logging
import struct
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from xborder.client import AsyncClient, Client, Event, RetryPolicy
from xborder.client._transport import (
    MAX_ERROR_BODY_BYTES,
    BodyDecoder,
    BodyReader,
    Transmit,
    http_client_kwargs,
)
from xborder.errors import MarketplaceError, ServerError, UnexpectedResponseError
from xborder.http import HttpRequest, HttpResponse, safe_text
from xborder.jobs import Target
from xborder.marketplaces import Adapter, ItemResult, OfferKey
from xborder.marketplaces.amazon import AmazonAdapter, AmazonSettings
from xborder.marketplaces.ebay import EbayAdapter, EbaySettings
from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings
from xborder.testing import FakeClock

CHUNK = 64 * 1024

# What a hostile answer carries: an ANSI colour and screen-clear sequence, a CR/LF followed by
# a forged log line, markup, a C1 control (U+0085 NEL, a line break to some viewers), the
# Unicode line separator and a right-to-left override (https://trojansource.codes/).
FORGED = "ERROR xborder.client forged line"
HOSTILE = (
    f"\x1b[31mred\x1b[2J\r\n{FORGED}\r\n<script>alert('x')</script>"
    f"\x85\u2028\u202edesrever\x00end " + "A" * (200 * 1024)
)
UNSAFE = ("\x1b", "\r", "\n", "\x85", "\u2028", "\u202e", "\x00")


class Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that never ends; counts what was pulled from it."""

    def __init__(self) -> None:
        self.pulled = 0

    def _next(self) -> bytes:
        self.pulled += CHUNK
        return b"x" * CHUNK

    def __iter__(self) -> Iterator[bytes]:
        while True:
            yield self._next()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield self._next()


Handler = Callable[[httpx.Request], httpx.Response]


def drive(
    mode: str,
    handler: Handler,
    work: Callable[[Any], Any],
    **options: Any,
) -> Any:
    """Run ``work(client_or_marketplace_facade)`` with Client or AsyncClient over ``handler``."""
    options.setdefault("clock", FakeClock())
    options.setdefault("retry", RetryPolicy(max_attempts=1))
    if mode == "sync":
        with (
            httpx.Client(transport=httpx.MockTransport(handler)) as http,
            Client(http=http, **options) as client,
        ):
            return work(client)

    async def main() -> Any:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http,
            AsyncClient(http=http, **options) as client,
        ):
            result = work(client)
            return await result if asyncio.iscoroutine(result) else result

    return asyncio.run(main())


def one_get(url: str = "https://api.shop.example/v1/items/A") -> Any:
    response = yield HttpRequest("GET", url, auth=None)
    return response


def run_plain(client: Any) -> Any:
    return client.run(one_get())


MODES = ["sync", "async"]


# -- size limits: Client and AsyncClient, plain flows -----------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_an_endless_success_body_is_cut_at_the_default_cap_without_reading_it_all(
    mode: str,
) -> None:
    body = Endless()
    with pytest.raises(UnexpectedResponseError, match="max_response_bytes"):
        drive(mode, lambda _: httpx.Response(200, stream=body), run_plain)
    cap = 64 * 1024 * 1024
    assert cap <= body.pulled <= cap + CHUNK


@pytest.mark.parametrize("mode", MODES)
def test_a_huge_declared_length_is_refused_before_any_byte_is_read(mode: str) -> None:
    body = Endless()
    answer = httpx.Response(200, headers={"Content-Length": str(10**15)}, stream=body)
    with pytest.raises(UnexpectedResponseError, match="max_response_bytes"):
        drive(mode, lambda _: answer, run_plain, max_response_bytes=1024)
    assert body.pulled == 0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("declared", [None, str(10**15)])
def test_an_endless_error_body_is_truncated_and_the_stream_left_unread(
    mode: str, declared: str | None
) -> None:
    body = Endless()
    headers = {"Content-Length": declared} if declared else {}
    response: HttpResponse = drive(
        mode, lambda _: httpx.Response(502, headers=headers, stream=body), run_plain
    )
    # A plain flow still gets its error answer (its status is what it reads), cut at 1 MiB.
    assert response.status_code == 502
    assert len(response.content) == MAX_ERROR_BODY_BYTES
    assert "content-length" not in response.headers
    assert MAX_ERROR_BODY_BYTES <= body.pulled <= MAX_ERROR_BODY_BYTES + CHUNK


@pytest.mark.parametrize("mode", MODES)
def test_a_success_body_of_exactly_the_cap_is_kept_whole(mode: str) -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"y" * 4096)

    response: HttpResponse = drive(mode, handler, run_plain, max_response_bytes=4096)
    assert response.content == b"y" * 4096
    with pytest.raises(UnexpectedResponseError):
        drive(mode, handler, run_plain, max_response_bytes=4095)


# -- the three adapters ------------------------------------------------------------------------

EBAY_SECRET = "ebay-cert-responses-5e1f0"
AMAZON_SECRET = "amzn1.oa2-cs.v1.responses-9d3c2"
META_TOKEN = "EAAB-responses-token-77aa1"


def ebay() -> EbayAdapter:
    return EbayAdapter(
        EbaySettings(
            client_id="xborder-app-PRD-1",
            client_secret=SecretStr(EBAY_SECRET),
            refresh_token=SecretStr("v^1.1#i^1#responses-refresh-1b2c"),
            ru_name="xborder-xborder-PRD-abc",
        )
    )


def amazon() -> AmazonAdapter:
    return AmazonAdapter(
        AmazonSettings(
            client_id="amzn1.application-oa2-client.responses",
            client_secret=SecretStr(AMAZON_SECRET),
            refresh_token=SecretStr("Atzr|responses-refresh-3c4d"),
            seller_id="A2RESPONSES1",
        )
    )


def facebook() -> FacebookAdapter:
    return FacebookAdapter(
        FacebookSettings(
            catalog_id="1234567890123456", access_token=SecretStr(META_TOKEN), base_market="GB"
        )
    )


ADAPTERS: dict[str, Callable[[], Adapter]] = {
    "ebay": ebay,
    "amazon": amazon,
    "facebook": facebook,
}


def error_body(name: str, text: str) -> dict[str, Any]:
    """``text`` in every text slot of the marketplace's own error shape."""
    if name == "ebay":
        return {
            "errors": [
                {
                    "errorId": 25002,
                    "message": text,
                    "longMessage": text,
                    "parameters": [{"name": "fieldName", "value": text}],
                }
            ]
        }
    if name == "amazon":
        return {"errors": [{"code": text, "message": text, "details": text}]}
    return {
        "error": {
            "message": text,
            "type": "OAuthException",
            "code": 100,
            "error_user_msg": text,
            "fbtrace_id": text,
        }
    }


def is_token_request(request: httpx.Request) -> bool:
    return request.url.path.endswith(("/oauth2/token", "/o2/token"))


def with_tokens(answer: Callable[[httpx.Request], httpx.Response]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if is_token_request(request):
            return httpx.Response(
                200, json={"access_token": "Atza|responses-access-0f0f", "expires_in": 3600}
            )
        return answer(request)

    return handler


def key(name: str) -> OfferKey:
    return OfferKey(name, "GB" if name == "facebook" else "DE", "MUG-01")


def status_of(name: str, adapter: Adapter) -> Callable[[Any], Any]:
    def work(client: Any) -> Any:
        return client.marketplace(adapter).status([key(name)])

    return work


def outcome(mode: str, name: str, handler: Handler, **options: Any) -> list[str]:
    """Run ``status()``; return every text it produced (results or the error and its chain)."""
    texts: list[str] = []
    events: list[Event] = []
    try:
        results: list[ItemResult] = drive(
            mode, handler, status_of(name, ADAPTERS[name]()), on_event=events.append, **options
        )
    except MarketplaceError as exc:
        error: BaseException | None = exc
        while error is not None:
            texts += [str(error), repr(error)]
            if isinstance(error, MarketplaceError):
                texts += [str(error.request_id), str(error.code)]
                texts += [f"{f.field} {f.message}" for f in error.field_errors]
            error = error.__cause__ or error.__context__
    else:
        assert len(results) == 1
        for issue in results[0].issues:
            texts += [issue.code, issue.message, str(issue.field), str(issue)]
    texts += [event.detail for event in events] + [str(e.request_id) for e in events]
    return texts


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_each_adapter_cuts_an_endless_success_body(mode: str, name: str) -> None:
    bodies: list[Endless] = []

    def answer(_: httpx.Request) -> httpx.Response:
        bodies.append(Endless())
        return httpx.Response(200, stream=bodies[-1])

    limit = 256 * 1024
    texts = outcome(mode, name, with_tokens(answer), max_response_bytes=limit)
    assert any("max_response_bytes" in text for text in texts)
    assert bodies and all(limit <= b.pulled <= limit + CHUNK for b in bodies)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_each_adapter_reads_at_most_1_mib_of_an_endless_5xx_and_still_retries_it(
    mode: str, name: str
) -> None:
    bodies: list[Endless] = []

    def answer(_: httpx.Request) -> httpx.Response:
        bodies.append(Endless())
        return httpx.Response(503, headers={"Content-Length": str(2**62)}, stream=bodies[-1])

    results: list[ItemResult] | ServerError
    try:
        results = drive(
            mode,
            with_tokens(answer),
            status_of(name, ADAPTERS[name]()),
            retry=RetryPolicy(max_attempts=3, seed=1),
        )
    except ServerError as exc:
        results = exc
    if isinstance(results, ServerError):
        assert results.status_code == 503
    else:  # an adapter reading per-item errors itself reports the item failed
        assert results[0].failed and "503" in str(results[0].issues)
    # A huge 503 stays a (retried) server error, not an unreadable answer.
    assert len(bodies) == 3
    assert all(MAX_ERROR_BODY_BYTES <= b.pulled <= MAX_ERROR_BODY_BYTES + CHUNK for b in bodies)


def assert_safe(texts: list[str], *, limit: int = 32_000) -> None:
    assert texts
    for text in texts:
        for bad in UNSAFE:
            assert bad not in text, (bad, text[:200])
        assert len(text) <= limit, len(text)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [400, 500])
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_hostile_error_text_reaches_results_errors_and_events_escaped_and_bounded(
    mode: str, name: str, status: int
) -> None:
    handler = with_tokens(lambda _: httpx.Response(status, json=error_body(name, HOSTILE)))
    texts = outcome(mode, name, handler)
    assert_safe(texts)
    joined = "\n".join(texts)
    # The text did arrive (made visible), so the test proves escaping, not absence.
    assert "\\x1b[31mred" in joined and "\\r\\n" + FORGED in joined
    assert "<script>" in joined  # markup stays literal text; HTML renderers escape it
    # The megabyte of "A" was cut, and the cut says so.
    assert "more characters]" in joined and "A" * 2000 not in joined


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_an_error_message_of_megabytes_is_dropped_with_the_rest_of_the_body(
    mode: str, name: str
) -> None:
    huge = HOSTILE + "A" * (3 * 1024 * 1024)
    handler = with_tokens(lambda _: httpx.Response(400, json=error_body(name, huge)))
    texts = outcome(mode, name, handler)
    assert_safe(texts, limit=2000)
    # Cut at 1 MiB, the JSON no longer parses: the error says what the status says.
    assert any("400" in text for text in texts)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_non_utf8_and_binary_error_bodies_are_handled(mode: str, name: str) -> None:
    raw = b"\xff\xfe\x1b[2J\r\nERROR forged\x00" + bytes(range(256)) * 100
    handler = with_tokens(lambda _: httpx.Response(400, content=raw))
    texts = outcome(mode, name, handler)
    assert_safe(texts)


def test_hostile_text_in_log_records_is_escaped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in sorted(ADAPTERS):

        def answer(_: httpx.Request, name: str = name) -> httpx.Response:
            return httpx.Response(
                400,
                headers={"x-request-id": "\x1b[31mred\x1b[2J" + "B" * 5000},
                json=error_body(name, HOSTILE),
            )

        outcome("sync", name, with_tokens(answer))
    assert caplog.records
    messages = [record.getMessage() for record in caplog.records]
    assert_safe(messages)
    assert any("\\x1b[31mred" in message for message in messages)


@pytest.mark.parametrize("mode", MODES)
def test_a_hostile_token_endpoint_error_is_escaped(mode: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            headers={"x-amzn-requestid": "\x1b]0;title\x07"},
            json={"error": f"invalid_grant\r\n{FORGED}", "error_description": HOSTILE},
        )

    texts = outcome(mode, "amazon", handler)
    assert_safe(texts)
    assert any("invalid_grant\\r\\n" in text for text in texts)


def test_safe_text_properties() -> None:
    once = safe_text(HOSTILE)
    assert len(once) == 1000 and safe_text(once) == once
    assert safe_text(b"ok \xff\xfe") == "ok \\xff\\xfe"
    assert safe_text("caf\u00e9 \u4e2d\u6587 \U0001f600") == "caf\u00e9 \u4e2d\u6587 \U0001f600"
    cut = safe_text("x" * 50, limit=60)
    assert cut == "x" * 50
    cut = safe_text("x" * 100, limit=60)
    assert cut == "x" * 37 + "… [63 more characters]" and len(cut) <= 60
    assert safe_text("x" * 50, limit=10) == "x" * 9 + "…"


# -- the SyncReport ----------------------------------------------------------------------------


def test_a_hostile_marketplace_message_reaches_the_sync_report_escaped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from jobs._support import catalog, ebay_settings, world

    caplog.set_level(logging.DEBUG)
    field = HOSTILE[:300]
    for w in world(tmp_path / "state.sqlite"):
        w.ebay.inject("bad_request", operation="bulk_create_or_replace_inventory_item", field=field)
        job = w.job(catalog(2), [Target(EbayAdapter(ebay_settings()), ["DE"])])
        report = job.run()
        assert report.failed >= 1
        document = report.to_json()
        text = json.dumps(json.loads(document)) + report.summary()
        assert "\\\\x1b[31mred" in document  # escaped once by xborder, once more by JSON
        for bad in UNSAFE:
            assert bad not in json.dumps(json.loads(document), ensure_ascii=False)
        lines = report.summary().splitlines()
        assert not any(line.lstrip().startswith(FORGED) for line in lines)
        assert_safe(lines)
        assert "\\x1b[31mred" in text
        assert_safe([record.getMessage() for record in caplog.records])


# -- compressed answers: inflated in bounded steps ---------------------------------------------
#
# httpx inflates each network chunk whole; a 64 KiB chunk of deflated zeros holds ~64 MB. The
# client inflates gzip and deflate itself with zlib's max_length, so no step makes more than
# the room left under the cap (plus the one byte that proves an answer too large).

MIB = 1024 * 1024
ZEROS = bytes(MIB)
# zlib's wbits: gzip wrapper, zlib wrapper ("deflate" per RFC 9110), raw deflate (what some
# servers send as "deflate"): https://docs.python.org/3/library/zlib.html#zlib.compressobj
WBITS = {"gzip": 31, "deflate": 15, "raw deflate": -15}


def encoding_of(kind: str) -> str:
    return "gzip" if kind == "gzip" else "deflate"


def bomb_parts(kind: str) -> tuple[bytes, bytes]:
    """The wrapper's header and the compressed form of one MiB of zeros.

    After a full flush the compressor starts afresh (RFC 1951 blocks, byte-aligned), so every
    further MiB of zeros compresses to the same bytes: a bomb of any size is that unit repeated.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, WBITS[kind])
    first = packer.compress(ZEROS) + packer.flush(zlib.Z_FULL_FLUSH)
    unit = packer.compress(ZEROS) + packer.flush(zlib.Z_FULL_FLUSH)
    assert first.endswith(unit)
    return first[: -len(unit)], unit


def bomb_trailer(kind: str, mib: int) -> bytes:
    # An empty final block (RFC 1951 3.2.6, fixed codes: just end-of-block), then the
    # wrapper's check of the whole: gzip CRC-32 and length (RFC 1952 2.3), zlib Adler-32
    # (RFC 1950 2.2).
    final = b"\x03\x00"
    if kind == "gzip":
        crc = 0
        for _ in range(mib):
            crc = zlib.crc32(ZEROS, crc)
        return final + struct.pack("<II", crc, (mib * MIB) & 0xFFFFFFFF)
    if kind == "deflate":
        adler = 1
        for _ in range(mib):
            adler = zlib.adler32(ZEROS, adler)
        return final + struct.pack(">I", adler)
    return final


class Bomb(httpx.SyncByteStream, httpx.AsyncByteStream):
    """``mib`` MiB of zeros, compressed ~1000:1, sent in 64 KiB chunks made as they are pulled."""

    def __init__(self, kind: str = "gzip", mib: int = 1024) -> None:
        self.kind, self.mib = kind, mib
        self.pulled = 0

    def _chunks(self) -> Iterator[bytes]:
        head, unit = bomb_parts(self.kind)
        pending = head
        for _ in range(self.mib):
            pending += unit
            while len(pending) >= CHUNK:
                chunk, pending = pending[:CHUNK], pending[CHUNK:]
                self.pulled += len(chunk)
                yield chunk
        pending += bomb_trailer(self.kind, self.mib)
        self.pulled += len(pending)
        yield pending

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk


def bomb_answer(status: int, body: Bomb) -> Callable[[httpx.Request], httpx.Response]:
    encoding = encoding_of(body.kind)
    return lambda _: httpx.Response(status, headers={"Content-Encoding": encoding}, stream=body)


@pytest.fixture
def fed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every decoded piece the client's BodyReader is handed, in order."""
    sizes: list[int] = []
    feed = BodyReader.feed

    def spy(self: BodyReader, chunk: bytes) -> bool:
        sizes.append(len(chunk))
        return feed(self, chunk)

    monkeypatch.setattr(BodyReader, "feed", spy)
    return sizes


@pytest.mark.parametrize("kind", sorted(WBITS))
def test_the_bomb_is_what_it_says(kind: str) -> None:
    body = b"".join(Bomb(kind, mib=3))
    assert zlib.decompress(body, WBITS[kind]) == bytes(3 * MIB)
    assert len(body) < 3 * MIB // 900


@pytest.mark.parametrize("mode", MODES)
def test_a_gzip_bomb_is_refused_at_the_default_cap_holding_at_most_one_byte_more(
    mode: str, fed: list[int]
) -> None:
    body = Bomb("gzip", mib=1024)
    with pytest.raises(UnexpectedResponseError, match="max_response_bytes"):
        drive(mode, bomb_answer(200, body), run_plain)
    cap = 64 * MIB
    # Every decoded byte the reader was handed is kept until the answer fails: at most the
    # cap and the one byte past it. httpx alone would hand it a whole inflated chunk.
    assert sum(fed) == cap + 1
    assert max(fed) <= 64 * 1024  # and in small pieces
    # About 64 KiB of the ~1 MiB body was pulled: never the rest of the GiB.
    assert body.pulled <= 2 * CHUNK


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", sorted(WBITS))
def test_a_bomb_error_answer_is_cut_at_1_mib_without_inflating_further(
    mode: str, kind: str, fed: list[int]
) -> None:
    body = Bomb(kind, mib=1024)
    response: HttpResponse = drive(mode, bomb_answer(503, body), run_plain)
    assert response.status_code == 503
    assert response.content == bytes(MAX_ERROR_BODY_BYTES)
    assert sum(fed) == MAX_ERROR_BODY_BYTES and max(fed) <= 64 * 1024
    assert body.pulled == CHUNK


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", sorted(WBITS))
def test_peak_memory_of_a_bomb_stays_near_the_cap(mode: str, kind: str) -> None:
    cap = 4 * MIB
    body = Bomb(kind, mib=1024)
    bomb_parts(kind)  # warm up what is not the client's (zlib's tables, the test's zeros)
    tracemalloc.start()
    try:
        with pytest.raises(UnexpectedResponseError, match="max_response_bytes"):
            drive(mode, bomb_answer(200, body), run_plain, max_response_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The kept pieces, the test's own MiB of zeros and zlib's state; one inflated 64 KiB chunk
    # (what httpx would hold at once) alone is ~63 MiB.
    assert peak < cap + 3 * MIB, peak


@pytest.mark.parametrize("mode", MODES)
def test_a_gzip_answer_ends_at_its_first_member_as_with_httpx(mode: str) -> None:
    first, second = gzip.compress(b"first member " * 50), gzip.compress(b"second")
    junk = [first + second] + [b"\xa5" * CHUNK] * 64
    pulled: list[int] = []

    def chunks() -> Iterator[bytes]:
        for chunk in junk:
            pulled.append(len(chunk))
            yield chunk

    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Replay(chunks()))

    response: HttpResponse = drive(mode, handler, run_plain)
    whole = b"".join(junk)
    assert response.content == b"first member " * 50
    assert response.content == decoded_by_httpx("gzip", whole)
    # Nothing after the end of the compressed stream can change the body: it is left unread.
    assert pulled == [len(junk[0])]


class Replay(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The given chunks, as a stream for either client."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def decoded_by_httpx(encoding: str, body: bytes) -> bytes:
    """What httpx's own decoding makes of ``body`` (read whole, one chunk)."""
    return httpx.Response(200, headers={"Content-Encoding": encoding}, content=body).content


def compress(kind: str, data: bytes, level: int) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, WBITS[kind])
    return packer.compress(data) + packer.flush()


def split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(body)) for cut in cuts})
    edges = [0, *points, len(body)]
    return [body[a:b] for a, b in itertools.pairwise(edges) if b > a]


def fetch(mode: str, status: int, encoding: str, chunks: list[bytes], **options: Any) -> Any:
    def handler(_: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": encoding} if encoding else {}
        return httpx.Response(status, headers=headers, stream=Replay(list(chunks)))

    return drive(mode, handler, run_plain, **options)


KINDS = st.sampled_from(sorted(WBITS))


@given(
    data=st.binary(max_size=6000)
    | st.builds(lambda n, b: b * n, st.integers(1, 3000), st.binary(min_size=1, max_size=7)),
    kind=KINDS,
    level=st.integers(0, 9),
    cuts=st.lists(st.integers(0, 6000), max_size=8),
    mode=st.sampled_from(MODES),
)
def test_gzip_and_deflate_decode_as_httpx_does_in_any_chunking(
    data: bytes, kind: str, level: int, cuts: list[int], mode: str
) -> None:
    body = compress(kind, data, level)
    encoding = encoding_of(kind)
    response: HttpResponse = fetch(mode, 200, encoding, split(body, cuts))
    assert response.content == decoded_by_httpx(encoding, body) == data


@given(
    data=st.binary(max_size=4000) | st.builds(bytes, st.integers(0, 200_000)),
    kind=KINDS,
    rooms=st.lists(st.integers(1, 300), min_size=1, max_size=5),
    cuts=st.lists(st.integers(0, 4000), max_size=8),
)
def test_the_decoder_never_makes_a_piece_larger_than_the_room_it_is_given(
    data: bytes, kind: str, rooms: list[int], cuts: list[int]
) -> None:
    # The room changes from piece to piece (it is what the reader has left); zlib keeps the
    # input it could not use yet (unconsumed_tail) for the next step.
    body = compress(kind, data, 6)
    asked: list[int] = []

    def room() -> int:
        asked.append(rooms[len(asked) % len(rooms)])
        return asked[-1]

    decoder = BodyDecoder([encoding_of(kind)])
    pieces: list[bytes] = []
    steps = [decoder.decode(chunk, room) for chunk in split(body, cuts)]
    for step in [*steps, decoder.end(room)]:
        for piece in step:
            # Made right after the last room() call: it fits that room.
            assert 0 < len(piece) <= asked[-1]
            pieces.append(piece)
    assert b"".join(pieces) == decoded_by_httpx(encoding_of(kind), body) == data


@given(
    data=st.binary(min_size=1, max_size=3000),
    inner=KINDS,
    outer=KINDS,
    cuts=st.lists(st.integers(0, 3000), max_size=6),
    end=st.integers(0, 3000),
)
def test_chained_and_truncated_bodies_decode_as_httpx_does(
    data: bytes, inner: str, outer: str, cuts: list[int], end: int
) -> None:
    # "Content-Encoding: deflate, gzip": deflated first, then gzipped; and a body cut short
    # (httpx yields what a cut stream holds and raises nothing).
    body = compress(outer, compress(inner, data, 6), 6)[:end]
    encoding = f"{encoding_of(inner)}, {encoding_of(outer)}"
    expected: bytes | None
    try:
        expected = decoded_by_httpx(encoding, body)
    except httpx.DecodingError:
        expected = None
    if expected is None:
        with pytest.raises(UnexpectedResponseError, match="DecodingError"):
            fetch("sync", 200, encoding, split(body, cuts))
    else:
        assert fetch("sync", 200, encoding, split(body, cuts)).content == expected


@given(
    data=st.binary(min_size=1, max_size=3000),
    kind=KINDS,
    limit=st.integers(1, 4000),
    status=st.sampled_from([200, 500]),
    cuts=st.lists(st.integers(0, 3000), max_size=6),
)
def test_the_cap_applies_to_the_decoded_body(
    data: bytes, kind: str, limit: int, status: int, cuts: list[int]
) -> None:
    body = compress(kind, data, 6)
    chunks = split(body, cuts)
    if status == 500:  # an error answer is cut at the cap
        response = fetch("sync", status, encoding_of(kind), chunks, max_response_bytes=limit)
        assert response.content == data[:limit]
    elif len(data) <= limit:
        response = fetch("sync", status, encoding_of(kind), chunks, max_response_bytes=limit)
        assert response.content == data
    else:
        with pytest.raises(UnexpectedResponseError, match="max_response_bytes"):
            fetch("sync", status, encoding_of(kind), chunks, max_response_bytes=limit)


CORRUPT = {
    # Not a gzip header at all.
    "gzip-header": ("gzip", b"not gzip at all"),
    # A whole gzip member whose CRC-32 (RFC 1952 2.3.1) does not match its data.
    "gzip-crc": ("gzip", gzip.compress(b"caf\xc3\xa9 " * 400, mtime=0)[:-8] + b"\0" * 8),
    # A zlib stream whose Adler-32 (RFC 1950 2.2) does not match.
    "deflate-adler": ("deflate", zlib.compress(b"listing " * 400)[:-4] + b"\xff" * 4),
    # A deflate block of reserved type 3 (RFC 1951 3.2.3), raw.
    "deflate-block": ("deflate", b"\x07" + b"\x00" * 40),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_corrupt_compressed_body_is_an_unexpected_response(mode: str, case: str) -> None:
    encoding, body = CORRUPT[case]
    with pytest.raises(httpx.DecodingError):
        decoded_by_httpx(encoding, body)  # httpx agrees the body is broken
    for status in (200, 502):
        with pytest.raises(UnexpectedResponseError, match="DecodingError") as info:
            fetch(mode, status, encoding, [body[:7], body[7:]])
        assert isinstance(info.value.__cause__, httpx.DecodingError)


@pytest.mark.parametrize("mode", MODES)
def test_identity_and_unknown_codings_pass_through_as_with_httpx(mode: str) -> None:
    data = b"\x1f\x8b not really gzip"
    for encoding in ("", "identity", "x-unknown", "identity, x-unknown"):
        response = fetch(mode, 200, encoding, [data[:3], data[3:]])
        assert response.content == decoded_by_httpx(encoding, data) == data


@pytest.mark.parametrize(
    ("encoding", "bounded"),
    [
        ("gzip", True),
        ("deflate", True),
        ("GZip , Deflate", True),
        ("identity", True),
        ("", True),
        ("br", False),
        ("gzip, zstd", False),
    ],
)
def test_only_br_and_zstd_are_left_to_httpx(encoding: str, bounded: bool) -> None:
    reader = BodyReader(Transmit(HttpRequest("GET", "https://x.example/"), "http", "get"), 100)
    reader.start(200, httpx.Headers({"Content-Encoding": encoding} if encoding else {}))
    assert reader.decodes is bounded
    # A body already read by httpx (a mock transport, a hook) comes decoded, whatever it was.
    reader.start(200, httpx.Headers({"Content-Encoding": "gzip"}), decoded=True)
    assert not reader.decodes


def test_the_clients_xborder_creates_ask_only_for_what_they_bound() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("accept-encoding"))
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handler), **http_client_kwargs()) as http:
        Client(http=http, clock=FakeClock()).run(one_get())
    assert seen == ["gzip, deflate"]
    client = Client()
    async_client = AsyncClient()
    try:
        assert client._http.headers["accept-encoding"] == "gzip, deflate"
        assert async_client._http.headers["accept-encoding"] == "gzip, deflate"
    finally:
        client.close()
        asyncio.run(async_client.aclose())
