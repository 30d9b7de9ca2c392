"""The intermediate rule form: what the plain-English grammar produces and the compiler reads.

Every front end of the builder (the grammar here; Pine Script, OCR and an LLM later) targets
these pydantic models, so the compiler, the checks and the interfaces are shared. The form is
plain data (JSON in the API): expressions (price fields, indicator references, numbers),
conditions over them (comparisons, crosses, "for N bars", "within N bars", and/or), the four
signal rules, exits (stop, target, trailing stop in % or ATR multiples, a time stop) and sizing.

Every number read from the text is a ``Num`` that becomes a strategy parameter: its default is the
number, its bounds are set around it (``parameter_for``), and ``param`` is the parameter's name.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PriceField = Literal["open", "high", "low", "close", "volume"]
Role = Literal["period", "bars", "level", "fraction", "multiple"]

INDICATORS: dict[str, dict[str, object]] = {
    # name: argument roles with their library defaults, outputs (first = the default one), where it
    # is drawn ("overlay": price units; "pane": its own scale), and the level range if bounded.
    "sma": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
    "ema": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
    "wma": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
    "hma": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
    "dema": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
    "tema": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
    "rsi": {"args": (("period", 14),), "outputs": ("value",), "draw": "pane", "range": (0, 100)},
    "roc": {"args": (("period", 10),), "outputs": ("value",), "draw": "pane"},
    "momentum": {"args": (("period", 10),), "outputs": ("value",), "draw": "pane"},
    "cci": {"args": (("period", 20),), "outputs": ("value",), "draw": "pane", "range": (-500, 500)},
    "williams_r": {
        "args": (("period", 14),),
        "outputs": ("value",),
        "draw": "pane",
        "range": (-100, 0),
    },
    "mfi": {"args": (("period", 14),), "outputs": ("value",), "draw": "pane", "range": (0, 100)},
    "atr": {"args": (("period", 14),), "outputs": ("value",), "draw": "pane"},
    "adx": {
        "args": (("period", 14),),
        "outputs": ("adx", "plus_di", "minus_di"),
        "draw": "pane",
        "range": (0, 100),
    },
    "macd": {
        "args": (("fast", 12), ("slow", 26), ("signal", 9)),
        "outputs": ("macd", "signal", "hist"),
        "draw": "pane",
    },
    "bollinger": {
        "args": (("period", 20), ("mult", 2.0)),
        "outputs": ("middle", "upper", "lower"),
        "draw": "overlay",
    },
    "stochastic": {
        "args": (("k_period", 14), ("k_smooth", 3), ("d_period", 3)),
        "outputs": ("k", "d"),
        "draw": "pane",
        "range": (0, 100),
    },
    "donchian": {
        "args": (("period", 20),),
        "outputs": ("upper", "lower", "middle"),
        "draw": "overlay",
    },
    "highest": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
    "lowest": {"args": (("period", 20),), "outputs": ("value",), "draw": "overlay"},
}
"""``highest``/``lowest``/``donchian`` are the channel of the *previous* N bars (a breakout compares
today with the channel before today; the channel including today always contains today)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Num(_Model):
    """A number from the text; the compiled strategy reads it as the parameter ``param``."""

    type: Literal["num"] = "num"
    value: float
    role: Role
    hint: str = Field(description="base of the parameter name, e.g. 'ema_period'")
    param: str = Field("", description="the parameter's name, set once the rule is read")
    text: str = Field("", description="the phrase the number came from")
    integer: bool = False


class Price(_Model):
    type: Literal["price"] = "price"
    field: PriceField


class Indicator(_Model):
    type: Literal["indicator"] = "indicator"
    name: str
    source: PriceField = "close"
    args: list[Num]
    output: str = Field("", description="which output of a several-line indicator; '' = main")


Expr = Annotated[Price | Indicator | Num, Field(discriminator="type")]


class Compare(_Model):
    type: Literal["compare"] = "compare"
    left: Expr
    op: Literal[">", "<", ">=", "<="]
    right: Expr


class Cross(_Model):
    """left crosses right: at bar t left was at or below right at t-1 and is above it at t (for
    ``above``; ``below`` mirrors it) — the convention of ``ema_crossover``."""

    type: Literal["cross"] = "cross"
    left: Expr
    direction: Literal["above", "below"]
    right: Expr


class Held(_Model):
    """The condition is true on each of the last ``bars`` bars (this one included)."""

    type: Literal["held"] = "held"
    condition: Condition
    bars: Num


class Within(_Model):
    """The condition was true on at least one of the last ``bars`` bars (this one included)."""

    type: Literal["within"] = "within"
    condition: Condition
    bars: Num


class AllOf(_Model):
    type: Literal["all"] = "all"
    conditions: list[Condition]


class AnyOf(_Model):
    type: Literal["any"] = "any"
    conditions: list[Condition]


Condition = Annotated[Compare | Cross | Held | Within | AllOf | AnyOf, Field(discriminator="type")]


class Distance(_Model):
    """A stop, target or trail distance from the fill price: a fraction (0.05 = 5%) or a multiple
    of the ATR at the signal bar."""

    unit: Literal["fraction", "atr"]
    value: Num
    atr_period: Num | None = None


class Exits(_Model):
    stop_loss: Distance | None = None
    take_profit: Distance | None = None
    trail: Distance | None = None
    max_hold: Num | None = Field(None, description="close after this many bars (fill bar = 1)")


