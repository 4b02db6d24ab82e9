"""Every exception xborder raises, in one tree.

Catch :class:`XborderError` to catch them all. Errors about bad values are also
:class:`ValueError` (and a refused float is a :class:`TypeError`), so code that already
handles the built-in exceptions keeps working::

    XborderError
    ├── ConfigurationError                 bad settings, unknown plugin names
    │   └── PluginError                    an entry point that fails to load or validate
    ├── MoneyError (ValueError)
    │   ├── UnknownCurrencyError           not an ISO 4217 code CLDR knows
    │   ├── CurrencyMismatchError          arithmetic across two currencies
    │   └── InvalidAmountError             NaN, Infinity, unparsable text
    ├── FloatAmountError (TypeError)       a float where money is expected
    ├── RateError
    │   ├── RateUnavailableError (LookupError)  no source has the pair on that date
    │   ├── StaleRatesError                a live source's data is older than max_age
    │   └── RateFetchError                 a live source answered with something unusable
    ├── UnknownMarketError (ValueError)    a country code xborder has no market for
    ├── UnknownLocaleError (ValueError)    a locale babel/CLDR does not know
    ├── TranslationError                   a translation provider failed or answered badly
    │   ├── TranslatorAuthError            the key is missing, wrong or expired
    │   └── TranslatorQuotaError           the quota or rate limit is exhausted
    ├── InvalidListingError (ValueError)   a listing (or catalog row) that fails validation
    │   └── CatalogError                   a catalog file that cannot be read at all
    ├── PricingError (ValueError)          a policy that cannot be built or applied
    ├── ComplianceError                    ensure_compliant(): the report has errors (.report)
    ├── UnsupportedOperationError          an adapter lacks the capability asked for
    └── MarketplaceError                   a marketplace call failed (.marketplace, .request_id)
        ├── MarketplaceTransportError      no HTTP answer (connection refused, reset, DNS)
        │   └── RequestTimeoutError        the call timed out
        ├── UnexpectedResponseError        a body the adapter cannot read
        └── ApiError                       an HTTP answer that is an error (.status_code)
            ├── AuthenticationError        credentials refused or expired (401, 403 …)
            ├── NotFoundError              404
            ├── ConflictError              409
            ├── InvalidRequestError        400, 422 (.field_errors)
            ├── RateLimitError             throttled, retries exhausted (.retry_after)
            └── ServerError                5xx, retries exhausted

Warnings: :class:`StaleRatesWarning` for a bundled (dated) snapshot used past its age.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xborder.compliance import Report

__all__ = [
    "ApiError",
    "AuthenticationError",
    "CatalogError",
    "ComplianceError",
    "ConfigurationError",
    "ConflictError",
    "CurrencyMismatchError",
    "FieldError",
    "FloatAmountError",
    "InvalidAmountError",
    "InvalidListingError",
    "InvalidRequestError",
    "MarketplaceError",
    "MarketplaceTransportError",
    "MoneyError",
    "NotFoundError",
    "PluginError",
    "PricingError",
    "RateError",
    "RateFetchError",
    "RateLimitError",
    "RateUnavailableError",
    "RequestTimeoutError",
    "ServerError",
    "StaleRatesError",
    "StaleRatesWarning",
    "TranslationError",
    "TranslatorAuthError",
    "TranslatorQuotaError",
    "UnexpectedResponseError",
    "UnknownCurrencyError",
    "UnknownLocaleError",
    "UnknownMarketError",
    "UnsupportedOperationError",
    "XborderError",
]


class XborderError(Exception):
    """Root of every exception raised by xborder."""


class ConfigurationError(XborderError):
    """Settings that cannot work: a missing value, an unknown plugin name, a bad combination."""


class PluginError(ConfigurationError):
    """An entry-point plugin that could not be loaded or does not fit its protocol.

    ``distribution`` names the installed package that provided it, when known.
    """

    def __init__(self, message: str, *, group: str, name: str, distribution: str | None) -> None:
        super().__init__(message)
        self.group = group
        self.name = name
        self.distribution = distribution


class MoneyError(XborderError, ValueError):
    """A money value that cannot be represented or combined."""


class UnknownCurrencyError(MoneyError):
    """A currency code that is not ISO 4217 as known to CLDR (via babel)."""

    def __init__(self, code: object, *, field: str = "currency") -> None:
        hint = ""
        if isinstance(code, str) and code != code.upper() and len(code) == 3:
            hint = f" (currency codes are upper case: did you mean {code.upper()!r}?)"
        super().__init__(f"{field}: unknown currency code {code!r}{hint}")
        self.code = code
        self.field = field


class CurrencyMismatchError(MoneyError):
    """Arithmetic or comparison between amounts in two different currencies."""

    def __init__(self, left: str, right: str, operation: str) -> None:
        super().__init__(
            f"cannot {operation} {left} and {right}: convert one of them first "
            f"(xborder.rates.convert)"
        )
        self.left = left
        self.right = right
        self.operation = operation


class InvalidAmountError(MoneyError):
    """An amount that is not a finite decimal number."""

    def __init__(self, value: object, *, field: str = "amount", reason: str = "") -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(f"{field}: invalid amount {value!r}{detail}")
        self.value = value
        self.field = field


class FloatAmountError(XborderError, TypeError):
    """A binary float where an exact amount is needed."""

    def __init__(self, value: float, *, field: str = "amount") -> None:
        super().__init__(
            f"{field}: got the float {value!r}; floats cannot hold money exactly. "
            f"Pass a string such as {str(value)!r} or a decimal.Decimal"
        )
        self.value = value
        self.field = field


class RateError(XborderError):
    """Base of exchange-rate errors."""


class RateUnavailableError(RateError, LookupError):
    """No rate source could give the pair on the date asked for."""

    def __init__(
        self,
        base: str,
        quote: str,
        *,
        on: date | None,
        sources: Sequence[str],
        reason: str = "",
    ) -> None:
        when = f" on {on.isoformat()}" if on is not None else ""
        tried = ", ".join(sources) if sources else "none"
        detail = f" ({reason})" if reason else ""
        super().__init__(f"no exchange rate {base}->{quote}{when}{detail}; sources tried: {tried}")
        self.base = base
        self.quote = quote
        self.on = on
        self.sources = tuple(sources)
        self.reason = reason


class StaleRatesError(RateError):
    """A live source's newest rate is older than its ``max_age`` for the date asked for."""

    def __init__(self, source: str, *, as_of: date, on: date, max_age_days: int) -> None:
        super().__init__(
            f"{source}: newest rate is from {as_of.isoformat()}, {(on - as_of).days} days "
            f"before {on.isoformat()} (max_age is {max_age_days} days); refresh the source"
        )
        self.source = source
        self.as_of = as_of
        self.on = on


