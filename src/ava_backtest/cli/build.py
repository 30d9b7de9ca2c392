"""``ava build-strategy``: plain-English rules -> a registered, checked strategy file (the original
README's ``--name --category --input``). ``--dry-run`` prints the rule form and the code and
writes nothing; an unreadable phrase is one line naming it and what was expected, exit 2."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from ava_backtest.domain.errors import AvaError


def build_strategy(
    name: Annotated[str, typer.Option("--name", help="Strategy name, e.g. my_strategy.")],
    input_text: Annotated[
        str,
        typer.Option(
            "--input",
            "-i",
            help='The rules, e.g. "Buy when 20 EMA crosses above 50 EMA, sell on cross-under".',
        ),
    ],
    category: Annotated[str, typer.Option(help="Category, e.g. trend.")] = "custom",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the rule form and the code; write nothing.")
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file of that name.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Build a strategy from plain-English rules, save it to the first AVA_STRATEGY_DIRS
    directory, register it and run the look-ahead check (docs/builder.md lists the phrases)."""
    from ava_backtest.builder import preview, save
    from ava_backtest.builder.grammar import RuleError
    from ava_backtest.builder.rules import explain

    out = Console()
    err = Console(stderr=True, soft_wrap=True)
    try:
        built = (
            preview(input_text, name, category)
            if dry_run
            else save(input_text, name, category, overwrite=overwrite)
        )
    except RuleError as e:
        err.print(f"[bold red]error:[/] {escape(e.message)}", highlight=False)
        if e.column:
            err.print("  " + input_text, highlight=False, markup=False)
            err.print("  " + " " * (e.column - 1) + "^" * max(len(e.phrase), 1), highlight=False)
        raise typer.Exit(code=2) from None
    except AvaError as e:
        err.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(code=2) from None
    if as_json:
        print(json.dumps(built.to_dict(), indent=2))
        return
    table = Table("parameter", "type", "default", "min", "max", "meaning", title="Parameters")
    for p in built.rule.parameters:
        fmt = (lambda v: str(int(v))) if p.kind == "int" else (lambda v: f"{v:g}")
        table.add_row(p.name, p.kind, fmt(p.default), fmt(p.minimum), fmt(p.maximum), p.description)
    out.print(f"[bold]{built.name}[/] — {built.category}, {built.rule.direction}")
    if dry_run:
        out.print(Panel("\n".join(explain(built.rule)), title="Rules as read"), highlight=False)
    out.print(table)
    if dry_run:
        width = max(len(line) for line in built.code.splitlines()) + 1
        out.print(Syntax(built.code, "python", code_width=width), crop=False)
        out.print("dry run: nothing written")
        return
    for check in built.checks:
        out.print(f"[green]ok[/] {check}", highlight=False)
    out.print(f"saved {built.path}", highlight=False)
    out.print(f"backtest it: ava backtest {built.name} --universe us_sample", highlight=False)
