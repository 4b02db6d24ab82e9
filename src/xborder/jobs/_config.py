"""``SyncJob.from_config("xborder.toml")``: a job from a TOML file, credentials from the env.

The file (docs/jobs.md, examples/xborder.toml) has the tables ``[job]`` (catalog, seller,
state, thresholds), ``[rates]``, ``[policy]``, ``[translation]`` and one ``[[targets]]``
per marketplace with its markets, ``stock``, ``policy`` and non-secret ``settings``.
Credentials are never read from the file: a secret setting there is refused, naming the
environment variable to use instead. Paths are relative to the file. Decimal values are
written as strings (``"0.5"``) or integers; floats are refused (money is Decimal).
"""

from __future__ import annotations

import json
import os
import tomllib
import typing
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import UnionType
from typing import Any, Final

from pydantic import SecretStr

from xborder import _plugins
from xborder import rates as rates_module
from xborder.catalog import read_seller
from xborder.errors import ConfigurationError
from xborder.jobs._errors import JobConfigError
from xborder.jobs._stock import StockRule
from xborder.jobs._target import Target
from xborder.localize import translate
from xborder.marketplaces import GROUP, MarketplaceSettings
from xborder.money import Money
from xborder.pricing import PricingPolicy

if typing.TYPE_CHECKING:
    from xborder.jobs._job import SyncJob

__all__ = ["load", "policy_from", "settings_class"]

_SECRET_WORDS: Final = ("secret", "token", "password", "api_key", "apikey", "credential")
_JOB_KEYS: Final = frozenset(
    {
        "catalog",
        "seller",
        "state",
        "on",
        "fx_drift_percent",
        "withdraw_gone",
        "pending_timeout",
        "poll_interval",
        "chunk_size",
    }
)
_TARGET_KEYS: Final = frozenset(
    {
        "marketplace",
        "markets",
        "settings",
        "stock",
        "policy",
        "channel",
        "zero_quantity",
        "daily_revisions",
    }
)


def _fail(where: str, message: str) -> JobConfigError:
    return JobConfigError(f"{where}: {message}")


def _table(data: Mapping[str, Any], name: str, where: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise _fail(f"{where}{name}", f"expected a table, got {type(value).__name__}")
    return value


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, float | bool):
        raise _fail(where, f'write decimals as strings ("{value}"), not as TOML floats')
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _fail(where, f"not a decimal: {value!r}") from None


def _money(value: object, where: str, currency: str | None = None) -> Money:
    text = str(value).strip() if isinstance(value, str) else None
    if text is None:
        raise _fail(where, f'expected "<amount> <currency>" such as "4.99 EUR", got {value!r}')
    amount, _, code = text.partition(" ")
    code = code.strip() or (currency or "")
    if not code:
        raise _fail(where, f'expected "<amount> <currency>" such as "4.99 EUR", got {value!r}')
    try:
        return Money(_decimal(amount, where), code)
    except ConfigurationError:
        raise
    except (ValueError, TypeError) as exc:
        raise _fail(where, str(exc)) from None


def _no_secrets(data: object, where: str) -> None:
    """Refuse anything that looks like a credential: they come from the environment."""
    if isinstance(data, dict):
        for key, value in data.items():
            if any(word in str(key).lower() for word in _SECRET_WORDS):
                raise _fail(
                    f"{where}{key}",
                    "credentials are never read from the configuration file; set them in "
                    "the environment",
                )
            _no_secrets(value, f"{where}{key}.")


