"""Plain English -> the rule form, with lark (an Earley parser over grammar.lark).

``read_rules(text)`` returns a ``Rule`` whose numbers are named parameters with defaults and
bounds, or raises ``RuleError`` naming the phrase it could not read and what it expected there.
It never guesses: a word outside the grammar, a number in the wrong place, an indicator given
the wrong number of arguments, or a back-reference ("sell on cross-under") with nothing to refer
to are all errors.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, VisitError

from ava_backtest.builder.rules import (
    INDICATORS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Cross,
    Distance,
    Exits,
    Held,
    Indicator,
    Num,
    Parameter,
    Price,
    Rule,
    Size,
    Within,
    parameter_for,
)
from ava_backtest.domain.errors import ConfigError

MAX_CHARS = 1000
"""Longest text read (a rule set is a few hundred characters; parsing time grows with length)."""
_WORD = re.compile(r'"([a-z][a-z\-]*)"i')
_END = r"(?![a-z0-9_])"


class RuleError(ConfigError):
    """The text could not be read as rules: ``details`` holds the phrase, its column (1-based)
    and what the grammar expected there."""

    code = "unreadable_rule"

    def __init__(self, message: str, *, phrase: str, column: int, expected: list[str]) -> None:
        super().__init__(
            message,
            field="input",
            details={"phrase": phrase, "column": column, "expected": expected},
        )
        self.phrase = phrase
        self.column = column
        self.expected = expected


@cache
def _parser(lexer: str = "dynamic") -> Lark:
    """The Earley parser. ``basic`` (a separate lexer) reads a typical rule set in milliseconds;
    ``dynamic`` (the lexer guided by the parser) is slower on long text but accepts whatever the
    grammar does and knows, at an error, what the parser expected there: it is the reference, asked
    whenever the fast one fails."""
    source = (Path(__file__).with_name("grammar.lark")).read_text()
    # Whole words only: "ma" must not match the start of "macd", nor "an" the start of "and".
    source = _WORD.sub(lambda m: f"/{m.group(1)}{_END}/i", source)
    return Lark(
        source,
        parser="earley",
        lexer=lexer,
        ambiguity="resolve",
        propagate_positions=True,
    )


# ---------------------------------------------------------------- error messages

_IND_WORDS = {"sma", "ema", "rsi", "macd", "atr", "adx", "bollinger", "stochastic", "cci", "roc"}
_PRICE_WORDS = {"close", "open", "high", "low", "volume", "price"}


def _describe_expected(parser: Lark, names: set[str]) -> list[str]:
    words: set[str] = set()
    for name in names:
        try:
            term = parser.get_terminal(name)
        except KeyError:
            words.add(name.lower())
            continue
        value = term.pattern.value
        if term.pattern.type == "re":
            value = value.replace(_END, "")
            if name in ("NUMBER", "INT", "SIGNED_NUMBER") or value.startswith("(?:"):
                value = "a number"
            elif value.startswith("\\."):
                value = "."
        words.add(value)
    out: list[str] = []
    if words & _IND_WORDS:
        out.append("an indicator (e.g. 'EMA(20)', 'the 50-day SMA', 'RSI(14)')")
        words -= {w for w in words if w in _IND_WORDS or w in _ALL_IND_WORDS}
    if words & _PRICE_WORDS:
        out.append("a price (close, open, high, low, volume)")
        words -= _PRICE_WORDS | {"closing", "opening", "last"}
    if "a number" in words:
        out.append("a number")
        words.discard("a number")
    quoted = sorted(f"'{w}'" for w in words if w not in ("the", "a", "an", "(", ")", "d", "-"))
    return out + quoted[:24]


_ALL_IND_WORDS = {
    "simple", "moving", "ma", "exponential", "wma", "weighted", "hma", "hull", "dema", "tema",
    "relative", "bb", "average", "+di", "-di", "plus", "minus", "stoch", "commodity", "rate",
    "momentum", "williams", "%r", "mfi", "money", "donchian", "highest", "lowest", "upper",
    "lower", "middle", "signal", "histogram", "hist", "%k", "%d", "line",
}  # fmt: skip


def _phrase_at(text: str, pos: int) -> str:
    """The words from ``pos`` up to the next separator (at most 6 words)."""
    rest = re.split(r"[,;]|\.(?!\d)", text[pos:], maxsplit=1)[0].strip()
    words = rest.split()
    return " ".join(words[:6]) + (" ..." if len(words) > 6 else "")


def _syntax_error(text: str, e: UnexpectedInput) -> RuleError:
    parser = _parser()
    if isinstance(e, UnexpectedEOF):
        expected = _describe_expected(parser, set(e.expected))
        tail = re.split(r"[,;]|\.(?!\d)", text.rstrip(" .;,"))[-1].strip()
        return RuleError(
            f"the text ends after {tail!r}; expected {', '.join(expected) or 'more'}",
            phrase=tail,
            column=text.rfind(tail) + 1,
            expected=expected,
        )
    pos = e.pos_in_stream if e.pos_in_stream is not None else 0
    names = set(getattr(e, "allowed", None) or getattr(e, "expected", None) or ())
    expected = _describe_expected(parser, names)
    phrase = _phrase_at(text, pos) or text[pos : pos + 20]
    where = f"column {pos + 1}"
    return RuleError(
        f"could not read {phrase!r} (at {where}); expected {', '.join(expected) or 'a rule'}",
        phrase=phrase,
        column=pos + 1,
        expected=expected,
    )


class _Meaning(Exception):
    """A phrase that parses but means nothing the builder can compile (raised in the tree
    walk; turned into a RuleError naming it)."""

    def __init__(self, message: str, phrase: str, expected: list[str]) -> None:
        super().__init__(message)
        self.phrase = phrase
        self.expected = expected


# ---------------------------------------------------------------- tree -> rule form

_IND_NAMES = {
    "sma": "sma", "simple moving average": "sma", "moving average": "sma", "ma": "sma",
    "ema": "ema", "exponential moving average": "ema", "wma": "wma",
    "weighted moving average": "wma", "hma": "hma", "hull moving average": "hma",
    "dema": "dema", "tema": "tema", "rsi": "rsi", "relative strength": "rsi",
    "relative strength index": "rsi", "macd": "macd", "bollinger": "bollinger",
    "bollinger band": "bollinger", "bollinger bands": "bollinger", "bb": "bollinger",
    "atr": "atr", "average true range": "atr", "adx": "adx", "+di": "adx:plus_di",
    "-di": "adx:minus_di", "plus di": "adx:plus_di", "minus di": "adx:minus_di",
    "stochastic": "stochastic", "stochastic oscillator": "stochastic", "stoch": "stochastic",
    "cci": "cci", "commodity channel index": "cci", "roc": "roc", "rate of change": "roc",
    "momentum": "momentum", "williams %r": "williams_r", "williams r": "williams_r",
    "%r": "williams_r", "mfi": "mfi", "money flow index": "mfi", "donchian": "donchian",
    "donchian channel": "donchian", "donchian channels": "donchian",
}  # fmt: skip

_OUTPUTS = {
    "upper": "upper", "lower": "lower", "middle": "middle", "signal": "signal", "hist": "hist",
    "histogram": "hist", "%k": "k", "%d": "d", "line": "",
}  # fmt: skip

_PRICE = {
    "close": "close", "closing price": "close", "close price": "close", "price": "close",
    "last price": "close", "open": "open", "opening price": "open", "high": "high", "low": "low",
    "volume": "volume",
}  # fmt: skip

_LABEL = {
    "sma": "SMA", "ema": "EMA", "wma": "WMA", "hma": "HMA", "dema": "DEMA", "tema": "TEMA",
    "rsi": "RSI", "roc": "ROC", "momentum": "Momentum", "cci": "CCI", "williams_r": "Williams %R",
    "mfi": "MFI", "atr": "ATR", "adx": "ADX", "macd": "MACD", "bollinger": "Bollinger",
    "stochastic": "Stochastic", "donchian": "Donchian", "highest": "Highest high",
    "lowest": "Lowest low",
}  # fmt: skip


def _words(children: list[Any]) -> str:
    return " ".join(str(c).lower() for c in children if isinstance(c, Token))


class _ItsRef:
    """'its signal line' / 'the %D line': the other output of the indicator on the left."""

    def __init__(self, output: str, phrase: str) -> None:
        self.output = output
        self.phrase = phrase


class _BackCross:
    """'sell on cross-under': the entry's cross, in the direction named (or the opposite)."""

    def __init__(self, direction: str | None, phrase: str) -> None:
        self.direction = direction
        self.phrase = phrase


