"""Sending one request: the timeouts, the httpx client a Client creates, the size cap.

The drivers (``_sync.py``, ``_async.py``) carry out a :class:`Transmit` with httpx's
``stream()`` and feed the body to a :class:`BodyReader`, so an answer larger than
``max_response_bytes`` is refused without ever being held whole. The reader inflates gzip
and deflate bodies itself (:class:`BodyDecoder`), never more at a time than it has room for:
httpx would inflate each network chunk whole, and a 64 KiB chunk of zeros can hold ~64 MB.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final

import httpx

from xborder.errors import UnexpectedResponseError
from xborder.http import HttpRequest, HttpResponse, is_loopback, redact_url

from ._errors import map_httpx_errors, too_large

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "MAX_ERROR_BODY_BYTES",
    "TIMEOUT_NOT_GIVEN",
    "BodyDecoder",
    "BodyReader",
    "Transmit",
    "http_client_kwargs",
    "refuse_plain_http",
    "request_timeout",
]

#: Connect within 5 s, and at most 30 s for each read, write and pool wait.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: Answers with a larger (decoded) body fail with UnexpectedResponseError: 64 MiB.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
#: An error answer (HTTP 4xx/5xx) is read up to 1 MiB and the rest is dropped unread: the
#: status says what happened, and no marketplace's error document comes near this size, while
#: a proxy's or an attacker's page may be endless. Truncating (rather than failing) keeps the
#: answer's meaning: a 503 stays a retryable ServerError.
MAX_ERROR_BODY_BYTES: Final = 1024 * 1024


#: The ``timeout`` argument's default: equal to :data:`DEFAULT_TIMEOUT`, but its own object, so
#: that a client told nothing can take a given httpx client's timeout instead.
TIMEOUT_NOT_GIVEN: Final = httpx.Timeout(30.0, connect=5.0)

_TIMEOUT_FIELDS: Final = ("connect", "read", "write", "pool")

#: The Content-Encodings a Client asks for (``Accept-Encoding``): the ones :class:`BodyDecoder`
#: inflates in bounded steps. httpx would also offer br and zstd when their packages are
#: installed, and decode those itself, a whole network chunk at a time.
ACCEPT_ENCODING: Final = "gzip, deflate"
#: Encodings left to httpx's own decoding (it knows them only with brotli/zstandard installed).
_LEFT_TO_HTTPX: Final = frozenset({"br", "zstd"})
#: The most output a stage of :class:`BodyDecoder` makes at a time (the last stage: also no
#: more than the reader's room).
_PIECE: Final = 64 * 1024


def request_timeout(
    timeout: float | httpx.Timeout | None, *, http: httpx.Client | httpx.AsyncClient | None
) -> httpx.Timeout:
    """Return the per-request timeout, finite for connect, read, write and pool.

    ``timeout`` if given; when it was not (:data:`TIMEOUT_NOT_GIVEN`) and ``http`` is, that
    client's own timeout, with :data:`DEFAULT_TIMEOUT`'s value for any phase it leaves
    unlimited; otherwise :data:`DEFAULT_TIMEOUT`. ``None``, a number that is not > 0 and
    finite, or an ``httpx.Timeout`` without a limit for some phase is refused: a call that
    can wait for ever would hang a sync job with it.
    """
    if timeout is TIMEOUT_NOT_GIVEN:
        if http is None:
            return DEFAULT_TIMEOUT
        own = http.timeout.as_dict()
        default = DEFAULT_TIMEOUT.as_dict()
        return httpx.Timeout(
            **{
                name: own[name] if own[name] is not None else default[name]
                for name in _TIMEOUT_FIELDS
            }
        )
    if timeout is None:
        raise ValueError(
            "timeout: None would let a call wait for ever; give seconds > 0 or an "
            "httpx.Timeout with a limit for connect, read, write and pool"
        )
    if isinstance(timeout, httpx.Timeout):
        limits = timeout.as_dict()
        for name in _TIMEOUT_FIELDS:
            value = limits[name]
            if value is None or not 0 < value < float("inf"):
                raise ValueError(
                    f"timeout: the httpx.Timeout has {name}={value!r}; every phase needs a "
                    f"limit in seconds > 0 (connect, read, write, pool)"
                )
        return timeout
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < float("inf")
    ):
        raise ValueError(f"timeout: expected seconds > 0 or an httpx.Timeout, got {timeout!r}")
    return httpx.Timeout(float(timeout))


def refuse_plain_http(request: httpx.Request) -> None:
    """Refuse a request over plain http to another machine (an httpx ``request`` hook).

    Flows are checked before they are sent, but a redirect is followed inside httpx: a
    server (or a network in the way) answering ``302 Location: http://…`` would otherwise
    get the next request, listings included, in clear text.
    """
    if request.url.scheme != "https" and not is_loopback(request.url.host):
        raise httpx.UnsupportedProtocol(
            f"refused to send over plain http to {redact_url(str(request.url))!r} "
            f"(only https, or http to this machine)",
            request=request,
        )


async def _refuse_plain_http_async(request: httpx.Request) -> None:
    refuse_plain_http(request)


def http_client_kwargs(*, asynchronous: bool = False) -> dict[str, Any]:
    """Return the settings of the httpx client a Client (or AsyncClient) creates for itself."""
    try:
        release = version("xborder")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        release = "0"
    hook = _refuse_plain_http_async if asynchronous else refuse_plain_http
    return {
        "timeout": DEFAULT_TIMEOUT,
        # The ECB moves its files now and then; httpx drops Authorization on a redirect to
        # another origin, and the hook refuses a redirect to plain http.
        "follow_redirects": True,
        "event_hooks": {"request": [hook]},
        "headers": {
            "User-Agent": f"xborder/{release} (+https://github.com/xborder/xborder)",
            # Only what BodyDecoder inflates with a bound (see ACCEPT_ENCODING).
            "Accept-Encoding": ACCEPT_ENCODING,
        },
    }


@dataclass(frozen=True, slots=True)
class Transmit:
    """Send ``request``; reply with an HttpResponse or the MarketplaceError it raised."""

    request: HttpRequest
    marketplace: str
    operation: str
    secrets: tuple[str, ...] = ()

    def map_errors(self) -> AbstractContextManager[None]:
        """Return the context manager that maps httpx exceptions for this request."""
        return map_httpx_errors(
            marketplace=self.marketplace,
            operation=self.operation,
            method=self.request.method,
            url=self.request.url,
            secrets=self.secrets,
        )


def _is_zlib_header(head: bytes) -> bool:
    """Whether ``head`` (two bytes) opens a zlib stream (RFC 1950 section 2.2).

    Compression method 8, a window of at most 32 KiB, a check value making the pair a
    multiple of 31, and no preset dictionary (nothing an HTTP server could give us):
    https://www.rfc-editor.org/rfc/rfc1950#section-2.2
    """
    cmf, flg = head[0], head[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf * 256 + flg) % 31 == 0 and not flg & 0x20


class _Inflate:
    """One zlib stage of a body: ``gzip``, or ``deflate`` (zlib-wrapped or raw)."""

    __slots__ = ("_head", "_inflater", "_raw_deflate")

    def __init__(self, encoding: str) -> None:
        # "deflate" should be zlib-wrapped (RFC 9110 section 8.4.1.2), but some servers send
        # raw deflate; httpx and browsers accept both, and so does this (decided once two
        # bytes are in, whatever the chunking, where httpx decides on its first chunk).
        self._raw_deflate = encoding == "deflate"
        self._head = b""
        self._inflater: zlib._Decompress | None = (
            None if self._raw_deflate else zlib.decompressobj(zlib.MAX_WBITS | 16)
        )

    @property
    def ended(self) -> bool:
        """Whether the compressed stream has ended (what follows it is ignored)."""
        return self._inflater is not None and bool(self._inflater.eof)

    def run(self, data: bytes, room: Callable[[], int], *, final: bool = False) -> Iterator[bytes]:
        """Yield what ``data`` inflates to, each piece at most ``room()`` bytes long.

        ``final``: the body has ended; yield what is still held inside. The caller takes
        each piece before the next is made, so ``room()`` is always current.
        """
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2 and not final:
                return
            data, self._head = self._head, b""
            zlib_wrapped = len(data) >= 2 and _is_zlib_header(data)
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        inflater = self._inflater
        while not inflater.eof:
            try:
                # max_length bounds the output; input it could not process yet waits in
                # unconsumed_tail (https://docs.python.org/3/library/zlib.html#zlib.Decompress.decompress).
                out = inflater.decompress(data, max(1, room()))
            except zlib.error as exc:
                # The type httpx raises for a body it cannot decode: the client maps it.
                raise httpx.DecodingError(str(exc)) from exc
            data = inflater.unconsumed_tail
            if not out:
                # With max_length > 0, no output means all input was taken: wait for more.
                return
            yield out
        # Anything after the end (a second gzip member, trailing bytes) is ignored, as httpx
        # ignores it (zlib keeps it as unused_data).


class BodyDecoder:
    """Inflates a body's ``Content-Encoding`` (gzip, deflate, chains of them) in bounded steps.

    ``identity`` and encodings httpx does not know are passed through, as httpx does. No step
    holds more decoded output than the caller's ``room()``: a compressed "bomb" is stopped
    by the size cap after at most one more piece, not after a whole network chunk inflated.
    """

    __slots__ = ("_stages",)

    def __init__(self, encodings: list[str]) -> None:
        # Content-Encoding lists codings in the order they were applied: undo the last first.
        self._stages = [_Inflate(e) for e in reversed(encodings) if e in ("gzip", "deflate")]

    @property
    def ended(self) -> bool:
        """Whether a compressed stream has ended, so no further bytes can change the body."""
        return any(stage.ended for stage in self._stages)

    def decode(self, data: bytes, room: Callable[[], int]) -> Iterator[bytes]:
        """Yield the decoded pieces of ``data``, the next bytes of the body as received."""
        return self._through(0, data, room)

    def end(self, room: Callable[[], int]) -> Iterator[bytes]:
        """Yield what the stages still hold once the body has ended."""
        for index, stage in enumerate(self._stages):
            for piece in stage.run(b"", self._room(index, room), final=True):
                yield from self._through(index + 1, piece, room)

    def _through(self, index: int, data: bytes, room: Callable[[], int]) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[index].run(data, self._room(index, room)):
            yield from self._through(index + 1, piece, room)

    def _room(self, index: int, room: Callable[[], int]) -> Callable[[], int]:
        if index < len(self._stages) - 1:
            return _piece
        # zlib builds a large output in blocks and joins them, briefly holding it twice:
        # small pieces keep that cost small too.
        return lambda: min(_PIECE, room())


def _piece() -> int:
    return _PIECE


class BodyReader:
    """Collects an answer's body, never holding more than its limit.

    A successful answer fails as soon as it passes ``limit`` bytes (declared or streamed);
    an error answer (status >= 400) keeps its first :data:`MAX_ERROR_BODY_BYTES` (or
    ``limit``, if lower) and :meth:`feed` says when to stop reading. Drivers stream the body
    (``httpx`` ``stream()``) and close the stream when told, so a huge answer is never held
    whole nor read to its end.

    Drivers pass the bytes as received (``iter_raw()``) to :meth:`receive` when
    :attr:`decodes` is true, so gzip and deflate are inflated here, never more than the room
    left (plus one byte) at a time; otherwise (br, zstd) httpx's decoded bytes
    (``iter_bytes()``). Then :meth:`end` once the stream is exhausted.
    """

    __slots__ = (
        "_chunks",
        "_decoder",
        "_headers",
        "_limit",
        "_marketplace",
        "_operation",
        "_size",
        "_status",
        "_truncate",
    )

    def __init__(self, transmit: Transmit, limit: int) -> None:
        self._marketplace = transmit.marketplace
        self._operation = transmit.operation
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._status = 0
        self._headers: dict[str, str] = {}
        self._truncate = False
        self._decoder: BodyDecoder | None = None

    @property
    def limit(self) -> int:
        """The most bytes of the body this reader keeps (known once :meth:`start` ran)."""
        return self._limit

    def start(self, status_code: int, headers: httpx.Headers, *, decoded: bool = False) -> None:
        """Take the status line and headers; refuse a success declaring more than the limit.

        ``decoded``: the body will come decoded by httpx whatever its encoding (it was read
        before the driver saw it: a mock transport, a response hook).
        """
        self._status = status_code
        self._headers = {name.lower(): value for name, value in headers.items()}
        # The list the way httpx reads it (every header line, split at commas).
        encodings = [
            value.strip().lower()
            for value in headers.get_list("content-encoding", split_commas=True)
        ]
        self._decoder = (
            BodyDecoder(encodings)
            if not decoded and not _LEFT_TO_HTTPX.intersection(encodings)
            else None
        )
        if status_code >= 400:
            self._truncate = True
            self._limit = min(self._limit, MAX_ERROR_BODY_BYTES)
            return
        declared = self._headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self._limit:
            raise self._too_large()

    @property
    def decodes(self) -> bool:
        """Whether :meth:`receive` takes the body as received (else as httpx decoded it)."""
        return self._decoder is not None

    def receive(self, chunk: bytes) -> bool:
        """Take the next chunk of the body; return False when no more should be read.

        As received (``iter_raw()``) when :attr:`decodes`, else decoded by httpx.
        """
        if self._decoder is None:
            return self.feed(chunk)
        for piece in self._decoder.decode(chunk, self._room):
            if not self.feed(piece):
                return False
        if self._decoder.ended:
            # The compressed stream is over: the rest of the stream cannot change the body.
            self.end()
            return False
        return True

    def end(self) -> None:
        """Take what the decoder still holds once the stream has been read to its end."""
        if self._decoder is None:
            return
        for piece in self._decoder.end(self._room):
            if not self.feed(piece):
                return

    def _room(self) -> int:
        # A success may take one byte past the limit (that byte fails it); an error answer
        # stops at the limit. Never 0: zlib reads max_length=0 as "no limit".
        return max(1, self._limit - self._size + (0 if self._truncate else 1))

    def feed(self, chunk: bytes) -> bool:
        """Add one decoded chunk of the body; return False when no more should be read."""
        room = self._limit - self._size
        if len(chunk) > room:
            if not self._truncate:
                raise self._too_large()
            chunk = chunk[:room]
        self._size += len(chunk)
        self._chunks.append(chunk)
        return not (self._truncate and self._size >= self._limit)

    def response(self, url: str) -> HttpResponse:
        """Return the answer (an error answer's body possibly cut at the limit)."""
        if self._truncate:
            # The body was cut (or may be): its declared length and encoding no longer apply.
            self._headers.pop("content-length", None)
        return HttpResponse(
            status_code=self._status,
            headers=self._headers,
            content=b"".join(self._chunks),
            url=url,
        )

    def _too_large(self) -> UnexpectedResponseError:
        return too_large(
            marketplace=self._marketplace,
            operation=self._operation,
            status_code=self._status,
            limit=self._limit,
            headers=self._headers,
        )