def policy_from(
    data: Mapping[str, Any], where: str, base: PricingPolicy | None = None
) -> PricingPolicy:
    """Build a :class:`PricingPolicy` from a ``[policy]`` table (over ``base``'s values)."""
    values: dict[str, Any] = {}
    if base is not None:
        values = {name: getattr(base, name) for name in PricingPolicy.__dataclass_fields__}
    for key, value in data.items():
        at = f"{where}.{key}"
        if key in ("markup_percent", "fx_buffer_percent", "min_margin_percent"):
            values[key] = _decimal(value, at)
        elif key == "include_tax":
            values[key] = bool(value)
        elif key == "fixed_fee":
            values[key] = _money(value, at)
        elif key == "vat_overrides":
            values[key] = {c: _decimal(v, f"{at}.{c}") for c, v in dict(value).items()}
        elif key == "endings":
            values[key] = {c: str(v) for c, v in dict(value).items()}
        elif key == "min_prices":
            values[key] = {c: _money(v, f"{at}.{c}", c) for c, v in dict(value).items()}
        elif key == "overrides":
            overrides: dict[str | tuple[str, str], Money] = {}
            for name, v in dict(value).items():
                sku, slash, market = str(name).rpartition("/")
                overrides[(sku, market) if slash else market] = _money(v, f"{at}.{name}")
            values[key] = overrides
        else:
            raise _fail(
                at, f"unknown policy key (known: {', '.join(PricingPolicy.__dataclass_fields__)})"
            )
    try:
        return PricingPolicy(**values)
    except (ValueError, TypeError) as exc:
        raise _fail(where, str(exc)) from None


def settings_class(name: str) -> type[MarketplaceSettings] | None:
    """Return the settings class the adapter registered as ``name`` takes, if it says so."""
    matches = [ep for ep in _plugins.entry_points(GROUP) if ep.name == name]
    if not matches:
        names = ", ".join(_plugins.available(GROUP)) or "none installed"
        raise JobConfigError(f"unknown marketplace {name!r}; available: {names}")
    factory, _ = _plugins.load_entry_point(GROUP, name, matches)
    init = getattr(factory, "__init__", None)
    try:
        hints = typing.get_type_hints(init) if init is not None else {}
    except (NameError, TypeError):
        return None
    hint = hints.get("settings")
    options = (
        typing.get_args(hint) if isinstance(hint, UnionType) or typing.get_args(hint) else (hint,)
    )
    for option in options:
        if isinstance(option, type) and issubclass(option, MarketplaceSettings):
            return option
    return None


def _settings(
    name: str, data: Mapping[str, Any], environ: Mapping[str, str], where: str
) -> MarketplaceSettings | None:
    cls = settings_class(name)
    if cls is None:
        if data:
            raise _fail(where, f"{name}: its adapter does not say which settings it takes")
        return None
    env = dict(environ)
    for key, value in data.items():
        field = cls.model_fields.get(key)
        if field is None:
            raise _fail(
                f"{where}.{key}",
                f"not a setting of {cls.__name__} (known: {', '.join(sorted(cls.model_fields))})",
            )
        if field.annotation in (SecretStr, SecretStr | None):
            raise _fail(
                f"{where}.{key}",
                f"a credential: set {cls.env_var(key)} in the environment instead",
            )
        env[cls.env_var(key)] = value if isinstance(value, str) else json.dumps(value)
    return cls.from_env(env)


def _target(
    data: Mapping[str, Any], index: int, environ: Mapping[str, str], base: PricingPolicy
) -> Target:
    where = f"targets[{index}]"
    unknown = set(data) - _TARGET_KEYS
    if unknown:
        raise _fail(
            where, f"unknown keys {sorted(unknown)} (known: {', '.join(sorted(_TARGET_KEYS))})"
        )
    name = data.get("marketplace")
    if not isinstance(name, str) or not name:
        raise _fail(f"{where}.marketplace", 'a marketplace name such as "ebay" is required')
    markets = data.get("markets")
    if not isinstance(markets, list) or not all(isinstance(m, str) for m in markets):
        raise _fail(f"{where}.markets", 'a list of country codes such as ["DE", "GB"]')
    stock = _table(data, "stock", f"{where}.")
    extra = set(stock) - {"share", "cap", "buffer"}
    if extra:
        raise _fail(f"{where}.stock", f"unknown keys {sorted(extra)} (known: share, cap, buffer)")
    try:
        rule = StockRule(
            share=_decimal(stock["share"], f"{where}.stock.share") if "share" in stock else None,
            cap=stock.get("cap"),
            buffer=stock.get("buffer", 0),
        )
    except (ValueError, TypeError) as exc:
        raise _fail(f"{where}.stock", str(exc)) from None
    policy_data = _table(data, "policy", f"{where}.")
    settings = _settings(name, _table(data, "settings", f"{where}."), environ, f"{where}.settings")
    return Target(
        name,
        markets,
        settings=settings,
        stock=rule,
        policy=policy_from(policy_data, f"{where}.policy", base) if policy_data else None,
        channel=data.get("channel"),
        zero_quantity=data.get("zero_quantity", "withdraw"),
        daily_revisions=data.get("daily_revisions"),
    )


