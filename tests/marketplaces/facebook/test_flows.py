"""The adapter's flows driven by hand: requests checked, Meta's answers fed back."""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

from marketplaces.facebook._support import (
    APP_SECRET,
    CATALOG,
    GRAPH,
    TOKEN,
    adapter,
    answer,
    body,
    check_bodies,
    clone,
    counts,
    drive,
    finished,
    handle_answer,
    listing,
    offer,
    ops,
    requests_of,
    started,
)
from xborder.errors import ConfigurationError, UnexpectedResponseError
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces import AccessToken, OfferKey, PriceQuantityUpdate, RemoteRef
from xborder.marketplaces.facebook import FacebookAdapter, GraphToken, appsecret_proof
from xborder.money import Money

GB, DE, FR = (offer(market=m) for m in ("GB", "DE", "FR"))


def key(market: str, sku: str = "MUG-01") -> OfferKey:
    return OfferKey("facebook", market, sku)


def test_upsert_sends_base_items_then_overrides_and_polls_each_handle() -> None:
    answers = [
        handle_answer("H1"),
        started("H1"),
        finished("H1"),
        handle_answer("H2"),
        finished("H2"),
    ]
    results, sent = drive(adapter().upsert([GB, DE, FR]), answers)
    check_bodies(sent)
    assert ops(sent) == [
        "items_batch",
        "check_batch_request_status",
        "check_batch_request_status",
        "localized_items_batch",
        "check_batch_request_status",
    ]
    items_batch, poll = sent[0], sent[1]
    assert items_batch.url == f"{CATALOG}/items_batch"
    assert items_batch.is_idempotent and not items_batch.raise_for_status
    assert items_batch.auth == "default"
    assert poll.method == "GET"
    assert poll.url == (
        f"{CATALOG}/check_batch_request_status?handle=H1&load_ids_of_invalid_requests=true"
    )
    assert [r["data"]["id"] for r in requests_of(items_batch)] == ["MUG-01"]
    assert body(items_batch)["allow_upsert"] is True
    localized = requests_of(sent[3])
    assert [(r["localization"]["type"], r["localization"]["value"]) for r in localized] == [
        ("LANGUAGE", "de_XX"),
        ("LANGUAGE", "fr_XX"),
        ("COUNTRY", "DE"),
        ("COUNTRY", "FR"),
    ]
    assert "allow_upsert" not in body(sent[3])
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    assert all(r.remote == RemoteRef(retailer_id="MUG-01") for r in results)


def test_overrides_never_carry_base_fields_and_languages_carry_texts_only() -> None:
    _, sent = drive(
        adapter().upsert([GB, DE, FR]),
        [handle_answer("H1"), finished("H1"), handle_answer("H2"), finished("H2")],
    )
    for element in requests_of(sent[2]):
        kind = element["localization"]["type"]
        fields = set(element["data"])
        if kind == "COUNTRY":
            assert fields == {"id", "price", "availability"}
        else:
            assert fields <= {"id", "title", "description"}


def test_items_refused_at_once_fail_and_their_overrides_are_not_sent() -> None:
    cup = clone(GB, "CUP-02")
    refused = {
        "handles": ["H1"],
        "validation_status": [
            {
                "retailer_id": "MUG-01",
                "errors": [{"message": "Invalid price"}],
                "warnings": [{"message": "Image too small"}],
            },
            {"retailer_id": "CUP-02", "warnings": [{"message": "Image too small"}]},
        ],
    }
    answers = [answer(200, refused), finished("H1"), handle_answer("H2"), finished("H2")]
    results, sent = drive(adapter().upsert([GB, cup, DE, clone(DE, "CUP-02")]), answers)
    mug, cup_gb, mug_de, cup_de = results
    assert mug.failed and [(i.code, i.message, i.severity) for i in mug.issues] == [
        ("facebook.validation", "Image too small", "warning"),
        ("facebook.validation", "Invalid price", "error"),
    ]
    assert cup_gb.ok and [i.severity for i in cup_gb.issues] == ["warning"]
    assert mug_de.failed and mug_de.issues[0].code == "facebook.base_item_failed"
    assert cup_de.ok
    assert [r["data"]["id"] for r in requests_of(sent[2])] == ["CUP-02", "CUP-02"]


