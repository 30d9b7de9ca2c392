"""One settings object: the original platform's variable names beside AVA_* (AVA_* wins), a
malformed known variable fails at start-up naming it, an unknown AVA_* name is only a warning, and
docs/configuration.md is the table generated from the fields."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ava_backtest.settings import (
    Settings,
    SettingsError,
    get_settings,
    known_variables,
    markdown_table,
    unknown_variables,
)
from ava_backtest.store.db import database_url

ROOT = Path(__file__).resolve().parents[1]

ORIGINAL = {
    "DATABASE_URL": ("database_url", "postgresql://ava:ava2026@ava-db:5432/ava"),
    "REDIS_URL": ("redis_url", "redis://redis:6379/0"),
    "FMP_API_KEY": ("fmp_api_key", "fmp-key"),
    "ALPACA_API_KEY": ("alpaca_api_key", "alpaca-id"),
    "ALPACA_SECRET_KEY": ("alpaca_secret_key", "alpaca-secret"),
    "ALPHAVANTAGE_API_KEY": ("alphavantage_api_key", "av-key"),
    "FINNHUB_API_KEY": ("finnhub_api_key", "fh-key"),
    "OPENROUTER_API_KEY": ("llm_api_key", "or-key"),
    "OPENROUTER_BASE_URL": ("llm_base_url", "http://127.0.0.1:9/v1"),
    "OPENROUTER_MODEL": ("llm_model", "some/model"),
}


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.upper().startswith("AVA_") or name.upper() in ORIGINAL:
            monkeypatch.delenv(name)
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))
    return monkeypatch


@pytest.mark.parametrize("name", sorted(ORIGINAL))
def test_the_originals_names_are_read_and_ava_names_win(clean_env, name):
    field, value = ORIGINAL[name]
    clean_env.setenv(name, value)
    expect = value.replace("postgresql://", "postgresql+psycopg://")  # the driver Ava opens it with
    assert getattr(get_settings(), field) == expect
    ava = "AVA_" + ("LLM_" + name.removeprefix("OPENROUTER_") if "OPENROUTER" in name else name)
    other = "redis://127.0.0.1:6380/1" if field == "redis_url" else value + "-ava"
    if field == "database_url":
        other = "postgresql://postgres@127.0.0.1:5432/ava_other"
    clean_env.setenv(ava, other)
    got = getattr(get_settings(), field)
    assert got == (
        other.replace("postgresql://", "postgresql+psycopg://")
        if field == "database_url"
        else other
    )


def test_the_originals_asyncpg_url_is_served_by_psycopg(clean_env):
    clean_env.setenv("DATABASE_URL", "postgresql+asyncpg://ava:ava2026@ava-db:5432/ava")
    assert get_settings().database_url == "postgresql+psycopg://ava:ava2026@ava-db:5432/ava"
    assert database_url() == "postgresql+psycopg://ava:ava2026@ava-db:5432/ava"
    clean_env.setenv("DATABASE_URL", "postgres://u:p@h:5432/d")
    assert database_url() == "postgresql+psycopg://u:p@h:5432/d"


def test_without_a_url_the_database_is_sqlite_in_ava_home(clean_env, tmp_path):
    assert database_url() == f"sqlite:///{(tmp_path / 'home').resolve() / 'ava.db'}"
    clean_env.setenv("AVA_DATABASE_URL", "")  # empty counts as unset: the original name is read
    clean_env.setenv("DATABASE_URL", "sqlite:///x.db")
    assert database_url() == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("AVA_WORKERS", "abc", "valid integer"),
        ("AVA_WORKERS", "0", "greater than or equal to 1"),
        ("DATABASE_URL", "nonsense://x", "unsupported database 'nonsense'"),
        ("AVA_DATABASE_URL", "not a url", "is not a database URL"),
        ("DATABASE_URL", "postgresql+asyncpg://ava@ava-db:5432", "names no database"),
        ("REDIS_URL", "http://redis:6379", "is not a Redis URL"),
        ("AVA_PORT", "99999", "less than or equal to 65535"),
        ("AVA_GRID_LIMIT", "many", "valid integer"),
        ("AVA_DASK_ADDRESS", "somehost", "not a scheduler address"),
        ("AVA_ALPACA_FEED", "bogus", "expected one of iex, sip, delayed_sip, otc"),
        ("AVA_LLM_TIMEOUT", "-1", "greater than 0"),
        ("AVA_PROVIDER_RETRIES", "few", "valid integer"),
        ("AVA_FMP_REQUESTS_PER_MINUTE", "0", "greater than 0"),
    ],
)
def test_a_malformed_known_variable_is_an_error_naming_it(clean_env, name, value, says):
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        get_settings()
    assert f"{name}={value!r}" in str(info.value) and says in str(info.value)
    assert info.value.details == {"variables": [name]}


def test_create_app_fails_at_start_up_naming_the_variable(clean_env):
    from ava_backtest.api.app import create_app

    clean_env.setenv("AVA_WORKERS", "abc")
    with pytest.raises(SettingsError, match="AVA_WORKERS='abc'"):
        create_app()
    clean_env.delenv("AVA_WORKERS")
    clean_env.setenv("DATABASE_URL", "nonsense://")
    with pytest.raises(SettingsError, match="DATABASE_URL='nonsense://'"):
        create_app()


def test_secrets_are_not_echoed(clean_env):
    clean_env.setenv("AVA_MAX_BODY_BYTES", "-1")
    clean_env.setenv("AVA_API_TOKEN", "s3cret")
    with pytest.raises(SettingsError) as info:
        get_settings()
    assert "s3cret" not in str(info.value)


def test_ava_serve_stops_naming_the_malformed_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVA_")}
    env |= {"AVA_HOME": str(tmp_path), "DATABASE_URL": "nonsense://x"}
    cli = [str(Path(sys.executable).parent / "ava"), "serve", "--port", "1"]
    p = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert "DATABASE_URL='nonsense://x'" in p.stderr and "unsupported database" in p.stderr


def test_an_unknown_ava_name_is_warned_about_not_fatal(clean_env, caplog):
    from ava_backtest.api.app import create_app

    clean_env.setenv("AVA_WROKERS", "3")
    clean_env.setenv("AVA_TEST_GATES", "/x")  # the test harness's own, not a typo
    assert unknown_variables() == ["AVA_WROKERS"]
    with caplog.at_level(logging.WARNING, logger="ava.settings"):
        app = create_app()
    assert app is not None
    assert [r.getMessage().split()[0] for r in caplog.records] == ["AVA_WROKERS"]
    assert "docs/configuration.md" in caplog.records[0].getMessage()


def test_every_setting_is_read_from_an_environment_name():
    names = known_variables()
    for field in Settings.model_fields:
        assert f"AVA_{field.upper()}" in names, field
    assert set(ORIGINAL) <= names


def test_docs_configuration_is_the_generated_table():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, (
        "docs/configuration.md is out of date: paste ava_backtest.settings.markdown_table()"
    )
    for name in known_variables():
        assert f"`{name}`" in doc, name


def test_hot_paths_read_a_setting_under_its_names_too(clean_env):
    from ava_backtest.data import market_cache
    from ava_backtest.settings import env_value

    assert market_cache.redis_url() is None
    clean_env.setenv("REDIS_URL", "redis://redis:6379/0")  # the original's name
    assert market_cache.redis_url() == env_value("redis_url") == "redis://redis:6379/0"
    clean_env.setenv("AVA_REDIS_URL", "redis://127.0.0.1:6379/2")
    assert market_cache.redis_url() == get_settings().redis_url == "redis://127.0.0.1:6379/2"
    clean_env.setenv("AVA_REDIS_URL", "")  # empty: unset
    assert market_cache.redis_url() == "redis://redis:6379/0"


def test_every_ava_variable_read_in_the_source_is_a_setting():
    """A module reading an AVA_* name the settings do not know would be warned about as a typo
    at start-up and be missing from docs/configuration.md."""
    import re

    src = (ROOT / "src" / "ava_backtest").rglob("*.py")
    names = {n for f in src for n in re.findall(r'"(AVA_[A-Z0-9_]+)"', f.read_text("utf-8"))}
    names = {n for n in names if not n.endswith("_")}  # prefixes such as AVA_TEST_
    assert names <= known_variables(), sorted(names - known_variables())
