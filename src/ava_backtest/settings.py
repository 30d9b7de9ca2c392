"""Process settings from the environment (``AVA_*``), documented in the README."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
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

    def strategy_paths(self) -> list[Path]:
        return [Path(p).expanduser() for p in self.strategy_dirs.split(os.pathsep) if p.strip()]


def get_settings() -> Settings:
    return Settings()
