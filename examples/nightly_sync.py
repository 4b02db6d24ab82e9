"""The nightly cron job: sync the catalog in examples/xborder.toml to every marketplace.

    # crontab: every night at 02:10, one shard of four per host (or all of it: no --shard)
    10 2 * * *  cd /srv/shop && python examples/nightly_sync.py --config xborder.toml

Credentials come from the environment (XBORDER_EBAY_*, XBORDER_AMAZON_*,
XBORDER_FACEBOOK_*), never from the file or the command line. The exit status is 0 when
every item went through, 1 when some failed (cron mails the report), 2 when the job could
not run. ``--offline`` runs the same job against xborder's fake marketplaces, with made-up
credentials, to try it without an account.

The same job without this script: ``xborder sync --config xborder.toml``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from xborder.errors import XborderError
from xborder.jobs import Shard, SyncJob

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None, **overrides: Any) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=HERE / "xborder.toml")
    parser.add_argument("--shard", type=Shard.parse, default=None, help="i/n, e.g. 0/4")
    parser.add_argument("--offline", action="store_true", help="use the fake marketplaces")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    world = None
    if args.offline:
        from xborder.clock import SystemClock
        from xborder.jobs._demo import demo_environ, demo_world

        os.environ.update(demo_environ())
        world = demo_world(start=SystemClock().now())
        overrides = {"clock": world.clock, "http": world.http, **overrides}
    try:
        with SyncJob.from_config(args.config, **overrides) as job:
            report = job.run(shard=args.shard)
    except XborderError as exc:
        print(f"nightly sync: {exc}", file=sys.stderr)
        return 2
    finally:
        if world is not None:
            world.close()
    print(report.summary())
    # Keep the JSON next to the logs for dashboards; report.to_json() holds no secret.
    log = Path(os.environ.get("XBORDER_REPORT_DIR", ".")) / "last-sync.json"
    log.write_text(report.to_json(indent=2), encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
