from __future__ import annotations

from datetime import date

import pytest

from xborder.marketplaces import OPERATIONS, Capabilities, RateLimit, Site


def test_defaults_offer_every_operation_and_no_limits() -> None:
    caps = Capabilities("shop")
    assert caps.operations == frozenset(OPERATIONS)
    assert caps.batch_limit("upsert") is None
    assert caps.rate_limit("anything") is None
    assert caps.site("de") is None
    assert caps.channel_rules() is None


def test_lookups() -> None:
    caps = Capabilities(
        "ebay",
        batch_limits={"upsert": 25},
        rate_limits={"bulk_create_offer": RateLimit(5, burst=10), "*": RateLimit(2)},
        sites={"DE": Site("DE", "EUR", "de-DE", "EBAY_DE")},
        channel="ebay",
    )
    assert caps.batch_limit("upsert") == 25 and caps.batch_limit("withdraw") is None
    assert caps.rate_limit("bulk_create_offer") == RateLimit(5, burst=10)
    assert caps.rate_limit("get_offer") == RateLimit(2)
    assert caps.site("de") == Site("DE", "EUR", "de-DE", "EBAY_DE")
    rules = caps.channel_rules(on=date(2026, 10, 1))
    assert rules is not None and rules.name == "ebay"


def test_channel_rules_per_market() -> None:
    amazon = Capabilities("amazon", channel="amazon")
    day = date(2026, 10, 1)
    assert getattr(amazon.channel_rules(on=day), "title_max", None) == 75
    assert getattr(amazon.channel_rules(on=day, market="AE"), "title_max", None) == 200


def test_mappings_are_read_only_copies() -> None:
    limits = {"upsert": 25}
    caps = Capabilities("shop", batch_limits=limits)  # type: ignore[arg-type]
    limits["upsert"] = 1
    assert caps.batch_limit("upsert") == 25
    with pytest.raises(TypeError):
        caps.batch_limits["upsert"] = 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operations": frozenset({"upsert", "delete"})}, r"operations: unknown \['delete'\]"),
        ({"batch_limits": {"publish": 25}}, "batch_limits: unknown operation 'publish'"),
        ({"batch_limits": {"upsert": 0}}, r"batch_limits\['upsert'\]: expected an int >= 1"),
        ({"batch_limits": {"upsert": True}}, r"batch_limits\['upsert'\]: expected an int >= 1"),
    ],
)
def test_bad_capabilities(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Capabilities("shop", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rate", "burst", "message"),
    [
        (0, 1, "RateLimit.rate: expected a number > 0, got 0"),
        (True, 1, "RateLimit.rate"),
        (1, 0, "RateLimit.burst: expected an int >= 1, got 0"),
        (1, 1.5, "RateLimit.burst"),
    ],
)
def test_bad_rate_limits(rate: object, burst: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RateLimit(rate, burst)  # type: ignore[arg-type]
