"""Pine Script (v4 and v5) strategies -> kit strategy source files, offline.

``transpile(source, name, category)`` parses the script with ``pynescript`` (a maintained Pine
parser: one ANTLR grammar for v4 and v5 syntax) and generates one ordinary kit strategy file
(imports from ``ava_backtest.strategies`` and numpy only). What the transpiler cannot express
exactly is refused with its line, column and the construct's name (``PineError``); nothing is
dropped silently. docs/builder.md ("Pine Script") lists the supported subset.
"""

from ava_backtest.builder.pine.transpile import PineError, PineProblem, PineResult, transpile

__all__ = ["PineError", "PineProblem", "PineResult", "transpile"]
