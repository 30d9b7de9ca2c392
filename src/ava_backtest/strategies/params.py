"""Typed strategy parameters, declared on the class: defaults, bounds and cross-parameter rules,
validated with the parameter's name in every error, and rendered as JSON Schema for the API and UI.

A parameter is a descriptor, so ``self.fast_period`` reads the validated value with its type::

    class SmaCrossover(Strategy):
        fast_period = Int(20, 5, 100, "Fast SMA length", below="slow_period", window=True)
        slow_period = Int(50, 10, 300, "Slow SMA length", window=True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar, overload

from ava_backtest.domain.errors import ParameterError

T = TypeVar("T")

KINDS = ("int", "float", "bool", "choice", "str")


class Param(Generic[T]):
    """One parameter. ``kind`` is ``int``, ``float``, ``bool``, ``choice`` or ``str``.

    ``below`` / ``above`` name another parameter this one must stay strictly under / over.
    ``window`` marks a look-back length: the default warm-up is the largest window plus the
    strategy's ``warmup_extra``. ``nullable`` admits ``None`` (a rule switched off).
    """

    __slots__ = (
        "above",
        "below",
        "choices",
        "default",
        "description",
        "kind",
        "maximum",
        "minimum",
        "name",
        "nullable",
        "window",
    )

    def __init__(
        self,
        kind: str,
        default: Any,
        minimum: float | None = None,
        maximum: float | None = None,
        description: str = "",
        choices: tuple[Any, ...] = (),
        *,
        below: str | None = None,
        above: str | None = None,
        window: bool = False,
        nullable: bool = False,
    ) -> None:
        if kind not in KINDS:
            raise TypeError(f"parameter kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.default = default
        self.minimum = minimum
        self.maximum = maximum
        self.description = description
        self.choices = tuple(choices)
        self.below = below
        self.above = above
        self.window = window
        self.nullable = nullable
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Param[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...
    def __get__(self, instance: object | None, owner: type) -> Param[T] | T:
        if instance is None:
            return self
        try:
            return instance.params[self.name]  # type: ignore[attr-defined,no-any-return]
        except (AttributeError, KeyError):
            raise AttributeError(f"parameter {self.name!r} is not set yet") from None

    def __repr__(self) -> str:
        bounds = f", {self.minimum}, {self.maximum}" if self.kind in ("int", "float") else ""
        return f"Param({self.kind!r}, {self.default!r}{bounds})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Param):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in Param.__slots__ if s != "name")

    __hash__ = object.__hash__

    def validate(self, name: str, value: Any) -> Any:
        where = f"params.{name}"
        if value is None and self.nullable:
            return None
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
        if self.kind == "str":
            if isinstance(value, str):
                return value
            raise ParameterError(f"must be a string, got {value!r}", field=where)
        value = self._number(value, where)
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

    def _number(self, value: Any, where: str) -> int | float:
        if isinstance(value, bool):
            raise ParameterError(f"must be a number, got {value!r}", field=where)
        if self.kind == "int":
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str):
                try:
                    return int(value)
                except ValueError:
                    raise ParameterError(
                        f"must be an integer, got {value!r}", field=where
                    ) from None
            if not isinstance(value, int):
                raise ParameterError(f"must be an integer, got {value!r}", field=where)
            return value
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ParameterError(f"must be a number, got {value!r}", field=where) from None
        if not isinstance(value, int | float):
            raise ParameterError(f"must be a number, got {value!r}", field=where)
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ParameterError(f"must be a finite number, got {value}", field=where)
        return value

    def _range(self) -> str:
        lo = "-inf" if self.minimum is None else f"{self.minimum:g}"
        hi = "inf" if self.maximum is None else f"{self.maximum:g}"
        return f"{lo}..{hi}"

    def json_schema(self) -> dict[str, Any]:
        kind = {"int": "integer", "float": "number", "bool": "boolean", "str": "string"}.get(
            self.kind
        )
        out: dict[str, Any] = {"default": self.default}
        if kind:
            out["type"] = [kind, "null"] if self.nullable else kind
        else:
            out["enum"] = list(self.choices)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.description:
            out["description"] = self.description
        if self.below:
            out["x-less-than"] = self.below
        if self.above:
            out["x-greater-than"] = self.above
        return out


def Int(
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
    description: str = "",
    *,
    below: str | None = None,
    above: str | None = None,
    window: bool = False,
) -> Param[int]:
    return Param("int", default, minimum, maximum, description, below=below, above=above, window=window)  # fmt: skip


def Float(
    default: float | None,
    minimum: float | None = None,
    maximum: float | None = None,
    description: str = "",
    *,
    below: str | None = None,
    above: str | None = None,
    nullable: bool = False,
) -> Param[float]:
    return Param(
        "float", default, minimum, maximum, description, below=below, above=above,
        nullable=nullable or default is None,
    )  # fmt: skip


def Bool(default: bool, description: str = "") -> Param[bool]:
    return Param("bool", default, description=description)


def Choice(default: Any, choices: tuple[Any, ...], description: str = "") -> Param[Any]:
    return Param("choice", default, description=description, choices=tuple(choices))


def Text(default: str, description: str = "") -> Param[str]:
    return Param("str", default, description=description)


def check_declaration(schema: Mapping[str, Param[Any]], strategy: str) -> None:
    """Raise TypeError for a declaration that cannot work: a rule naming an unknown parameter, or a
    default outside its own bounds."""
    for name, p in schema.items():
        for other in (p.below, p.above):
            if other is not None and other not in schema:
                raise TypeError(f"{strategy}.{name}: below/above names unknown parameter {other!r}")
        try:
            p.validate(name, p.default)
        except ParameterError as e:
            raise TypeError(f"{strategy}.{name}: default {p.default!r} is invalid: {e}") from None


def validate_params(
    schema: Mapping[str, Param[Any]], raw: Mapping[str, Any], strategy: str
) -> dict[str, Any]:
    """Defaults filled in, every value checked, then the declared cross-parameter rules; an unknown
    name is an error that lists the known ones."""
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        known = ", ".join(sorted(schema)) or "(none)"
        raise ParameterError(
            f"unknown parameter {unknown[0]!r} for strategy {strategy!r}; its parameters are: {known}",
            field=f"params.{unknown[0]}",
        )
    values = {
        name: p.validate(name, raw[name]) if name in raw else p.default
        for name, p in schema.items()
    }
    for name, p in schema.items():
        v = values[name]
        if v is None:
            continue
        if p.below is not None and values[p.below] is not None and not v < values[p.below]:
            raise ParameterError(
                f"{name} ({v}) must be less than {p.below} ({values[p.below]})",
                field=f"params.{name}",
            )
        if p.above is not None and values[p.above] is not None and not v > values[p.above]:
            raise ParameterError(
                f"{name} ({v}) must be greater than {p.above} ({values[p.above]})",
                field=f"params.{name}",
            )
    return values


def schema_json(schema: Mapping[str, Param[Any]]) -> dict[str, Any]:
    """The parameters as a JSON Schema object."""
    return {
        "type": "object",
        "properties": {name: p.json_schema() for name, p in schema.items()},
        "additionalProperties": False,
    }
