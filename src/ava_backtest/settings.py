"""Process settings: ONE object read from the environment, documented in docs/configuration.md.

Every variable has an ``AVA_*`` name; the original platform's names (``DATABASE_URL``,
``REDIS_URL``, ``FMP_API_KEY``, ``ALPACA_*``, ``ALPHAVANTAGE_API_KEY``, ``FINNHUB_API_KEY``,
``OPENROUTER_*``) work beside them, and an ``AVA_*`` name wins when both are set. An empty value
counts as unset.

:func:`get_settings` raises :class:`SettingsError` naming the variable when a known one is
malformed (``AVA_WORKERS=abc``, ``DATABASE_URL=nonsense://``): ``ava serve`` and ``create_app``
fail at start-up with it. :func:`unknown_variables` lists ``AVA_*`` names nothing reads (a typo,
usually): start-up logs a warning for each, and carries on.

docs/configuration.md is generated from the fields here (:func:`markdown_table`); a test checks
that it is current.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ava_backtest.domain.errors import AvaError

log = logging.getLogger("ava.settings")

ENV_PREFIX = "AVA_"

OTHER_VARIABLES: dict[str, tuple[str, str]] = {
    "AVA_MALLOC_TUNING": (
        "`1`",
        "`0` leaves glibc's allocator alone; by default freed blocks under 32 MB are reused and up "
        "to 1 GB of freed memory stays with the process, which removes the page faults of large "
        "numeric temporaries (read when `ava_backtest` is imported, before any settings exist: "
        "`src/ava_backtest/memory.py`)",
    ),
    "AVA_REQUIRE_SERVICES": (
        "unset",
        "test suite only: `1` turns the skip of a PostgreSQL/Redis test whose service is missing "
        "into a failure",
    ),
    "NUMBA_CACHE_DIR": ("`.venv/numba-cache`", "where compiled kernels are cached"),
}
"""Variables read outside this object (at import time, or by the test suite): documented in the
same table and never warned about."""

ALPACA_FEEDS = ("iex", "sip", "delayed_sip", "otc")

_TEST_HARNESS_PREFIX = "AVA_TEST_"
"""Variables the test suite hands to the processes it starts."""


class SettingsError(AvaError):
    """A known environment variable has a value Ava cannot use; the message names it."""

    code = "invalid_setting"


def _aliases(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    home: Path = Field(
        default=Path(".ava"),
        description="where the default SQLite database, uploaded data and study files live",
    )
    strategy_dirs: str = Field(
        default="strategies",
        description="directories of user strategy files (`:`-separated), imported at start and "
        "on reload",
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL, e.g. `postgresql://postgres@127.0.0.1:5432/ava`; default a "
        "SQLite file in `AVA_HOME`. `postgresql+asyncpg://` (the original's form), "
        "`postgres://` and `postgresql+psycopg2://` are served by the psycopg 3 driver",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_REDIS_URL", "REDIS_URL"),
        description="Redis for events across API processes, e.g. `redis://127.0.0.1:6379/0`; "
        "unset: in-process events",
    )
    workers: int | None = Field(
        default=None, ge=1, description="backtest worker processes; default the number of cores"
    )
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler (`tcp://host:8786`): studies, walk-forwards and screens run "
        "there (docs/distributed.md)",
    )
    grid_limit: int = Field(
        default=100_000,
        ge=1,
        description="the largest grid (combinations) an optimisation may ask for; a bigger one "
        "is a 422 naming `param_ranges`",
    )
    api_token: str | None = Field(
        default=None,
        description="require `Authorization: Bearer <token>` on every `/api` route but "
        "health/version and on `/docs` (which also takes `?token=`); the WebSocket takes the "
        "header or `?token=` and closes a refused connection with code 4401. The web UI asks for "
        "the token (its API token button) and keeps it in the browser's localStorage",
    )
    cors_origins: str = Field(default="", description="comma-separated allowed browser origins")
    host: str = Field(default="127.0.0.1", description="where `ava serve` binds")
    port: int = Field(default=8201, ge=1, le=65535, description="the port `ava serve` binds")
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, description="largest request body accepted"
    )

    # Market-data vendors (issue 17) and the builder's LLM endpoint (issue 16). The original
    # platform's variable names work beside the AVA_* ones; an AVA_* name wins when both are set.
    fmp_api_key: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_FMP_API_KEY", "FMP_API_KEY"),
        description="Financial Modeling Prep API key",
    )
    alpaca_api_key: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_ALPACA_API_KEY", "ALPACA_API_KEY"),
        description="Alpaca key id",
    )
    alpaca_secret_key: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_ALPACA_SECRET_KEY", "ALPACA_SECRET_KEY"),
        description="Alpaca secret key",
    )
    alphavantage_api_key: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_ALPHAVANTAGE_API_KEY", "ALPHAVANTAGE_API_KEY"),
        description="Alpha Vantage API key",
    )
    finnhub_api_key: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_FINNHUB_API_KEY", "FINNHUB_API_KEY"),
        description="Finnhub API key",
    )
    # Base URLs of the vendors: the real ones by default; tests point them at a local server.
    fmp_base_url: str = Field(
        default="https://financialmodelingprep.com", description="Financial Modeling Prep base URL"
    )
    alpaca_data_url: str = Field(
        default="https://data.alpaca.markets", description="Alpaca market-data base URL"
    )
    alphavantage_base_url: str = Field(
        default="https://www.alphavantage.co", description="Alpha Vantage base URL"
    )
    finnhub_base_url: str = Field(default="https://finnhub.io", description="Finnhub base URL")
    nse_archive_url: str = Field(
        default="https://nsearchives.nseindia.com", description="NSE archives base URL"
    )

    llm_base_url: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_LLM_BASE_URL", "OPENROUTER_BASE_URL"),
        description="OpenAI-compatible chat-completions endpoint (…/v1) for the strategy builder",
    )
    llm_model: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_LLM_MODEL", "OPENROUTER_MODEL"),
        description="model name sent to the LLM endpoint",
    )
    llm_api_key: str | None = Field(
        default=None,
        validation_alias=_aliases("AVA_LLM_API_KEY", "OPENROUTER_API_KEY"),
        description="bearer key for the LLM endpoint",
    )

    # Market-data vendors' request pacing and retries (docs/providers.md).
    fmp_requests_per_minute: float | None = Field(
        default=None, gt=0, description="FMP requests a minute; default the plan's (300)"
    )
    alpaca_requests_per_minute: float | None = Field(
        default=None, gt=0, description="Alpaca requests a minute; default the free plan's (200)"
    )
    alphavantage_requests_per_minute: float | None = Field(
        default=None,
        gt=0,
        description="Alpha Vantage requests a minute; default the free key's (5)",
    )
    finnhub_requests_per_minute: float | None = Field(
        default=None, gt=0, description="Finnhub requests a minute; default the free plan's (60)"
    )
    nse_requests_per_minute: float | None = Field(
        default=None, gt=0, description="NSE archive requests a minute; default the provider's"
    )
    alpaca_feed: str = Field(
        default="iex", description="Alpaca's bar feed: iex (free), sip, delayed_sip or otc"
    )
    provider_retries: int = Field(
        default=4, ge=0, description="retries of a failed vendor request (429, 5xx, network)"
    )
    provider_backoff_base: float = Field(
        default=1.0, gt=0, description="first retry's back-off, seconds (doubling, jittered)"
    )
    provider_backoff_max: float = Field(default=60.0, gt=0, description="longest back-off, seconds")
    provider_retry_after_max: float = Field(
        default=300.0, gt=0, description="longest Retry-After a vendor may ask for, seconds"
    )
    llm_timeout: float = Field(
        default=60.0, gt=0, description="seconds per request to the LLM endpoint"
    )
    verify_cpu_seconds: int = Field(
        default=120, ge=1, description="CPU seconds a built strategy's check may use"
    )
    verify_memory_mb: int = Field(
        default=4096, ge=1, description="memory (MB) a built strategy's check may use"
    )
    verify_timeout: float = Field(
        default=300.0, gt=0, description="wall seconds a built strategy's check may take"
    )

    @field_validator("alpaca_feed")
    @classmethod
    def _alpaca_feed(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ALPACA_FEEDS:
            raise ValueError(f"expected one of {', '.join(ALPACA_FEEDS)}")
        return v

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str | None) -> str | None:
        return None if v is None or not v.strip() else normalise_database_url(v.strip())

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        scheme = v.split("://", 1)[0].lower() if "://" in v else ""
        if scheme not in ("redis", "rediss", "unix"):
            raise ValueError(
                f"{v!r} is not a Redis URL (redis://host:6379/0, rediss://… or unix://…)"
            )
        return v

    @field_validator("dask_address")
    @classmethod
    def _dask_address(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        if "://" not in v:
            raise ValueError(f"{v!r} is not a scheduler address (tcp://host:8786)")
        return v

    def strategy_paths(self) -> list[Path]:
        return [Path(p).expanduser() for p in self.strategy_dirs.split(os.pathsep) if p.strip()]

    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()


# The psycopg 3 driver serves every PostgreSQL URL form: the original's asyncpg URL, psycopg2's
# and the bare ``postgres://`` scheme name the same database.
_PG_DRIVERS = {
    "postgres",
    "postgresql",
    "postgresql+asyncpg",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "postgresql+psycopg_async",
    "postgresql+pg8000",
}


def normalise_database_url(url: str) -> str:
    """``url`` as Ava's engine opens it: any PostgreSQL driver -> ``postgresql+psycopg``; SQLite
    as given. Anything else raises ValueError saying what is accepted."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        u = make_url(url)
    except ArgumentError:
        raise ValueError(
            f"{url!r} is not a database URL (postgresql://user@host:5432/db or sqlite:///path)"
        ) from None
    driver = u.drivername.lower()
    if driver in _PG_DRIVERS:
        if not u.database:
            raise ValueError(f"{_hide(url)!r} names no database (…:5432/<database>)")
        return u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if driver in ("sqlite", "sqlite+pysqlite"):
        return url
    raise ValueError(
        f"unsupported database {u.drivername!r} in {_hide(url)!r}: use postgresql://… "
        "(also postgresql+asyncpg://, postgres://) or sqlite:///path"
    )


