"""The strategy builder: plain-English rules -> the rule form (``rules``) -> a kit strategy file
(``compile``), saved to the user strategy directory and registered (``service``).

The rule form is the meeting point for every front end (the grammar here; Pine Script, OCR and an
LLM are to target the same models). docs/builder.md lists the phrases the grammar reads.
"""

from ava_backtest.builder.compile import compile_rule
from ava_backtest.builder.grammar import RuleError, read_rules
from ava_backtest.builder.rules import Rule
from ava_backtest.builder.service import Built, preview, save

__all__ = ["Built", "Rule", "RuleError", "compile_rule", "preview", "read_rules", "save"]
