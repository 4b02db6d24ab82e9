from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path
from urllib.parse import quote

from xborder.cli import _parser
from xborder.client import Client
from xborder.marketplaces.ebay import _cli
from xborder.testing import FakeClock
from xborder.testing.ebay import FakeEbay

from ._support import CLIENT_ID, CLIENT_SECRET

ENV = {
    "XBORDER_EBAY_CLIENT_ID": CLIENT_ID,
    "XBORDER_EBAY_CLIENT_SECRET": CLIENT_SECRET,
    "XBORDER_EBAY_RU_NAME": "xborder-xborder-PRD-abc",
}


def consent(tmp_path: Path, answer: str | None = None) -> tuple[int, str, Path, FakeEbay]:
    clock = FakeClock()
    fake = FakeEbay(clock=clock, clients={CLIENT_ID: CLIENT_SECRET})
    out = io.StringIO()
    env_file = tmp_path / ".env.ebay"
    args = _parser().parse_args(["auth", "ebay", "--env-file", str(env_file)])

    def ask(prompt: str) -> str:
        state = re.search(r"state=([^&\s]+)", out.getvalue())
        assert state is not None and "auth.ebay.com/oauth2/authorize" in out.getvalue()
        code = fake.authorize(client_id=CLIENT_ID)
        # eBay sends the code URL-encoded (it holds "^" and "#").
        return answer or f"https://example.com/accepted?state={state.group(1)}&code={quote(code)}"

    with fake, fake.http_client() as http, Client(http=http, clock=clock) as client:
        status = _cli.run(args, out, ask=ask, environ=ENV, client=client)
    return status, out.getvalue(), env_file, fake


def test_consent_writes_the_refresh_token_to_a_private_file(tmp_path: Path) -> None:
    status, text, env_file, fake = consent(tmp_path)
    assert status == 0
    line = env_file.read_text(encoding="utf-8")
    assert line.startswith("XBORDER_EBAY_REFRESH_TOKEN=") and line.endswith("\n")
    token = line.split("=", 1)[1].strip()
    assert token and token not in text  # never printed
    assert stat.S_IMODE(os.stat(env_file).st_mode) == 0o600
    assert f"written to {env_file}" in text
    assert fake.count("token") == 1


def test_a_redirect_from_another_consent_is_refused(tmp_path: Path) -> None:
    status, text, env_file, _ = consent(
        tmp_path, answer="https://example.com/accepted?state=other&code=abc"
    )
    assert status == 1 and "state does not match" in text
    assert not env_file.exists()


def test_a_declined_consent(tmp_path: Path) -> None:
    status, text, env_file, _ = consent(
        tmp_path, answer="https://example.com/declined?error=access_denied"
    )
    assert status == 1 and "did not grant access" in text and not env_file.exists()


def test_missing_settings_name_the_variables(tmp_path: Path) -> None:
    out = io.StringIO()
    args = _parser().parse_args(["auth", "ebay", "--env-file", str(tmp_path / "e")])
    assert _cli.run(args, out, ask=lambda _: "", environ={}) == 1
    assert "XBORDER_EBAY_CLIENT_ID is not set" in out.getvalue()