def test_invalid_ids_beyond_the_error_sample_fail_per_item() -> None:
    offers = [clone(GB, f"S{n}") for n in range(5)]
    status = finished(
        "H1",
        invalid=["S1", "S3"],
        errors=[{"id": "S1", "message": "The link is not a valid URL"}],
    )
    results, _ = drive(adapter().upsert(offers), [handle_answer("H1"), status])
    assert [r.status for r in results] == ["ok", "failed", "ok", "failed", "ok"]
    assert results[1].issues[0].message == "The link is not a valid URL"
    assert results[3].issues[0].code == "facebook.invalid"
    assert "not in the sample" in results[3].issues[0].message
    assert results[1].remote == RemoteRef(retailer_id="S1", handle="H1")


def test_a_status_with_a_bare_object_and_unknown_values_is_read() -> None:
    bare = answer(200, {"handle": "H1", "status": "Dispatched"})
    done = answer(200, {"handle": "H1", "status": "FINISHED", "ids_of_invalid_requests": [7]})
    results, sent = drive(adapter().upsert([GB]), [handle_answer("H1"), bare, done])
    assert results[0].ok and len(sent) == 3


@pytest.mark.parametrize("state", ["error", "canceled"])
def test_a_broken_batch_fails_its_items(state: str) -> None:
    status = answer(200, {"data": [{"handle": "H1", "status": state}]})
    results, _ = drive(adapter().upsert([GB]), [handle_answer("H1"), status])
    assert results[0].failed and results[0].issues[0].code == "facebook.batch_error"


def test_no_handle_means_nothing_was_ingested() -> None:
    results, sent = drive(adapter().upsert([GB]), [answer(200, {"handles": []})])
    assert results[0].failed and results[0].issues[0].code == "facebook.not_ingested"
    assert ops(sent) == ["items_batch"]


def test_a_refused_call_fails_its_items_with_metas_error() -> None:
    error = {
        "error": {
            "message": "(#100) Invalid parameter",
            "code": 100,
            "error_data": {"blame_field_specs": [["requests"]]},
        }
    }
    results, _ = drive(adapter().upsert([GB, DE]), [answer(400, error)])
    assert all(r.failed for r in results)
    assert results[0].issues[0].code == "100" and results[0].issues[0].field == "requests"
    assert results[1].issues[0].code == "facebook.base_item_failed"


def test_a_throttled_call_after_retries_fails_with_retry_after() -> None:
    error = {"error": {"message": "(#80014) too many calls", "code": 80014, "is_transient": True}}
    buc = json.dumps({"1": [{"call_count": 100, "estimated_time_to_regain_access": 2}]})
    results, _ = drive(adapter().upsert([GB]), [answer(400, error, x_business_use_case_usage=buc)])
    assert results[0].failed and results[0].retry_after == 120.0


def test_an_unreadable_answer_fails_the_batch() -> None:
    results, _ = drive(adapter().upsert([GB]), [HttpResponse(200, {}, b'{"handles": [')])
    assert results[0].issues[0].code == "facebook.unreadable_response"


def test_still_running_after_every_poll_is_pending_with_the_handle() -> None:
    meta = adapter(poll_attempts=2)
    answers = [handle_answer("H1"), started("H1"), started("H1")]
    results, sent = drive(meta.upsert([GB, DE]), answers)
    base, other = results
    assert base.pending and base.state == "pending"
    assert base.remote == RemoteRef(retailer_id="MUG-01", handle="H1")
    # The override of an item Meta does not hold yet would be refused: not sent.
    assert other.failed and other.issues[0].code == "facebook.base_item_pending"
    assert other.retry_after == 60.0
    assert ops(sent) == ["items_batch", "check_batch_request_status", "check_batch_request_status"]