class Size(_Model):
    """``risk``: risk this fraction of equity over the stop distance; ``fraction``: put this
    fraction of equity into each entry (the run's Sizing modes of the same names)."""

    mode: Literal["risk", "fraction"]
    value: Num


class Parameter(_Model):
    name: str
    kind: Literal["int", "float"]
    default: float
    minimum: float
    maximum: float
    description: str
    below: str | None = None
    window: bool = False


class Rule(_Model):
    """One strategy: its four signal rules, exits, sizing, and the parameters its numbers became."""

    text: str = ""
    long_entry: Condition | None = None
    long_exit: Condition | None = None
    short_entry: Condition | None = None
    short_exit: Condition | None = None
    exits: Exits = Field(default_factory=Exits)
    size: Size | None = None
    parameters: list[Parameter] = Field(default_factory=list)

    @property
    def direction(self) -> str:
        if self.long_entry is not None and self.short_entry is not None:
            return "long_short"
        return "short_only" if self.short_entry is not None else "long_only"


for _m in (Held, Within, AllOf, AnyOf, Rule):
    _m.model_rebuild()


def parameter_for(num: Num, indicator: str | None = None) -> Parameter:
    """The parameter a number becomes: its default, and bounds around it.

    Look-back lengths: Int(n, 2, 10n) (a bar count: Int(n, 1, 10n)); levels of a bounded
    oscillator: its range; other levels, fractions and multiples: a tenth to ten times the value
    (fractions of equity or of the price capped at 1)."""
    v = num.value
    if num.role in ("period", "bars"):
        n = int(v)
        lo = 1 if num.role == "bars" or n < 2 else 2
        return Parameter(
            name=num.param,
            kind="int",
            default=n,
            minimum=lo,
            maximum=max(10 * n, 10),
            description=num.text,
            window=num.role == "period",
        )
    if num.role == "level" and indicator and "range" in INDICATORS.get(indicator, {}):
        lo, hi = INDICATORS[indicator]["range"]  # type: ignore[misc]
        return Parameter(
            name=num.param, kind="float", default=v, minimum=lo, maximum=hi, description=num.text
        )
    if v == 0:
        lo, hi = -100.0, 100.0
    elif v > 0:
        lo, hi = v / 10, v * 10
    else:
        lo, hi = v * 10, v / 10
    if num.role == "fraction" and num.hint in (
        "stop_loss",
        "trail",
        "risk_per_trade",
        "equity_fraction",
    ):
        hi = min(hi, 1.0)
    return Parameter(
        name=num.param,
        kind="float",
        default=v,
        minimum=round(lo, 10),
        maximum=round(hi, 10),
        description=num.text,
    )


def _fmt(v: float) -> str:
    return f"{v:g}"


def explain_expr(e: Price | Indicator | Num) -> str:
    if isinstance(e, Price):
        return e.field
    if isinstance(e, Num):
        return f"{e.param}={_fmt(e.value)}"
    args = ", ".join(f"{n.param}={_fmt(n.value)}" for n in e.args)
    text = f"{e.name}({args})"
    if e.output:
        text += f".{e.output}"
    if e.source != "close" and e.name not in ("highest", "lowest"):
        text += f" of {e.source}"
    if e.name in ("highest", "lowest", "donchian"):
        text += " [previous bar]"
    return text


def explain_condition(c: Condition) -> str:
    if isinstance(c, Compare):
        return f"{explain_expr(c.left)} {c.op} {explain_expr(c.right)}"
    if isinstance(c, Cross):
        return f"{explain_expr(c.left)} crosses {c.direction} {explain_expr(c.right)}"
    if isinstance(c, Held):
        return f"({explain_condition(c.condition)}) on each of the last {c.bars.param}={_fmt(c.bars.value)} bars"
    if isinstance(c, Within):
        return f"({explain_condition(c.condition)}) within the last {c.bars.param}={_fmt(c.bars.value)} bars"
    joiner = " and " if isinstance(c, AllOf) else " or "
    return "(" + joiner.join(explain_condition(x) for x in c.conditions) + ")"


def explain(rule: Rule) -> list[str]:
    """The rule form in one line per rule, numbers shown as parameter=default."""
    lines = []
    for side in ("long_entry", "long_exit", "short_entry", "short_exit"):
        cond = getattr(rule, side)
        if cond is not None:
            lines.append(f"{side.replace('_', ' ')}: {explain_condition(cond)}")
    for field in ("stop_loss", "take_profit", "trail"):
        d = getattr(rule.exits, field)
        if d is None:
            continue
        if d.unit == "fraction":
            text = f"{d.value.param}={_fmt(d.value.value)} of the fill price"
        else:
            assert d.atr_period is not None
            text = (
                f"{d.value.param}={_fmt(d.value.value)} x atr({d.atr_period.param}="
                f"{_fmt(d.atr_period.value)}) from the fill price"
            )
        lines.append(f"{field.replace('_', ' ')}: {text}")
    if rule.exits.max_hold is not None:
        m = rule.exits.max_hold
        lines.append(f"time stop: after {m.param}={_fmt(m.value)} bars")
    if rule.size is not None:
        what = "risk per trade" if rule.size.mode == "risk" else "fraction of equity per entry"
        lines.append(f"size: {what} {rule.size.value.param}={_fmt(rule.size.value.value)}")
    return lines
