"""SyncJob on the fake eBay: plan, run, minimal writes, the price rules, withdrawals."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import xborder as xb
from xborder.jobs import EventLoopError, Shard, StockRule, SyncJob, Target
from xborder.jobs._fakes import MovedRates
from xborder.marketplaces import OfferKey
from xborder.marketplaces.ebay import EbayAdapter

from ._support import World, catalog, ebay_settings, listing, rates, world


def ebay_offers(w: World, sku: str) -> dict[str, dict]:
    return {o["marketplaceId"]: o for o in w.ebay.offers() if o["sku"].startswith(sku + "-")}


def test_plan_run_plan_leaves_nothing_to_do(w: World) -> None:
    job = w.job(catalog(30))
    before = job.plan()
    assert before.planned("create") == 60 and before.pending_writes == 60
    assert w.writes() == 0  # planning writes nothing
    report = job.run()
    assert report.ok and report.target("ebay").count("ok") == 60
    after = job.plan()
    assert after.pending_writes == 0 and after.planned("unchanged") == 60
    assert len(w.ebay.offers()) == 60
    assert all(o["status"] == "PUBLISHED" for o in w.ebay.offers())


def test_a_second_run_makes_no_write_calls(w: World) -> None:
    job = w.job(catalog(30))
    job.run()
    w.reset_calls()
    again = job.run()
    assert w.writes() == 0 and again.write_calls == 0 and again.calls == 0
    assert again.minimum_calls == 0 and again.planned("unchanged") == 60


def test_content_changes_update_price_changes_use_the_bulk_price_call(w: World) -> None:
    items = catalog(30)
    job = w.job(lambda: items)
    job.run()
    images = ("https://images.example.com/blueridgekiln/mug-01-new.jpg",)
    items[0] = items[0].model_copy(update={"images": images})
    items[1] = items[1].model_copy(update={"price": xb.Money("45.00", "USD")})
    items[2] = items[2].model_copy(update={"quantity": 10})
    plan = job.plan()
    assert plan.planned("update") == 2 and plan.planned("price_quantity") == 4
    w.reset_calls()
    report = job.run()
    assert report.ok
    counts = w.ebay.counts()
    assert counts["bulk_update_price_quantity"] == 1  # 4 items, one call of up to 25
    assert counts["update_offer"] == 2 and "bulk_create_offer" not in counts
    part = report.target("ebay")
    assert part.minimum_calls == 1 + 2  # one price call, one upsert batch per market
    assert job.plan().pending_writes == 0
    (de,) = w.ebay.offers(f"{items[1].sku}-DE")
    assert de["pricingSummary"]["price"]["currency"] == "EUR"


def test_fx_moves_below_the_threshold_are_not_sent(w: World) -> None:
    job = w.job(catalog(10), policy=xb.PricingPolicy())
    job.run()
    small = w.job(catalog(10), rates=MovedRates(rates(), {"EUR": Decimal("1.006")}))
    plan = small.plan()
    assert plan.planned("price_quantity") == 0 and plan.planned("unchanged") == 20
    # Two small moves add up: 1.2 % from the confirmed price is sent, for DE only.
    larger = w.job(catalog(10), rates=MovedRates(rates(), {"EUR": Decimal("1.012")}))
    plan = larger.plan()
    assert plan.planned("price_quantity") == 10 and plan.planned("unchanged") == 10
    w.reset_calls()
    report = larger.run()
    assert report.ok and w.ebay.counts()["bulk_update_price_quantity"] == 1
    assert larger.plan().pending_writes == 0


def test_a_threshold_of_zero_sends_every_move(w: World) -> None:
    w.job(catalog(5)).run()
    moved = w.job(
        catalog(5), rates=MovedRates(rates(), {"GBP": Decimal("1.003")}), fx_drift_percent=0
    )
    assert moved.plan().planned("price_quantity") == 5


def test_a_home_price_change_is_sent_however_small(w: World) -> None:
    w.job(catalog(3)).run()
    changed = catalog(3)
    changed[0] = changed[0].model_copy(update={"price": xb.Money("38.10", "USD")})  # +0.26 %
    plan = w.job(changed).plan()
    assert plan.planned("price_quantity") == 2  # both markets of the listing


def test_a_price_below_the_floor_is_always_sent(w: World) -> None:
    # A margin floor above the computed price: the price is the floor, which moves with FX.
    policy = xb.PricingPolicy(min_margin_percent=Decimal(300))
    w.job(catalog(4), policy=policy).run()
    moved = MovedRates(rates(), {"EUR": Decimal("1.004")})
    plan = w.job(catalog(4), policy=policy, rates=moved).plan()
    assert plan.planned("price_quantity") == 4  # DE: 0.4 % up, but the old price is too low
    # Without a floor the same move is below the threshold.
    w2_items = catalog(4, prefix="NOFLOOR")
    w.job(w2_items).run()
    assert w.job(w2_items, rates=moved).plan().planned("price_quantity") == 0


def test_blocked_items_are_withdrawn_where_they_were_live(w: World) -> None:
    items = catalog(3)
    job = w.job(lambda: items)
    job.run()
    # Without an EU responsible person the listing is blocked in DE (GPSR), not in GB.
    items[0] = items[0].model_copy(update={"eu_responsible_person": None})
    new = listing("NEW-1", eu_responsible_person=None)
    items.append(new)
    plan = job.plan()
    assert plan.planned("withdraw") == 1 and plan.planned("blocked") == 1
    notes = {(n.key.sku, n.key.market): n for n in plan.target("ebay").notes}
    assert "gpsr.responsible_person_missing" in notes[("NEW-1", "DE")].reasons[0]
    report = job.run()
    assert report.ok
    (de,) = w.ebay.offers(f"{items[0].sku}-DE")
    assert de["status"] == "UNPUBLISHED"
    (gb,) = w.ebay.offers(f"{items[0].sku}-GB")
    assert gb["status"] == "PUBLISHED"
    row = w.store.get_item(OfferKey("ebay", "DE", items[0].sku))
    assert row is not None and not row.listed and row.operation == "withdraw"
    assert job.plan().pending_writes == 0


def test_items_gone_from_the_catalog_are_withdrawn(w: World) -> None:
    items = catalog(4)
    job = w.job(lambda: items)
    job.run()
    del items[1]
    plan = job.plan()
    assert plan.planned("withdraw") == 2
    report = job.run()
    assert report.target("ebay").outcomes["withdraw"]["ok"] == 2
    assert job.plan().pending_writes == 0
    assert {o["status"] for o in w.ebay.offers(f"{catalog(4)[1].sku}-DE")} == {"UNPUBLISHED"}


def test_an_empty_catalog_withdraws_nothing(w: World) -> None:
    items = catalog(2)
    job = w.job(lambda: items)
    job.run()
    items.clear()
    plan = job.plan()
    assert plan.planned("withdraw") == 0 and "empty" in plan.notes[0]


def test_quantity_zero_withdraws_and_restock_lists_again_without_a_new_offer(w: World) -> None:
    items = catalog(2)
    job = w.job(lambda: items)
    job.run()
    items[0] = items[0].model_copy(update={"quantity": 0})
    assert job.plan().planned("withdraw") == 2
    job.run()
    items[0] = items[0].model_copy(update={"quantity": 6})
    plan = job.plan()
    assert plan.planned("create") == 2
    job.run()
    assert len(w.ebay.offers()) == 4  # the same offers, published again
    assert all(o["status"] == "PUBLISHED" for o in w.ebay.offers())


def test_keep_zero_quantity_sends_zero(w: World) -> None:
    items = catalog(1)
    targets = [Target(EbayAdapter(ebay_settings()), ["DE"], zero_quantity="keep")]
    job = w.job(lambda: items, targets)
    job.run()
    items[0] = items[0].model_copy(update={"quantity": 0})
    plan = job.plan()
    assert plan.planned("price_quantity") == 1


def test_stock_is_split_between_markets(w: World) -> None:
    items = [listing("ONE", quantity=1), listing("SEVEN", quantity=7)]
    targets = [Target(EbayAdapter(ebay_settings()), ["DE", "GB"], stock=StockRule(cap=3))]
    w.job(items, targets).run()
    quantities = {
        o["sku"]: w.ebay.inventory_item(o["sku"])["availability"]["shipToLocationAvailability"][
            "quantity"
        ]
        for o in w.ebay.offers()
    }
    # One unit cannot be in two places: GB gets 0 and is not listed. Seven is capped at 3 each.
    assert quantities == {"ONE-DE": 1, "SEVEN-DE": 3, "SEVEN-GB": 3}


def test_a_market_dropped_from_the_target_is_withdrawn(w: World) -> None:
    items = catalog(2)
    w.job(items).run()
    only_de = [Target(EbayAdapter(ebay_settings()), ["DE"])]
    plan = w.job(items, only_de).plan()
    # DE now gets the whole stock (it was split with GB): a quantity change.
    assert plan.planned("withdraw") == 2 and plan.planned("price_quantity") == 2


def test_the_daily_revision_cap_defers(w: World) -> None:
    items = catalog(1)
    targets = [Target(EbayAdapter(ebay_settings()), ["DE"], daily_revisions=1)]
    job = w.job(lambda: items, targets)
    job.run()
    for step in (1, 2):
        items[0] = items[0].model_copy(update={"quantity": 10 + step})
        plan = job.plan()
        if step == 1:
            assert plan.planned("price_quantity") == 1
            job.run()
        else:
            assert plan.planned("deferred") == 1
            assert "daily revision cap" in plan.target("ebay").notes[0].reasons[0]
    w.clock.advance(24 * 3600)
    assert job.plan().planned("price_quantity") == 1


def test_the_marketplace_revision_limit_defers_until_it_says(w: World) -> None:
    w.ebay.revision_limit = 0
    items = catalog(1)
    job = w.job(lambda: items)
    job.run()
    items[0] = items[0].model_copy(update={"quantity": 3})
    report = job.run()
    part = report.target("ebay")
    assert report.ok and part.outcomes["price_quantity"]["deferred"] == 2
    assert job.plan().planned("deferred") == 2
    w.clock.advance(24 * 3600)
    assert job.plan().planned("price_quantity") == 2


def test_run_inside_an_event_loop_names_arun(w: World) -> None:
    job = w.job(catalog(1))

    async def inside() -> None:
        job.run()

    with pytest.raises(EventLoopError, match=r"await job\.arun\(\)"):
        asyncio.run(inside())


def test_arun_gives_the_same_result_as_run(tmp_path: Path) -> None:
    def outcome(use_async: bool) -> tuple[list[dict[str, Any]], dict[str, Any], list[Any]]:
        for w in world(tmp_path / f"{use_async}.sqlite"):
            items = catalog(40)
            job = w.job(lambda items=items: items)
            reports = []
            for change in range(2):
                if change:
                    items[3] = items[3].model_copy(update={"price": xb.Money("50.00", "USD")})
                    del items[7]
                report = asyncio.run(job.arun()) if use_async else job.run()
                data = report.to_dict()
                for moment in ("started_at", "finished_at", "duration"):
                    data.pop(moment)
                reports.append(data)
            rows = [
                (r.key, r.listed, r.status, r.fingerprint, r.price, r.quantity, r.remote)
                for r in w.store.select("ebay", Shard(0, 1))
            ]
            return reports, w.ebay.state(), rows
        raise AssertionError("no world")

    assert outcome(use_async=False) == outcome(use_async=True)


def test_one_shot_iterators_are_refused_on_the_second_run(w: World) -> None:
    job = w.job(iter(catalog(2)))
    job.run()
    with pytest.raises(xb.XborderError, match="used up"):
        job.run()


def test_the_report_serialises_without_secrets(w: World) -> None:
    from ._support import SECRETS

    job = w.job(catalog(3))
    report = job.run()
    text = report.to_json() + str(report) + repr(job)
    assert '"ok": true' in text
    assert not any(secret in text for secret in SECRETS)


def test_sync_job_refuses_two_targets_for_one_marketplace(w: World) -> None:
    targets = [
        Target(EbayAdapter(ebay_settings()), ["DE"]),
        Target(EbayAdapter(ebay_settings()), ["GB"]),
    ]
    with pytest.raises(xb.ConfigurationError, match="two targets"):
        w.job(catalog(1), targets).plan()


def test_sync_job_checks_its_arguments(w: World) -> None:
    with pytest.raises(xb.ConfigurationError):
        SyncJob([], [], rates=rates(), state=w.store)
    with pytest.raises(TypeError):
        w.job(catalog(1), fx_drift_percent=0.5)


def test_areconcile_sees_a_listing_ended_on_the_marketplace(w: World) -> None:
    job = w.job(catalog(3))
    job.run()
    (offer,) = w.ebay.offers(f"{catalog(1)[0].sku}-GB")
    w.ebay.set_listing_status(offer["offerId"], "ENDED")
    report = asyncio.run(job.areconcile())
    assert report.target("ebay").reconciled == {"ended": 1, "unchanged": 5}
    assert job.plan().planned("create") == 1
    assert asyncio.run(job.arun(dry_run=True)).dry_run


def test_reconcile_reports_reads_that_fail(w: World) -> None:
    job = w.job(catalog(2))
    job.run()
    w.ebay.inject("server_error", operation="get_offers", times=None)
    report = job.reconcile()
    assert report.target("ebay").reconciled["failed"] == 4
    assert all(n.outcome == "failed" for n in report.target("ebay").notes)
    dry = job.reconcile(dry_run=True)
    assert dry.dry_run and dry.target("ebay").reconciled["failed"] == 4


def test_a_setting_missing_for_some_items_fails_their_batch_only(w: World) -> None:
    settings = ebay_settings()
    sites = {site: s.model_copy(update={"categories": {}}) for site, s in settings.sites.items()}
    sites["EBAY_DE"] = settings.sites["EBAY_DE"]
    targets = [Target(EbayAdapter(settings.model_copy(update={"sites": sites})), ["DE", "GB"])]
    report = w.job(catalog(3), targets).run()
    part = report.target("ebay")
    assert part.outcomes["create"] == {"ok": 3, "failed": 3}
    assert all("no eBay category" in n.reasons[0] for n in part.notes)