def test_known_items_get_their_overrides_while_the_base_write_is_pending() -> None:
    meta = adapter(poll_attempts=0)
    known = {key("GB"): RemoteRef(retailer_id="MUG-01")}
    results, sent = drive(
        meta.upsert([GB, DE], known=known), [handle_answer("H1"), handle_answer("H2")]
    )
    assert [r.status for r in results] == ["pending", "pending"]
    assert [r.remote["handle"] for r in results if r.remote] == ["H1", "H2"]
    assert ops(sent) == ["items_batch", "localized_items_batch"]
    pending = {key("GB"): RemoteRef(retailer_id="MUG-01", handle="H0")}
    results, _ = drive(meta.upsert([GB, DE], known=pending), [handle_answer("H1")])
    assert results[1].issues[0].code == "facebook.base_item_pending"


def test_a_failed_poll_leaves_items_pending() -> None:
    throttled = answer(400, {"error": {"code": 80009, "message": "(#80009) too many calls"}})
    meta = adapter(poll_attempts=1)
    results, _ = drive(meta.upsert([GB]), [handle_answer("H1"), throttled])
    assert results[0].pending


def test_without_polling_writes_come_back_pending() -> None:
    meta = adapter(poll_attempts=0)
    results, sent = drive(meta.upsert([GB]), [handle_answer("H1")])
    assert results[0].pending and ops(sent) == ["items_batch"]


def test_offers_missing_what_meta_requires_fail_before_any_call() -> None:
    bare = offer(listing("BARE-1", url=None))
    results, sent = drive(adapter().upsert([bare, GB]), [handle_answer(), finished()])
    assert results[0].failed and results[0].issues[0].field == "url"
    assert [r["data"]["id"] for r in requests_of(sent[0])] == ["MUG-01"]


def test_targets_without_the_base_market_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        drive(adapter().upsert([DE, FR]), [])
    message = str(caught.value)
    assert "base market is GB" in message and "DE, FR" in message
    assert "XBORDER_FACEBOOK_BASE_MARKET" in message and "MUG-01" in message


def test_overrides_without_a_base_offer_or_a_known_item_fail_unsent() -> None:
    # The mug has its GB offer; the cup has none in the call and is not known.
    cup_de = clone(DE, "CUP-02")
    answers = [handle_answer("H1"), finished("H1"), handle_answer("H2"), finished("H2")]
    results, sent = drive(adapter().upsert([GB, DE, cup_de]), answers)
    assert results[0].ok and results[1].ok
    assert results[2].failed and results[2].issues[0].code == "facebook.no_base_item"
    assert "GB offer of CUP-02" in results[2].issues[0].message
    assert {r["data"]["id"] for r in requests_of(sent[2])} == {"MUG-01"}


def test_overrides_of_known_items_need_no_base_offer() -> None:
    known = {key("GB"): RemoteRef(retailer_id="MUG-01")}
    results, sent = drive(
        adapter().upsert([DE], known=known), [handle_answer("H2"), finished("H2")]
    )
    assert results[0].ok and ops(sent)[0] == "localized_items_batch"
    # Without the base item's texts both texts are sent.
    assert set(requests_of(sent[0])[0]["data"]) == {"id", "title", "description"}


def test_same_language_markets_share_one_language_override() -> None:
    at = dataclasses.replace(offer(market="AT"))
    _, sent = drive(
        adapter().upsert([GB, DE, at]),
        [handle_answer("H1"), finished("H1"), handle_answer("H2"), finished("H2")],
    )
    kinds = [(r["localization"]["type"], r["localization"]["value"]) for r in requests_of(sent[2])]
    assert kinds == [("LANGUAGE", "de_XX"), ("COUNTRY", "DE"), ("COUNTRY", "AT")]


def test_other_texts_in_the_same_language_use_language_and_country() -> None:
    at = offer(market="AT")
    at = dataclasses.replace(
        at, content=at.content._replace(title=at.content.title._replace(text="Häferl"))
    )
    us = offer(market="US")
    us = dataclasses.replace(
        us, content=us.content._replace(title=us.content.title._replace(text="Mug"))
    )
    _, sent = drive(
        adapter().upsert([GB, DE, at, us]),
        [handle_answer("H1"), finished("H1"), handle_answer("H2"), finished("H2")],
    )
    check_bodies(sent)
    texts = [
        (r["localization"]["type"], r["localization"]["value"], r["data"])
        for r in requests_of(sent[2])
        if r["localization"]["type"] != "COUNTRY"
    ]
    assert [(t, v) for t, v, _ in texts] == [
        ("LANGUAGE", "de_XX"),
        ("LANGUAGE_AND_COUNTRY", "de_XX|AT"),
        ("LANGUAGE_AND_COUNTRY", "en_XX|US"),
    ]
    assert texts[2][2] == {"id": "MUG-01", "title": "Mug"}


