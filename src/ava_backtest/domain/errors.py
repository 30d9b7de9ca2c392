"""Domain exceptions.

Every error a user can cause carries the name of the field (or thing) at fault, so the CLI can print
one line and the API can map it to ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from collections.abc import Iterable


class AvaError(Exception):
    """Base of every error Ava raises on purpose."""

    code = "ava_error"

    def __init__(self, message: str, *, field: str | None = None, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ConfigError(AvaError):
    """A run configuration value is invalid."""

    code = "invalid_config"


class ParameterError(ConfigError):
    """A strategy parameter is unknown, of the wrong type or outside its bounds."""

    code = "invalid_parameter"


class NotFoundError(AvaError):
    """Something named by the user does not exist. The message lists what does."""

    code = "not_found"

    def __init__(
        self, kind: str, name: str, available: Iterable[str], *, field: str | None = None
    ) -> None:
        avail = sorted(available)
        shown = ", ".join(avail[:30]) + (f", ... ({len(avail)} in all)" if len(avail) > 30 else "")
        super().__init__(
            f"unknown {kind} {name!r}; available: {shown or '(none)'}",
            field=field or kind,
            details={"available": avail},
        )
        self.kind = kind
        self.name = name


class DataError(AvaError):
    """Market data is missing, unusable, or does not cover what was asked for."""

    code = "data_error"
