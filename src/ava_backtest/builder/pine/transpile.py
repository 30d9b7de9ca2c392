"""Pine Script v4/v5 -> the source of one kit ``Strategy``.

Why code and not the rule form (``builder.rules``): Pine scripts are programs — arbitrary
arithmetic, ternaries, ``var`` state, series history, tuples from ``ta.macd`` — and the rule form
only holds crosses and comparisons of named indicators. So the transpiler writes the vectorised
``signals`` directly, one local per Pine variable, in the script's order.

How Pine's bar-by-bar semantics become whole-array operations (exact, not approximations):

- Every expression is a (bars x symbols) array or a scalar; ``x[n]`` is ``previous(x, n)``.
- ``if c`` runs its block under the mask ``c`` (``else``: ``~c``); a ``:=`` inside it is
  ``x = np.where(mask, value, x)``. A plain (non-``var``) variable starts each bar at its
  declared value, which is exactly that.
- ``var x = init`` keeps its value across bars: with assignments ``x := e_i`` under masks
  ``m_i`` (e_i and m_i not reading x), x(t) is the last assignment that ran at or before t, i.e.
  ``value_when(np.where(m_k, e_k, ... np.where(m_1, e_1, nan)), m_1 | ... | m_k, init)``. An
  accumulator (only ``x := x + e`` / ``x += e``) is ``init + cumsum(where(m, e, 0))``. Any
  other self-reference is sequential state and refused with its line (a numba loop would be
  allowed by the kit, but is not generated: the two forms above cover the common idioms).
- ``ta.*`` / v4 bare names map to the indicator library with Pine's definitions (RSI and ATR on
  Wilder's RMA, EMA seeded with the SMA, population ``stdev``, ``crossover`` from a touch);
  ``tests/builder/pine/test_indicators.py`` checks each against a direct transcription of
  Pine's formula.
- ``strategy.entry`` / ``close`` / ``close_all`` -> entry and exit signals (orders at the close,
  filled at the next open, as Pine's default). ``strategy.exit`` -> the engine's stop, target
  and trail, which are distances from the fill price: ``loss``/``profit``/``trail_offset`` in
  ticks (``mintick`` parameter), ``stop``/``limit`` written from ``strategy.position_avg_price``
  (``avg * (1 - k)``, ``avg - d``). A level the engine cannot hold (a stop not measured from the
  entry price, a trail activated after N ticks) is refused.
- ``request.security(syminfo.tickerid, "W"|"M"|"3M", expr)`` -> ``resample`` + ``align``: the
  last complete higher bar (Pine's ``lookahead_off``). ``lookahead_on`` peeks into the unfinished
  period and is refused.
"""

from __future__ import annotations

import builtins
import json
import keyword
import operator
import re
from dataclasses import dataclass, field
from typing import Any

import pynescript.ast as A
from pynescript.ast import parse as pine_parse
from pynescript.ast.error import SyntaxError as PineSyntaxError

import ava_backtest.strategies as kit
from ava_backtest.domain.errors import ConfigError

NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
MAX_SOURCE = 50_000


@dataclass(slots=True)
class PineProblem:
    line: int
    column: int
    construct: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}:{self.column}: {self.construct}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "construct": self.construct,
            "message": self.message,
        }


class PineError(ConfigError):
    """The script cannot be transpiled exactly; ``problems`` says where and why."""

    def __init__(self, problems: list[PineProblem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"{first}{more}",
            field="pine",
            details={"problems": [p.to_dict() for p in problems]},
        )


@dataclass(slots=True)
class PineParam:
    name: str
    kind: str  # int | float | bool | choice
    default: Any
    minimum: float | None
    maximum: float | None
    description: str
    choices: tuple[Any, ...] = ()
    window: bool = False
    pine_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "default": self.default,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "description": self.description,
            "choices": list(self.choices),
            "pine_name": self.pine_name,
        }


@dataclass(slots=True)
class PineResult:
    name: str
    category: str
    title: str
    pine_version: int
    direction: str
    code: str
    parameters: list[PineParam]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "title": self.title,
            "pine_version": self.pine_version,
            "direction": self.direction,
            "code": self.code,
            "parameters": [p.to_dict() for p in self.parameters],
            "notes": self.notes,
        }


