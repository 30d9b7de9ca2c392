"""The rule form -> the source of a kit ``Strategy`` (one readable file that imports only from
``ava_backtest.strategies``).

The generated ``signals`` is vectorised: each indicator is computed once with the indicator
library, crosses use ``crossed_above``/``crossed_below`` with ``from_touch=True`` (left at or
below right on the previous bar, above it now: the convention of the built-in ``ema_crossover``),
"for N bars" and "within N bars" are rolling sums of the condition, and every signal waits for the
warm-up (``bars.ready(self.warmup())``: the longest look-back plus one bar), as the built-in
crossovers do. Stops, targets and trails are ``Signals`` fields (ATR multiples as absolute price
distances), the time stop is ``Signals.max_hold`` and sizing is ``default_sizing``.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from typing import Any

import ava_backtest.strategies as kit
from ava_backtest.builder.rules import (
    INDICATORS,
    AllOf,
    AnyOf,
    Compare,
    Cross,
    Distance,
    Held,
    Indicator,
    Num,
    Price,
    Rule,
    Within,
)

NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")

_HLC = "bars.high, bars.low, bars.close"
_TAKEN = frozenset(kit.__all__) | {"bars", "ready", "self"}
"""Local names that would shadow the kit's functions (``lowest = lowest(...)`` breaks)."""


