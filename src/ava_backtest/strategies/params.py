"""Typed strategy parameters: defaults and bounds, validated with the parameter's name in every
error, and rendered as JSON Schema for the API and UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ava_backtest.domain.errors import ParameterError


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter. ``kind`` is ``int``, ``float``, ``bool`` or ``choice``."""

    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    choices: tuple[Any, ...] = ()

    def validate(self, name: str, value: Any) -> Any:
        where = f"params.{name}"
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
                return value.lower() in ("true", "1", "yes")
            raise ParameterError(f"must be true or false, got {value!r}", field=where)
        if self.kind == "choice":
            if value in self.choices:
                return value
            raise ParameterError(f"must be one of {list(self.choices)}, got {value!r}", field=where)
        if isinstance(value, bool):
            raise ParameterError(f"must be a number, got {value!r}", field=where)
        if self.kind == "int":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            elif isinstance(value, str):
                try:
                    value = int(value)
                except ValueError:
                    raise ParameterError(
                        f"must be an integer, got {value!r}", field=where
                    ) from None
            if not isinstance(value, int):
                raise ParameterError(f"must be an integer, got {value!r}", field=where)
        else:
            if isinstance(value, str):
                try:
                    value = float(value)
                except ValueError:
                    raise ParameterError(f"must be a number, got {value!r}", field=where) from None
            if not isinstance(value, int | float):
                raise ParameterError(f"must be a number, got {value!r}", field=where)
            value = float(value)
            if value != value:  # NaN
                raise ParameterError("must be a number, got NaN", field=where)
        if self.minimum is not None and value < self.minimum:
            raise ParameterError(
                f"{value} is below the minimum {self.minimum:g} (allowed {self._range()})",
                field=where,
            )
        if self.maximum is not None and value > self.maximum:
            raise ParameterError(
                f"{value} is above the maximum {self.maximum:g} (allowed {self._range()})",
                field=where,
            )
        return value

    def _range(self) -> str:
        lo = "-inf" if self.minimum is None else f"{self.minimum:g}"
        hi = "inf" if self.maximum is None else f"{self.maximum:g}"
        return f"{lo}..{hi}"

    def json_schema(self) -> dict[str, Any]:
        kind = {"int": "integer", "float": "number", "bool": "boolean"}.get(self.kind)
        out: dict[str, Any] = {"default": self.default}
        if kind:
            out["type"] = kind
        else:
            out["enum"] = list(self.choices)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.description:
            out["description"] = self.description
        return out


def Int(
    default: int, minimum: int | None = None, maximum: int | None = None, description: str = ""
) -> Param:
    return Param("int", default, minimum, maximum, description)


def Float(
    default: float,
    minimum: float | None = None,
    maximum: float | None = None,
    description: str = "",
) -> Param:
    return Param("float", default, minimum, maximum, description)


def Bool(default: bool, description: str = "") -> Param:
    return Param("bool", default, description=description)


def Choice(default: Any, choices: tuple[Any, ...], description: str = "") -> Param:
    return Param("choice", default, description=description, choices=tuple(choices))


def validate_params(schema: dict[str, Param], raw: dict[str, Any], strategy: str) -> dict[str, Any]:
    """Defaults filled in, every value checked; an unknown name is an error that lists the known ones."""
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        known = ", ".join(sorted(schema)) or "(none)"
        raise ParameterError(
            f"unknown parameter {unknown[0]!r} for strategy {strategy!r}; its parameters are: {known}",
            field=f"params.{unknown[0]}",
        )
    return {
        name: p.validate(name, raw[name]) if name in raw else p.default
        for name, p in schema.items()
    }


def schema_json(schema: dict[str, Param]) -> dict[str, Any]:
    """The parameters as a JSON Schema object."""
    return {
        "type": "object",
        "properties": {name: p.json_schema() for name, p in schema.items()},
        "additionalProperties": False,
    }
