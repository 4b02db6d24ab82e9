"""The adapter's flows driven by hand with recorded-style eBay answers (no network)."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

import xborder as xb
from marketplaces.ebay._support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    adapter,
    answer,
    body,
    check_bodies,
    counts,
    drive,
    items_of,
    listing,
    offer,
    ops,
    settings,
    site,
)
from xborder.errors import AuthenticationError, ConfigurationError
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces import (
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    OfferKey,
    PriceQuantityUpdate,
    RemoteRef,
    get,
)
from xborder.marketplaces.ebay import (
    EbayAdapter,
    authorization_url,
    code_from_redirect,
    exchange_code,
    new_state,
)

# -- recorded-style answers (shapes of the contract's response schemas) ------------------------

NO_OFFERS = answer(404, {"errors": [{"errorId": 25713, "message": "This Offer is not available."}]})


def inventory_ok(request: HttpRequest) -> HttpResponse:
    return answer(
        200,
        {
            "responses": [
                {"statusCode": 200, "sku": item["sku"], "locale": item["locale"]}
                for item in items_of(request)
            ]
        },
    )


def offers_created(request: HttpRequest, first: int = 9000) -> HttpResponse:
    return answer(
        200,
        {
            "responses": [
                {
                    "statusCode": 201,
                    "sku": item["sku"],
                    "marketplaceId": item["marketplaceId"],
                    "format": "FIXED_PRICE",
                    "offerId": str(first + index),
                }
                for index, item in enumerate(items_of(request))
            ]
        },
    )


def published(request: HttpRequest) -> HttpResponse:
    return answer(
        200,
        {
            "responses": [
                {"statusCode": 200, "offerId": item["offerId"], "listingId": f"11{item['offerId']}"}
                for item in items_of(request)
            ]
        },
    )


def one_offer(
    sku: str, offer_id: str, *, status: str = "PUBLISHED", listing: Any = None
) -> HttpResponse:
    record: dict[str, Any] = {
        "offerId": offer_id,
        "sku": sku,
        "marketplaceId": "EBAY_DE",
        "format": "FIXED_PRICE",
        "availableQuantity": 5,
        "status": status,
    }
    if listing is not None:
        record["listing"] = listing
    elif status == "PUBLISHED":
        record["listing"] = {
            "listingId": "110" + offer_id,
            "listingStatus": "ACTIVE",
            "soldQuantity": 0,
        }
    return answer(200, {"href": "...", "limit": 100, "offers": [record], "size": 1, "total": 1})


def happy(request: HttpRequest) -> HttpResponse:
    return {
        "bulk_create_or_replace_inventory_item": inventory_ok,
        "get_offers": lambda _: NO_OFFERS,
        "bulk_create_offer": offers_created,
        "bulk_publish_offer": published,
        "update_offer": lambda _: answer(200, {"offerId": "x", "warnings": []}),
    }[request.operation](request)


def many(count: int, market: str = "DE", prefix: str = "MUG") -> list[xb.offer.Offer]:
    return [offer(listing(f"{prefix}-{i:02d}"), market) for i in range(count)]


# -- upsert --------------------------------------------------------------------------------------


def test_upsert_creates_inventory_offers_and_publishes() -> None:
    results, sent = drive(adapter().upsert([offer()]), happy)
    assert ops(sent) == [
        "bulk_create_or_replace_inventory_item",
        "get_offers",
        "bulk_create_offer",
        "bulk_publish_offer",
    ]
    check_bodies(sent)
    inventory, lookup, create, publish = sent
    assert (
        inventory.url
        == "https://api.ebay.com/sell/inventory/v1/bulk_create_or_replace_inventory_item"
    )
    assert inventory.headers["Content-Language"] == "de-DE" == inventory.headers["Accept-Language"]
    assert lookup.url.endswith("/offer?sku=MUG-01-DE")
    assert create.headers["Content-Language"] == "de-DE"
    assert "Content-Language" not in publish.headers
    assert all(r.is_idempotent and not r.raise_for_status and r.auth == "default" for r in sent)
    [result] = results
    assert result.ok and result.state == "live"
    assert result.remote == RemoteRef(offerId="9000", listingId="119000", sku="MUG-01-DE")
    assert result.key == OfferKey("ebay", "DE", "MUG-01")


def test_upsert_groups_by_site_and_fills_batches_of_25() -> None:
    offers = many(50, "DE") + many(10, "GB")
    results, sent = drive(adapter().upsert(offers), happy)
    assert counts(sent) == {
        "bulk_create_or_replace_inventory_item": 3,
        "get_offers": 60,
        "bulk_create_offer": 3,
        "bulk_publish_offer": 3,
    }
    sizes = {
        op: [len(items_of(r)) for r in sent if r.operation == op]
        for op in (
            "bulk_create_or_replace_inventory_item",
            "bulk_create_offer",
            "bulk_publish_offer",
        )
    }
    assert sizes == {
        "bulk_create_or_replace_inventory_item": [25, 25, 10],
        "bulk_create_offer": [25, 25, 10],
        "bulk_publish_offer": [25, 25, 10],
    }
    for request in sent:
        if request.operation == "bulk_create_offer":
            assert len({item["marketplaceId"] for item in items_of(request)}) == 1
    check_bodies(sent)
    assert all(r.ok for r in results) and len(results) == 60


def test_on_conflict_lookup_saves_the_get_per_new_item() -> None:
    offers = many(50, "DE") + many(10, "GB")
    _, sent = drive(adapter(offer_lookup="on_conflict").upsert(offers), happy)
    assert counts(sent) == {
        "bulk_create_or_replace_inventory_item": 3,
        "bulk_create_offer": 3,
        "bulk_publish_offer": 3,
    }


def test_known_refs_update_the_offer_and_publish_only_what_is_not_live() -> None:
    live, staged = offer(listing("MUG-01")), offer(listing("MUG-02"))
    known = {
        live.key: RemoteRef(offerId="501", listingId="110501", sku="MUG-01-DE"),
        staged.key: RemoteRef(offerId="502"),
    }
    results, sent = drive(adapter().upsert([live, staged], known=known), happy)
    assert ops(sent) == [
        "bulk_create_or_replace_inventory_item",
        "update_offer",
        "update_offer",
        "bulk_publish_offer",
    ]
    assert sent[1].method == "PUT" and sent[1].url.endswith("/offer/501")
    assert sent[1].headers["Content-Language"] == "de-DE"
    assert set(body(sent[1])) >= {"availableQuantity", "pricingSummary", "listingDescription"}
    assert not {"sku", "marketplaceId", "format"} & set(body(sent[1]))
    assert items_of(sent[3]) == [{"offerId": "502"}]
    check_bodies(sent)
    assert results[0].remote == known[live.key] and results[0].state is None
    assert results[1].remote == RemoteRef(offerId="502", listingId="11502", sku="MUG-02-DE")


def test_a_found_published_offer_is_updated_not_created() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "get_offers":
            return one_offer("MUG-01-DE", "777")
        return happy(request)

    results, sent = drive(adapter().upsert([offer()]), respond)
    assert ops(sent) == ["bulk_create_or_replace_inventory_item", "get_offers", "update_offer"]
    assert results[0].remote == RemoteRef(offerId="777", listingId="110777", sku="MUG-01-DE")
    assert results[0].state == "live"


def test_a_stale_offer_id_is_created_anew() -> None:
    item = offer()

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "update_offer":
            return answer(
                404, {"errors": [{"errorId": 25713, "message": "This Offer is not available"}]}
            )
        return happy(request)

    results, sent = drive(
        adapter().upsert([item], known={item.key: RemoteRef(offerId="1", listingId="2")}), respond
    )
    assert ops(sent)[1:] == ["update_offer", "bulk_create_offer", "bulk_publish_offer"]
    assert results[0].remote == RemoteRef(offerId="9000", listingId="119000", sku="MUG-01-DE")


def test_a_duplicate_offer_is_looked_up_and_updated() -> None:
    offers = many(2)

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "bulk_create_offer":
            return answer(
                207,
                {
                    "responses": [
                        {
                            "statusCode": 201,
                            "sku": "MUG-00-DE",
                            "marketplaceId": "EBAY_DE",
                            "format": "FIXED_PRICE",
                            "offerId": "1",
                        },
                        {
                            "statusCode": 400,
                            "sku": "MUG-01-DE",
                            "marketplaceId": "EBAY_DE",
                            "format": "FIXED_PRICE",
                            "errors": [
                                {
                                    "errorId": 25729,
                                    "message": "The combination of SKU, marketplaceId and format "
                                    "should be unique.",
                                }
                            ],
                        },
                    ]
                },
            )
        if (
            request.operation == "get_offers"
            and request.url.endswith("MUG-01-DE")
            and any(r == "bulk_create_offer" for r in seen)
        ):
            return one_offer("MUG-01-DE", "2", status="UNPUBLISHED")
        return happy(request)

    seen: list[str] = []

    def recording(request: HttpRequest) -> HttpResponse:
        reply = respond(request)
        seen.append(request.operation)
        return reply

    results, sent = drive(adapter().upsert(offers), recording)
    assert ops(sent)[-4:] == [
        "bulk_create_offer",
        "get_offers",
        "update_offer",
        "bulk_publish_offer",
    ]
    assert items_of(sent[-1]) == [{"offerId": "1"}, {"offerId": "2"}]
    assert [r.remote["offerId"] for r in results if r.remote] == ["1", "2"]
    assert all(r.ok for r in results)


def test_partial_failure_in_a_bulk_call_fails_only_those_items() -> None:
    offers = many(3)

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "bulk_create_or_replace_inventory_item":
            return answer(
                207,
                {
                    "responses": [
                        {"statusCode": 200, "sku": "MUG-00-DE", "locale": "de_DE"},
                        {
                            "statusCode": 400,
                            "sku": "MUG-01-DE",
                            "locale": "de_DE",
                            "errors": [
                                {
                                    "errorId": 25014,
                                    "category": "REQUEST",
                                    "message": "Invalid pictures.",
                                }
                            ],
                        },
                        {
                            "statusCode": 200,
                            "sku": "MUG-02-DE",
                            "locale": "de_DE",
                            "warnings": [
                                {"errorId": 25401, "message": "Invalid listing options removed."}
                            ],
                        },
                    ]
                },
            )
        return happy(request)

    results, sent = drive(adapter().upsert(offers), respond)
    assert [r.status for r in results] == ["ok", "failed", "ok"]
    assert [(i.code, i.field) for i in results[1].issues] == [("25014", "images")]
    assert results[1].remote is None
    assert [(i.code, i.severity) for i in results[2].issues] == [("25401", "warning")]
    assert counts(sent)["get_offers"] == 2
    assert [len(items_of(r)) for r in sent if r.operation == "bulk_create_offer"] == [2]


def test_publish_failures_keep_the_offer_id_and_the_revision_cap_defers() -> None:
    offers = many(2)

    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "bulk_publish_offer":
            return answer(
                207,
                {
                    "responses": [
                        {
                            "statusCode": 400,
                            "offerId": "9000",
                            "errors": [
                                {
                                    "errorId": 25007,
                                    "message": "Invalid Shipping policy information.",
                                }
                            ],
                        },
                        {
                            "statusCode": 400,
                            "offerId": "9001",
                            "errors": [
                                {
                                    "errorId": 25002,
                                    "message": "User error.",
                                    "longMessage": "Each listing can be revised up to 250 times in "
                                    "one calendar day; limit reached.",
                                }
                            ],
                        },
                    ]
                },
                date="Thu, 01 Oct 2026 20:00:00 GMT",
            )
        return happy(request)

    results, _ = drive(adapter().upsert(offers), respond)
    policy, cap = results
    assert policy.failed and policy.retry_after is None
    assert policy.remote == RemoteRef(offerId="9000", sku="MUG-00-DE")
    assert [(i.code, i.field) for i in policy.issues] == [("25007", "fulfillment_policy_id")]
    assert cap.failed and cap.retry_after == 12 * 3600  # 12:00 at UTC-8
    assert cap.issues[0].code == "ebay.revision_limit"


def test_a_call_that_fails_as_a_whole_fails_its_items_for_later() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "bulk_publish_offer":
            return answer(
                500,
                {
                    "errors": [
                        {"errorId": 25001, "category": "APPLICATION", "message": "System error."}
                    ]
                },
            )
        return happy(request)

    results, _ = drive(adapter().upsert(many(2)), respond)
    assert all(r.failed and r.retry_after == 60.0 for r in results)
    assert results[0].issues[0].code == "25001"
    assert results[0].remote is not None and results[0].remote["offerId"] == "9000"


def test_an_answer_without_an_item_fails_that_item() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "bulk_create_or_replace_inventory_item":
            return answer(200, {"responses": [{"statusCode": 200, "sku": "MUG-00-DE"}]})
        return happy(request)

    results, _ = drive(adapter().upsert(many(2)), respond)
    assert [r.status for r in results] == ["ok", "failed"]
    assert results[1].issues[0].code == "ebay.no_result"


def test_currency_mismatch_is_refused_before_any_call() -> None:
    gb_priced = offer(listing(), "GB")
    wrong = dataclasses.replace(gb_priced, key=OfferKey("ebay", "DE", "MUG-01"))
    results, sent = drive(adapter().upsert([wrong]), [])
    assert sent == []
    [result] = results
    assert result.failed and result.issues[0].code == "ebay.currency_mismatch"
    assert result.issues[0].field == "price" and "EUR" in result.issues[0].message


def test_unsupported_markets_and_long_skus_are_refused_before_any_call() -> None:
    japan = offer(listing(), "JP")
    long_sku = offer(listing("M" * 48))
    results, sent = drive(adapter().upsert([japan, long_sku]), [])
    assert sent == []
    assert [r.issues[0].code for r in results] == ["ebay.unsupported_market", "ebay.sku_too_long"]


def test_missing_policies_raise_before_any_write_naming_what_to_create() -> None:
    config = adapter(
        sites={"EBAY_DE": site(payment_policy_id=None, merchant_location_key=None), "EBAY_GB": {}}
    )
    flow = config.upsert([offer(), offer(market="GB"), offer(market="FR")])
    with pytest.raises(ConfigurationError) as info:
        next(flow)
    message = str(info.value)
    assert (
        "EBAY_DE: sites['EBAY_DE'].payment_policy_id is not set: create a payment business policy"
        in message
    )
    assert "merchant_location_key is not set: create an inventory location" in message
    assert "EBAY_GB: sites['EBAY_GB'].fulfillment_policy_id is not set" in message
    assert "EBAY_FR: no settings" in message
    assert "XBORDER_EBAY_SITES" in message


def test_missing_category_and_refresh_token_raise() -> None:
    flow = adapter(refresh_token=None).upsert([offer(listing(category="toys"))])
    with pytest.raises(ConfigurationError) as info:
        next(flow)
    assert "XBORDER_EBAY_REFRESH_TOKEN is not set: run `xborder auth ebay`" in str(info.value)
    assert "no eBay category for MUG-01 (category 'toys')" in str(info.value)
    for flow in (
        adapter(refresh_token=None).status([OfferKey("ebay", "DE", "A")]),
        adapter(refresh_token=None).withdraw([OfferKey("ebay", "DE", "A")]),
        adapter(refresh_token=None).update_price_quantity(
            [PriceQuantityUpdate(OfferKey("ebay", "DE", "A"), quantity=1)]
        ),
    ):
        with pytest.raises(ConfigurationError, match="REFRESH_TOKEN"):
            next(flow)


def test_belgian_offers_speak_the_market_language() -> None:
    config = adapter(sites={"EBAY_BE": site(), "EBAY_DE": site()})
    results, sent = drive(config.upsert([offer(market="BE")]), happy)
    assert sent[0].headers["Content-Language"] == "nl-BE"
    assert items_of(sent[0])[0]["locale"] == "nl_BE"
    assert results[0].ok
    check_bodies(sent)


# -- price and quantity ----------------------------------------------------------------------


def pq_ok(request: HttpRequest) -> HttpResponse:
    responses = []
    for item in items_of(request):
        for o in item["offers"]:
            responses.append({"statusCode": 200, "offerId": o["offerId"], "sku": item["sku"]})
        if "shipToLocationAvailability" in item:
            responses.append({"statusCode": 200, "sku": item["sku"]})
    return answer(200, {"responses": responses})


def updates(count: int, *, refs: bool = True) -> list[PriceQuantityUpdate]:
    return [
        PriceQuantityUpdate(
            OfferKey("ebay", "DE", f"MUG-{i:02d}"),
            price=xb.Money("21.50", "EUR"),
            quantity=3,
            remote=RemoteRef(offerId=str(500 + i), listingId=str(1100 + i), sku=f"MUG-{i:02d}-DE")
            if refs
            else None,
        )
        for i in range(count)
    ]


def test_reprice_30_with_refs_takes_exactly_2_calls() -> None:
    results, sent = drive(adapter().update_price_quantity(updates(30)), pq_ok)
    assert ops(sent) == ["bulk_update_price_quantity"] * 2
    assert [len(items_of(r)) for r in sent] == [25, 5]
    check_bodies(sent)
    assert items_of(sent[0])[0] == {
        "offers": [
            {
                "offerId": "500",
                "availableQuantity": 3,
                "price": {"value": "21.50", "currency": "EUR"},
            }
        ],
        "shipToLocationAvailability": {"quantity": 3},
        "sku": "MUG-00-DE",
    }
    assert all(r.ok and r.state == "live" for r in results)
    assert results[0].remote == RemoteRef(offerId="500", listingId="1100", sku="MUG-00-DE")


def test_reprice_without_refs_looks_each_offer_up_first() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        if request.operation == "get_offers":
            sku = parse_qs(request.url.partition("?")[2])["sku"][0]
            return one_offer(sku, "7" + sku[4:6])
        return pq_ok(request)

    results, sent = drive(adapter().update_price_quantity(updates(30, refs=False)), respond)
    assert counts(sent) == {"get_offers": 30, "bulk_update_price_quantity": 2}
    assert results[3].remote == RemoteRef(offerId="703", listingId="110703", sku="MUG-03-DE")


def test_reprice_falls_back_to_one_sku_per_call_when_several_are_refused() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        if len(items_of(request)) > 1:
            return answer(
                400,
                {
                    "errors": [
                        {"errorId": 25709, "message": "Invalid request. Only one SKU per call"}
                    ]
                },
            )
        return pq_ok(request)

    config = adapter()
    results, sent = drive(config.update_price_quantity(updates(3)), respond)
    assert [len(items_of(r)) for r in sent] == [3, 1, 1, 1]
    assert all(r.ok for r in results)
    # The adapter remembers: the next run sends one SKU per call straight away.
    _, again = drive(config.update_price_quantity(updates(2)), respond)
    assert [len(items_of(r)) for r in again] == [1, 1]


def test_reprice_partial_failure_and_refusals() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        return answer(
            207,
            {
                "responses": [
                    {"statusCode": 200, "offerId": "500", "sku": "MUG-00-DE"},
                    {"statusCode": 200, "sku": "MUG-00-DE"},
                    {
                        "statusCode": 400,
                        "offerId": "501",
                        "sku": "MUG-01-DE",
                        "errors": [
                            {
                                "errorId": 25709,
                                "message": "Invalid value for field price",
                                "parameters": [{"name": "additionalInfo", "value": "price"}],
                            }
                        ],
                    },
                    {"statusCode": 200, "sku": "MUG-01-DE"},
                ]
            },
        )

    wrong = PriceQuantityUpdate(OfferKey("ebay", "DE", "X"), price=xb.Money("9", "GBP"))
    results, sent = drive(adapter().update_price_quantity([*updates(2), wrong]), respond)
    assert len(sent) == 1 and len(items_of(sent[0])) == 2
    assert [r.status for r in results] == ["ok", "failed", "failed"]
    assert [(i.code, i.field) for i in results[1].issues] == [("25709", "price")]
    assert results[2].issues[0].code == "ebay.currency_mismatch"


def test_reprice_of_an_unpublished_offer_is_refused() -> None:
    update = updates(1, refs=False)[0]
    results, sent = drive(
        adapter().update_price_quantity([update]),
        [one_offer("MUG-00-DE", "1", status="UNPUBLISHED")],
    )
    assert ops(sent) == ["get_offers"]
    assert results[0].issues[0].code == "ebay.not_published"


# -- withdraw and status --------------------------------------------------------------------------


def test_withdraw_with_a_known_offer_is_one_call() -> None:
    key = OfferKey("ebay", "DE", "MUG-01")
    results, sent = drive(
        adapter().withdraw([key], known={key: RemoteRef(offerId="42", listingId="1")}),
        [answer(200, {"listingId": "1", "warnings": []})],
    )
    assert (sent[0].method, sent[0].url) == (
        "POST",
        "https://api.ebay.com/sell/inventory/v1/offer/42/withdraw",
    )
    assert results[0].ok and results[0].state == "inactive"
    assert results[0].remote == RemoteRef(offerId="42", sku="MUG-01-DE")


def test_withdraw_looks_up_unknown_offers() -> None:
    keys = [OfferKey("ebay", "DE", "A"), OfferKey("ebay", "DE", "B"), OfferKey("ebay", "DE", "C")]
    replies = [
        NO_OFFERS,
        one_offer("B-DE", "2", status="UNPUBLISHED"),
        one_offer("C-DE", "3"),
        answer(200, {"listingId": "1103"}),
    ]
    results, sent = drive(adapter().withdraw(keys), replies)
    assert ops(sent) == ["get_offers", "get_offers", "get_offers", "withdraw_offer"]
    assert [(r.status, r.state) for r in results] == [
        ("ok", "absent"),
        ("ok", "inactive"),
        ("ok", "inactive"),
    ]


def test_withdraw_can_delete_instead() -> None:
    key = OfferKey("ebay", "DE", "MUG-01")
    results, sent = drive(
        adapter(withdraw_action="delete").withdraw([key], known={key: RemoteRef(offerId="42")}),
        [answer(204)],
    )
    assert (sent[0].method, sent[0].url.rsplit("/", 1)[-1]) == ("DELETE", "42")
    assert results[0].state == "absent" and results[0].remote is None


def test_withdraw_failure_is_per_item() -> None:
    key = OfferKey("ebay", "DE", "MUG-01")
    refused = answer(400, {"errors": [{"errorId": 25002, "message": "User error."}]})
    results, sent = drive(
        adapter().withdraw([key], known={key: RemoteRef(offerId="42")}),
        [refused, one_offer("MUG-01-DE", "42")],
    )
    assert ops(sent) == ["withdraw_offer", "get_offers"]
    assert results[0].failed and results[0].remote == RemoteRef(offerId="42", sku="MUG-01-DE")
    assert results[0].issues[0].code == "25002"


def test_withdrawing_an_offer_ended_since_reads_it_back() -> None:
    key = OfferKey("ebay", "DE", "MUG-01")
    refused = answer(400, {"errors": [{"errorId": 25002, "message": "Not published."}]})
    results, _ = drive(
        adapter().withdraw([key], known={key: RemoteRef(offerId="42", listingId="7")}),
        [refused, one_offer("MUG-01-DE", "42", status="UNPUBLISHED")],
    )
    assert results[0].ok and results[0].state == "inactive"


@pytest.mark.parametrize(
    ("reply", "state"),
    [
        (NO_OFFERS, "absent"),
        (answer(200, {"offers": [], "total": 0}), "absent"),
        (one_offer("MUG-01-DE", "1"), "live"),
        (one_offer("MUG-01-DE", "1", status="UNPUBLISHED"), "inactive"),
        (
            one_offer(
                "MUG-01-DE", "1", listing={"listingId": "9", "listingStatus": "OUT_OF_STOCK"}
            ),
            "inactive",
        ),
        (
            one_offer(
                "MUG-01-DE", "1", listing={"listingId": "9", "listingStatus": "ARCHIVED_SOMEDAY"}
            ),
            "pending",
        ),
        (
            one_offer(
                "MUG-01-DE",
                "1",
                listing={"listingId": "9", "listingStatus": "ACTIVE", "listingOnHold": True},
            ),
            "rejected",
        ),
        (one_offer("MUG-01-DE", "1", status="SOMETHING_NEW"), "inactive"),
    ],
)
def test_status_reads_offer_and_listing_state(reply: HttpResponse, state: str) -> None:
    results, sent = drive(adapter().status([OfferKey("ebay", "DE", "MUG-01")]), [reply])
    assert ops(sent) == ["get_offers"] and sent[0].url.endswith("?sku=MUG-01-DE")
    assert results[0].ok and results[0].state == state


def test_status_failure_and_other_sites_offers() -> None:
    other_site = answer(
        200,
        {
            "offers": [
                {
                    "offerId": "1",
                    "sku": "MUG-01",
                    "marketplaceId": "EBAY_GB",
                    "format": "FIXED_PRICE",
                    "status": "PUBLISHED",
                }
            ]
        },
    )
    keys = [
        OfferKey("ebay", "DE", "MUG-01"),
        OfferKey("ebay", "DE", "MUG-02"),
        OfferKey("ebay", "XX", "Z"),
    ]
    results, _ = drive(
        adapter(sku_strategy="shared").status(keys),
        [other_site, answer(500, {"errors": [{"errorId": 25001, "message": "System error"}]})],
    )
    assert results[0].state == "absent"
    assert results[1].failed and results[1].retry_after == 60.0
    assert results[2].issues[0].code == "ebay.unsupported_market"


# -- credentials, consent, registry -----------------------------------------------------------


def test_token_providers() -> None:
    providers = adapter().token_providers()
    user, app = providers["default"], providers["application"]
    assert isinstance(user, OAuth2RefreshToken) and isinstance(app, OAuth2ClientCredentials)
    assert user.token_url == "https://api.ebay.com/identity/v1/oauth2/token"
    assert (
        "sell.inventory" in (user.scope or "")
        and app.scope == "https://api.ebay.com/oauth/api_scope"
    )
    request = next(user.token_flow())
    form = parse_qs(request.content.decode())
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == [REFRESH_TOKEN]
    assert (
        request.headers["Authorization"]
        == "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    )
    assert CLIENT_SECRET not in repr(user) and REFRESH_TOKEN not in repr(providers)
    assert "default" not in adapter(refresh_token=None).token_providers()
    assert (
        adapter(sandbox=True)
        .token_providers()["application"]
        .token_url.startswith("https://api.sandbox.ebay.com/")
    )  # type: ignore[attr-defined]


def test_consent_url_and_code_exchange() -> None:
    config = settings()
    state = new_state()
    url = authorization_url(config, state=state)
    assert url.startswith(
        "https://auth.ebay.com/oauth2/authorize?client_id=xborder-app-PRD-1234&redirect_uri=xborder-xborder-PRD-abc&response_type=code&scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope%20"
    )
    assert f"&state={state}&prompt=login" in url
    redirect = f"https://example.com/accepted?state={state}&code=v%5E1.1%23code&expires_in=299"
    code = code_from_redirect(redirect, state=state)
    assert code == "v^1.1#code"
    with pytest.raises(ValueError, match="state"):
        code_from_redirect(redirect, state="other")
    with pytest.raises(AuthenticationError, match="did not grant"):
        code_from_redirect("https://example.com/declined?error=access_denied&state=x")

    flow = exchange_code(config, code)
    request = next(flow)
    assert request.url == config.token_url and request.auth is None and not request.is_idempotent
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["authorization_code"],
        "code": ["v^1.1#code"],
        "redirect_uri": ["xborder-xborder-PRD-abc"],
    }
    with pytest.raises(StopIteration) as done:
        flow.send(
            answer(
                200,
                {
                    "access_token": "v^1.1#access",
                    "expires_in": 7200,
                    "refresh_token": "v^1.1#new-refresh",
                    "refresh_token_expires_in": 47304000,
                    "token_type": "User Access Token",
                },
            )
        )
    consent = done.value.value
    assert consent.refresh_token.get_secret_value() == "v^1.1#new-refresh"
    assert consent.refresh_token_expires_in == 47304000
    assert "new-refresh" not in repr(consent)


def test_a_refused_code_names_the_reason_and_no_secret() -> None:
    flow = exchange_code(settings(), "c0de-canary")
    next(flow)
    with pytest.raises(AuthenticationError) as info:
        flow.send(
            answer(400, {"error": "invalid_grant", "error_description": "the code is expired"})
        )
    assert "invalid_grant: the code is expired" in str(info.value)
    assert "c0de-canary" not in str(info.value) and CLIENT_SECRET not in str(info.value)
    with pytest.raises(ConfigurationError, match="RU_NAME"):
        authorization_url(settings(ru_name=None), state="s")


def test_the_registry_loads_the_adapter() -> None:
    loaded = get("ebay", settings=settings())
    assert isinstance(loaded, EbayAdapter) and loaded.settings.client_id == CLIENT_ID
    assert loaded.capabilities.batch_limit("upsert") == 25
    assert loaded.capabilities.channel_rules() is not None
    assert CLIENT_SECRET not in repr(loaded)
    with pytest.raises(TypeError):
        EbayAdapter(settings=SecretStr("x"))  # type: ignore[arg-type]


def test_site_currency_reads_the_metadata_api_with_the_application_token() -> None:
    result, sent = drive(
        adapter().site_currency("DE"),
        [
            answer(
                200,
                {
                    "marketplaceId": "EBAY_DE",
                    "defaultCurrency": {"code": "EUR", "description": "Euro"},
                },
            )
        ],
    )
    assert result == "EUR"
    assert sent[0].url == "https://api.ebay.com/sell/metadata/v1/marketplace/EBAY_DE/get_currencies"
    assert sent[0].auth == "application" and sent[0].raise_for_status


def test_adapter_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XBORDER_EBAY_CLIENT_ID", "env-app")
    monkeypatch.setenv("XBORDER_EBAY_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("XBORDER_EBAY_SITES", json.dumps({"DE": site()}))
    assert EbayAdapter().settings.client_id == "env-app"


def test_a_brand_or_mpn_over_65_characters_is_refused_before_any_call() -> None:
    # Product.brand and Product.mpn: "Max Length: 65". One such item would make eBay refuse
    # the whole bulk call; it is refused alone, and the others are sent.
    brand = offer(listing("MUG-02", brand="B" * 70, mpn="BRK-MUG02"))
    mpn = offer(listing("MUG-03", brand="Blue Ridge Kiln", mpn="M" * 66))
    exact = offer(listing("MUG-04", brand="B" * 65, mpn="M" * 65))
    sent: list[HttpRequest] = []

    def stop(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        return answer(500)  # the call's outcome does not matter here

    results, _ = drive(adapter().upsert([brand, mpn, exact]), stop)
    assert [r.issues[0].code for r in results[:2]] == ["ebay.brand_too_long", "ebay.mpn_too_long"]
    assert results[0].issues[0].field == "brand" and "70 characters" in results[0].issues[0].message
    (first, *_) = sent
    skus = [item["sku"] for item in body(first)["requests"]]
    assert skus == ["MUG-04-DE"] or skus == ["MUG-04"]
