"""Shared helpers for the translation tests: provider fixtures, a hand driver, a fake translator.

The fixture files and the documentation each one comes from are listed in
tests/localize/fixtures/README.md. This module holds no tests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from xborder.http import Flow, HttpRequest, HttpResponse

FIXTURES = Path(__file__).parent / "fixtures"

#: A fake key in the shape of a DeepL Free API key (uuid + ":fx"); never a real one.
FAKE_KEY = "0f3c2a91-5b7d-4e08-9c61-7a2b4d8e1f30:fx"

T = TypeVar("T")


@dataclass(frozen=True)
class Fixture:
    """One recorded-style HTTP answer (see fixtures/README.md for the format)."""

    name: str
    source: str
    note: str
    status: int
    headers: Mapping[str, str]
    body: Any = None
    text: str | None = None
    request: Mapping[str, Any] | None = None

    @property
    def content(self) -> bytes:
        if self.text is not None:
            return self.text.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")

    def response(self, url: str = "") -> HttpResponse:
        """The answer as xborder's sans-I/O HttpResponse (for driving a flow by hand)."""
        return HttpResponse(self.status, dict(self.headers), self.content, url)

    def httpx_response(self) -> httpx.Response:
        """The answer as an httpx.Response (for respx)."""
        return httpx.Response(self.status, headers=dict(self.headers), content=self.content)


def fixture(provider: str, name: str) -> Fixture:
    raw = json.loads((FIXTURES / provider / f"{name}.json").read_text("utf-8"))
    assert raw["source"].startswith("https://"), f"{provider}/{name}: cite the documentation"
    return Fixture(
        name=name,
        source=raw["source"],
        note=raw["note"],
        status=raw["status"],
        headers=raw.get("headers", {}),
        body=raw.get("body"),
        text=raw.get("text"),
        request=raw.get("request"),
    )


def drive(
    flow: Flow[T], answer: Callable[[HttpRequest], HttpResponse] | Iterable[HttpResponse]
) -> tuple[list[HttpRequest], T]:
    """Run ``flow`` by hand: answer each request it yields; return the requests and the result."""
    answers = None if callable(answer) else iter(answer)
    requests: list[HttpRequest] = []
    try:
        request = next(flow)
        while True:
            requests.append(request)
            if answers is None:
                assert callable(answer)
                response = answer(request)
            else:
                response = next(answers)
            request = flow.send(response)
    except StopIteration as done:
        return requests, done.value


@dataclass
class FakeTranslator:
    """A Translator answering from a dict; each flow call yields one request (simulated I/O).

    ``calls`` records the texts of every call; texts missing from ``answers`` get ``None``.
    """

    answers: Mapping[str, str | None]
    name: str = "fake"
    max_batch: int = 50
    calls: list[list[str]] = field(default_factory=list)
    fail_on_call: int | None = None

    def flow(self, texts: Sequence[str], *, source: str, target: str) -> Flow[list[str | None]]:
        return self._flow(list(texts), source, target)

    def _flow(
        self, texts: list[str], source: str, target: str
    ) -> Generator[HttpRequest, HttpResponse, list[str | None]]:
        self.calls.append(texts)
        body = json.dumps({"texts": texts, "source": source, "target": target}).encode()
        response = yield HttpRequest("POST", "https://translator.invalid/translate", content=body)
        assert response.status_code == 200
        if self.fail_on_call == len(self.calls):
            from xborder.errors import TranslationError

            raise TranslationError("boom", provider=self.name, status=500)
        return [self.answers.get(t) for t in texts]


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {}, b"{}", request.url)


def leaks(secret: str, *things: object) -> list[str]:
    """Return each str/repr of ``things`` (and exception args and causes) holding ``secret``."""
    found: list[str] = []
    seen: set[int] = set()

    def visit(obj: object) -> None:
        if obj is None or id(obj) in seen:
            return
        seen.add(id(obj))
        for text in (str(obj), repr(obj)):
            if secret in text:
                found.append(text)
        if isinstance(obj, BaseException):
            for arg in obj.args:
                visit(arg)
            for note in getattr(obj, "__notes__", ()):
                visit(note)
            for value in vars(obj).values():
                visit(value)
            visit(obj.__cause__)
            visit(obj.__context__)

    for thing in things:
        visit(thing)
    return found


def log_text(records: Iterable[logging.LogRecord]) -> str:
    return "\n".join(r.getMessage() for r in records)
