"""SyncJob.from_config: the TOML file, credentials from the environment only."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import xborder as xb
from xborder.jobs import JobConfigError, SyncJob
from xborder.jobs._config import policy_from
from xborder.jobs._demo import demo_environ
from xborder.marketplaces.ebay import EbaySettings
from xborder.testing import FakeClock

from ._support import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ROOT, START

ENV = {
    **demo_environ(),
    "XBORDER_EBAY_CLIENT_ID": CLIENT_ID,
    "XBORDER_EBAY_CLIENT_SECRET": CLIENT_SECRET,
    "XBORDER_EBAY_REFRESH_TOKEN": REFRESH_TOKEN,
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("xborder.toml", "catalog.jsonl", "seller.json"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "job.toml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
[job]
catalog = "catalog.jsonl"

[[targets]]
marketplace = "ebay"
markets = ["DE"]
"""


def test_the_example_configuration_builds_a_job(folder: Path) -> None:
    job = SyncJob.from_config(folder / "xborder.toml", environ=ENV, clock=FakeClock(START))
    with job:
        target, amazon, meta = job.targets
        assert target.name == "ebay" and target.markets == ("DE", "GB")
        assert amazon.name == "amazon" and meta.base_market == "GB"
        assert amazon.adapter.settings.product_types["home.drinkware"] == "DRINKING_CUP"
        settings = target.adapter.settings
        assert isinstance(settings, EbaySettings)
        assert settings.client_secret.get_secret_value() == CLIENT_SECRET  # from the environment
        assert settings.offer_lookup == "on_conflict"  # from the file
        assert settings.sites["EBAY_DE"].categories["home.drinkware"] == "20625"
        assert target.stock.share == Decimal("0.4") and target.stock.cap == 20
        assert job.policy.fx_buffer_percent == Decimal(2) and job.seller is not None
        assert job.fx_drift_percent == Decimal(1)
        assert str(job.catalog).endswith("catalog.jsonl")
        assert (folder / "xborder-state.sqlite").exists()
        assert CLIENT_SECRET not in repr(job) + repr(target)


def test_a_credential_in_the_file_is_refused(folder: Path) -> None:
    path = write(folder, MINIMAL + '\n[targets.settings]\nclient_secret = "PRD-oops"\n')
    with pytest.raises(JobConfigError, match="XBORDER_EBAY_CLIENT_SECRET") as error:
        SyncJob.from_config(path, environ=ENV)
    assert "PRD-oops" not in str(error.value)
    path = write(folder, "[translation]\nprovider = 'deepl'\napi_key = 'k-oops'\n" + MINIMAL)
    with pytest.raises(JobConfigError, match="environment") as error:
        SyncJob.from_config(path, environ=ENV)
    assert "k-oops" not in str(error.value)


def test_missing_credentials_name_the_variable(folder: Path) -> None:
    with pytest.raises(xb.ConfigurationError, match="XBORDER_EBAY_CLIENT_SECRET is not set"):
        SyncJob.from_config(write(folder, MINIMAL), environ={"XBORDER_EBAY_CLIENT_ID": "x"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[job]\ncatalog = 'c.jsonl'\n", "no \\[\\[targets\\]\\]"),
        (MINIMAL + "[policy]\nmarkup_percent = 1.5\n", "floats"),
        (MINIMAL + "[policy]\nmarkup = '1'\n", "unknown policy key"),
        (MINIMAL + "[oops]\n", "unknown tables"),
        (MINIMAL.replace('markets = ["DE"]', 'markets = "DE"'), "list of country codes"),
        (MINIMAL + "[targets.settings]\nsku_fromat = 'x'\n", "not a setting of EbaySettings"),
        (MINIMAL + "[targets.stock]\nshare = '2'\n", "share"),
        (MINIMAL.replace("ebay", "nope"), "unknown marketplace 'nope'"),
        ("[[targets]]\nmarketplace = 'ebay'\nmarkets = ['DE']\n", "job.catalog"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_configuration_errors_name_the_key(folder: Path, text: str, message: str) -> None:
    with pytest.raises(xb.ConfigurationError, match=message):
        SyncJob.from_config(write(folder, text), environ=ENV)


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(JobConfigError, match="cannot read"):
        SyncJob.from_config(tmp_path / "nope.toml", environ=ENV)


def test_policies_read_money_as_text() -> None:
    policy = policy_from(
        {
            "fixed_fee": "0.30 EUR",
            "min_prices": {"EUR": "4.99"},
            "overrides": {"DE": "19.99 EUR", "MUG-01/GB": "17.99 GBP"},
            "vat_overrides": {"NO": "25"},
            "endings": {"EUR": ".99"},
            "include_tax": False,
        },
        "policy",
    )
    assert policy.min_prices["EUR"] == xb.Money("4.99", "EUR")
    assert policy.overrides[("MUG-01", "GB")] == xb.Money("17.99", "GBP")
    assert policy.fixed_fee == xb.Money("0.30", "EUR") and not policy.include_tax
    with pytest.raises(JobConfigError, match="amount"):
        policy_from({"fixed_fee": "0.30"}, "policy")


def test_a_target_policy_is_merged_over_the_job_policy(folder: Path) -> None:
    body = (
        "[job]\ncatalog = 'catalog.jsonl'\n[policy]\nfx_buffer_percent = '2'\n"
        "[[targets]]\nmarketplace = 'ebay'\nmarkets = ['DE']\n"
        "[targets.policy]\nmarkup_percent = '5'\n"
    )
    path = write(folder, body)
    with SyncJob.from_config(path, environ=ENV) as job:
        policy = job.targets[0].policy
        assert policy is not None
        assert policy.markup_percent == Decimal(5) and policy.fx_buffer_percent == Decimal(2)


def test_overrides_replace_constructor_arguments(folder: Path) -> None:
    clock = FakeClock(START)
    with SyncJob.from_config(write(folder, MINIMAL), environ=ENV, clock=clock) as job:
        assert job.clock is clock
