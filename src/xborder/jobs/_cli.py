"""``xborder plan``, ``xborder sync`` and ``xborder reconcile``: a job from its TOML file.

::

    xborder plan --config xborder.toml            # what would change; nothing written
    xborder sync --config xborder.toml --shard 0/4
    xborder reconcile --json                      # adopt what the marketplaces hold

Options: ``--config`` (default ``$XBORDER_CONFIG`` or ``xborder.toml``), ``--dry-run``
(``sync``: plan only; ``reconcile``: read the marketplaces, store nothing), ``--json`` (the
report as JSON on stdout), ``--csv FILE`` (the items that need a look, as CSV for a
spreadsheet; ``-`` prints it on stdout instead of the summary), ``--shard i/n``.
Credentials come from the environment only, never from the command line. Progress goes to
stderr: one updating line on a terminal, plain lines otherwise. Exit status: 0 when no item
failed, 1 when items failed, 2 when the job could not run (configuration, shard already
running).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Final, TextIO

from xborder._csv import terminal_safe
from xborder.errors import XborderError
from xborder.jobs._report import JobEvent, SyncReport
from xborder.jobs._shard import Shard

__all__ = ["COMMANDS", "Progress", "add_parsers", "run"]

#: The subcommands this module adds, with their help.
COMMANDS: Final = {
    "plan": "show what a sync would change per marketplace (writes nothing)",
    "sync": "sync the catalog to the marketplaces (exit 1 when items failed)",
    "reconcile": "read what the marketplaces hold and adopt existing listings by SKU",
}


def _shard(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plan``, ``sync`` and ``reconcile`` to the ``xborder`` command's subcommands."""
    for name, text in COMMANDS.items():
        parser = sub.add_parser(name, help=text, description=text)
        parser.add_argument(
            "--config",
            type=Path,
            default=Path(os.environ.get("XBORDER_CONFIG", "xborder.toml")),
            help="the job's TOML file (default: $XBORDER_CONFIG or xborder.toml)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="write nothing to any marketplace"
            + (" (reconcile: store nothing either)" if name == "reconcile" else ""),
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--csv",
            type=Path,
            metavar="FILE",
            help="also write the items that need a look as CSV, for a spreadsheet ('-': stdout)",
        )
        parser.add_argument(
            "--shard", type=_shard, default=None, metavar="I/N", help="run shard I of N (0/4)"
        )
        parser.set_defaults(jobs_command=name)


class Progress:
    """Shows a run's progress on ``stream``: one updating line on a terminal, else lines."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self._done: dict[str, int] = {}
        self._listings = 0
        self._width = 0

    def __call__(self, event: JobEvent) -> None:
        """Show one event."""
        if event.kind == "planned":
            self._listings = event.listings
            if self.tty:
                self._line()
            return
        if event.kind == "done":
            if self.tty and self._width:
                self.stream.write("\n")
                self.stream.flush()
            return
        self._done[event.target] = self._done.get(event.target, 0) + event.items
        if self.tty:
            self._line()
            return
        what = {"batch": event.operation, "confirmed": "confirm", "reconciled": "status"}
        self.stream.write(
            f"{event.target} {what.get(event.kind, event.kind)} {event.items} items: "
            f"{event.ok} ok, {event.failed} failed, {event.pending} pending\n"
        )
        self.stream.flush()

    def _line(self) -> None:
        done = "  ".join(f"{name} {count}" for name, count in sorted(self._done.items()))
        text = f"planned {self._listings} listings" + (f"  |  sent: {done}" if done else "")
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)


def run(
    args: argparse.Namespace,
    out: TextIO,
    *,
    err: TextIO | None = None,
    **overrides: Any,
) -> int:
    """Run the subcommand in ``args``; return the exit status (0 ok, 1 failed items, 2 error).

    ``overrides`` go to :meth:`SyncJob.from_config` (tests pass ``clock=`` and ``http=``).
    """
    from xborder.jobs._job import SyncJob

    errors = err if err is not None else sys.stderr
    command: str = args.jobs_command
    try:
        job = SyncJob.from_config(
            args.config, on_progress=None if args.json else Progress(errors), **overrides
        )
    except XborderError as exc:
        errors.write(f"xborder {command}: error: {terminal_safe(str(exc))}\n")
        return 2
    try:
        with job:
            report = _report(job, command, args)
    except XborderError as exc:
        errors.write(f"xborder {command}: error: {terminal_safe(str(exc))}\n")
        return 2
    if args.csv is not None and str(args.csv) != "-":
        # utf-8-sig: spreadsheet programs read a CSV as UTF-8 only when it starts with a BOM.
        try:
            with Path(args.csv).open("w", encoding="utf-8-sig", newline="") as handle:
                handle.write(report.to_csv())
        except OSError as exc:
            errors.write(f"xborder {command}: error: --csv: {terminal_safe(str(exc))}\n")
            return 2
    if args.csv is not None and str(args.csv) == "-":
        out.write(report.to_csv())
    else:
        out.write(report.to_json(indent=2) if args.json else report.summary())
        out.write("\n")
    return 0 if report.ok else 1


def _report(job: Any, command: str, args: argparse.Namespace) -> SyncReport:
    shard = args.shard
    if command == "plan" or (command == "sync" and args.dry_run):
        report: SyncReport = job.plan(shard=shard)
    elif command == "sync":
        report = job.run(shard=shard)
    else:
        report = job.reconcile(shard=shard, dry_run=args.dry_run)
    return report