def _whole(n: Token, phrase: str) -> None:
    if float(n) != int(float(n)) or float(n) < 1:
        raise _Meaning(
            f"{phrase!r}: a number of bars is a whole number from 1, not {n}",
            phrase,
            ["a whole number"],
        )


def _num(value: float, role: str, hint: str, text: str, integer: bool = False) -> Num:
    return Num(value=value, role=role, hint=hint, text=text, integer=integer)  # type: ignore[arg-type]


def _make_indicator(
    word: str, numbers: list[Token], outputs: list[str], source: str, phrase: str
) -> Indicator:
    name = _IND_NAMES[word]
    output = ""
    if ":" in name:
        name, output = name.split(":")
    spec = INDICATORS[name]
    roles: tuple[tuple[str, float], ...] = spec["args"]  # type: ignore[assignment]
    if len(numbers) > len(roles):
        names = ", ".join(r for r, _ in roles)
        raise _Meaning(
            f"{_LABEL[name]} takes {len(roles)} number(s) ({names}), {phrase!r} gives "
            f"{len(numbers)}",
            phrase,
            [f"{_LABEL[name]}({', '.join(str(d) for _, d in roles)})"],
        )
    args = []
    for i, (role, default) in enumerate(roles):
        given = float(numbers[i]) if i < len(numbers) else float(default)
        is_mult = role == "mult"
        if not is_mult and given != int(given):
            raise _Meaning(
                f"{_LABEL[name]} {role} must be a whole number of bars, {phrase!r} gives {given:g}",
                phrase,
                ["a whole number"],
            )
        hint = f"{name}_period" if role == "period" else f"{name}_{role}"
        label = f"{_LABEL[name]} {'length' if role == 'period' else role.replace('_', ' ')}"
        args.append(
            _num(given, "multiple" if is_mult else "period", hint, label, integer=not is_mult)
        )
    outs = [o for o in outputs if o]
    allowed: tuple[str, ...] = spec["outputs"]  # type: ignore[assignment]
    for o in outs:
        if o not in allowed:
            raise _Meaning(
                f"{o!r} is not a line of {_LABEL[name]} (in {phrase!r}); it has "
                f"{', '.join(allowed)}",
                phrase,
                list(allowed),
            )
    if len(set(outs)) > 1:
        raise _Meaning(f"{phrase!r} names two lines of {_LABEL[name]}", phrase, list(allowed))
    if outs:
        output = outs[0]
    if output == allowed[0] or output == "value":
        output = ""
    if name in ("atr", "adx", "cci", "williams_r", "mfi", "stochastic", "donchian") and (
        source != "close"
    ):
        raise _Meaning(
            f"{_LABEL[name]} is computed from high, low and close; {phrase!r} names {source}",
            phrase,
            [f"{_LABEL[name]} without 'of ...'"],
        )
    return Indicator(name=name, source=source, args=args, output=output)  # type: ignore[arg-type]