class _Unsupported(Exception):
    def __init__(self, node: Any, construct: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.construct = construct
        self.message = message


@dataclass(slots=True)
class V:
    """A compiled Pine value: Python code plus what it is."""

    code: str
    kind: str  # num | bool | str | tuple | position
    series: bool
    items: list[V] | None = None
    src: str | None = None  # a built-in price series' name (close, hlc3, ...)
    const: Any = None  # the Python value of a literal
    param: str | None = None  # the parameter it is exactly
    side: str | None = None  # position tests: long | short | flat | any


@dataclass(slots=True)
class _VarState:
    pine: str
    local: str
    kind: str
    init: str
    assigns_left: int
    accumulate: bool
    pending: str | None = None  # local of the where-chain so far
    fired: str | None = None


@dataclass(slots=True)
class _Block:
    mask: str | None
    has_entry: bool
    position: str | None  # the position side the block's test requires


_PRICES = {
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
}
_DERIVED = {
    "hl2": "({b}.high + {b}.low) / 2",
    "hlc3": "({b}.high + {b}.low + {b}.close) / 3",
    "ohlc4": "({b}.open + {b}.high + {b}.low + {b}.close) / 4",
    "hlcc4": "({b}.high + {b}.low + 2 * {b}.close) / 4",
}
_DRAWING = {
    "plotshape",
    "plotchar",
    "plotarrow",
    "plotcandle",
    "plotbar",
    "hline",
    "fill",
    "bgcolor",
    "barcolor",
    "alertcondition",
    "alert",
}
_RESERVED = (
    frozenset(kit.__all__)
    | frozenset(dir(builtins))
    | {"np", "bars", "self", "shape", "bar_index", "align", "resample", "n_bars"}
)
_STRATEGY_ATTRS = frozenset(dir(kit.Strategy)) | {"name", "category", "description", "direction"}
_TF = {"W": "W", "1W": "W", "M": "M", "1M": "M", "3M": "Q"}
_V4_TYPES = {
    "integer": "int",
    "float": "float",
    "bool": "bool",
    "source": "source",
    "string": "string",
    "resolution": "resolution",
    "session": "session",
    "symbol": "symbol",
    "time": "time",
}
_SOURCES = ("close", "open", "high", "low", "hl2", "hlc3", "ohlc4", "hlcc4", "volume")


def _snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    s = re.sub(r"[^A-Za-z0-9_]", "_", s).lower().strip("_")
    s = re.sub(r"_+", "_", s)
    if not s or s[0].isdigit():
        s = "v_" + s
    return s


def _dotted(node: Any) -> str | None:
    if isinstance(node, A.Name):
        return str(node.id)
    if isinstance(node, A.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _pos(node: Any) -> tuple[int, int]:
    return int(getattr(node, "lineno", 0) or 0), int(getattr(node, "col_offset", -1) or 0) + 1


def _fmt_num(v: float | int, integer: bool) -> str:
    return str(int(v)) if integer else repr(float(v))


def _q(s: str) -> str:
    return json.dumps(s)


def pine_version(source: str) -> int:
    m = re.search(r"//\s*@version\s*=\s*(\d+)", source)
    return int(m.group(1)) if m else 0


class _Transpiler:
    def __init__(self, source: str, tree: Any, version: int) -> None:
        self.text = source
        self.tree = tree
        self.version = version
        self.lines: list[str] = []
        self.imports: set[str] = {"Bars", "Signals", "Strategy"}
        self.tf_imports = False
        self.uses_np = False
        self.params: dict[str, PineParam] = {}
        self.vars: dict[str, V] = {}
        self.var_states: dict[str, _VarState] = {}
        self.cache: dict[str, str] = {}
        self.used: set[str] = set()
        self.problems: list[PineProblem] = []
        self.notes: list[str] = []
        self.entry_sides: dict[str, str] = {}
        self.signals: dict[str, list[str]] = {
            "long_entry": [],
            "long_exit": [],
            "short_entry": [],
            "short_exit": [],
        }
        self.levels: dict[str, dict[str, tuple[str, bool, int]]] = {"long": {}, "short": {}}
        self.windows: list[str] = []
        self.plots: list[tuple[str, str]] = []
        self.blocks: list[_Block] = []
        self.overlay = False
        self.title = ""
        self.bars = "bars"
        self.in_security = False
        self.security_frames: dict[str, str] = {}
        self.default_sizing: str | None = None
        self.reading_var: str | None = None
        self.assign_counts: dict[str, int] = {}
        self.signal_vars: dict[str, str] = {}

    # ---- helpers -------------------------------------------------------------------------
    def fail(self, node: Any, construct: str, message: str) -> _Unsupported:
        return _Unsupported(node, construct, message)

    def fresh(self, base: str) -> str:
        base = _snake(base)
        name, i = base, 2
        while name in self.used or name in _RESERVED or keyword.iskeyword(name):
            name, i = f"{base}_{i}", i + 1
        self.used.add(name)
        return name

    def local(self, code: str, base: str) -> str:
        if code in self.cache:
            return self.cache[code]
        name = self.fresh(base)
        self.lines.append(f"{name} = {code}")
        self.cache[code] = name
        return name

    def kit_fn(self, name: str) -> str:
        self.imports.add(name)
        return name

    def npf(self, fn: str) -> str:
        self.uses_np = True
        return f"np.{fn}"

    @property
    def mask(self) -> str | None:
        masks = [b.mask for b in self.blocks if b.mask is not None]
        if not masks:
            return None
        if len(masks) == 1:
            return masks[0]
        return self.local(" & ".join(masks), "in_block")

    # ---- pre-scan ------------------------------------------------------------------------
    def prescan(self) -> None:
        assign_counts: dict[str, int] = {}
        for node in self._walk(self.tree):
            if isinstance(node, A.Call) and _dotted(node.func) == "strategy.entry":
                args = self.call_args(node, ["id", "direction"], v4_alias={"long": "direction"})
                ident = args.get("id")
                if isinstance(ident, A.Constant) and isinstance(ident.value, str):
                    side = self.direction_of(args.get("direction"), node)
                    if side:
                        self.entry_sides[ident.value] = side
            if isinstance(node, (A.ReAssign, A.AugAssign)) and isinstance(node.target, A.Name):
                assign_counts[node.target.id] = assign_counts.get(node.target.id, 0) + 1
        self.assign_counts = assign_counts

    def _walk(self, node: Any) -> Any:
        yield node
        for name in getattr(node, "_fields", ()):
            value = getattr(node, name, None)
            if isinstance(value, list):
                for v in value:
                    if isinstance(v, A.AST):
                        yield from self._walk(v)
            elif isinstance(value, A.AST):
                yield from self._walk(value)

    def direction_of(self, node: Any, where: Any) -> str | None:
        if node is None:
            return None
        d = _dotted(node)
        if d in ("strategy.long", "strategy.direction.long"):
            return "long"
        if d in ("strategy.short", "strategy.direction.short"):
            return "short"
        if isinstance(node, A.Constant) and isinstance(node.value, bool):
            return "long" if node.value else "short"
        return None

    # ---- arguments -----------------------------------------------------------------------
    def call_args(
        self, node: Any, names: list[str], v4_alias: dict[str, str] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, arg in enumerate(node.args):
            if arg.name is None:
                if i < len(names):
                    out[names[i]] = arg.value
                else:
                    out[f"_{i}"] = arg.value
            else:
                key = (v4_alias or {}).get(arg.name, arg.name)
                out[key] = arg.value
        return out

    # ---- statements ----------------------------------------------------------------------
    def run(self) -> None:
        self.prescan()
        for stmt in self.tree.body:
            self.statement_guarded(stmt)

    def statement_guarded(self, stmt: Any) -> None:
        try:
            self.statement(stmt)
        except _Unsupported as u:
            line, col = _pos(u.node)
            if line == 0:
                line, col = _pos(stmt)
            self.problems.append(PineProblem(line, col, u.construct, u.message))
            # a stand-in for what the failed statement declared, so that later lines report
            # their own problems rather than 'unknown name'
            targets = []
            if isinstance(stmt, A.Assign):
                t = stmt.target
                targets = list(t.elts) if isinstance(t, A.Tuple) else [t]
            for t in targets:
                if isinstance(t, A.Name) and t.id not in self.vars:
                    self.uses_np = True
                    self.vars[t.id] = V("np.nan", "num", True)

    def statement(self, stmt: Any) -> None:
        if isinstance(stmt, A.Comment):
            return
        if isinstance(stmt, A.Expr):
            value = stmt.value
            if isinstance(value, A.If):
                return self.if_stmt(value)
            if isinstance(value, A.Call):
                return self.call_stmt(value)
            if isinstance(value, (A.Switch, A.ForTo, A.ForIn, A.While)):
                kind = type(value).__name__.lower().replace("forto", "for").replace("forin", "for")
                raise self.fail(
                    value,
                    kind,
                    f"'{kind}' loops/switches are not transpiled (write the rule as vectorised "
                    "conditions or ternaries)",
                )
            raise self.fail(value, type(value).__name__, "an expression statement with no effect")
        if isinstance(stmt, A.Assign):
            return self.assign(stmt)
        if isinstance(stmt, A.ReAssign):
            return self.reassign(stmt.target, stmt.value, stmt, accumulate=False)
        if isinstance(stmt, A.AugAssign):
            if not isinstance(stmt.op, A.Add):
                raise self.fail(stmt, "augmented assignment", "only '+=' is supported")
            return self.reassign(stmt.target, stmt.value, stmt, accumulate=True)
        if isinstance(stmt, A.FunctionDef):
            raise self.fail(
                stmt, "function definition", "user-defined functions are not transpiled"
            )
        if isinstance(stmt, (A.Import, A.TypeDef, A.EnumDef)):
            raise self.fail(
                stmt, type(stmt).__name__.lower(), "libraries and types are not supported"
            )
        raise self.fail(stmt, type(stmt).__name__, "this statement is not supported")

    def if_stmt(self, node: Any) -> None:
        position = self.position_test(node.test)
        has_entry = any(
            isinstance(n, A.Call) and _dotted(n.func) == "strategy.entry"
            for s in node.body
            for n in self._walk(s)
        )
        if position is not None:
            side, rest = position
            mask = None
            if rest is not None:
                mask = self.local(self.as_bool(self.expr(rest)).code, "cond")
            if node.orelse:
                raise self.fail(
                    node, "strategy.position_size", "an 'else' of a position test is not supported"
                )
            self.blocks.append(_Block(mask, has_entry, side))
            try:
                for s in node.body:
                    self.statement_guarded(s)
            finally:
                self.blocks.pop()
            return
        test = self.as_bool(self.expr(node.test))
        simple = re.fullmatch(r"[a-z_][a-z0-9_]*", test.code) and test.code in self.used
        mask = test.code if simple else self.local(test.code, "cond")
        self.blocks.append(_Block(mask, has_entry, None))
        try:
            for s in node.body:
                self.statement_guarded(s)
        finally:
            self.blocks.pop()
        if node.orelse:
            other = self.local(f"~{mask}" if test.series else f"(not {mask})", "not_cond")
            has_else_entry = any(
                isinstance(n, A.Call) and _dotted(n.func) == "strategy.entry"
                for s in node.orelse
                for n in self._walk(s)
            )
            self.blocks.append(_Block(other, has_else_entry, None))
            try:
                for s in node.orelse:
                    self.statement_guarded(s)
            finally:
                self.blocks.pop()

    def position_test(self, test: Any) -> tuple[str, Any] | None:
        """``strategy.position_size > 0`` (optionally ``and <condition>``) as an if's test."""
        parts = [test]
        if isinstance(test, A.BoolOp) and isinstance(test.op, A.And):
            parts = list(test.values)
        sides = [self.position_side(p) for p in parts]
        if not any(s is not None for s in sides):
            return None
        side = next(s for s in sides if s is not None)
        rest = [p for p, s in zip(parts, sides, strict=True) if s is None]
        if len(rest) > 1:
            rest_node: Any = A.BoolOp(op=A.And(), values=rest)
            for k in ("lineno", "col_offset"):
                setattr(rest_node, k, getattr(rest[0], k, 0))
        else:
            rest_node = rest[0] if rest else None
        return side, rest_node

    def position_side(self, node: Any) -> str | None:
        if not isinstance(node, A.Compare) or len(node.ops) != 1:
            return None
        if _dotted(node.left) != "strategy.position_size":
            return None
        right = node.comparators[0]
        if not (isinstance(right, A.Constant) and right.value == 0):
            raise self.fail(node, "strategy.position_size", "only comparisons with 0 are supported")
        op = node.ops[0]
        if isinstance(op, A.Gt):
            return "long"
        if isinstance(op, A.Lt):
            return "short"
        if isinstance(op, A.NotEq):
            return "any"
        if isinstance(op, A.Eq):
            return "flat"
        raise self.fail(node, "strategy.position_size", "use > 0, < 0, != 0 or == 0")

    def assign(self, stmt: Any) -> None:
        target = stmt.target
        mode = getattr(stmt, "mode", None)
        if isinstance(mode, A.VarIp):
            raise self.fail(stmt, "varip", "varip (intrabar state) has no meaning on bar data")
        if isinstance(target, A.Tuple):
            value = self.expr(stmt.value)
            if value.kind != "tuple" or value.items is None:
                raise self.fail(stmt, "tuple assignment", "the right side does not return a tuple")
            if len(target.elts) != len(value.items):
                raise self.fail(
                    stmt,
                    "tuple assignment",
                    f"{len(target.elts)} names for {len(value.items)} values",
                )
            for name_node, item in zip(target.elts, value.items, strict=True):
                name = name_node.id
                if name == "_":
                    continue
                local = self.local(item.code, name)
                self.vars[name] = V(local, item.kind, item.series)
            return
        name = target.id
        if name in self.vars:
            raise self.fail(
                stmt, "redeclaration", f"'{name}' is already declared; use ':=' to change it"
            )
        if self.blocks and mode is not None:
            raise self.fail(stmt, "var", "'var' inside a block is not supported")
        if isinstance(mode, A.Var):
            return self.declare_var(name, stmt)
        if isinstance(stmt.value, A.Call) and self.is_input(stmt.value):
            p = self.input_param(stmt.value, name)
            if p[3] == "param":  # input.source: the chosen price series
                self.vars[name] = V(self.source_choice(p[0]), "num", True)
                return
            self.vars[name] = V(p[0], p[1], False, param=p[2])
            return
        value = self.expr(stmt.value)
        if value.kind == "tuple":
            raise self.fail(stmt, "assignment", "a tuple needs [a, b, ...] = on the left")
        if value.kind == "position":
            raise self.fail(
                stmt, "strategy.position_size", "position state is only usable as an if's test"
            )
        if (value.const is not None or value.param is not None) and not value.series:
            self.vars[name] = V(value.code, value.kind, False, const=value.const, param=value.param)
            if self.assign_counts.get(name):
                local = self.fresh(name)
                self.lines.append(f"{local} = {value.code}")
                self.vars[name] = V(local, value.kind, False)
            return
        local = self.fresh(name)
        last = self.lines[-1] if self.lines else ""
        if (
            last.startswith(f"{value.code} = ")
            and self.cache.get(last.split(" = ", 1)[1]) == value.code
        ):
            # the temporary just computed for this value takes the script's name
            code = last.split(" = ", 1)[1]
            self.lines[-1] = f"{local} = {code}"
            self.cache[code] = local
            self.used.discard(value.code)
        else:
            self.lines.append(f"{local} = {value.code}")
            self.cache.setdefault(value.code, local)
        self.vars[name] = V(local, value.kind, value.series, src=value.src)

    def declare_var(self, name: str, stmt: Any) -> None:
        init = self.expr(stmt.value)
        if init.series:
            raise self.fail(
                stmt.value, "var", "a 'var' initial value must be a constant or an input"
            )
        type_name = _dotted(stmt.type) if getattr(stmt, "type", None) is not None else None
        kind = "bool" if (type_name == "bool" or init.kind == "bool") else "num"
        count = self.assign_counts.get(name, 0)
        local = self.fresh(name)
        init_code = init.code
        if kind == "bool":
            init_code = f"float({init.code})"
        state = _VarState(name, local, kind, init_code, count, accumulate=False)
        self.var_states[name] = state
        if count == 0:
            self.lines.append(f"{local} = {init.code}")
            self.vars[name] = V(local, kind, False)
        else:
            self.vars[name] = V(local, kind, True)

    def reassign(self, target: Any, value_node: Any, stmt: Any, *, accumulate: bool) -> None:
        if not isinstance(target, A.Name):
            raise self.fail(stmt, ":=", "only plain names can be reassigned")
        name = target.id
        if name not in self.vars:
            raise self.fail(stmt, ":=", f"'{name}' is not declared")
        state = self.var_states.get(name)
        if state is None:
            current = self.vars[name]
            value = self.expr(value_node)
            if accumulate:
                value = V(f"({current.code} + {value.code})", "num", value.series or current.series)
            mask = self.mask
            if mask is None:
                code = value.code
            else:
                code = f"{self.npf('where')}({mask}, {value.code}, {current.code})"
            local = self.fresh(name)
            self.lines.append(f"{local} = {code}")
            self.vars[name] = V(local, current.kind, True)
            return
        # a var: collect the assignments, define the variable at its last one
        self.reading_var = name
        try:
            self_ref_accumulate = (
                not accumulate
                and isinstance(value_node, A.BinOp)
                and isinstance(value_node.op, A.Add)
                and isinstance(value_node.left, A.Name)
                and value_node.left.id == name
            )
            if self_ref_accumulate:
                value_node = value_node.right
                accumulate = True
            value = self.expr(value_node)
        finally:
            self.reading_var = None
        mask = self.mask or "True"
        self.uses_np = True
        if accumulate:
            if state.pending is not None and not state.accumulate:
                raise self.fail(
                    stmt,
                    "var state",
                    f"'{name}' is both set and accumulated: sequential state is not transpiled",
                )
            state.accumulate = True
            term = f"np.where({mask}, {value.code}, 0.0)"
            prev = state.pending
            state.pending = self.local(term if prev is None else f"{prev} + {term}", f"{name}_add")
        else:
            if state.accumulate:
                raise self.fail(
                    stmt,
                    "var state",
                    f"'{name}' is both set and accumulated: sequential state is not transpiled",
                )
            v = f"{value.code}" if value.kind != "bool" else f"{self.as_float(value)}"
            prev = state.pending or "np.nan"
            shape_v = f"np.broadcast_to({v}, shape)" if not value.series else v
            state.pending = self.local(f"np.where({mask}, {shape_v}, {prev})", f"{name}_set")
            fired = (
                f"np.broadcast_to({mask}, shape)"
                if state.fired is None
                else f"{state.fired} | {mask}"
            )
            state.fired = self.local(fired, f"{name}_set_at")
        state.assigns_left -= 1
        if state.assigns_left == 0:
            if state.accumulate:
                code = f"{state.init} + np.cumsum(np.nan_to_num(np.broadcast_to({state.pending}, shape)), axis=0)"
            else:
                code = f"{self.kit_fn('value_when')}({state.pending}, {state.fired}, {state.init})"
            if state.kind == "bool":
                code = f"({code}) == 1.0"
            self.lines.append(f"{state.local} = {code}")
            self.vars[name] = V(state.local, state.kind, True)

    # ---- calls as statements -------------------------------------------------------------
    def call_stmt(self, node: Any) -> None:
        fn = _dotted(node.func) or ""
        if fn == "strategy":
            return self.strategy_decl(node)
        if fn in ("study", "indicator"):
            raise self.fail(node, fn, "an indicator script places no orders; use strategy()")
        if fn == "strategy.entry":
            return self.entry(node)
        if fn == "strategy.close":
            return self.close(node)
        if fn == "strategy.close_all":
            return self.close_all(node)
        if fn == "strategy.exit":
            return self.exit(node)
        if fn == "plot":
            return self.plot(node)
        if fn in _DRAWING or fn.startswith(("label.", "line.", "box.", "table.")):
            self.notes.append(f"line {_pos(node)[0]}: {fn} draws on the chart only; not transpiled")
            return
        if fn.startswith("strategy."):
            raise self.fail(node, fn, f"{fn} is not supported")
        raise self.fail(node, fn or "call", "a call whose result is unused")

    def strategy_decl(self, node: Any) -> None:
        args = self.call_args(node, ["title", "shorttitle", "overlay"])
        title = args.get("title")
        if isinstance(title, A.Constant):
            self.title = str(title.value)
        ov = args.get("overlay")
        self.overlay = bool(isinstance(ov, A.Constant) and ov.value is True)
        for key, value in args.items():
            if key == "pyramiding" and not (
                isinstance(value, A.Constant) and value.value in (0, 1)
            ):
                raise self.fail(value, "pyramiding", "the engine holds one position per symbol")
            if key == "process_orders_on_close" and isinstance(value, A.Constant) and value.value:
                self.notes.append(
                    "process_orders_on_close=true: run with fill=close to fill at the signal bar"
                )
            elif key == "calc_on_every_tick" and isinstance(value, A.Constant) and value.value:
                raise self.fail(value, key, "tick-by-tick calculation has no meaning on bars")
            elif key in ("default_qty_type", "default_qty_value"):
                continue
            elif key not in (
                "title",
                "shorttitle",
                "overlay",
                "pyramiding",
                "_3",
                "format",
                "precision",
            ):
                self.notes.append(
                    f"strategy({key}=...) is a run setting in Ava (capital, costs, sizing); "
                    "not part of the strategy file"
                )
        qty_type = _dotted(args["default_qty_type"]) if "default_qty_type" in args else None
        qty = args.get("default_qty_value")
        if qty_type == "strategy.percent_of_equity" and isinstance(qty, A.Constant):
            frac = float(qty.value) / 100.0
            if not 0 < frac <= 1:
                raise self.fail(qty, "default_qty_value", "a percent of equity in (0, 100]")
            self.default_sizing = repr(frac)
        elif qty_type is not None or qty is not None:
            raise self.fail(
                node,
                "default_qty_type",
                "only strategy.percent_of_equity with a constant value maps to Ava's sizing",
            )

    def when_mask(self, args: dict[str, Any]) -> str | None:
        when = args.get("when")
        parts = []
        if self.mask is not None:
            parts.append(self.mask)
        if when is not None:
            parts.append(self.as_bool(self.expr(when)).code)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + ") & (".join(parts) + ")"

    def entry(self, node: Any) -> None:
        args = self.call_args(
            node, ["id", "direction", "qty", "limit", "stop"], v4_alias={"long": "direction"}
        )
        if self.blocks and any(b.position is not None for b in self.blocks):
            raise self.fail(
                node,
                "strategy.position_size",
                "an entry under a position test: position state belongs to the engine",
            )
        side = self.direction_of(args.get("direction"), node)
        if side is None:
            raise self.fail(
                node, "strategy.entry", "direction must be strategy.long or strategy.short"
            )
        for key in ("qty", "limit", "stop", "oca_name", "oca_type"):
            if key in args:
                raise self.fail(
                    args[key], f"strategy.entry({key}=...)", "only market entries are supported"
                )
        mask = self.when_mask(args) or "True"
        self.signals[f"{side}_entry"].append(mask)

    def close(self, node: Any) -> None:
        args = self.call_args(node, ["id"])
        if "qty" in args or "qty_percent" in args:
            raise self.fail(node, "strategy.close(qty)", "partial closes are not supported")
        ident = args.get("id")
        if not (isinstance(ident, A.Constant) and isinstance(ident.value, str)):
            raise self.fail(node, "strategy.close", "the entry id must be a string literal")
        side = self.entry_sides.get(ident.value)
        if side is None:
            raise self.fail(ident, "strategy.close", f"no strategy.entry has id {ident.value!r}")
        self.check_position_side(node, side)
        self.signals[f"{side}_exit"].append(self.when_mask(args) or "True")

    def close_all(self, node: Any) -> None:
        args = self.call_args(node, [])
        mask = self.when_mask(args) or "True"
        sides = self.position_sides()
        for side in sides:
            self.signals[f"{side}_exit"].append(mask)

    def position_sides(self) -> list[str]:
        for b in self.blocks:
            if b.position == "long":
                return ["long"]
            if b.position == "short":
                return ["short"]
            if b.position == "flat":
                return []
        return ["long", "short"]

    def check_position_side(self, node: Any, side: str) -> None:
        for b in self.blocks:
            if b.position in ("long", "short") and b.position != side:
                raise self.fail(
                    node,
                    "strategy.position_size",
                    f"closes the {side} entry under a {b.position} test",
                )
            if b.position == "flat":
                raise self.fail(node, "strategy.position_size", "closes a position when flat")

    def exit(self, node: Any) -> None:
        args = self.call_args(
            node,
            [
                "id",
                "from_entry",
                "qty",
                "qty_percent",
                "profit",
                "limit",
                "loss",
                "stop",
                "trail_price",
                "trail_points",
                "trail_offset",
            ],
        )
        for b in self.blocks:
            if not (b.has_entry or b.position is not None):
                raise self.fail(
                    node,
                    "strategy.exit",
                    "a stop/target placed under a condition: the engine attaches stops and targets "
                    "to each entry (call strategy.exit at the top level, with the entry, or under a "
                    "strategy.position_size test)",
                )
            if b.mask is not None and b.position is not None:
                raise self.fail(
                    node,
                    "strategy.exit",
                    "a stop/target under a condition besides the position test",
                )
        for key in ("when", "qty", "qty_percent", "trail_price", "oca_name"):
            if key in args:
                raise self.fail(args[key], f"strategy.exit({key}=...)", "not supported")
        source = args.get("from_entry")
        if source is None:
            sides = ["long", "short"]
        elif isinstance(source, A.Constant) and isinstance(source.value, str):
            side = self.entry_sides.get(source.value)
            if side is None:
                raise self.fail(
                    source, "strategy.exit", f"no strategy.entry has id {source.value!r}"
                )
            sides = [side]
        else:
            raise self.fail(node, "strategy.exit", "from_entry must be a string literal")
        sides = [s for s in sides if s in self.position_sides()]
        if not any(
            k in args for k in ("profit", "limit", "loss", "stop", "trail_points", "trail_offset")
        ):
            raise self.fail(node, "strategy.exit", "names no stop, target or trail")
        line = _pos(node)[0]
        for side in sides:
            if "loss" in args:
                self.set_level(
                    side, "stop_loss", self.ticks(args["loss"]), True, args["loss"], line
                )
            if "profit" in args:
                self.set_level(
                    side, "take_profit", self.ticks(args["profit"]), True, args["profit"], line
                )
            if "stop" in args:
                code, absolute = self.from_avg(args["stop"], side, "stop")
                self.set_level(side, "stop_loss", code, absolute, args["stop"], line)
            if "limit" in args:
                code, absolute = self.from_avg(args["limit"], side, "limit")
                self.set_level(side, "take_profit", code, absolute, args["limit"], line)
            if "trail_offset" in args or "trail_points" in args:
                points = args.get("trail_points")
                if not (isinstance(points, A.Constant) and points.value == 0):
                    raise self.fail(
                        points if points is not None else node,
                        "strategy.exit(trail_points)",
                        "the engine's trail is active from the fill: use trail_points=0 "
                        "(an activation after N ticks is not supported)",
                    )
                if "trail_offset" not in args:
                    raise self.fail(node, "strategy.exit(trail_points)", "needs trail_offset")
                self.set_level(
                    side,
                    "trail",
                    self.ticks(args["trail_offset"]),
                    True,
                    args["trail_offset"],
                    line,
                )

    def ticks(self, node: Any) -> str:
        v = self.expr(node)
        if v.kind != "num":
            raise self.fail(node, "ticks", "a number of ticks")
        if "mintick" not in self.params:
            self.params["mintick"] = PineParam(
                "mintick",
                "float",
                0.01,
                0.0001,
                1.0,
                "Price of one tick (syminfo.mintick)",
                pine_name="syminfo.mintick",
            )
        return f"{v.code} * self.mintick"

    def from_avg(self, node: Any, side: str, what: str) -> tuple[str, bool]:
        """A level written from strategy.position_avg_price -> a distance from the fill."""
        avg = "strategy.position_avg_price"
        bad = self.fail(
            node,
            f"strategy.exit({what}=...)",
            f"the engine's {what} is a distance from the fill price: write it as "
            f"{avg} * (1 - k), {avg} * k or {avg} - d / + d",
        )
        if not isinstance(node, A.BinOp):
            raise bad
        left, right = _dotted(node.left), _dotted(node.right)
        op = node.op
        lower = (side == "long") == (what == "stop")  # the level is below the fill
        if isinstance(op, A.Mult) and (left == avg or right == avg):
            other = node.right if left == avg else node.left
            self.no_avg(other)
            # avg * (1 - x) below / avg * (1 + x) above: the distance is x as written
            if (
                isinstance(other, A.BinOp)
                and isinstance(other.left, A.Constant)
                and other.left.value == 1
                and isinstance(other.op, A.Sub if lower else A.Add)
            ):
                return self.expr(other.right).code, False
            k = self.expr(other)
            # level = avg * k; distance fraction = 1 - k below, k - 1 above
            return (f"(1.0 - {k.code})" if lower else f"({k.code} - 1.0)"), False
        if isinstance(op, (A.Sub, A.Add)) and left == avg:
            d = self.expr(node.right)
            self.no_avg(node.right)
            if isinstance(op, A.Sub) != lower:
                raise self.fail(
                    node,
                    f"strategy.exit({what}=...)",
                    f"a {side} {what} {'below' if lower else 'above'} the entry price is written "
                    f"{avg} {'-' if lower else '+'} d",
                )
            return d.code, True
        raise bad

    def no_avg(self, node: Any) -> None:
        for n in self._walk(node):
            if _dotted(n) and str(_dotted(n)).startswith("strategy."):
                raise self.fail(n, str(_dotted(n)), "position state inside a stop distance")

    def set_level(
        self, side: str, field_: str, code: str, absolute: bool, node: Any, line: int
    ) -> None:
        have = self.levels[side].get(field_)
        if have is not None and have[0] != code:
            raise self.fail(
                node,
                "strategy.exit",
                f"a second {field_} for the {side} entries (first at line {have[2]})",
            )
        self.levels[side][field_] = (code, absolute, line)

    def plot(self, node: Any) -> None:
        args = self.call_args(node, ["series", "title"])
        value = self.expr(args["series"])
        if value.kind not in ("num", "bool") or not value.series:
            self.notes.append(f"line {_pos(node)[0]}: plot of a constant not shown")
            return
        title = args.get("title")
        label = str(title.value) if isinstance(title, A.Constant) else ""
        code = value.code if value.kind == "num" else self.as_float(value)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", code):
            code = self.local(code, label or "plot")
        if any(code == v for v, _ in self.plots):
            return
        self.plots.append((code, label or code))

    # ---- inputs --------------------------------------------------------------------------
    def is_input(self, node: Any) -> bool:
        fn = _dotted(node.func) or ""
        return fn == "input" or fn.startswith("input.")

    def input_param(self, node: Any, var_name: str) -> tuple[str, str, str, str | None]:
        """(code, kind, param name, source) of an input()."""
        fn = _dotted(node.func) or ""
        args = self.call_args(node, ["defval", "title"])
        kind = fn.split(".", 1)[1] if "." in fn else ""
        if fn == "input" and "type" in args:
            t = _dotted(args["type"]) or ""
            kind = _V4_TYPES.get(t.split(".")[-1], t)
        defval = args.get("defval")
        if kind == "source" or (fn == "input" and not kind and _dotted(defval) in _SOURCES):
            kind = "source"
        if kind in ("", "integer"):
            if isinstance(defval, A.Constant):
                v = defval.value
                kind = (
                    "bool"
                    if isinstance(v, bool)
                    else "int"
                    if isinstance(v, int)
                    else "float"
                    if isinstance(v, float)
                    else "string"
                )
            else:
                raise self.fail(node, "input", "the default value must be a literal")
        if kind not in ("int", "float", "bool", "source", "string"):
            raise self.fail(node, f"input.{kind}", f"input of type {kind!r} is not supported")
        title = args.get("title")
        description = str(title.value) if isinstance(title, A.Constant) else var_name
        name = _snake(var_name)
        if name in _STRATEGY_ATTRS or name in ("mintick",):
            name = f"{name}_input"
        base, i = name, 2
        while name in self.params:
            name, i = f"{base}_{i}", i + 1
        options = args.get("options")
        if kind == "source":
            d = _dotted(defval)
            if d not in _SOURCES:
                raise self.fail(defval, "input.source", f"a source among {', '.join(_SOURCES)}")
            self.params[name] = PineParam(
                name, "choice", d, None, None, description, _SOURCES, pine_name=var_name
            )
            return f"self.{name}", "num", name, "param"
        if not isinstance(defval, A.Constant):
            raise self.fail(node, "input", "the default value must be a literal")
        d = defval.value
        if kind == "bool":
            self.params[name] = PineParam(
                name, "bool", bool(d), None, None, description, pine_name=var_name
            )
            return f"self.{name}", "bool", name, None
        if kind == "string":
            if options is None or not isinstance(options, A.Tuple):
                raise self.fail(node, "input.string", "a string input needs options=[...]")
            choices = tuple(o.value for o in options.elts if isinstance(o, A.Constant))
            self.params[name] = PineParam(
                name, "choice", str(d), None, None, description, choices, pine_name=var_name
            )
            return f"self.{name}", "str", name, None
        if options is not None:
            raise self.fail(
                options, "input(options=...)", "numeric options lists are not supported"
            )
        integer = kind == "int"
        if integer and not isinstance(d, int):
            raise self.fail(defval, "input.int", "an integer default")
        d = int(d) if integer else float(d)
        lo = self.literal(args.get("minval"))
        hi = self.literal(args.get("maxval"))
        if lo is None:
            lo = (
                (1 if d >= 1 else min(d, 0) * 10 or 0)
                if integer
                else (d / 10 if d > 0 else d * 10 if d < 0 else 0.0)
            )
        if hi is None:
            hi = (
                (max(d * 10, d + 10) if d >= 0 else 0)
                if integer
                else (d * 10 if d > 0 else d / 10 if d < 0 else 1.0)
            )
        if not lo <= d <= hi:
            raise self.fail(node, "input", f"default {d} outside [{lo}, {hi}]")
        self.params[name] = PineParam(
            name,
            kind,
            d,
            int(lo) if integer else float(lo),
            int(hi) if integer else float(hi),
            description,
            pine_name=var_name,
        )
        return f"self.{name}", "num", name, None

    def literal(self, node: Any) -> float | None:
        if node is None:
            return None
        if isinstance(node, A.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if (
            isinstance(node, A.UnaryOp)
            and isinstance(node.op, A.USub)
            and isinstance(node.operand, A.Constant)
        ):
            return -node.operand.value
        raise self.fail(node, "input bound", "minval/maxval must be literals")

    # ---- expressions ---------------------------------------------------------------------
    def as_bool(self, v: V) -> V:
        if v.kind == "bool":
            return v
        if v.kind == "num":
            # Pine v4 allows numbers as conditions: true when non-zero and not na
            return V(
                f"({v.code} != 0) & ~{self.npf('isnan')}({v.code})"
                if v.series
                else f"bool({v.code})",
                "bool",
                v.series,
            )
        raise _Unsupported(None, "condition", f"a {v.kind} is not a condition")

    def as_float(self, v: V) -> str:
        if v.kind == "bool":
            return (
                f"{self.npf('asarray')}({v.code}, dtype=float)" if v.series else f"float({v.code})"
            )
        return v.code

    def expr(self, node: Any) -> V:
        try:
            return self._expr(node)
        except _Unsupported as u:
            if u.node is None:
                u.node = node
            raise

    def _expr(self, node: Any) -> V:
        if isinstance(node, A.Constant):
            v = node.value
            if isinstance(v, bool):
                return V(repr(v), "bool", False, const=v)
            if isinstance(v, (int, float)):
                return V(repr(v), "num", False, const=v)
            if isinstance(v, str):
                return V(_q(v), "str", False, const=v)
            raise self.fail(node, "literal", f"{type(v).__name__} literal")
        if isinstance(node, A.Name):
            return self.name(node)
        if isinstance(node, A.Attribute):
            return self.attribute(node)
        if isinstance(node, A.BinOp):
            return self.binop(node)
        if isinstance(node, A.UnaryOp):
            x = self.expr(node.operand)
            if isinstance(node.op, A.Not):
                b = self.as_bool(x)
                return V(f"(~{b.code})" if b.series else f"(not {b.code})", "bool", b.series)
            if isinstance(node.op, A.USub):
                return V(
                    f"(-{x.code})", "num", x.series, const=-x.const if x.const is not None else None
                )
            return x
        if isinstance(node, A.BoolOp):
            vals = [self.as_bool(self.expr(v)) for v in node.values]
            series = any(v.series for v in vals)
            op = " & " if isinstance(node.op, A.And) else " | "
            if not series:
                op = " and " if isinstance(node.op, A.And) else " or "
            return V("(" + op.join(v.code for v in vals) + ")", "bool", series)
        if isinstance(node, A.Compare):
            return self.compare(node)
        if isinstance(node, A.Conditional):
            test = self.as_bool(self.expr(node.test))
            a, b = self.expr(node.body), self.expr(node.orelse)
            kind = "bool" if a.kind == b.kind == "bool" else "num"
            if kind == "num" and "str" in (a.kind, b.kind):
                raise self.fail(node, "ternary", "string values are not supported")
            if not (test.series or a.series or b.series):
                return V(f"({a.code} if {test.code} else {b.code})", kind, False)
            ac = a.code if kind == "bool" else self.as_float(a)
            bc = b.code if kind == "bool" else self.as_float(b)
            return V(f"{self.npf('where')}({test.code}, {ac}, {bc})", kind, True)
        if isinstance(node, A.Subscript):
            return self.history(node)
        if isinstance(node, A.Call):
            if self.is_input(node):
                label = None
                args = self.call_args(node, ["defval", "title"])
                t = args.get("title")
                label = str(t.value) if isinstance(t, A.Constant) else "input"
                code, kind, pname, src = self.input_param(node, label)
                if src == "param":
                    return V(self.source_choice(code), "num", True)
                return V(code, kind, False, param=pname)
            return self.call(node)
        if isinstance(node, A.Tuple):
            raise self.fail(node, "array literal", "arrays are not supported")
        raise self.fail(node, type(node).__name__, "this expression is not supported")

    def name(self, node: Any) -> V:
        n = node.id
        if n in self.vars:
            if self.in_security and self.vars[n].param is None and self.vars[n].const is None:
                raise self.fail(
                    node,
                    "request.security",
                    f"'{n}' is computed on the chart's bars; inside request.security write the "
                    "expression from prices, indicators and inputs",
                )
            if getattr(self, "reading_var", None) == n:
                raise self.fail(
                    node,
                    "var state",
                    f"'{n}' reads itself in its own update: sequential state is not transpiled "
                    "(only x := x + e accumulators and assignments not reading x are)",
                )
            st = self.var_states.get(n)
            if st is not None and st.assigns_left > 0:
                raise self.fail(
                    node,
                    "var state",
                    f"'{n}' is read before its last ':=' (move the read below the assignments)",
                )
            return self.vars[n]
        b = self.bars
        if n in _PRICES:
            return V(f"{b}.{n}", "num", True, src=n)
        if n in _DERIVED:
            return V(
                self.local(_DERIVED[n].format(b=b), f"{n}{'' if b == 'bars' else '_' + b}"),
                "num",
                True,
                src=n,
            )
        if n == "na":
            self.uses_np = True
            return V("np.nan", "num", False)
        if n == "bar_index":
            self.uses_np = True
            return V(
                self.local(
                    "np.broadcast_to(np.arange(shape[0], dtype=float)[:, None], shape)",
                    "bar_number",
                ),
                "num",
                True,
            )
        if n in ("true", "false"):
            return V(repr(n == "true"), "bool", False, const=n == "true")
        if n in ("time", "timenow", "dayofweek", "dayofmonth", "month", "year", "hour", "minute"):
            raise self.fail(node, n, "calendar and clock values are not supported")
        if n == "strategy":
            raise self.fail(node, "strategy", "not a value")
        raise self.fail(node, n, f"unknown name '{n}'")

    def attribute(self, node: Any) -> V:
        d = _dotted(node) or ""
        if d == "strategy.position_size":
            raise self.fail(
                node,
                "strategy.position_size",
                "position state is only supported as an if's test (strategy.position_size > 0 ...)",
            )
        if d == "syminfo.mintick":
            self.ticks(A.Constant(value=1))
            return V("self.mintick", "num", False, param="mintick")
        if d in ("strategy.long", "strategy.short"):
            raise self.fail(node, d, "only as strategy.entry's direction")
        if d.startswith("color.") or d.startswith("shape.") or d.startswith("location."):
            return V(_q(d), "str", False, const=d)
        if d.startswith("strategy.") or d.startswith("syminfo.") or d.startswith("barstate."):
            raise self.fail(node, d, f"{d} is not supported")
        raise self.fail(node, d, f"unknown name '{d}'")

    def binop(self, node: Any) -> V:
        a, b = self.expr(node.left), self.expr(node.right)
        ops = {A.Add: "+", A.Sub: "-", A.Mult: "*", A.Div: "/", A.Mod: "%"}
        op = ops.get(type(node.op))
        if op is None:
            raise self.fail(node, "operator", f"{type(node.op).__name__} is not supported")
        if a.kind == "str" or b.kind == "str":
            raise self.fail(node, "string operation", "strings are not supported in arithmetic")
        const = None
        if a.const is not None and b.const is not None:
            try:
                const = _ARITH[op](a.const, b.const)
            except ZeroDivisionError:
                const = None
        return V(
            f"({self.as_float(a)} {op} {self.as_float(b)})",
            "num",
            a.series or b.series,
            const=const,
        )

    def compare(self, node: Any) -> V:
        if len(node.ops) != 1:
            raise self.fail(node, "chained comparison", "write a < b and b < c")
        if _dotted(node.left) == "strategy.position_size":
            raise self.fail(
                node,
                "strategy.position_size",
                "position state is only supported as the test of an if around strategy.exit / "
                "strategy.close",
            )
        a, b = self.expr(node.left), self.expr(node.comparators[0])
        ops = {A.Eq: "==", A.NotEq: "!=", A.Lt: "<", A.LtE: "<=", A.Gt: ">", A.GtE: ">="}
        op = ops[type(node.ops[0])]
        if a.kind == "str" or b.kind == "str":
            if op not in ("==", "!=") or a.series or b.series:
                raise self.fail(node, "string comparison", "only == / != of inputs and literals")
            return V(f"({a.code} {op} {b.code})", "bool", False)
        return V(f"({self.as_float(a)} {op} {self.as_float(b)})", "bool", a.series or b.series)

    def history(self, node: Any) -> V:
        x = self.expr(node.value)
        n = self.expr(node.slice)
        if n.series or n.kind != "num":
            raise self.fail(
                node.slice, "history", "the offset in x[n] must be a constant or an input"
            )
        if n.const is not None and (not isinstance(n.const, int) or n.const < 0):
            raise self.fail(node.slice, "history", "the offset in x[n] must be a whole number >= 0")
        if n.const == 0:
            return x
        if not x.series:
            return x
        if n.param is not None:
            self.check_int_param(n.param, node.slice, "history offset")
        fn = self.kit_fn("previous")
        if x.kind == "bool":
            return V(
                self.local(f"({fn}({self.as_float(x)}, {n.code}) == 1.0)", "prev"), "bool", True
            )
        code = f"{fn}({x.code}, {n.code})"
        return V(
            self.local(code, f"{self.base_name(x)}_{n.const if n.const is not None else 'n'}ago"),
            "num",
            True,
        )

    def base_name(self, v: V) -> str:
        if re.fullmatch(r"bars\.\w+", v.code):
            return v.code.split(".")[1]
        if re.fullmatch(r"[a-z_][a-z0-9_]*", v.code):
            return v.code
        return "x"

    def check_int_param(self, pname: str, node: Any, what: str) -> None:
        p = self.params.get(pname)
        if p is not None and p.kind != "int":
            raise self.fail(node, what, f"'{p.pine_name}' must be an integer input")

    def length(self, node: Any, what: str) -> str:
        v = self.expr(node)
        if v.series or v.kind != "num":
            raise self.fail(node, what, "a length must be a constant or an integer input")
        if v.param is not None:
            self.check_int_param(v.param, node, what)
            self.params[v.param].window = True
        elif v.const is not None and not isinstance(v.const, int):
            raise self.fail(node, what, "a length must be a whole number")
        scale = {"weeks": " * 5", "months": " * 21", "quarters": " * 63"}
        w = v.code + next((m for k, m in scale.items() if self.bars.startswith(k)), "")
        if w not in self.windows:
            self.windows.append(w)
        return v.code

    def source(self, v: V, node: Any) -> str:
        if v.kind == "bool":
            return self.as_float(v)
        if v.kind != "num":
            raise self.fail(node, "source", "a numeric series")
        if v.src == "param":
            return self.source_choice(v.code)
        if not v.series:
            raise self.fail(node, "source", "a series (a constant has no indicator)")
        return v.code

    def source_choice(self, code: str) -> str:
        b = self.bars
        parts = ", ".join(
            f'"{s}": {_DERIVED[s].format(b=b) if s in _DERIVED else f"{b}.{s}"}' for s in _SOURCES
        )
        return self.local(f"{{{parts}}}[{code}]", code.split(".")[-1] + "_series")

    def call(self, node: Any) -> V:
        fn = _dotted(node.func) or ""
        short = fn[3:] if fn.startswith("ta.") else fn
        if fn.startswith("math."):
            short = fn[5:]
        if (
            self.version >= 5
            and "." not in fn
            and fn in _TA
            and fn not in ("na", "nz", "abs", "max", "min", "sqrt", "log", "pow", "round", "exp")
        ):
            raise self.fail(node, fn, f"Pine v5 spells it ta.{fn}")
        if fn == "math.sum":
            return self.ta(node, "sum")
        if fn in ("request.security", "security"):
            return self.security(node)
        if (
            fn in ("na", "nz")
            or fn.startswith("math.")
            or fn
            in ("abs", "max", "min", "sqrt", "log", "pow", "round", "exp", "sign", "floor", "ceil")
        ):
            return self.math(node, short)
        if fn.startswith("ta.") or (self.version < 5 and fn in _TA):
            if short not in _TA:
                raise self.fail(node, fn, f"{fn} is not in the transpiler's indicator table")
            return self.ta(node, short)
        if fn in (
            "strategy.entry",
            "strategy.close",
            "strategy.exit",
            "strategy.close_all",
            "plot",
        ):
            raise self.fail(node, fn, "a statement, not a value")
        raise self.fail(node, fn or "call", f"{fn or 'this call'} is not supported")

    def math(self, node: Any, fn: str) -> V:
        args = [self.expr(a.value) for a in node.args]
        if any(a.kind not in ("num", "bool") for a in args):
            raise self.fail(node, fn, "numeric arguments")
        series = any(a.series for a in args)
        codes = [self.as_float(a) for a in args]
        self.uses_np = True
        if fn == "na":
            return V(f"np.isnan({codes[0]})", "bool", series)
        if fn == "nz":
            repl = codes[1] if len(codes) > 1 else "0.0"
            return V(f"np.where(np.isnan({codes[0]}), {repl}, {codes[0]})", "num", series)
        simple = {
            "abs": "abs",
            "sqrt": "sqrt",
            "log": "log",
            "exp": "exp",
            "sign": "sign",
            "floor": "floor",
            "ceil": "ceil",
            "log10": "log10",
        }
        if fn in simple and len(codes) == 1:
            return V(f"np.{simple[fn]}({codes[0]})", "num", series)
        if fn in ("max", "min") and len(codes) >= 2:
            f = "np.fmax" if fn == "max" else "np.fmin"
            f = "np.maximum" if fn == "max" else "np.minimum"
            code = codes[0]
            for c in codes[1:]:
                code = f"{f}({code}, {c})"
            return V(code, "num", series)
        if fn == "pow" and len(codes) == 2:
            return V(f"np.power({codes[0]}, {codes[1]})", "num", series)
        if fn == "round" and len(codes) == 1:
            return V(f"np.floor({codes[0]} + 0.5)", "num", series)
        raise self.fail(node, f"math.{fn}", "not supported with these arguments")

    def ta(self, node: Any, fn: str) -> V:
        spec = _TA[fn]
        names: list[str] = spec[0]  # type: ignore[assignment]
        args = self.call_args(node, names)
        for k in args:
            if k not in names:
                raise self.fail(node, f"ta.{fn}", f"argument {k!r} is not supported")
        b = self.bars
        hlc = f"{b}.high, {b}.low, {b}.close"

        def arg(k: str, default: Any = None) -> Any:
            if k in args:
                return args[k]
            if default is None:
                raise self.fail(node, f"ta.{fn}", f"needs its {k!r} argument")
            return A.Constant(value=default)

        def src(k: str = "source") -> str:
            a = arg(k)
            return self.source(self.expr(a), a)

        def ln(k: str = "length", default: Any = None) -> str:
            return self.length(arg(k, default), f"ta.{fn} {k}")

        def num(k: str, default: Any = None) -> str:
            v = self.expr(arg(k, default))
            if v.series or v.kind != "num":
                raise self.fail(node, f"ta.{fn}", f"{k} must be a constant or an input")
            return v.code

        def out(code: str, base: str, kind: str = "num") -> V:
            return V(self.local(code, base), kind, True)

        simple_args = all(
            isinstance(a.value, (A.Name, A.Constant)) or _dotted(a.value) is not None
            for a in node.args
        )
        if self.blocks and not (fn in ("crossover", "crossunder", "cross") and simple_args):
            raise self.fail(
                node,
                f"ta.{fn}",
                "an indicator inside an if block: Pine computes it only on the bars where the "
                "block runs; compute it at the top level and use the variable",
            )
        if fn == "cci":
            v = self.expr(arg("source"))
            n = ln()
            if v.src == "hlc3":
                return out(f"{self.kit_fn('cci')}({hlc}, {n})", "cci")
            # the library's CCI reads the typical price; of one series that is the series
            s = self.source(v, arg("source"))
            return out(f"{self.kit_fn('cci')}({s}, {s}, {s}, {n})", "cci")
        if fn in (
            "sma",
            "ema",
            "rma",
            "wma",
            "hma",
            "rsi",
            "mom",
            "roc",
            "stdev",
            "highest",
            "lowest",
            "linreg",
            "percentrank",
            "sum",
            "cum",
            "change",
            "rising",
            "falling",
        ):
            if fn in ("highest", "lowest") and len(node.args) == 1 and node.args[0].name is None:
                s, n = (
                    f"{b}.{'high' if fn == 'highest' else 'low'}",
                    self.length(node.args[0].value, f"ta.{fn} length"),
                )
            elif fn == "cum":
                s, n = src(), ""
            elif fn == "change":
                s, n = src(), ln("length", 1)
            else:
                s, n = src(), ln()
            if fn == "hma":
                # Pine: wma(2 * wma(src, length / 2) - wma(src, length), round(sqrt(length)));
                # the library's hma rounds the square root down, so the formula is written out
                self.uses_np = True
                w = self.kit_fn("wma")
                half = f"{w}({s}, max({n} // 2, 1))"
                root = f"int(np.floor(np.sqrt({n}) + 0.5))"
                return out(f"{w}(2.0 * {half} - {w}({s}, {n}), {root})", "hma")
            if fn in ("sma", "ema", "rma", "wma", "rsi", "highest", "lowest"):
                return out(f"{self.kit_fn(fn)}({s}, {n})", fn)
            if fn == "mom":
                return out(f"{self.kit_fn('momentum')}({s}, {n})", "mom")
            if fn == "roc":
                return out(f"{self.kit_fn('roc')}({s}, {n})", "roc")
            if fn == "stdev":
                if "biased" in args:
                    v = self.expr(args["biased"])
                    if v.const is not True and v.const is not False:
                        raise self.fail(node, "ta.stdev", "biased must be a literal")
                    return out(f"{self.kit_fn('stddev')}({s}, {n}, {0 if v.const else 1})", "stdev")
                return out(f"{self.kit_fn('stddev')}({s}, {n})", "stdev")
            if fn == "linreg":
                off = self.expr(arg("offset", 0))
                if off.const != 0:
                    raise self.fail(node, "ta.linreg", "only offset 0 is supported")
                return out(f"{self.kit_fn('linreg_value')}({s}, {n})", "linreg")
            if fn == "percentrank":
                return out(f"{self.kit_fn('percentile_rank')}({s}, {n})", "pct_rank")
            if fn == "sum":
                return out(f"{self.kit_fn('rolling_sum')}({s}, {n})", "rolling")
            if fn == "cum":
                self.uses_np = True
                return out(f"np.cumsum(np.nan_to_num(np.broadcast_to({s}, shape)), axis=0)", "cum")
            if fn == "change":
                return out(f"({s} - {self.kit_fn('previous')}({s}, {n}))", "change")
            if fn in ("rising", "falling"):
                ext = "highest" if fn == "rising" else "lowest"  # above all of the last n
                op = ">" if fn == "rising" else "<"
                return out(
                    f"({s} {op} {self.kit_fn('previous')}({self.kit_fn(ext)}({s}, {n}), 1))",
                    fn,
                    "bool",
                )
        if fn in ("crossover", "crossunder", "cross"):
            a, c = self.expr(arg("source1")), self.expr(arg("source2"))
            x, y = self.as_float(a), self.as_float(c)
            if fn == "cross":
                up = f"{self.kit_fn('crossed_above')}({x}, {y}, from_touch=True)"
                dn = f"{self.kit_fn('crossed_below')}({x}, {y}, from_touch=True)"
                return out(f"({up} | {dn})", "cross", "bool")
            f = "crossed_above" if fn == "crossover" else "crossed_below"
            return out(f"{self.kit_fn(f)}({x}, {y}, from_touch=True)", fn, "bool")
        if fn == "atr":
            return out(f"{self.kit_fn('atr')}({hlc}, {ln()})", "atr")
        if fn == "tr":
            handle = self.expr(arg("handle_na", False))
            first = ', first_bar="high_low"' if handle.const is True else ""
            return out(f"{self.kit_fn('true_range')}({hlc}{first})", "tr")
        if fn == "vwma":
            s, n = src(), ln()
            v = f"{b}.volume"
            return out(
                f"({self.kit_fn('sma')}({s} * {v}, {n}) / {self.kit_fn('sma')}({v}, {n}))", "vwma"
            )
        if fn == "macd":
            s = src()
            f_, sl, sg = ln("fastlen"), ln("slowlen"), ln("siglen")
            m = self.local(f"{self.kit_fn('macd')}({s}, {f_}, {sl}, {sg})", "macd_result")
            return V(
                m,
                "tuple",
                True,
                items=[
                    V(f"{m}.macd", "num", True),
                    V(f"{m}.signal", "num", True),
                    V(f"{m}.hist", "num", True),
                ],
            )
        if fn == "bb":
            s, n, k = src(), ln(), num("mult")
            r = self.local(f"{self.kit_fn('bollinger')}({s}, {n}, {k})", "bb")
            return V(
                r,
                "tuple",
                True,
                items=[
                    V(f"{r}.middle", "num", True),
                    V(f"{r}.upper", "num", True),
                    V(f"{r}.lower", "num", True),
                ],
            )
        if fn == "kc":
            raise self.fail(node, "ta.kc", "Keltner channels are not mapped yet")
        if fn == "stoch":
            s = src()
            h = self.source(self.expr(arg("high")), arg("high"))
            lo = self.source(self.expr(arg("low")), arg("low"))
            n = ln()
            return out(f"{self.kit_fn('stochastic')}({h}, {lo}, {s}, {n}, 1, 1).k", "stoch")
        if fn == "wpr":
            return out(f"{self.kit_fn('williams_r')}({hlc}, {ln()})", "wpr")
        if fn == "mfi":
            a = arg("series")
            v = self.expr(a)
            if v.src != "hlc3":
                raise self.fail(a, "ta.mfi", "the library's MFI reads hlc3: pass hlc3")
            return out(f"{self.kit_fn('mfi')}({hlc}, {b}.volume, {ln()})", "mfi")
        if fn == "dmi":
            n, sm = ln("diLength"), ln("adxSmoothing")
            r = self.local(f"{self.kit_fn('adx')}({hlc}, {n}, {sm})", "dmi")
            return V(
                r,
                "tuple",
                True,
                items=[
                    V(f"{r}.plus_di", "num", True),
                    V(f"{r}.minus_di", "num", True),
                    V(f"{r}.adx", "num", True),
                ],
            )
        if fn == "supertrend":
            k, n = num("factor"), ln("atrPeriod")
            r = self.local(f"{self.kit_fn('supertrend')}({hlc}, {n}, {k})", "supertrend")
            # Pine's direction is -1 in an uptrend, the library's +1
            return V(
                r,
                "tuple",
                True,
                items=[V(f"{r}.line", "num", True), V(f"(-{r}.direction)", "num", True)],
            )
        if fn == "valuewhen":
            cond = self.as_bool(self.expr(arg("condition")))
            s = self.source(self.expr(arg("source")), arg("source"))
            occ = self.expr(arg("occurrence"))
            if occ.const != 0:
                raise self.fail(node, "ta.valuewhen", "only occurrence 0 is supported")
            self.uses_np = True
            return out(
                f"{self.kit_fn('value_when')}(np.broadcast_to({s}, shape), np.broadcast_to({cond.code}, shape))",
                "value_when",
            )
        if fn == "barssince":
            cond = self.as_bool(self.expr(arg("condition")))
            self.uses_np = True
            idx = self.local(
                "np.broadcast_to(np.arange(shape[0], dtype=float)[:, None], shape)", "bar_number"
            )
            return out(
                f"({idx} - {self.kit_fn('value_when')}({idx}, np.broadcast_to({cond.code}, shape)))",
                "bars_since",
            )
        if fn in ("pivothigh", "pivotlow"):
            left_node = args.get("leftbars")
            if "_2" in args or len(node.args) == 3:
                s = self.source(self.expr(node.args[0].value), node.args[0].value)
                lft = self.length(node.args[1].value, f"ta.{fn} leftbars")
                rgt = self.length(node.args[2].value, f"ta.{fn} rightbars")
            else:
                s = f"{b}.high" if fn == "pivothigh" else f"{b}.low"
                lft = self.length(
                    node.args[0].value if left_node is None else left_node, f"ta.{fn} leftbars"
                )
                rgt = self.length(node.args[1].value, f"ta.{fn} rightbars")
            f = "pivot_high" if fn == "pivothigh" else "pivot_low"
            return out(f"{self.kit_fn(f)}({s}, {lft}, {rgt})", f)
        raise self.fail(node, f"ta.{fn}", "not mapped")

    def security(self, node: Any) -> V:
        args = self.call_args(
            node,
            ["symbol", "timeframe", "expression", "gaps", "lookahead"],
            v4_alias={"resolution": "timeframe"},
        )
        sym = _dotted(args.get("symbol"))
        if sym not in ("syminfo.tickerid", "syminfo.ticker", "tickerid"):
            raise self.fail(
                node, "request.security", "only the chart's own symbol (syminfo.tickerid)"
            )
        look = args.get("lookahead")
        if look is not None and _dotted(look) == "barmerge.lookahead_on":
            raise self.fail(
                look,
                "barmerge.lookahead_on",
                "unsupported because it peeks: it shows the higher bar's final value before the "
                "period has closed",
            )
        if "gaps" in args and _dotted(args["gaps"]) == "barmerge.gaps_on":
            raise self.fail(
                args["gaps"], "barmerge.gaps_on", "only gaps_off (held values) is supported"
            )
        tf = args.get("timeframe")
        if not (isinstance(tf, A.Constant) and isinstance(tf.value, str)):
            raise self.fail(node, "request.security", "the timeframe must be a string literal")
        if tf.value in ("D", "1D"):
            return self.expr(args["expression"])
        rule = _TF.get(tf.value)
        if rule is None:
            raise self.fail(
                tf,
                "request.security",
                f"timeframe {tf.value!r}: daily bars resample to W, M or 3M only",
            )
        if self.in_security:
            raise self.fail(node, "request.security", "nested request.security")
        self.tf_imports = True
        hb = self.security_frames.get(rule)
        if hb is None:
            hb = self.fresh({"W": "weeks", "M": "months", "Q": "quarters"}[rule])
            self.lines.append(f'{hb} = resample(bars, "{rule}", interval="1d")')
            self.security_frames[rule] = hb
        self.in_security, old = True, self.bars
        self.bars = hb
        try:
            v = self.expr(args["expression"])
        finally:
            self.in_security, self.bars = False, old
        if v.kind == "tuple":
            raise self.fail(node, "request.security", "a tuple expression is not supported")
        if not v.series:
            return v
        if v.kind == "bool":
            return V(
                self.local(f"(align({self.as_float(v)}, {hb}) == 1.0)", f"{hb}_cond"), "bool", True
            )
        return V(self.local(f"align({v.code}, {hb})", f"{hb}_value"), "num", True)

    # ---- output --------------------------------------------------------------------------
    def render(self, name: str, category: str) -> tuple[str, str]:
        sig: dict[str, str] = {}
        for k, masks in self.signals.items():
            if masks:
                sig[k] = " | ".join(f"({m})" for m in masks) if len(masks) > 1 else masks[0]
        if not sig.get("long_entry") and not sig.get("short_entry"):
            raise PineError(
                [PineProblem(1, 1, "strategy.entry", "the script never enters a position")]
            )
        direction = (
            "long_short"
            if "long_entry" in sig and "short_entry" in sig
            else "long_only"
            if "long_entry" in sig
            else "short_only"
        )
        body = ["shape = bars.close.shape", *self.lines]
        kwargs = []
        self.uses_np = True
        for k, code in sig.items():
            var = self.fresh(k)
            self.signal_vars[k] = var
            body.append(f"{var} = np.broadcast_to({code}, shape).copy()")
            kwargs.append(f"{k}={var}")
        for fld in ("stop_loss", "take_profit", "trail"):
            long_l, short_l = self.levels["long"].get(fld), self.levels["short"].get(fld)
            have = [x for x in (long_l, short_l) if x is not None]
            if not have:
                continue
            if len({x[1] for x in have}) > 1:
                raise PineError(
                    [
                        PineProblem(
                            have[1][2],
                            1,
                            "strategy.exit",
                            f"{fld}: one side in ticks/price units, the other as a fraction",
                        )
                    ]
                )
            absolute = have[0][1]
            if long_l and short_l and long_l[0] != short_l[0]:
                code = f"np.where({self.signal_vars['long_entry']}, {long_l[0]}, {short_l[0]})"
            elif long_l and short_l:
                code = long_l[0]
            elif long_l:
                code = (
                    f"np.where({self.signal_vars['long_entry']}, {long_l[0]}, np.nan)"
                    if "short_entry" in sig
                    else long_l[0]
                )
            else:
                assert short_l is not None
                code = (
                    f"np.where({self.signal_vars['short_entry']}, {short_l[0]}, np.nan)"
                    if "long_entry" in sig
                    else short_l[0]
                )
            var = self.fresh(fld)
            body.append(f"{var} = np.broadcast_to(np.asarray({code}, dtype=float), shape)")
            kwargs.append(f"{fld}={var}")
            if absolute:
                kwargs.append(f"{fld}_abs=True")
        series = ", ".join(f'"{v}": np.broadcast_to({v}, shape)' for v, _ in self.plots)
        kwargs.append("series={" + series + "}")
        body += ["return Signals("] + [f"    {k}," for k in kwargs] + [")"]

        param_lines = []
        for p in self.params.values():
            if p.kind == "int":
                self.imports.add("Int")
                w = ", window=True" if p.window else ""
                param_lines.append(
                    f"{p.name} = Int({p.default}, {p.minimum}, {p.maximum}, {_q(p.description)}{w})"
                )
            elif p.kind == "float":
                self.imports.add("Float")
                param_lines.append(
                    f"{p.name} = Float({p.default!r}, {p.minimum!r}, {p.maximum!r}, {_q(p.description)})"
                )
            elif p.kind == "bool":
                self.imports.add("Bool")
                param_lines.append(f"{p.name} = Bool({p.default!r}, {_q(p.description)})")
            else:
                self.imports.add("Choice")
                param_lines.append(
                    f"{p.name} = Choice({_q(p.default)}, {tuple(p.choices)!r}, {_q(p.description)})"
                )
        display = []
        for var, label in self.plots:
            kind = "Overlay" if self.overlay else "Pane"
            self.imports.add(kind)
            display.append(f"{kind}({_q(var)}, {_q(label)}),")
        display_block = (
            "display = (\n" + "".join(f"        {d}\n" for d in display) + "    )"
            if display
            else "display = ()"
        )
        windows = [w for w in self.windows]
        warm = ""
        if windows:
            items = ", ".join(windows)
            warm = (
                "\n    def warmup(self) -> int:\n"
                '        """The longest look-back in the script, plus one bar."""\n'
                + (
                    f"        return {items} + 1\n"
                    if len(windows) == 1
                    else f"        return max({items}) + 1\n"
                )
            )
        sizing = ""
        if self.default_sizing is not None:
            sizing = (
                "\n    def default_sizing(self) -> dict[str, object]:\n"
                '        """strategy(default_qty_type=strategy.percent_of_equity): a fraction of equity."""\n'
                f'        return {{"mode": "fraction", "value": {self.default_sizing}}}\n'
            )
        title = self.title or name
        desc = f"Transpiled from the Pine Script strategy {title!r}"
        header = [
            f'"""{name}: transpiled by the Ava strategy builder from Pine Script v{self.version or "?"}'
            f" ({_doc(title)}).",
            "",
            "Edit freely: this file is an ordinary kit strategy (docs/strategies/ADDING_STRATEGIES.md).",
            '"""',
            "",
        ]
        if self.uses_np:
            header.append("import numpy as np")
            header.append("")
        header.append(
            f"from ava_backtest.strategies import {', '.join(sorted(self.imports, key=str.lower))}"
        )
        if self.tf_imports:
            header.append("from ava_backtest.strategies.timeframes import align, resample")
        cls = "".join(p.capitalize() for p in name.split("_") if p) or "Built"
        text = (
            "\n".join(header)
            + "\n\n\n"
            + f"class {cls}(Strategy):\n"
            + f'    """Pine strategy {_doc(title)}."""\n\n'
            + f"    name = {_q(name)}\n"
            + f"    category = {_q(category)}\n"
            + f"    description = {_q(desc)}\n"
            + f"    direction = {_q(direction)}\n"
            + '    tags = ("builder", "pine")\n'
            + "".join(f"    {line}\n" for line in param_lines)
            + f"    {display_block}\n"
            + warm
            + sizing
            + "\n    def signals(self, bars: Bars) -> Signals:\n"
            + "".join(f"        {line}\n" for line in body)
        )
        return text, direction


_ARITH = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}


def _doc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"""', "'''")


# name -> (positional argument names,)
_TA: dict[str, tuple[list[str]]] = {
    "sma": (["source", "length"],),
    "ema": (["source", "length"],),
    "rma": (["source", "length"],),
    "wma": (["source", "length"],),
    "hma": (["source", "length"],),
    "vwma": (["source", "length"],),
    "rsi": (["source", "length"],),
    "mom": (["source", "length"],),
    "roc": (["source", "length"],),
    "stdev": (["source", "length", "biased"],),
    "highest": (["source", "length"],),
    "lowest": (["source", "length"],),
    "linreg": (["source", "length", "offset"],),
    "percentrank": (["source", "length"],),
    "sum": (["source", "length"],),
    "cum": (["source"],),
    "change": (["source", "length"],),
    "rising": (["source", "length"],),
    "falling": (["source", "length"],),
    "cci": (["source", "length"],),
    "crossover": (["source1", "source2"],),
    "crossunder": (["source1", "source2"],),
    "cross": (["source1", "source2"],),
    "atr": (["length"],),
    "tr": (["handle_na"],),
    "macd": (["source", "fastlen", "slowlen", "siglen"],),
    "bb": (["source", "length", "mult"],),
    "kc": (["source", "length", "mult"],),
    "stoch": (["source", "high", "low", "length"],),
    "wpr": (["length"],),
    "mfi": (["series", "length"],),
    "dmi": (["diLength", "adxSmoothing"],),
    "supertrend": (["factor", "atrPeriod"],),
    "valuewhen": (["condition", "source", "occurrence"],),
    "barssince": (["condition"],),
    "pivothigh": (["leftbars", "rightbars", "_2"],),
    "pivotlow": (["leftbars", "rightbars", "_2"],),
}


def transpile(source: str, name: str, category: str = "custom") -> PineResult:
    """Pine Script source -> a kit strategy file; ``PineError`` lists what cannot be transpiled."""
    if not NAME.match(name):
        raise ConfigError(
            f"{name!r} is not a strategy name: lower-case letters, digits and '_', starting with "
            "a letter, 2-63 characters",
            field="name",
        )
    if len(source) > MAX_SOURCE:
        raise ConfigError(f"the script is longer than {MAX_SOURCE} characters", field="pine")
    version = pine_version(source)
    if version not in (4, 5):
        where = "no //@version line" if version == 0 else f"//@version={version}"
        raise PineError([PineProblem(1, 1, "//@version", f"{where}: Pine v4 and v5 are supported")])
    try:
        tree = pine_parse(source if source.endswith("\n") else source + "\n")
    except PineSyntaxError as e:
        d = e.details
        raise PineError(
            [
                PineProblem(
                    int(d.lineno or 1),
                    int(d.offset or 0) + 1,
                    "syntax",
                    str(e.message if hasattr(e, "message") else e),
                )
            ]
        ) from None
    t = _Transpiler(source, tree, version)
    t.run()
    if not any(
        isinstance(s, A.Expr)
        and isinstance(s.value, A.Call)
        and _dotted(s.value.func) == "strategy"
        for s in tree.body
    ):
        t.problems.insert(
            0, PineProblem(1, 1, "strategy()", "the script does not declare strategy(...)")
        )
    for st in t.var_states.values():
        if st.assigns_left > 0 and not any(p.construct == "var state" for p in t.problems):
            t.problems.append(
                PineProblem(
                    1, 1, "var state", f"'{st.pine}' has assignments that were not transpiled"
                )
            )
    if t.problems:
        raise PineError(sorted(t.problems, key=lambda p: (p.line, p.column)))
    code, direction = t.render(name, category)
    return PineResult(
        name=name,
        category=category,
        title=t.title,
        pine_version=version,
        direction=direction,
        code=code,
        parameters=list(t.params.values()),
        notes=t.notes,
    )