class RateFetchError(RateError):
    """A live rate source answered with something xborder cannot use."""


class StaleRatesWarning(UserWarning):
    """A dated snapshot (such as the bundled ECB rates) was used past its ``max_age``."""


class UnknownMarketError(XborderError, ValueError):
    """A country code for which xborder has no market."""

    def __init__(self, code: object, *, reason: str = "") -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(f"country: unknown market {code!r}{detail}")
        self.code = code


class UnknownLocaleError(XborderError, ValueError):
    """A locale that babel (CLDR) does not know, or text that is not a locale identifier.

    ``locale`` is the value given.
    """

    def __init__(self, locale: object, *, reason: str = "") -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(f"locale: unknown locale {locale!r}{detail}")
        self.locale = locale


class TranslationError(XborderError):
    """A machine-translation provider failed or answered with something unusable.

    ``provider`` is the translator's registry name; ``status`` the HTTP status, if any.
    Messages never contain the API key.
    """

    def __init__(self, message: str, *, provider: str, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.status = status


class TranslatorAuthError(TranslationError):
    """The provider refused the credentials (missing, wrong or expired key)."""


class TranslatorQuotaError(TranslationError):
    """The provider's quota or rate limit is exhausted; ``retry_after`` in seconds if given."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, provider=provider, status=status)
        self.retry_after = retry_after


class FieldError:
    """One problem with one field: where (a dotted path), the value given, and what is wrong."""

    __slots__ = ("field", "message", "value")

    def __init__(self, field: str, value: Any, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message

    def __repr__(self) -> str:
        return f"FieldError(field={self.field!r}, value={self.value!r}, message={self.message!r})"

    def __str__(self) -> str:
        return f"{self.field}={_short(self.value)}: {self.message}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldError):
            return NotImplemented
        return (self.field, self.message) == (other.field, other.message) and _same(
            self.value, other.value
        )

    def __hash__(self) -> int:
        return hash((self.field, self.message))


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover - exotic values that refuse comparison
        return a is b


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InvalidListingError(XborderError, ValueError):
    """A listing that fails validation; ``errors`` names every field and value at fault.

    ``row`` is the 1-based line (CSV: the header is line 1) when the listing came from a
    catalog file, and ``sku`` the row's SKU when it could be read.
    """

    def __init__(
        self,
        errors: Sequence[FieldError],
        *,
        row: int | None = None,
        sku: str | None = None,
        source: str | None = None,
    ) -> None:
        self.errors = tuple(errors)
        self.row = row
        self.sku = sku
        self.source = source
        where = []
        if source is not None:
            where.append(source)
        if row is not None:
            where.append(f"row {row}")
        if sku is not None:
            where.append(f"sku {sku!r}")
        prefix = (", ".join(where) + ": ") if where else ""
        lines = "; ".join(str(e) for e in self.errors) or "invalid listing"
        super().__init__(prefix + lines)


class CatalogError(InvalidListingError):
    """A catalog file that cannot be read at all (bad header, unknown column, bad encoding)."""


class PricingError(XborderError, ValueError):
    """A pricing policy that cannot be built, or cannot be applied to a market."""


class ComplianceError(XborderError):
    """A listing that fails the compliance check: ``report`` holds every finding.

    Raised by :func:`xborder.compliance.ensure_compliant` when the
    :class:`~xborder.compliance.Report` has at least one error finding; the message names
    the listing, the market and the first error.
    """

    def __init__(self, report: Report) -> None:
        errors = report.errors
        where = f"{report.sku or 'listing'} for {report.market}"
        if report.channel is not None:
            where += f" on {report.channel}"
        first = f"; first: {errors[0].code}: {errors[0].message}" if errors else ""
        super().__init__(f"{where} is not compliant: {len(errors)} error(s){first}")
        self.report = report


class UnsupportedOperationError(XborderError):
    """An operation the marketplace adapter does not offer (see its ``Capabilities``)."""


class MarketplaceError(XborderError):
    """A marketplace call that failed as a whole.

    ``marketplace`` is the adapter's registry name; ``operation`` the adapter's name for the
    call (``"bulk_create_offer"``); ``status_code`` the HTTP status when there was an answer;
    ``request_id`` the marketplace's id for the call, for its support; ``retry_after``
    seconds to wait before trying again when the marketplace said so; ``field_errors`` the
    fields the marketplace named. ``str()`` reads ``"[ebay request_id=abc] message"`` so a log
    line can be traced. No credential is ever part of the message.
    """

    def __init__(
        self,
        message: str,
        *,
        marketplace: str,
        operation: str = "",
        status_code: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        field_errors: Sequence[FieldError] = (),
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.marketplace = marketplace
        self.operation = operation
        self.status_code = status_code
        self.request_id = request_id
        self.retry_after = retry_after
        self.field_errors = tuple(field_errors)
        self.code = code

    def __str__(self) -> str:
        tags = [self.marketplace]
        if self.operation:
            tags.append(self.operation)
        if self.status_code is not None:
            tags.append(f"status={self.status_code}")
        if self.request_id:
            tags.append(f"request_id={self.request_id}")
        text = f"[{' '.join(tags)}] {self.message}"
        if self.field_errors:
            text += " (" + "; ".join(str(e) for e in self.field_errors) + ")"
        return text


class MarketplaceTransportError(MarketplaceError):
    """The call got no HTTP answer: connection refused or reset, DNS, TLS, a broken stream."""


class RequestTimeoutError(MarketplaceTransportError):
    """The call timed out (connect, read, write or pool)."""


class UnexpectedResponseError(MarketplaceError):
    """The marketplace answered with a body the adapter cannot read (truncated, wrong shape)."""


class ApiError(MarketplaceError):
    """The marketplace answered with an HTTP error the adapter classified as final."""


class AuthenticationError(ApiError):
    """Credentials refused or expired, after one re-authentication where possible."""


class NotFoundError(ApiError):
    """The marketplace does not know the resource (HTTP 404)."""


class ConflictError(ApiError):
    """The resource changed or exists already (HTTP 409)."""


class InvalidRequestError(ApiError):
    """The marketplace refused the request's content (HTTP 400, 422); see ``field_errors``."""


class RateLimitError(ApiError):
    """The marketplace throttled the call and retries ran out; ``retry_after`` when known."""


class ServerError(ApiError):
    """The marketplace failed (HTTP 5xx) and retries ran out."""