def test_batches_split_by_count_and_keep_a_products_overrides_together() -> None:
    meta = adapter(items_batch_size=2, localized_batch_size=3)
    offers = []
    for n in range(3):
        offers += [clone(GB, f"S{n}"), clone(DE, f"S{n}")]
    answers = [
        handle_answer("A"),
        handle_answer("B"),
        finished("A"),
        finished("B"),
        handle_answer("C"),
        handle_answer("D"),
        handle_answer("E"),
        finished("C"),
        finished("D"),
        finished("E"),
    ]
    results, sent = drive(meta.upsert(offers), answers)
    assert all(r.ok for r in results)
    assert [len(requests_of(r)) for r in sent if r.method == "POST"] == [2, 1, 2, 2, 2]
    for request in sent[4:7]:
        assert len({r["data"]["id"] for r in requests_of(request)}) == 1


def test_batches_split_by_bytes() -> None:
    meta = adapter(max_request_bytes=10_000)
    offers = [clone(GB, f"S{n:02d}") for n in range(40)]
    answers = [handle_answer(f"H{n}") for n in range(10)]

    def respond(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            assert len(request.content) < 10_000
            return answers.pop(0)
        handle = request.url.split("handle=")[1].split("&")[0]
        return finished(handle)

    results, sent = drive(meta.upsert(offers), respond)
    assert all(r.ok for r in results)
    assert counts(sent)["items_batch"] > 1
    assert sum(len(requests_of(r)) for r in sent if r.method == "POST") == 40


def test_price_only_on_the_base_item_and_the_country_override() -> None:
    updates = [
        PriceQuantityUpdate(key("GB"), price=Money("19.99", "GBP"), quantity=2),
        PriceQuantityUpdate(key("DE"), price=Money("23.50", "EUR")),
        PriceQuantityUpdate(key("FR"), quantity=0),
    ]
    answers = [handle_answer("H1"), handle_answer("H2"), finished("H1"), finished("H2")]
    results, sent = drive(adapter().update_price_quantity(updates), answers)
    check_bodies(sent)
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    base, localized = body(sent[0]), body(sent[1])
    assert base["allow_upsert"] is False
    assert base["requests"] == [
        {
            "method": "UPDATE",
            "data": {
                "id": "MUG-01",
                "price": "19.99 GBP",
                "availability": "in stock",
                "quantity_to_sell_on_facebook": 2,
            },
        }
    ]
    assert localized["requests"] == [
        {
            "method": "UPDATE",
            "localization": {"type": "COUNTRY", "value": "DE"},
            "data": {"id": "MUG-01", "price": "23.50 EUR"},
        },
        {
            "method": "UPDATE",
            "localization": {"type": "COUNTRY", "value": "FR"},
            "data": {"id": "MUG-01", "availability": "out of stock"},
        },
    ]


def test_a_price_change_of_another_market_touches_only_its_override() -> None:
    update = PriceQuantityUpdate(key("DE"), price=Money("23.50", "EUR"))
    _, sent = drive(adapter().update_price_quantity([update]), [handle_answer(), finished()])
    assert ops(sent) == ["localized_items_batch", "check_batch_request_status"]


def test_a_price_of_zero_is_refused_before_any_call() -> None:
    update = PriceQuantityUpdate(key("DE"), price=Money("0", "EUR"))
    results, sent = drive(adapter().update_price_quantity([update]), [])
    assert results[0].failed and results[0].issues[0].code == "facebook.invalid_price"
    assert sent == []


def test_withdraw_sets_out_of_stock_in_the_market_only() -> None:
    answers = [handle_answer("H1"), handle_answer("H2"), finished("H1"), finished("H2")]
    results, sent = drive(adapter().withdraw([key("GB"), key("FR")]), answers)
    assert [r.state for r in results] == ["inactive", "inactive"]
    assert requests_of(sent[0]) == [
        {"method": "UPDATE", "data": {"id": "MUG-01", "availability": "out of stock"}}
    ]
    assert requests_of(sent[1])[0]["localization"] == {"type": "COUNTRY", "value": "FR"}
    assert body(sent[0])["allow_upsert"] is False


def products_page(*records: dict[str, Any]) -> HttpResponse:
    return answer(200, {"data": list(records)})


def record(sku: str = "MUG-01", **fields: Any) -> dict[str, Any]:
    return {
        "id": "7001",
        "retailer_id": sku,
        "availability": "in stock",
        "visibility": "published",
        "review_status": "approved",
        **fields,
    }


def overrides(**countries: dict[str, Any]) -> HttpResponse:
    return answer(
        200,
        {"data": [{"key": c, "type": "country", "values": v} for c, v in countries.items()]},
    )


def test_status_reads_items_and_country_overrides() -> None:
    keys = [key("GB"), key("DE"), key("FR"), key("GB", "GONE")]
    answers = [
        products_page(record()),
        overrides(DE={"price": "28.56 EUR", "availability": "out of stock"}),
    ]
    results, sent = drive(adapter().status(keys), answers)
    check_bodies(sent)
    assert [r.state for r in results] == ["live", "inactive", "absent", "absent"]
    assert results[0].remote == RemoteRef(retailer_id="MUG-01", id="7001")
    query = parse_qs(sent[0].url.partition("?")[2])
    assert query["limit"] == ["2"] and query["fields"][0].startswith("id,retailer_id,")
    assert json.loads(query["filter"][0]) == {"retailer_id": {"is_any": ["MUG-01", "GONE"]}}
    assert sent[1].url == f"{GRAPH}/7001/override_details?keys=DE%2CFR&type=COUNTRY"


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        (
            {"review_status": "rejected", "errors": [{"title": "Policy", "description": "no"}]},
            "rejected",
        ),
        ({"review_status": "rejected"}, "rejected"),
        ({"visibility": "staging"}, "inactive"),
        ({"availability": "discontinued"}, "inactive"),
        ({"review_status": "pending"}, "pending"),
        ({"review_status": ""}, "pending"),
        ({"review_status": "under_appeal_2031"}, "pending"),
        ({"availability": "coming soon"}, "pending"),
        ({"availability": "preorder"}, "live"),
    ],
)
def test_status_states(fields: dict[str, Any], state: str) -> None:
    results, _ = drive(adapter().status([key("GB")]), [products_page(record(**fields))])
    assert results[0].state == state and results[0].ok
    if state == "rejected":
        assert results[0].issues and results[0].issues[0].severity == "error"