def _hide(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def variable_names(field: str) -> list[str]:
    """The environment names of a field, the winning one first."""
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(c) for c in alias.choices]
    if isinstance(alias, str):
        return [alias]
    return [f"{ENV_PREFIX}{field}".upper()]


def env_value(field: str) -> str | None:
    """The raw value of one setting from the environment, read under its names (an ``AVA_*`` name
    first), without building the whole object: for paths called often (per symbol). Empty counts
    as unset. Start-up (:func:`get_settings`) has already validated it."""
    for name in variable_names(field):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def known_variables() -> set[str]:
    names = {n for f in Settings.model_fields for n in variable_names(f)}
    return names | set(OTHER_VARIABLES)


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """``AVA_*`` names set in ``environ`` (default the process's) that no setting reads."""
    env = os.environ if environ is None else environ
    known = {n.upper() for n in known_variables()}
    return sorted(
        k
        for k in env
        if k.upper().startswith(ENV_PREFIX)
        and k.upper() not in known
        and not k.upper().startswith(_TEST_HARNESS_PREFIX)
    )


def warn_unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """Logs one warning per unknown ``AVA_*`` name (not fatal); returns them."""
    unknown = unknown_variables(environ)
    for name in unknown:
        log.warning(
            "%s is set but no Ava setting reads it (a typo?); the variables are listed in "
            "docs/configuration.md",
            name,
        )
    return unknown