def class_name(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_") if p) or "Built"


class _Writer:
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.lines: list[str] = []
        self.vars: dict[str, str] = {}  # expression code -> local name
        self.imports: set[str] = {"Bars", "Signals", "Strategy"}
        self.display: list[tuple[str, str, str]] = []  # (var, label, overlay|pane)

    def p(self, num: Num) -> str:
        return f"self.{num.param}"

    def _call(self, ind: Indicator) -> str:
        a = [self.p(n) for n in ind.args]
        src = f"bars.{ind.source}"
        name = ind.name
        self.imports.add(name)
        if name in ("sma", "ema", "wma", "hma", "dema", "tema", "rsi", "roc", "momentum"):
            return f"{name}({src}, {a[0]})"
        if name in ("atr", "cci", "williams_r"):
            return f"{name}({_HLC}, {a[0]})"
        if name == "mfi":
            return f"mfi({_HLC}, bars.volume, {a[0]})"
        if name == "adx":
            return f"adx({_HLC}, {a[0]})"
        if name == "macd":
            return f"macd({src}, {a[0]}, {a[1]}, {a[2]})"
        if name == "bollinger":
            return f"bollinger({src}, {a[0]}, {a[1]})"
        if name == "stochastic":
            return f"stochastic({_HLC}, {a[0]}, {a[1]}, {a[2]})"
        if name == "donchian":
            return f"donchian(bars.high, bars.low, {a[0]})"
        if name in ("highest", "lowest"):
            return f"{name}({src}, {a[0]})"
        raise ValueError(f"no compiler rule for indicator {name!r}")

    def _local(self, code: str, base: str) -> str:
        if code in self.vars:
            return self.vars[code]
        name, i = base, 2
        while name in self.vars.values() or name in _TAKEN or keyword.iskeyword(name):
            name, i = f"{base}_{i}", i + 1
        self.vars[code] = name
        self.lines.append(f"{name} = {code}")
        return name

    def expr(self, e: Any) -> str:
        if isinstance(e, Price):
            return f"bars.{e.field}"
        if isinstance(e, Num):
            return self.p(e)
        assert isinstance(e, Indicator)
        spec = INDICATORS[e.name]
        outputs: tuple[str, ...] = spec["outputs"]  # type: ignore[assignment]
        call = self._call(e)
        if len(outputs) > 1:
            output = e.output or outputs[0]
            call = f"{call}.{output}"
        else:
            output = ""
        if e.name in ("donchian", "highest", "lowest"):
            # The channel of the bars before this one: a breakout compares today with it.
            self.imports.add("previous")
            call = f"previous({call}, 1)"
        if e.name in ("highest", "lowest"):
            base = "prior_high" if e.name == "highest" else "prior_low"
        elif len(outputs) > 1:
            base = f"{e.name}_{'line' if output == e.name else output}"
        else:
            base = e.args[0].param.removesuffix("_period")
            base = f"{base}_line" if base in _TAKEN else base
        if e.source != "close" and e.name not in ("highest", "lowest"):
            base = f"{base}_{e.source}"
        known = call in self.vars
        var = self._local(call, base)
        if not known:
            label = self._label(e, output)
            draw = str(spec["draw"])
            self.display.append((var, label, draw if draw == "overlay" else f"pane:{e.name}"))
        return var

    def _label(self, e: Indicator, output: str) -> str:
        from ava_backtest.builder.grammar import _LABEL

        args = ", ".join("{" + n.param + "}" for n in e.args)
        text = f"{_LABEL[e.name]} {args}"
        if output and output != e.name:
            text += f" {output}"
        if e.source != "close" and e.name not in ("highest", "lowest"):
            text += f" of {e.source}"
        return text

    def cond(self, c: Any) -> str:
        if isinstance(c, Compare):
            return f"({self.expr(c.left)} {c.op} {self.expr(c.right)})"
        if isinstance(c, Cross):
            fn = "crossed_above" if c.direction == "above" else "crossed_below"
            self.imports.add(fn)
            return f"{fn}({self.expr(c.left)}, {self.expr(c.right)}, from_touch=True)"
        if isinstance(c, Held):
            self.imports.add("rolling_sum")
            inner = self.cond(c.condition)
            n = self.p(c.bars)
            return f"(rolling_sum({inner}.astype(float), {n}) >= {n})"
        if isinstance(c, Within):
            self.imports.add("rolling_sum")
            inner = self.cond(c.condition)
            return f"(rolling_sum({inner}.astype(float), {self.p(c.bars)}) > 0)"
        if isinstance(c, AllOf):
            return "(" + " & ".join(self.cond(x) for x in c.conditions) + ")"
        if isinstance(c, AnyOf):
            return "(" + " | ".join(self.cond(x) for x in c.conditions) + ")"
        raise ValueError(f"no compiler rule for condition {type(c).__name__}")

    def distance(self, d: Distance) -> tuple[str, bool]:
        if d.unit == "fraction":
            return self.p(d.value), False
        assert d.atr_period is not None
        self.imports.add("atr")
        code = f"atr({_HLC}, {self.p(d.atr_period)})"
        var = self._local(code, d.atr_period.param.removesuffix("_period"))
        return f"{self.p(d.value)} * {var}", True


def _lit(v: float, integer: bool) -> str:
    return str(int(v)) if integer else repr(float(v))


def compile_rule(rule: Rule, name: str, category: str = "custom") -> str:
    """The Python source of the strategy, registered under ``name`` when imported."""
    if not NAME.match(name):
        raise ValueError(f"name {name!r}: lower-case letters, digits and '_', 2-63 characters")
    w = _Writer(rule)
    out: dict[str, str] = {}
    for side in ("long_entry", "long_exit", "short_entry", "short_exit"):
        cond = getattr(rule, side)
        if cond is not None:
            out[side] = w.cond(cond)
    kwargs = [f"{side}={code} & ready" for side, code in out.items()]
    for field in ("stop_loss", "take_profit", "trail"):
        d = getattr(rule.exits, field)
        if d is not None:
            code, absolute = w.distance(d)
            kwargs.append(f"{field}={code}")
            if absolute:
                kwargs.append(f"{field}_abs=True")
    if rule.exits.max_hold is not None:
        kwargs.append(f"max_hold=self.{rule.exits.max_hold.param}")
    kwargs.append("series={" + ", ".join(f'"{v}": {v}' for v, _, _ in w.display) + "}")

    imports = set(w.imports)
    param_lines = []
    for p in rule.parameters:
        kind = "Int" if p.kind == "int" else "Float"
        imports.add(kind)
        integer = p.kind == "int"
        extra = f", below={_q(p.below)}" if p.below else ""
        extra += ", window=True" if p.window else ""
        param_lines.append(
            f"{p.name} = {kind}({_lit(p.default, integer)}, {_lit(p.minimum, integer)}, "
            f"{_lit(p.maximum, integer)}, {_q(p.description)}{extra})"
        )
    display = []
    for var, label, draw in w.display:
        if draw == "overlay":
            imports.add("Overlay")
            display.append(f"Overlay({_q(var)}, {_q(label)}),")
        else:
            imports.add("Pane")
            display.append(f"Pane({_q(var)}, {_q(label)}, pane={_q(draw[5:])}),")
    body = [*w.lines, "ready = bars.ready(self.warmup())", "return Signals("]
    body += [f"    {k}," for k in kwargs]
    body.append(")")

    methods = ""
    if rule.size is not None:
        methods = textwrap.dedent(
            f'''

            def default_sizing(self) -> dict[str, object]:
                """Runs left at the default sizing use {rule.size.mode!r} sizing at this fraction."""
                return {{"mode": {_q(rule.size.mode)}, "value": self.{rule.size.value.param}}}
            '''
        ).strip("\n")
        methods = "\n" + textwrap.indent(methods, "    ") + "\n"

    text = rule.text.strip()
    doc_rules = textwrap.indent(textwrap.fill(_doc_escape(text), 92), "    ")
    description = text if len(text) <= 300 else text[:297] + "..."
    cls = class_name(name)
    display_block = (
        "display = (\n" + "".join(f"        {d}\n" for d in display) + "    )"
        if display
        else "display = ()"
    )
    return (
        f'"""{name}: written by the Ava strategy builder from the rules\n\n{doc_rules}\n\n'
        "Edit freely: this file is an ordinary kit strategy (docs/strategies/ADDING_STRATEGIES.md).\n"
        '"""\n\n'
        f"from ava_backtest.strategies import {', '.join(sorted(imports, key=str.lower))}\n\n\n"
        f"class {cls}(Strategy):\n"
        f'    """Built from: {_doc_escape(description)}"""\n\n'
        f"    name = {_q(name)}\n"
        f"    category = {_q(category)}\n"
        f"    description = {_q(description)}\n"
        f"    direction = {_q(rule.direction)}\n"
        '    tags = ("builder",)\n'
        + "".join(f"    {line}\n" for line in param_lines)
        + f"    {display_block}\n\n"
        "    def signals(self, bars: Bars) -> Signals:\n"
        + "".join(f"        {line}\n" for line in body)
        + methods
    )


def _q(s: str) -> str:
    """A double-quoted Python string literal (JSON's escapes are Python's)."""
    return json.dumps(s)


def _doc_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"""', "'''")