def test_status_resolves_kept_handles_first() -> None:
    keys = [key("GB", "A"), key("GB", "B"), key("GB", "C"), key("DE", "D")]
    known = {
        keys[0]: RemoteRef(retailer_id="A", handle="H1"),
        keys[1]: RemoteRef(retailer_id="B", handle="H2"),
        keys[2]: RemoteRef(retailer_id="C", handle="H2"),
        keys[3]: RemoteRef(retailer_id="D", handle="H3"),
    }
    answers = [
        started("H1"),
        finished("H2", invalid=["B"], errors=[{"id": "B", "message": "Missing image_link"}]),
        answer(400, {"error": {"code": 100, "message": "(#100) Invalid handle"}}),
        products_page(record("C")),
    ]
    results, sent = drive(adapter().status(keys, known=known), answers)
    a, b, c, d = results
    assert a.pending and a.remote == RemoteRef(retailer_id="A", handle="H1")
    assert b.failed and b.issues[0].message == "Missing image_link"
    assert c.state == "live"
    assert d.state == "absent"  # the handle is unknown: read the catalog
    assert counts(sent) == {"check_batch_request_status": 3, "products": 1}


def test_status_reads_100_items_per_call_and_follows_cursors() -> None:
    keys = [key("GB", f"S{n:03d}") for n in range(150)]
    first = answer(
        200,
        {
            "data": [record("S000")],
            "paging": {"cursors": {"after": "c1"}, "next": "https://graph.facebook.com/next"},
        },
    )
    answers = [first, products_page(record("S001")), products_page(record("S149"))]
    results, sent = drive(adapter().status(keys), answers)
    assert "after=c1" in sent[1].url
    assert [r.state for r in results].count("live") == 3


