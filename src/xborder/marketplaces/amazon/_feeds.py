"""Large writes as JSON_LISTINGS_FEED feeds: submit, wait, read the processing report.

The flow of the Feeds API 2021-06-30 (``feeds_2021-06-30.json`` and its use-case guide):

1. ``createFeedDocument`` (``POST /feeds/2021-06-30/documents``) returns a document id and
   a presigned upload URL valid 5 minutes;
2. the document (``listings-feed-schema-v2.json``: a header and up to 25,000 messages) is
   ``PUT`` to that URL;
3. ``createFeed`` (``POST /feeds/2021-06-30/feeds``, feed type ``JSON_LISTINGS_FEED``)
   returns the feed id;
4. ``getFeed`` (``GET /feeds/2021-06-30/feeds/{feedId}``) is polled until
   ``processingStatus`` is DONE, FATAL or CANCELLED (or the adapter stops waiting and the
   items stay ``pending`` with the feed id, for ``status()`` to resolve later);
5. ``getFeedDocument`` (``GET /feeds/2021-06-30/documents/{id}``) gives the report's URL
   and ``compressionAlgorithm`` (GZIP); the report is downloaded and unzipped;
6. the processing report (``listings-feed-processing-report-schema-v2.json``) is read per
   message: its ``issues`` by ``messageId``, its ``items`` (the listings' state, because the
   header asked for ``includedData``) by SKU.

Feeds have no idempotency key: a feed sent twice is applied twice. The messages the adapter
writes all set absolute values (UPDATE is a full replace, PATCH replaces or merges absolute
values, DELETE deletes), so a feed applied twice leaves the listings as once did: every call
here is marked idempotent, and the client may send it again after a lost answer or a 429.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote

from xborder.http import Flow, HttpRequest
from xborder.marketplaces._model import Issue, ItemResult, OfferKey, RemoteRef
from xborder.marketplaces.amazon._calls import sp_request
from xborder.marketplaces.amazon._classify import error_issues, report_issue, retry_after_of
from xborder.marketplaces.amazon._confirm import Expect, confirm
from xborder.marketplaces.amazon._marketplaces import AmazonMarketplace
from xborder.marketplaces.amazon._payload import (
    FEED_CONTENT_TYPE,
    feed_document,
    feed_header,
)
from xborder.marketplaces.amazon._settings import AmazonSettings
from xborder.marketplaces.amazon._wire import (
    CreateFeedDocumentResponse,
    CreateFeedResponse,
    Feed,
    FeedDocument,
    Item,
    ProcessingReport,
    ReportIssue,
    parse,
)

__all__ = [
    "FEED_TYPE",
    "FINISHED",
    "FeedEntry",
    "FeedJob",
    "finish",
    "read_report",
    "split",
    "submit",
]

#: The listings feed type (``listings-feed-type-values``; XML and flat-file listing feeds
#: end in FATAL since 2025-07-31).
FEED_TYPE: Final = "JSON_LISTINGS_FEED"
#: ``processingStatus`` values after which a feed changes no more.
FINISHED: Final = frozenset({"DONE", "FATAL", "CANCELLED"})
#: The most a downloaded report may unzip to (a guard against a corrupt or hostile body).
_MAX_REPORT_BYTES: Final = 512 * 1024 * 1024


@dataclass(slots=True)
class FeedEntry:
    """One item's message in a feed.

    Its place in the caller's input (``index``), its key, SKU, ``messageId``, the message
    written as JSON, what a confirmation must show, the product type sent (kept in the
    item's RemoteRef) and warnings found before sending.
    """

    index: int
    key: OfferKey
    sku: str
    message_id: int
    message: bytes
    expect: Expect
    product_type: str | None = None
    notes: tuple[Issue, ...] = ()

    def remote(
        self,
        mp: AmazonMarketplace,
        feed_id: str | None,
        asin: str | None = None,
        product_type: str | None = None,
    ) -> RemoteRef:
        """Return the ids the caller keeps: SKU, store, product type, feed and message."""
        return RemoteRef(
            sku=self.sku,
            marketplaceId=mp.marketplace_id,
            productType=product_type or self.product_type,
            feedId=feed_id,
            messageId=str(self.message_id) if feed_id else None,
            asin=asin,
        )


@dataclass(slots=True)
class FeedJob:
    """One feed document for one store and where it got to (``feed_id`` once created)."""

    marketplace: AmazonMarketplace
    entries: list[FeedEntry]
    document: bytes
    feed_id: str | None = None
    failure: tuple[Issue, ...] = ()
    retry_after: float | None = None
    results: dict[int, ItemResult] = field(default_factory=dict)

    def fail(self, issues: tuple[Issue, ...], retry_after: float | None = None) -> None:
        """Mark every item of the feed failed with ``issues``."""
        self.failure = issues
        self.retry_after = retry_after
        for entry in self.entries:
            self.results[entry.index] = ItemResult(
                entry.key,
                "failed",
                remote=entry.remote(self.marketplace, self.feed_id) if self.feed_id else None,
                issues=(*entry.notes, *issues),
                retry_after=retry_after,
            )


def split(
    settings: AmazonSettings, mp: AmazonMarketplace, entries: Sequence[FeedEntry]
) -> tuple[list[FeedJob], list[FeedEntry]]:
    """Group ``entries`` into feed documents within the limits.

    At most ``feed_max_messages`` messages and under ``feed_max_bytes`` each; returns the
    jobs and the entries too large for any feed.
    """
    header = feed_header(settings.seller_id, settings.issue_locale)
    overhead = len(feed_document(header, []))
    limit = settings.feed_max_bytes - 1  # "under 10 MiB"
    groups: list[list[FeedEntry]] = []
    too_big: list[FeedEntry] = []
    current: list[FeedEntry] = []
    size = overhead
    for entry in entries:
        if overhead + len(entry.message) > limit:
            too_big.append(entry)
            continue
        extra = len(entry.message) + (1 if current else 0)
        if current and (len(current) >= settings.feed_max_messages or size + extra > limit):
            groups.append(current)
            current, size, extra = [], overhead, len(entry.message)
        current.append(entry)
        size += extra
    if current:
        groups.append(current)
    jobs = [
        FeedJob(mp, group, feed_document(header, [entry.message for entry in group]))
        for group in groups
    ]
    return jobs, too_big


def _feeds_url(settings: AmazonSettings, mp: AmazonMarketplace, path: str) -> str:
    return f"{mp.endpoint(sandbox=settings.sandbox)}/feeds/2021-06-30{path}"


def _unreadable(what: str) -> tuple[Issue, ...]:
    return (
        Issue(
            "amazon.unreadable_response",
            f"{what} answered with a body that is not the model's; the feed was not sent",
        ),
    )


def submit(settings: AmazonSettings, job: FeedJob) -> Flow[None]:
    """Create the document, upload it and create the feed; set ``job.feed_id`` or fail it."""
    mp = job.marketplace
    response = yield sp_request(
        "POST",
        _feeds_url(settings, mp, "/documents"),
        operation="create_feed_document",
        body={"contentType": FEED_CONTENT_TYPE},
        # A repeated createFeedDocument only leaves an unused document behind.
        idempotent=True,
    )
    if response.status_code >= 400:
        job.fail(error_issues(response, what="createFeedDocument"), retry_after_of(response))
        return
    document = parse(CreateFeedDocumentResponse, response.content)
    if document is None or not document.url or not document.feedDocumentId:
        job.fail(_unreadable("createFeedDocument"))
        return
    response = yield HttpRequest(
        "PUT",
        document.url,
        headers={"Content-Type": FEED_CONTENT_TYPE},
        content=job.document,
        operation="upload_feed_document",
        idempotent=True,
        auth=None,  # the presigned URL is the credential
        raise_for_status=False,
    )
    if not 200 <= response.status_code < 300:
        job.fail(
            (
                Issue(
                    "amazon.upload_failed",
                    f"uploading the feed document answered HTTP {response.status_code}; "
                    f"nothing was submitted",
                ),
            ),
            retry_after_of(response),
        )
        return
    response = yield sp_request(
        "POST",
        _feeds_url(settings, mp, "/feeds"),
        operation="create_feed",
        body={
            "feedType": FEED_TYPE,
            "marketplaceIds": [mp.marketplace_id],
            "inputFeedDocumentId": document.feedDocumentId,
        },
        # No idempotency key: a feed sent twice is applied twice. Every message the adapter
        # writes sets absolute values (UPDATE, PATCH replace/merge, DELETE), so twice leaves
        # the listings as once did; a repeat costs one feed of the quota, nothing more.
        idempotent=True,
    )
    if response.status_code >= 400:
        job.fail(error_issues(response, what="createFeed"), retry_after_of(response))
        return
    created = parse(CreateFeedResponse, response.content)
    if created is None or not created.feedId:
        job.fail(_unreadable("createFeed"))
        return
    job.feed_id = created.feedId


def _poll(
    settings: AmazonSettings, mp: AmazonMarketplace, feed_id: str, polls: int
) -> Flow[Feed | None]:
    # The client paces these calls with the "get_feed" bucket (one per feed_poll_interval).
    for _ in range(polls):
        response = yield sp_request(
            "GET",
            _feeds_url(settings, mp, f"/feeds/{quote(feed_id, safe='')}"),
            operation="get_feed",
        )
        if response.status_code >= 400:
            return None
        feed = parse(Feed, response.content)
        if feed is None:
            return None
        if (feed.processingStatus or "").upper() in FINISHED:
            return feed
    return None


def _gunzip(content: bytes) -> bytes | None:
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(content, _MAX_REPORT_BYTES)
    except zlib.error:
        return None
    if inflater.unconsumed_tail:
        return None
    return data


def read_report(
    settings: AmazonSettings, mp: AmazonMarketplace, document_id: str
) -> Flow[ProcessingReport | tuple[Issue, ...]]:
    """Fetch and read the processing report ``document_id`` (gzip aware)."""
    response = yield sp_request(
        "GET",
        _feeds_url(settings, mp, f"/documents/{quote(document_id, safe='')}"),
        operation="get_feed_document",
    )
    if response.status_code >= 400:
        return error_issues(response, what="getFeedDocument")
    document = parse(FeedDocument, response.content)
    if document is None or not document.url:
        return _unreadable("getFeedDocument")
    response = yield HttpRequest(
        "GET",
        document.url,
        operation="download_feed_document",
        auth=None,
        raise_for_status=False,
    )
    if not 200 <= response.status_code < 300:
        return (
            Issue(
                "amazon.report_unavailable",
                f"downloading the processing report answered HTTP {response.status_code}",
            ),
        )
    # ``compressionAlgorithm: GZIP`` says the stored report is gzipped; a transport that
    # honoured a Content-Encoding header may have unzipped it already, so the bytes decide.
    content: bytes | None = response.content
    if response.content[:2] == b"\x1f\x8b":
        content = _gunzip(response.content)
    report = parse(ProcessingReport, content) if content is not None else None
    if report is None:
        return (
            Issue(
                "amazon.unreadable_report",
                "the processing report is not the JSON the report schema describes",
            ),
        )
    return report


def _pending(job: FeedJob, note: Issue | None = None) -> None:
    for entry in job.entries:
        job.results[entry.index] = ItemResult(
            entry.key,
            "pending",
            remote=entry.remote(job.marketplace, job.feed_id),
            issues=(*entry.notes, *((note,) if note else ())),
            state="pending",
        )


def finish(settings: AmazonSettings, job: FeedJob, *, polls: int | None = None) -> Flow[None]:
    """Wait for a submitted feed and turn its report into one result per item.

    ``polls`` defaults to ``feed_max_polls``; a feed still in progress after them leaves its
    items ``pending`` with the feed id.
    """
    if job.feed_id is None:
        return
    count = settings.feed_max_polls if polls is None else polls
    feed = (yield from _poll(settings, job.marketplace, job.feed_id, count)) if count else None
    if feed is None:
        _pending(job)
        return
    status = (feed.processingStatus or "").upper()
    if status == "CANCELLED":
        job.fail((Issue("amazon.feed_cancelled", f"feed {job.feed_id} was cancelled"),))
        return
    if not feed.resultFeedDocumentId:
        if status == "FATAL":
            job.fail((Issue("amazon.feed_fatal", f"feed {job.feed_id} ended FATAL"),))
        else:
            _pending(
                job,
                Issue(
                    "amazon.no_report", "the feed is done but has no report yet", severity="warning"
                ),
            )
        return
    report = yield from read_report(settings, job.marketplace, feed.resultFeedDocumentId)
    if isinstance(report, tuple):
        if status == "FATAL":
            job.fail((Issue("amazon.feed_fatal", f"feed {job.feed_id} ended FATAL"), *report))
        else:
            # Done, but the report could not be read: the state is unknown, not failed.
            _pending(job, report[0])
        return
    apply_report(job, report, fatal=status == "FATAL")


def apply_report(job: FeedJob, report: ProcessingReport, *, fatal: bool = False) -> None:
    """Set each item's result from a processing report (issues by messageId, items by SKU)."""
    mp = job.marketplace
    by_message: dict[int, list[ReportIssue]] = defaultdict(list)
    general: list[Issue] = []
    for issue in report.issues:
        if issue.messageId is None:
            general.append(report_issue(issue))
        else:
            by_message[issue.messageId].append(issue)
    items: dict[str, Item] = {item.sku: item for item in report.items if item.sku is not None}
    for entry in job.entries:
        found = [report_issue(issue) for issue in by_message.get(entry.message_id, ())]
        found += general
        if any(issue.severity == "error" for issue in found) or fatal:
            if fatal and not any(issue.severity == "error" for issue in found):
                found.append(Issue("amazon.feed_fatal", f"feed {job.feed_id} ended FATAL"))
            job.results[entry.index] = ItemResult(
                entry.key,
                "failed",
                remote=entry.remote(mp, job.feed_id),
                issues=(*entry.notes, *found),
            )
            continue
        item = items.get(entry.sku)
        if item is None and entry.expect.mode != "absent":
            job.results[entry.index] = ItemResult(
                entry.key,
                "pending",
                remote=entry.remote(mp, job.feed_id),
                issues=(*entry.notes, *found),
                state="pending",
            )
            continue
        seen = confirm(item, mp, entry.expect)
        job.results[entry.index] = ItemResult(
            entry.key,
            seen.status,
            remote=entry.remote(mp, job.feed_id, seen.asin, seen.product_type),
            issues=_merge(entry.notes, found, seen.issues),
            state=seen.state,
        )


def _merge(*groups: Sequence[Issue]) -> tuple[Issue, ...]:
    out: list[Issue] = []
    for group in groups:
        for issue in group:
            if issue not in out:
                out.append(issue)
    return tuple(out)
