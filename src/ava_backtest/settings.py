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

    def strategy_paths(self) -> list[Path]:
        return [Path(p).expanduser() for p in self.strategy_dirs.split(os.pathsep) if p.strip()]


def get_settings() -> Settings:
    return Settings()