@v_args(meta=True)
class _ToRules(Transformer[Token, Any]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def _phrase(self, meta: Any) -> str:
        if getattr(meta, "empty", True):
            return ""
        return self.text[meta.start_pos : meta.end_pos]

    # -- expressions
    def price_word(self, meta: Any, ch: list[Any]) -> str:
        return _PRICE[_words(ch)]

    def price(self, meta: Any, ch: list[Any]) -> Price:
        return Price(field=[c for c in ch if isinstance(c, str) and c in _PRICE.values()][-1])  # type: ignore[arg-type]

    def level(self, meta: Any, ch: list[Any]) -> Num:
        value = float(next(c for c in ch if isinstance(c, Token) and c.type == "NUMBER"))
        negative = any(isinstance(c, Token) and str(c) == "-" for c in ch)
        return _num(-value if negative else value, "level", "level", self._phrase(meta))

    def its_ref(self, meta: Any, ch: list[Any]) -> _ItsRef:
        words = _words(ch)
        return _ItsRef("signal" if "signal" in words else "d", self._phrase(meta))

    def ind_word(self, meta: Any, ch: list[Any]) -> str:
        return _words(ch)

    def out(self, meta: Any, ch: list[Any]) -> str:
        return _OUTPUTS[str(ch[0]).lower()]

    def extreme_word(self, meta: Any, ch: list[Any]) -> str:
        return str(ch[0]).lower()

    def args(self, meta: Any, ch: list[Any]) -> list[Token]:
        return [c for c in ch if isinstance(c, Token) and c.type == "NUMBER"]

    def of_source(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return ("source", [c for c in ch if isinstance(c, str) and c in _PRICE.values()][-1])

    def _split(self, ch: list[Any]) -> tuple[str, list[Token], list[str], str]:
        word, numbers, outs, source = "", [], [], "close"
        for c in ch:
            if isinstance(c, Token):
                if c.type == "NUMBER":
                    numbers.append(c)
            elif isinstance(c, tuple):
                source = c[1]
            elif isinstance(c, list):
                numbers.extend(c)
            elif isinstance(c, str):
                if c in _IND_NAMES:
                    word = c
                else:
                    outs.append(c)
        return word, numbers, outs, source

    def ind_number_first(self, meta: Any, ch: list[Any]) -> Indicator:
        word, numbers, outs, source = self._split(ch)
        return _make_indicator(word, numbers, outs, source, self._phrase(meta))

    def ind_name_first(self, meta: Any, ch: list[Any]) -> Indicator:
        word, numbers, outs, source = self._split(ch)
        return _make_indicator(word, numbers, outs, source, self._phrase(meta))

    def _extreme(self, which: str, n: Token, meta: Any) -> Indicator:
        name = "highest" if which == "high" else "lowest"
        if float(n) != int(float(n)):
            raise _Meaning(
                f"{self._phrase(meta)!r}: a whole number of bars", self._phrase(meta), []
            )
        num = _num(float(n), "period", f"{name}_period", f"{_LABEL[name]} length", integer=True)
        return Indicator(name=name, source="high" if name == "highest" else "low", args=[num])

    def ind_extreme(self, meta: Any, ch: list[Any]) -> Indicator:
        which = next(c for c in ch if isinstance(c, str) and c in ("high", "low"))
        if any(isinstance(c, tuple) for c in ch):
            raise _Meaning(
                f"{self._phrase(meta)!r}: the N-day high/low is of the highs/lows",
                self._phrase(meta),
                ["'the 20-day high'"],
            )
        n = next(c for c in ch if isinstance(c, Token) and c.type == "NUMBER")
        return self._extreme(which, n, meta)

    def ind_highest(self, meta: Any, ch: list[Any]) -> Indicator:
        return self._extreme("high", [c for c in ch if isinstance(c, Token)][-1], meta)

    def ind_lowest(self, meta: Any, ch: list[Any]) -> Indicator:
        return self._extreme("low", [c for c in ch if isinstance(c, Token)][-1], meta)

    # -- conditions
    def cross_op(self, meta: Any, ch: list[Any]) -> str:
        w = _words(ch)
        return "above" if any(k in w.split() for k in ("above", "over", "up")) else "below"

    def cmp_op(self, meta: Any, ch: list[Any]) -> str:
        w = _words(ch).split()
        if ">=" in w or "least" in w:
            return ">="
        if "<=" in w or "most" in w:
            return "<="
        if any(k in w for k in (">", "above", "over", "exceeds", "greater", "higher", "more")):
            return ">"
        return "<"

    def _operands(self, meta: Any, left: Any, right: Any) -> tuple[Any, Any]:
        phrase = self._phrase(meta)
        if isinstance(left, _ItsRef):
            raise _Meaning(f"{left.phrase!r} needs an indicator before it", left.phrase, [])
        if isinstance(right, _ItsRef):
            if not isinstance(left, Indicator) or left.name not in ("macd", "stochastic"):
                raise _Meaning(
                    f"{right.phrase!r} refers to a MACD or stochastic on the left of {phrase!r}",
                    right.phrase,
                    ["MACD", "stochastic"],
                )
            want = "signal" if left.name == "macd" else "d"
            if right.output != want:
                raise _Meaning(
                    f"{right.phrase!r} is not a line of {_LABEL[left.name]}", right.phrase, [want]
                )
            right = left.model_copy(deep=True, update={"output": want})
        if isinstance(left, Num) and isinstance(right, Num):
            raise _Meaning(f"{phrase!r} compares two numbers", phrase, ["an indicator or a price"])
        for a, b in ((left, right), (right, left)):
            if isinstance(a, Num):
                if isinstance(b, Indicator):
                    a.hint = f"{b.name}_{b.output + '_' if b.output else ''}level"
                    a.text = f"{_LABEL[b.name]} {b.output + ' ' if b.output else ''}level"
                    a.param = b.name  # (temporarily) the indicator whose range bounds the level
                else:
                    a.hint = f"{b.field}_level"
                    a.text = f"{b.field} level"
        return left, right

    def cross(self, meta: Any, ch: list[Any]) -> Cross:
        left, direction, right = ch
        left, right = self._operands(meta, left, right)
        name_fast_slow(left, right)
        return Cross(left=left, direction=direction, right=right)

    def compare(self, meta: Any, ch: list[Any]) -> Compare:
        left, op, right = ch
        left, right = self._operands(meta, left, right)
        return Compare(left=left, op=op, right=right)

    def _bars(self, ch: list[Any], what: str, meta: Any = None) -> Num:
        n = [c for c in ch if isinstance(c, Token) and c.type == "NUMBER"][-1]
        _whole(n, self._phrase(meta) if meta is not None else str(n))
        return _num(float(n), "bars", f"{what}_bars", f"Bars the condition {what}", integer=True)

    def held(self, meta: Any, ch: list[Any]) -> Held:
        return Held(condition=ch[0], bars=self._bars(ch, "holds", meta))

    def within(self, meta: Any, ch: list[Any]) -> Within:
        return Within(condition=ch[0], bars=self._bars(ch, "within", meta))

    def all_of(self, meta: Any, ch: list[Any]) -> AllOf:
        items: list[Condition] = []
        for c in ch:
            if isinstance(c, AllOf):
                items.extend(c.conditions)
            elif not isinstance(c, Token):
                items.append(c)
        return AllOf(conditions=items)

    def any_of(self, meta: Any, ch: list[Any]) -> AnyOf:
        items: list[Condition] = []
        for c in ch:
            if isinstance(c, AnyOf):
                items.extend(c.conditions)
            elif not isinstance(c, Token):
                items.append(c)
        return AnyOf(conditions=items)

    def back_cross(self, meta: Any, ch: list[Any]) -> _BackCross:
        w = _words(ch).replace("-", " ")
        if any(k in w.split() for k in ("under", "crossunder", "below")):
            return _BackCross("below", self._phrase(meta))
        if any(k in w.split() for k in ("over", "crossover", "above")):
            return _BackCross("above", self._phrase(meta))
        return _BackCross(None, self._phrase(meta))

    # -- statements
    def _cond(self, ch: list[Any]) -> Any:
        return next(c for c in ch if not isinstance(c, Token))

    def long_entry(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return ("long_entry", self._cond(ch), self._phrase(meta))

    def short_entry(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return ("short_entry", self._cond(ch), self._phrase(meta))

    def long_exit(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return ("long_exit", self._cond(ch), self._phrase(meta))

    def short_exit(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return ("short_exit", self._cond(ch), self._phrase(meta))

    def long_exit_back(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return ("long_exit", self._cond(ch), self._phrase(meta))

    def short_exit_back(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return ("short_exit", self._cond(ch), self._phrase(meta))

    # -- exits and sizing
    def atr_ref(self, meta: Any, ch: list[Any]) -> Num:
        numbers = [c for c in ch if isinstance(c, Token) and c.type == "NUMBER"]
        numbers += [n for c in ch if isinstance(c, list) for n in c]
        if len(numbers) > 1:
            raise _Meaning(
                f"{self._phrase(meta)!r} gives the ATR two lengths", self._phrase(meta), []
            )
        if numbers:
            _whole(numbers[0], self._phrase(meta))
        n = float(numbers[0]) if numbers else 14.0
        return _num(n, "period", "atr_period", "ATR length", integer=True)

    def pct(self, meta: Any, ch: list[Any]) -> Distance:
        v = float(ch[0]) / 100.0
        return Distance(unit="fraction", value=_num(v, "fraction", "", self._phrase(meta)))

    def atr_multiple(self, meta: Any, ch: list[Any]) -> Distance:
        n = next(c for c in ch if isinstance(c, Token) and c.type == "NUMBER")
        atr_period = next(c for c in ch if isinstance(c, Num))
        return Distance(
            unit="atr",
            value=_num(float(n), "multiple", "", self._phrase(meta)),
            atr_period=atr_period,
        )

    def _exit(self, kind: str, ch: list[Any], meta: Any) -> tuple[str, Any, str]:
        d = next(c for c in ch if isinstance(c, Distance))
        label = {"stop_loss": "Stop loss", "take_profit": "Take profit", "trail": "Trailing stop"}
        if d.unit == "fraction":
            d.value.hint = kind
            d.value.text = f"{label[kind]}, a fraction of the fill price"
        else:
            d.value.hint = f"{kind}_atr_multiple"
            d.value.text = f"{label[kind]}, in ATRs"
            assert d.atr_period is not None
            d.atr_period.hint = f"{kind}_atr_period"
            d.atr_period.text = f"{label[kind]} ATR length"
        return (kind, d, self._phrase(meta))

    def stop(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return self._exit("stop_loss", ch, meta)

    def target(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return self._exit("take_profit", ch, meta)

    def trail(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return self._exit("trail", ch, meta)

    def max_hold(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        n = [c for c in ch if isinstance(c, Token) and c.type == "NUMBER"][-1]
        _whole(n, self._phrase(meta))
        num = _num(
            float(n), "bars", "max_hold_bars", "Close the position after this many bars", True
        )
        return ("max_hold", num, self._phrase(meta))

    def size_tail(self, meta: Any, ch: list[Any]) -> None:
        return None

    def _size(self, mode: str, ch: list[Any], meta: Any) -> tuple[str, Any, str]:
        n = next(c for c in ch if isinstance(c, Token) and c.type == "NUMBER")
        v = float(n) / 100.0
        hint = "risk_per_trade" if mode == "risk" else "equity_fraction"
        text = (
            "Equity risked per trade (over the stop distance)"
            if mode == "risk"
            else "Fraction of equity per entry"
        )
        return ("size", Size(mode=mode, value=_num(v, "fraction", hint, text)), self._phrase(meta))  # type: ignore[arg-type]

    def size_risk(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return self._size("risk", ch, meta)

    def size_fraction(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return self._size("fraction", ch, meta)

    def statement(self, meta: Any, ch: list[Any]) -> tuple[str, Any, str]:
        return next(c for c in ch if isinstance(c, tuple))  # after "with" / "use"

    def start(self, meta: Any, ch: list[Any]) -> list[tuple[str, Any, str]]:
        return [c for c in ch if isinstance(c, tuple)]


# ---------------------------------------------------------------- assembling the rule


def _find_cross(cond: Any) -> Cross | None:
    if isinstance(cond, Cross):
        return cond
    if isinstance(cond, Held | Within):
        return _find_cross(cond.condition)
    if isinstance(cond, AllOf | AnyOf):
        crosses = [c for c in (_find_cross(x) for x in cond.conditions) if c is not None]
        return crosses[0] if len(crosses) == 1 else None
    return None


def _nums(obj: Any) -> list[Num]:
    """Every number of a rule-form object, in reading order."""
    if isinstance(obj, Num):
        return [obj]
    if isinstance(obj, list):
        return [n for x in obj for n in _nums(x)]
    if hasattr(obj, "__pydantic_fields__"):
        return [n for k in type(obj).model_fields for n in _nums(getattr(obj, k))]
    return []


_SIDE_PREFIX = {
    "long_entry": "entry",
    "long_exit": "exit",
    "short_entry": "short",
    "short_exit": "cover",
}


def _assemble(text: str, statements: list[tuple[str, Any, str]]) -> Rule:
    seen: dict[str, str] = {}
    signals: dict[str, Any] = {}
    exits: dict[str, Any] = {}
    size: Size | None = None
    for kind, value, phrase in statements:
        if kind in seen:
            raise RuleError(
                f"{phrase!r} gives a second {kind.replace('_', ' ')} rule after {seen[kind]!r}; "
                "join the conditions with 'and' / 'or'",
                phrase=phrase,
                column=text.find(phrase) + 1,
                expected=["one rule per signal"],
            )
        seen[kind] = phrase
        if kind in _SIDE_PREFIX:
            signals[kind] = (value, phrase)
        elif kind == "size":
            size = value
        else:
            exits[kind] = value
    for kind in ("long_exit", "short_exit"):
        if kind in signals and isinstance(signals[kind][0], _BackCross):
            back, phrase = signals[kind]
            entry_kind = "long_entry" if kind == "long_exit" else "short_entry"
            entry = signals.get(entry_kind, (None, ""))[0]
            found = _find_cross(entry) if entry is not None else None
            if found is None:
                raise RuleError(
                    f"{phrase!r} refers to the {entry_kind.replace('_', ' ')}'s cross, but "
                    f"{'there is no ' + entry_kind.replace('_', ' ') if entry is None else 'it has no single cross'}",
                    phrase=phrase,
                    column=text.find(phrase) + 1,
                    expected=[f"a {entry_kind.replace('_', ' ')} with one 'crosses above/below'"],
                )
            direction = back.direction or ("below" if found.direction == "above" else "above")
            signals[kind] = (found.model_copy(deep=True, update={"direction": direction}), phrase)
    if not signals.get("long_entry") and not signals.get("short_entry"):
        raise RuleError(
            f"no entry rule in {text.strip()[:60]!r}: say when to buy (or short), "
            "e.g. 'Buy when ...'",
            phrase=text.strip()[:60],
            column=1,
            expected=["'buy when ...'", "'short when ...'"],
        )
    for kind, (cond, _phrase) in signals.items():
        for num in _nums(cond):
            if num.role == "level":
                num.hint = f"{_SIDE_PREFIX[kind]}_{num.hint}"
                num.text = f"{kind.replace('_', ' ').capitalize()}: {num.text}"
    exits_model = Exits(**exits)
    if size is not None and size.mode == "risk" and exits_model.stop_loss is None:
        size_phrase = next(p for k, _, p in statements if k == "size")
        raise RuleError(
            f"{size_phrase!r}: risk sizing needs a stop loss (the risk is measured to the stop)",
            phrase=size_phrase,
            column=text.find(size_phrase) + 1,
            expected=["a stop loss, e.g. 'stop loss at 2 ATR'"],
        )
    rule = Rule(
        text=text,
        long_entry=signals.get("long_entry", (None,))[0],
        long_exit=signals.get("long_exit", (None,))[0],
        short_entry=signals.get("short_entry", (None,))[0],
        short_exit=signals.get("short_exit", (None,))[0],
        exits=exits_model,
        size=size,
    )
    rule.parameters = _name_parameters(rule)
    return rule


def _name_parameters(rule: Rule) -> list[Parameter]:
    """Give every number a parameter: one per (look-back hint, value), so "the 20 EMA" in the
    entry and in the exit is one parameter; levels, bar counts and distances each their own."""
    by_key: dict[tuple[str, float], str] = {}
    params: dict[str, Parameter] = {}
    for num in _nums(rule):
        bounded_by = num.param if num.role == "level" else None  # set by _operands
        key = (num.hint, num.value)
        if num.role in ("period", "multiple") and key in by_key:
            num.param = by_key[key]
            continue
        name, i = num.hint, 2
        while name in params:
            name, i = f"{num.hint}_{i}", i + 1
        num.param = name
        by_key[key] = name
        params[name] = parameter_for(num, bounded_by)
    for name, p in params.items():
        if "_fast" in name:
            slow = name.replace("_fast", "_slow")
            if slow in params:
                p.below = slow
    return list(params.values())


def read_rules(text: str) -> Rule:
    """Read plain-English rules into the rule form, or raise RuleError naming what could not be
    read and what was expected there."""
    if len(text) > MAX_CHARS:
        raise RuleError(
            f"the rules are {len(text)} characters long; at most {MAX_CHARS} are read",
            phrase=text[MAX_CHARS : MAX_CHARS + 20],
            column=MAX_CHARS + 1,
            expected=[f"at most {MAX_CHARS} characters"],
        )
    if not text or not text.strip():
        raise RuleError("the rules are empty", phrase="", column=1, expected=["'Buy when ...'"])
    clean = text.replace("\u2019", "'").replace("\u00d7", "x")
    try:
        tree = _parser("basic").parse(clean)
    except UnexpectedInput:
        try:
            tree = _parser().parse(clean)
        except UnexpectedInput as e:
            raise _syntax_error(clean, e) from None
    try:
        statements = _ToRules(clean).transform(tree)
    except VisitError as e:
        inner = e.orig_exc
        if isinstance(inner, _Meaning):
            raise RuleError(
                str(inner),
                phrase=inner.phrase,
                column=clean.find(inner.phrase) + 1,
                expected=inner.expected,
            ) from None
        raise
    return _assemble(clean, statements)


def name_fast_slow(left: Any, right: Any) -> None:
    """Two lines of one indicator crossing (20 EMA over 50 EMA) name their lengths
    ``<indicator>_fast_period`` / ``_slow_period``, the shorter one fast."""
    if (
        isinstance(left, Indicator)
        and isinstance(right, Indicator)
        and left.name == right.name
        and left.output == right.output
        and left.source == right.source
        and len(left.args) == 1
        and left.args[0].value != right.args[0].value
    ):
        fast, slow = sorted((left, right), key=lambda i: i.args[0].value)
        label = _LABEL.get(fast.name, fast.name.upper())
        fast.args[0].hint = f"{fast.name}_fast_period"
        slow.args[0].hint = f"{slow.name}_slow_period"
        fast.args[0].text = f"Fast {label} length"
        slow.args[0].text = f"Slow {label} length"