def test_status_refuses_an_unreadable_page() -> None:
    with pytest.raises(UnexpectedResponseError):
        drive(adapter().status([key("GB")]), [HttpResponse(200, {}, b"<html>")])
    with pytest.raises(UnexpectedResponseError):
        drive(adapter().status([key("DE")]), [products_page(record()), HttpResponse(200, {}, b"x")])


# -- settings, token, registry --------------------------------------------------------------


def test_settings_from_the_environment_never_show_the_token() -> None:
    from xborder.marketplaces.facebook import FacebookSettings

    env = {
        "XBORDER_FACEBOOK_CATALOG_ID": "99",
        "XBORDER_FACEBOOK_ACCESS_TOKEN": TOKEN,
        "XBORDER_FACEBOOK_APP_SECRET": APP_SECRET,
        "XBORDER_FACEBOOK_BASE_MARKET": "de",
        "XBORDER_FACEBOOK_LOCALIZED_BATCH_SIZE": "500",
    }
    settings = FacebookSettings.from_env(env)
    assert settings.base_market == "DE" and settings.localized_batch_size == 500
    assert settings.catalog_url == "https://graph.facebook.com/v25.0/99"
    for text in (repr(settings), str(settings), repr(FacebookAdapter(settings))):
        assert TOKEN not in text and APP_SECRET not in text
    with pytest.raises(ConfigurationError) as caught:
        FacebookSettings.from_env({"XBORDER_FACEBOOK_ACCESS_TOKEN": "bad token"})
    message = str(caught.value)
    assert "XBORDER_FACEBOOK_CATALOG_ID is not set" in message
    assert "XBORDER_FACEBOOK_BASE_MARKET is not set" in message
    assert "bad token" not in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("catalog_id", "my-catalog"),
        ("base_market", "Germany"),
        ("base_market", "XX"),
        ("api_version", "25"),
        ("graph_url", "graph.facebook.com"),
        ("items_batch_size", 5001),
        ("localized_batch_size", 0),
        ("max_request_bytes", 30_000_000),
        ("access_token", SecretStr(" padded ")),
    ],
)
def test_invalid_settings(field: str, value: object) -> None:
    with pytest.raises(ValueError):
        adapter(**{field: value})


def test_the_token_goes_in_the_header_and_the_proof_in_the_query() -> None:
    meta = adapter(app_secret=SecretStr(APP_SECRET))
    provider = meta.token_providers()["default"]
    assert isinstance(provider, GraphToken)
    token = AccessToken(SecretStr(TOKEN))
    signed = provider.authorize(HttpRequest("GET", f"{CATALOG}/products?limit=1"), token)
    assert signed.headers["Authorization"] == f"Bearer {TOKEN}"
    proof = appsecret_proof(SecretStr(TOKEN), SecretStr(APP_SECRET))
    assert signed.url == f"{CATALOG}/products?limit=1&appsecret_proof={proof}"
    assert TOKEN not in signed.url and proof not in repr(signed)
    plain = adapter().token_providers()["default"].authorize(HttpRequest("POST", CATALOG), token)
    assert plain.url == CATALOG
    assert TOKEN not in repr(provider) and APP_SECRET not in repr(provider)
    assert TOKEN not in provider.cache_key and provider.cache_key.startswith("facebook:")


def test_the_registry_knows_facebook_and_meta() -> None:
    from xborder import marketplaces

    for name in ("facebook", "meta"):
        found = marketplaces.get(name, settings=adapter().settings)
        assert isinstance(found, FacebookAdapter)
    assert FacebookAdapter.aliases == ("meta",)
    assert adapter().capabilities.asynchronous
    assert adapter().capabilities.channel == "facebook"
