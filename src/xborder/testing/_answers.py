"""The answers a fake marketplace gives around its handlers, in one overridable place.

:class:`Answers` is a base of :class:`~xborder.testing.FakeMarketplace`: every error the
base produces (validation, batch limits, throttling, faults, tokens) comes from one of
these methods, so a fake for a marketplace with another error shape overrides
:meth:`Answers.error_response` (and, where the marketplace differs more, the others).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import ValidationError

from xborder.testing._routing import Call, field_path
from xborder.testing._tokens import AuthProblem

__all__ = ["Answers"]


class Answers:
    """The default answers: JSON errors shaped ``{"error": {"code", "message", "field"}}``."""

    def error_response(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Return an error in the marketplace's shape.

        The default is ``{"error": {"code", "message", "field"}}``.
        """
        error: dict[str, Any] = {"code": code, "message": message}
        if field is not None:
            error["field"] = field
        return httpx.Response(status, json={"error": error}, headers=dict(headers or {}))

    def validation_error_response(self, call: Call, error: ValidationError) -> httpx.Response:
        """Answer a body its model refused (default: 400 naming the first field at fault)."""
        first = error.errors()[0]
        where = field_path(first["loc"])
        return self.error_response(
            400, "invalid_field", f"{where or 'body'}: {first['msg']}", field=where or None
        )

    def malformed_body_response(self, call: Call, reason: str) -> httpx.Response:
        """Answer a body that cannot be read at all (default: 400 ``malformed_body``)."""
        return self.error_response(400, "malformed_body", reason)

    def batch_limit_response(self, call: Call, size: int, limit: int) -> httpx.Response:
        """Answer a batch past its limit (default: 400 ``batch_too_large``)."""
        return self.error_response(
            400, "batch_too_large", f"{size} items in one call; the limit is {limit}"
        )

    def throttle_response(self, call: Call, retry_after: float | None) -> httpx.Response:
        """Answer a throttled request (default: 429 with ``Retry-After`` in whole seconds)."""
        headers = {} if retry_after is None else {"retry-after": str(math.ceil(retry_after))}
        return self.error_response(429, "rate_limited", "too many requests", headers=headers)

    def server_error_response(self, call: Call, status: int) -> httpx.Response:
        """Answer a failure of the marketplace (default: ``status`` ``internal_error``)."""
        return self.error_response(status, "internal_error", "the service failed; try again")

    def unexpected_status_response(self, call: Call, status: int) -> httpx.Response:
        """Answer with an undocumented status and an HTML page, as a proxy in the way would."""
        page = f"<html><body><h1>{status}</h1><p>upstream said no</p></body></html>"
        return httpx.Response(status, text=page, headers={"content-type": "text/html"})

    def auth_error_response(self, call: Call, problem: AuthProblem) -> httpx.Response:
        """Answer a missing, unknown or expired token (default: 401 ``token_expired`` …)."""
        code = {"missing": "unauthorized", "invalid": "invalid_token", "expired": "token_expired"}
        return self.error_response(401, code[problem], f"access token {problem}")

    def token_error_response(
        self, call: Call, status: int, error: str, description: str
    ) -> httpx.Response:
        """Answer a refused token request (default: the RFC 6749 §5.2 error body)."""
        return httpx.Response(status, json={"error": error, "error_description": description})

    def token_from(self, call: Call) -> str | None:
        """Return the access token a request carries (default: ``Authorization: Bearer``)."""
        scheme, _, value = call.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None