def _rates(data: Mapping[str, Any]) -> tuple[rates_module.RateSource, tuple[rates_module.ECB, ...]]:
    source = str(data.get("source", "ecb-bundled"))
    options = {k: v for k, v in data.items() if k != "source"}
    if source == "ecb":
        # Live ECB rates with the shipped snapshot behind them; the job fetches them first.
        live = rates_module.ECB(**options)
        return rates_module.Chain(live, rates_module.bundled()), (live,)
    return rates_module.get(source, **options), ()


def _translator(data: Mapping[str, Any], environ: Mapping[str, str]) -> translate.Translator | None:
    if not data:
        return None
    provider = data.get("provider")
    if not isinstance(provider, str):
        raise _fail("translation.provider", 'a provider name such as "deepl"')
    options = {k: v for k, v in data.items() if k not in ("provider", "api_key_env")}
    variable = str(data.get("api_key_env", f"XBORDER_{provider.upper()}_API_KEY"))
    key = environ.get(variable)
    if key:
        options["api_key"] = SecretStr(key)
    elif provider == "deepl":
        raise _fail("translation", f"set the DeepL key in the environment variable {variable}")
    return translate.get(provider, **options)


def load(
    path: Path, *, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any]
) -> SyncJob:
    """Read ``path`` and build the :class:`SyncJob` it describes."""
    from xborder.jobs._job import SyncJob

    env = os.environ if environ is None else environ
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise JobConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise JobConfigError(f"{path}: not valid TOML: {exc}") from None
    _no_secrets({k: v for k, v in data.items() if k != "targets"}, "")
    for index, target in enumerate(data.get("targets", [])):
        if isinstance(target, dict):
            _no_secrets({k: v for k, v in target.items() if k != "settings"}, f"targets[{index}].")
    unknown = set(data) - {"job", "rates", "policy", "translation", "targets"}
    if unknown:
        raise JobConfigError(f"{path}: unknown tables {sorted(unknown)}")
    root = path.parent
    job = _table(data, "job", "")
    extra = set(job) - _JOB_KEYS
    if extra:
        raise _fail("job", f"unknown keys {sorted(extra)} (known: {', '.join(sorted(_JOB_KEYS))})")
    policy = policy_from(_table(data, "policy", ""), "policy")
    targets_data = data.get("targets")
    if not isinstance(targets_data, list) or not targets_data:
        raise JobConfigError(f"{path}: no [[targets]]")
    targets = [_target(t, i, env, policy) for i, t in enumerate(targets_data)]
    if "catalog" not in job:
        raise _fail("job.catalog", "the path of the catalog (.csv or .jsonl) is required")
    rates, live = _rates(_table(data, "rates", ""))
    kwargs: dict[str, Any] = {
        "rates": rates,
        "live_rates": live,
        "policy": policy,
        "seller": read_seller(root / str(job["seller"])) if "seller" in job else None,
        "state": root / str(job.get("state", "xborder-state.sqlite")),
        "translator": _translator(_table(data, "translation", ""), env),
    }
    if "on" in job:
        kwargs["on"] = (
            job["on"] if isinstance(job["on"], date) else date.fromisoformat(str(job["on"]))
        )
    if "fx_drift_percent" in job:
        kwargs["fx_drift_percent"] = _decimal(job["fx_drift_percent"], "job.fx_drift_percent")
    for key in ("withdraw_gone", "pending_timeout", "poll_interval", "chunk_size"):
        if key in job:
            kwargs[key] = job[key]
    kwargs.update(overrides)
    return SyncJob(root / str(job["catalog"]), targets, **kwargs)
