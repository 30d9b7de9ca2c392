"""Process settings from the environment (``AVA_*``), documented in the README."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AVA_", extra="ignore")

    strategy_dirs: str = Field(
        default="strategies",
        description="Directories of user strategy files, separated by the OS path separator (':').",
    )

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default a SQLite file"
    )
    redis_url: str | None = Field(default=None, description="Redis for events across API processes")
    workers: int | None = Field(default=None, ge=1, description="backtest worker processes")
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler (tcp://host:8786): studies, walk-forwards and screens run there",
    )
    grid_limit: int = Field(
        default=100_000, ge=1, description="largest grid (combinations) a study may ask for"
    )
    api_token: str | None = Field(
        default=None, description="require 'Authorization: Bearer <token>'"
    )
    cors_origins: str = Field(default="", description="comma-separated allowed browser origins")
    host: str = "127.0.0.1"
    port: int = 8201
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024, description="largest request body accepted"
    )

    # Market-data vendors (issue 17) and the builder's LLM endpoint (issue 16). The original
    # platform's variable names work beside the AVA_* ones; an AVA_* name wins when both are set.
    fmp_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_FMP_API_KEY", "FMP_API_KEY"),
        description="Financial Modeling Prep API key",
    )
    alpaca_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_ALPACA_API_KEY", "ALPACA_API_KEY"),
        description="Alpaca key id",
    )
    alpaca_secret_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_ALPACA_SECRET_KEY", "ALPACA_SECRET_KEY"),
        description="Alpaca secret key",
    )
    alphavantage_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_ALPHAVANTAGE_API_KEY", "ALPHAVANTAGE_API_KEY"),
        description="Alpha Vantage API key",
    )
    finnhub_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_FINNHUB_API_KEY", "FINNHUB_API_KEY"),
        description="Finnhub API key",
    )
    # Base URLs of the vendors: the real ones by default; tests point them at a local server.
    fmp_base_url: str = Field(default="https://financialmodelingprep.com")
    alpaca_data_url: str = Field(default="https://data.alpaca.markets")
    alphavantage_base_url: str = Field(default="https://www.alphavantage.co")
    finnhub_base_url: str = Field(default="https://finnhub.io")
    nse_archive_url: str = Field(default="https://nsearchives.nseindia.com")

    llm_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_LLM_BASE_URL", "OPENROUTER_BASE_URL"),
        description="OpenAI-compatible chat-completions endpoint (…/v1) for the strategy builder",
    )
    llm_model: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_LLM_MODEL", "OPENROUTER_MODEL"),
        description="model name sent to the LLM endpoint",
    )
    llm_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AVA_LLM_API_KEY", "OPENROUTER_API_KEY"),
        description="bearer key for the LLM endpoint",
    )

    def strategy_paths(self) -> list[Path]:
        return [Path(p).expanduser() for p in self.strategy_dirs.split(os.pathsep) if p.strip()]


def get_settings() -> Settings:
    return Settings()