def _field_of(loc: str) -> str | None:
    """The field an error's location names: its own name or one of its variables."""
    if loc in Settings.model_fields:
        return loc
    for field in Settings.model_fields:
        if loc.upper() in (n.upper() for n in variable_names(field)):
            return field
    return None


def _message(error: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[str, str]:
    """(the variable, "VARIABLE='value': what is wrong") for one validation error."""
    loc = [str(x) for x in error.get("loc", ())]
    field = _field_of(loc[0]) if loc else None
    names = variable_names(field) if field else [loc[0].upper() if loc else "?"]
    upper = {k.upper(): k for k in environ}
    present = [upper[n.upper()] for n in names if environ.get(upper.get(n.upper(), ""), "")]
    name = present[0] if present else names[0]
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    value = environ.get(name, error.get("input"))
    secret = any(w in name.upper() for w in ("KEY", "TOKEN", "SECRET"))
    return name, f"{name}={'***' if secret else value!r}: {msg}"


def get_settings() -> Settings:
    """The settings from the environment; :class:`SettingsError` naming every malformed variable."""
    try:
        return Settings()
    except ValidationError as e:
        problems = [_message(err, os.environ) for err in e.errors()]
        raise SettingsError(
            "malformed setting: " + "; ".join(text for _, text in problems),
            details={"variables": [name for name, _ in problems]},
        ) from None


def markdown_table() -> str:
    """docs/configuration.md's table: one row per variable, from the fields above."""
    rows = ["| variable | also read as | default | meaning |", "|---|---|---|---|"]
    for name, info in Settings.model_fields.items():
        names = variable_names(name)
        default = info.default
        if name == "database_url":
            shown = "SQLite file `$AVA_HOME/ava.db`"
        elif name == "workers":
            shown = "number of cores"
        elif default is None or default == "":
            shown = "unset"
        else:
            shown = f"`{default}`"
        also = ", ".join(f"`{n}`" for n in names[1:]) or ""
        desc = (info.description or "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{names[0]}` | {also} | {shown} | {desc} |")
    for name, (default, desc) in OTHER_VARIABLES.items():
        rows.append(f"| `{name}` |  | {default} | {desc} |")
    return "\n".join(rows) + "\n"
