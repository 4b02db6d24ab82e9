"""Chain: ask several rate sources in order; the first that has the pair wins."""

from __future__ import annotations

from datetime import date

from xborder.errors import RateUnavailableError
from xborder.rates._model import ExchangeRate, RateSource

__all__ = ["Chain"]


class Chain:
    """Ask ``sources`` in order and return the first rate found.

    ::

        rates = Chain(live_ecb, bundled())  # live first, the shipped snapshot as fallback

    Only :class:`~xborder.errors.RateUnavailableError` moves on to the next source (a live
    source that was never refreshed raises it too). Other errors — notably
    :class:`~xborder.errors.StaleRatesError` from a live source whose data is too old —
    propagate: a stale answer is not silently replaced by an even older one. When no
    source has the pair, the error lists every source tried and why each failed.
    """

    def __init__(self, *sources: RateSource) -> None:
        if not sources:
            raise ValueError("Chain needs at least one rate source")
        for position, source in enumerate(sources):
            if not isinstance(source, RateSource):
                raise TypeError(
                    f"sources[{position}]: expected a RateSource (name and rate()), "
                    f"got {type(source).__name__}"
                )
        self.sources: tuple[RateSource, ...] = sources
        self.name = "chain(" + ", ".join(s.name for s in sources) + ")"

    def rate(self, base: str, quote: str, *, on: date | None = None) -> ExchangeRate:
        """Return the first source's rate for the pair; see the class docstring."""
        tried: list[str] = []
        reasons: list[str] = []
        asked = on
        for source in self.sources:
            try:
                return source.rate(base, quote, on=on)
            except RateUnavailableError as exc:
                names = list(exc.sources) or [source.name]
                tried.extend(n for n in names if n not in tried)
                reasons.append(f"{source.name}: {_reason(exc)}")
                if asked is None:
                    asked = exc.on
        raise RateUnavailableError(base, quote, on=asked, sources=tried, reason="; ".join(reasons))

    def __repr__(self) -> str:
        return "Chain(" + ", ".join(repr(s) for s in self.sources) + ")"


def _reason(exc: RateUnavailableError) -> str:
    return exc.reason or str(exc)
