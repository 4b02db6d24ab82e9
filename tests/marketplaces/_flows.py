"""Driving adapter flows by hand in tests: recorded answers in, the requests sent out."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from xborder.http import Flow, HttpRequest, HttpResponse

T = TypeVar("T")

Responder = Callable[[HttpRequest], HttpResponse]


def answer(status: int, body: Any = None, **headers: str) -> HttpResponse:
    content = b"" if body is None else json.dumps(body).encode()
    return HttpResponse(
        status, headers={k.replace("_", "-"): v for k, v in headers.items()}, content=content
    )


def drive(
    flow: Flow[T], responder: Responder | Sequence[HttpResponse]
) -> tuple[T, list[HttpRequest]]:
    """Run ``flow``, answering each request from ``responder`` (a function or a list)."""
    sent: list[HttpRequest] = []
    queue = list(responder) if not callable(responder) else None
    try:
        request = next(flow)
        while True:
            sent.append(request)
            if queue is not None:
                if not queue:
                    raise AssertionError(f"no answer left for {request!r}")
                reply = queue.pop(0)
            else:
                reply = responder(request)  # type: ignore[operator]
            request = flow.send(reply)
    except StopIteration as done:
        if queue:
            raise AssertionError(f"{len(queue)} answers left unused") from None
        return done.value, sent


def ops(requests: Sequence[HttpRequest]) -> list[str]:
    return [request.operation for request in requests]
