"""``xborder auth ebay``: guide a seller through eBay's one-time consent.

The command prints the consent page's URL, reads back the URL eBay redirected to (or the bare
code), exchanges the code for the seller's refresh token and writes it to an env file readable
by its owner only. The token is never printed: a terminal's scrollback and CI logs keep what
is printed.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from xborder.client import Client
from xborder.errors import XborderError
from xborder.marketplaces.ebay._consent import (
    authorization_url,
    code_from_redirect,
    exchange_code,
    new_state,
)
from xborder.marketplaces.ebay._settings import EbaySettings

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``auth ebay`` to the ``xborder`` command's subcommands."""
    auth = sub.add_parser("auth", help="one-time consent of a seller account (eBay)")
    which = auth.add_subparsers(dest="marketplace", required=True)
    ebay = which.add_parser(
        "ebay",
        help="get an eBay refresh token (needs XBORDER_EBAY_CLIENT_ID, _CLIENT_SECRET, _RU_NAME)",
    )
    ebay.add_argument(
        "--env-file",
        type=Path,
        default=Path(".env.ebay"),
        help="file to write XBORDER_EBAY_REFRESH_TOKEN to, mode 0600 (default: .env.ebay)",
    )


def run(
    args: argparse.Namespace,
    out: TextIO,
    *,
    ask: Callable[[str], str] = input,
    environ: Mapping[str, str] | None = None,
    client: Client | None = None,
) -> int:
    """Run the consent; return the exit status (0 done, 1 refused or misconfigured)."""
    env = os.environ if environ is None else environ
    try:
        settings = EbaySettings.from_env(env)
        state = new_state()
        out.write(
            "1. Open this page, sign in with the seller's eBay account and agree:\n\n"
            f"   {authorization_url(settings, state=state)}\n\n"
            "2. eBay then redirects to your application's accepted URL. Paste that URL "
            "(or just its code) here.\n"
        )
        code = code_from_redirect(ask("redirect URL or code: "), state=state)
        with client or Client() as http:
            consent = http.run(exchange_code(settings, code))
    except (XborderError, ValueError) as exc:
        out.write(f"xborder auth ebay: {exc}\n")
        return 1
    path: Path = args.env_file
    line = f"XBORDER_EBAY_REFRESH_TOKEN={consent.refresh_token.get_secret_value()}\n"
    # Created 0600 before anything is written: the token grants access to the seller account.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line)
    months = (
        f" (eBay says it is valid for {consent.refresh_token_expires_in / 2_592_000:.0f} months)"
        if consent.refresh_token_expires_in
        else ""
    )
    out.write(
        f"\nThe seller's refresh token was written to {path}{months}.\n"
        f"Load it into the environment of your sync job (XBORDER_EBAY_REFRESH_TOKEN).\n"
    )
    return 0
