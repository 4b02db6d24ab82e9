"""The translation step before localizing, through the state store's cache; live rates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import pytest

import xborder as xb
from xborder.errors import TranslationError
from xborder.http import Flow, HttpRequest
from xborder.jobs import JobEvent, Target
from xborder.marketplaces import OfferKey
from xborder.marketplaces.ebay import EbayAdapter

from ._support import ROOT, World, catalog, ebay_settings


class Bracketing:
    """An offline stand-in for LibreTranslate: '[de] text'; counts what it was asked."""

    name = "libretranslate"
    max_batch = 50

    def __init__(self, *, fail: bool = False) -> None:
        self.asked: list[str] = []
        self.fail = fail

    def flow(self, texts: Sequence[str], *, source: str, target: str) -> Flow[list[str | None]]:
        if self.fail:
            raise TranslationError("quota exhausted", provider=self.name)
        self.asked.extend(texts)
        if False:  # pragma: no cover - a flow that makes no request
            yield HttpRequest("GET", "https://translate.example")
        return [f"[{target}] {text}" for text in texts]


def untranslated(n: int) -> list[xb.Listing]:
    return [item.model_copy(update={"translations": {}}) for item in catalog(n)]


def test_new_texts_are_translated_once_through_the_state_store(w: World) -> None:
    translator = Bracketing()
    job = w.job(untranslated(3), translator=translator)
    report = job.run()
    assert report.ok and report.translation["translated"] > 0
    assert w.store.translations() == report.translation["translated"]
    title = next(o for o in w.ebay.offers() if o["sku"].endswith("-DE"))
    item = w.ebay.inventory_item(title["sku"])
    assert item is not None and item["product"]["title"].startswith("[de]")
    asked = len(translator.asked)
    w.reset_calls()
    again = job.run()
    # The offers read every text from the cache: no translation step, nothing sent.
    assert len(translator.asked) == asked and again.translation == {} and w.writes() == 0


def test_a_failing_translator_leaves_the_text_and_the_run_goes_on(w: World) -> None:
    report = w.job(untranslated(2), translator=Bracketing(fail=True)).run()
    assert report.ok and any("machine translation stopped" in n for n in report.notes)
    row = w.store.get_item(OfferKey("ebay", "DE", catalog(1)[0].sku))
    assert row is not None and row.listed


def test_only_machine_translators_the_offers_read_are_accepted(w: World) -> None:
    class Other(Bracketing):
        name = "glossary"

    with pytest.raises(xb.ConfigurationError, match="deepl, libretranslate"):
        w.job(catalog(1), translator=Other())


def test_live_rates_are_fetched_through_the_client_first(w: World) -> None:
    daily = (ROOT / "tests" / "rates" / "fixtures" / "eurofxref-daily.xml").read_bytes()
    ecb = xb.rates.ECB()
    transport = w.http()._transport  # the fakes' router, wrapped to answer the ECB

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "www.ecb.europa.eu":
            return httpx.Response(200, content=daily)
        return transport.handle_request(request)

    http = httpx.Client(transport=httpx.MockTransport(handle))
    try:
        rates = xb.rates.Chain(ecb, xb.rates.bundled())
        job = w.job(catalog(2), rates=rates, live_rates=[ecb], http=http, on=None)
        plan = job.plan()
        assert ecb.as_of is not None and plan.planned("create") == 4
    finally:
        http.close()


def test_progress_and_client_events_reach_their_callbacks(w: World) -> None:
    events: list[JobEvent] = []
    seen: list[Any] = []
    job = w.job(catalog(30), on_progress=events.append, on_event=seen.append)
    report = job.run()
    kinds = [e.kind for e in events]
    assert kinds[0] == "planned" and kinds[-1] == "done" and "batch" in kinds
    batches = [e for e in events if e.kind == "batch"]
    assert sum(e.items for e in batches) == 60 and all(e.ok == e.items for e in batches)
    requests = [e for e in seen if e.kind == "request" and e.operation != "token"]
    assert len(requests) == report.calls


def test_texts_are_translated_into_the_tag_localize_reads(w: World) -> None:
    # Swiss German: the job asks for "de-CH" (the glossary's "ss" spelling), and the offers
    # read those translations from the cache.
    translator = Bracketing()
    sites = {site: ebay_settings().sites["EBAY_DE"] for site in ("EBAY_DE", "EBAY_CH")}
    target = Target(EbayAdapter(ebay_settings(sites=sites)), ["DE", "CH"])
    report = w.job(untranslated(1), [target], translator=translator).run()
    assert report.ok, report
    titles = {
        o["sku"].rsplit("-", 1)[-1]: w.ebay.inventory_item(o["sku"])["product"]["title"]
        for o in w.ebay.offers()
    }
    assert titles["DE"].startswith("[de] ") and titles["CH"].startswith("[de-CH] ")
