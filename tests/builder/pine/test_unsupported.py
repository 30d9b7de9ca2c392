"""What cannot be transpiled exactly is refused with its line, column and the construct's name;
nothing is dropped silently."""

from __future__ import annotations

import pytest

from ava_backtest.builder.pine import PineError, transpile

HEAD = '//@version=5\nstrategy("neg")\n'

CASES = [
    # (script body after the two header lines, line, column, construct)
    (
        'w = request.security(syminfo.tickerid, "W", close, lookahead=barmerge.lookahead_on)\n',
        3,
        62,
        "barmerge.lookahead_on",
    ),
    ("for i = 0 to 3\n    x = i\n", 3, 1, "for"),
    ("f(x) =>\n    x * 2\n", 3, 1, "function definition"),
    ("var c = 0\nif close > open\n    c := c * 2 + 1\n", 5, 10, "var state"),
    (
        'strategy.entry("L", strategy.long, limit=close * 0.99)\n',
        3,
        42,
        "strategy.entry(limit=...)",
    ),
    (
        'strategy.entry("L", strategy.long)\nstrategy.exit("X", "L", stop=low[1])\n',
        4,
        30,
        "strategy.exit(stop=...)",
    ),
    (
        'strategy.entry("L", strategy.long)\nstrategy.exit("X", "L", trail_points=100, '
        "trail_offset=50)\n",
        4,
        38,
        "strategy.exit(trail_points)",
    ),
    ("x = ta.kc(close, 20, 1.5)\n", 3, 5, "ta.kc"),
    ("d = dayofweek == 2\n", 3, 5, "dayofweek"),
    (
        'if strategy.position_size == 0\n    strategy.entry("L", strategy.long)\n',
        4,
        5,
        "strategy.position_size",
    ),
    ("if close > open\n    e = ta.ema(close, 10)\n", 4, 9, "ta.ema"),
    ('x = request.security("AAPL", "W", close)\n', 3, 5, "request.security"),
    ('x = request.security(syminfo.tickerid, "60", close)\n', 3, 40, "request.security"),
    ('strategy.close("Nope")\n', 3, 16, "strategy.close"),
    ("varip float z = 0\n", 3, 1, "varip"),
    (
        'strategy.entry("L", strategy.long)\nstrategy.order("o", strategy.long)\n',
        4,
        1,
        "strategy.order",
    ),
]


@pytest.mark.parametrize(("body", "line", "column", "construct"), CASES, ids=[c[3] for c in CASES])
def test_unsupported_construct_is_named_with_line_and_column(body, line, column, construct):
    with pytest.raises(PineError) as e:
        transpile(
            HEAD + body + 'strategy.entry("Z", strategy.long, when=close > open)\n', "neg_case"
        )
    first = e.value.problems[0]
    assert (first.line, first.column, first.construct) == (line, column, construct), str(e.value)
    assert e.value.field == "pine"
    assert f"line {line}:{column}: {construct}" in str(e.value)


def test_every_problem_is_reported_not_only_the_first():
    src = (
        HEAD + "a = dayofweek\nb = ta.kc(close, 20, 1.5)\n" + 'strategy.entry("L", strategy.long)\n'
    )
    with pytest.raises(PineError) as e:
        transpile(src, "neg_many")
    assert [(p.line, p.construct) for p in e.value.problems] == [(3, "dayofweek"), (4, "ta.kc")]
    assert e.value.details["problems"][1]["construct"] == "ta.kc"


def test_syntax_errors_point_at_the_line_and_column():
    with pytest.raises(PineError) as e:
        transpile(HEAD + "a = (close +\nb = 2\n", "neg_syntax")
    p = e.value.problems[0]
    assert (p.line, p.construct) == (4, "syntax")
    assert p.column >= 1


def test_versions_other_than_4_and_5_and_scripts_without_orders_are_refused():
    with pytest.raises(PineError, match="//@version"):
        transpile('//@version=3\nstrategy("x")\n', "neg_v3")
    with pytest.raises(PineError, match="never enters"):
        transpile(HEAD + "x = ta.sma(close, 10)\n", "neg_no_orders")
    with pytest.raises(PineError) as e:
        transpile('//@version=5\nindicator("x")\nplot(close)\n', "neg_indicator")
    assert [p.construct for p in e.value.problems] == ["strategy()", "indicator"]


def test_v5_requires_the_ta_namespace_and_v4_accepts_bare_names():
    with pytest.raises(PineError, match=r"ta\.sma"):
        transpile(
            HEAD + 'x = sma(close, 10)\nstrategy.entry("L", strategy.long, when=close > x)\n',
            "neg_v5_bare",
        )
    v4 = '//@version=4\nstrategy("v4")\nx = sma(close, 10)\nstrategy.entry("L", strategy.long, when=close > x)\n'
    assert "sma(bars.close, 10)" in transpile(v4, "ok_v4_bare").code


def test_drawings_and_run_settings_are_listed_in_the_notes():
    src = (
        '//@version=5\nstrategy("n", initial_capital=5000, commission_value=0.1)\n'
        'bgcolor(color.red)\nstrategy.entry("L", strategy.long, when=close > open)\n'
    )
    notes = transpile(src, "notes_case").notes
    assert any("initial_capital" in n for n in notes)
    assert any("commission_value" in n for n in notes)
    assert any(n.startswith("line 3: bgcolor") for n in notes)


def test_inputs_become_bounded_typed_parameters():
    src = (
        HEAD
        + 'a = input.int(20, "A", minval=2, maxval=90)\nb = input.float(1.5, "B")\n'
        + 'c = input.bool(false, "C")\nd = input.string("x", "D", options=["x", "y"])\n'
        + "e = input(7)\n"
        + 'strategy.entry("L", strategy.long, when=close > ta.sma(close, a) * b and (c or d == "y" or e > 3))\n'
    )
    params = {p.name: p for p in transpile(src, "inputs_case").parameters}
    assert (params["a"].kind, params["a"].minimum, params["a"].maximum, params["a"].window) == (
        "int",
        2,
        90,
        True,
    )
    assert (params["b"].kind, params["b"].minimum, params["b"].maximum) == ("float", 0.15, 15.0)
    assert params["c"].kind == "bool" and params["c"].default is False
    assert params["d"].choices == ("x", "y")
    assert (params["e"].kind, params["e"].minimum, params["e"].maximum) == ("int", 1, 70)
