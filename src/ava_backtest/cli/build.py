"""``ava build-strategy``: plain-English rules (``--input``) or a screenshot (``--image``, OCR) ->
a verified, registered strategy file (the original README's ``--name --category --input``);
``--llm`` reads the text or image with the configured LLM endpoint. ``--dry-run`` prints the rule
form and the code and writes nothing; an unreadable phrase is one line naming it and what was
expected, refused code lists each verification check; both exit 2."""

from __future__ import annotations

import json
from pathlib import Path
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
        str | None,
        typer.Option(
            "--input",
            "-i",
            help='The rules, e.g. "Buy when 20 EMA crosses above 50 EMA, sell on cross-under".',
        ),
    ] = None,
    image: Annotated[
        Path | None,
        typer.Option(
            "--image",
            help="A screenshot of rules or Pine code (read by OCR; a chart goes to the LLM).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    pine: Annotated[
        Path | None,
        typer.Option(
            "--pine",
            help="A Pine Script v4/v5 strategy file, transpiled offline (docs/builder.md).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    llm: Annotated[
        bool,
        typer.Option(
            "--llm",
            help="Read --input or --image with the LLM endpoint (AVA_LLM_BASE_URL or "
            "OPENROUTER_API_KEY) instead of the offline readers.",
        ),
    ] = False,
    category: Annotated[str, typer.Option(help="Category, e.g. trend.")] = "custom",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the rule form and the code; write nothing.")
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file of that name.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Build a strategy from plain-English rules or a screenshot (OCR; --llm: an LLM endpoint),
    verify it (allow-list, then look-ahead check and smoke backtest in a limited worker process),
    save it to the first AVA_STRATEGY_DIRS directory and register it (docs/builder.md)."""
    from ava_backtest.builder.grammar import RuleError
    from ava_backtest.builder.pine import PineError
    from ava_backtest.builder.rules import explain
    from ava_backtest.builder.service import (
        preview,
        preview_image,
        preview_llm,
        register,
    )
    from ava_backtest.builder.verify import VerificationError

    out = Console()
    err = Console(stderr=True, soft_wrap=True)
    if sum(x is not None for x in (input_text, image, pine)) != 1:
        err.print(
            "[bold red]error:[/] give one of --input TEXT, --pine FILE or --image FILE",
            highlight=False,
        )
        raise typer.Exit(code=2)
    text = input_text or ""
    pine_params: list[dict[str, object]] = []
    try:
        if pine is not None:
            from ava_backtest.builder.pine.service import preview as preview_pine_file

            text = pine.read_text()
            shown_pine = preview_pine_file(text, name, category)
            built = shown_pine.built
            pine_params = [p.to_dict() for p in shown_pine.result.parameters]
            for note in shown_pine.result.notes:
                out.print(f"note: {escape(note)}", highlight=False)
        elif image is not None:
            shown = preview_image(image.read_bytes(), name, category, llm=llm)
            if shown.ocr is not None:
                text = shown.ocr.text
                out.print(
                    Panel(
                        escape(shown.ocr.text),
                        title=f"Recognised text ({shown.ocr.kind}, confidence "
                        f"{shown.ocr.confidence:.0f}%)",
                    ),
                    highlight=False,
                )
            if shown.source == "llm":
                out.print("read by the LLM endpoint", highlight=False)
            built = shown.built
        elif llm:
            built = preview_llm(text, name, category)
        else:
            built = preview(text, name, category)
        if not dry_run:
            built = register(built, overwrite=overwrite)
    except RuleError as e:
        err.print(f"[bold red]error:[/] {escape(e.message)}", highlight=False)
        if e.column and "\n" not in text:
            err.print("  " + text, highlight=False, markup=False)
            err.print("  " + " " * (e.column - 1) + "^" * max(len(e.phrase), 1), highlight=False)
        raise typer.Exit(code=2) from None
    except PineError as e:
        lines = text.splitlines()
        for p in e.problems:
            err.print(f"[bold red]error:[/] {pine}:{escape(str(p))}", highlight=False)
            if 1 <= p.line <= len(lines):
                err.print("  " + lines[p.line - 1], highlight=False, markup=False)
                err.print("  " + " " * (p.column - 1) + "^", highlight=False)
        err.print("nothing was written or registered", highlight=False)
        raise typer.Exit(code=2) from None
    except VerificationError as e:
        err.print(f"[bold red]error:[/] {escape(e.message)}", highlight=False)
        for c in e.report.checks:
            mark = "[green]ok[/]" if c.ok else "[bold red]failed[/]"
            err.print(f"  {mark} {escape(c.name)}: {escape(c.detail)}", highlight=False)
        err.print("nothing was written or registered", highlight=False)
        raise typer.Exit(code=2) from None
    except AvaError as e:
        err.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False)
        raise typer.Exit(code=2) from None
    if as_json:
        if pine is not None:
            from ava_backtest.builder.pine.service import PineBuilt

            print(json.dumps(PineBuilt(shown_pine.result, built).to_dict(), indent=2))
            return
        print(json.dumps(built.to_dict(), indent=2))
        return
    table = Table("parameter", "type", "default", "min", "max", "meaning", title="Parameters")
    for p in built.rule.parameters if built.rule is not None else []:
        fmt = (lambda v: str(int(v))) if p.kind == "int" else (lambda v: f"{v:g}")
        table.add_row(p.name, p.kind, fmt(p.default), fmt(p.minimum), fmt(p.maximum), p.description)
    for q in pine_params:
        lo, hi = q["minimum"], q["maximum"]
        table.add_row(
            str(q["name"]),
            str(q["kind"]),
            str(q["default"]),
            "" if lo is None else f"{lo:g}",  # type: ignore[str-format]
            "" if hi is None else f"{hi:g}",  # type: ignore[str-format]
            str(q["description"]) + (f" {tuple(q['choices'])}" if q["choices"] else ""),  # type: ignore[arg-type]
        )
    direction = built.to_dict()["direction"]
    out.print(f"[bold]{built.name}[/] — {built.category}, {direction}")
    if dry_run and built.rule is not None:
        out.print(Panel("\n".join(explain(built.rule)), title="Rules as read"), highlight=False)
    if built.rule is not None or pine_params:
        out.print(table)
    if dry_run:
        width = max(len(line) for line in built.code.splitlines()) + 1
        out.print(Syntax(built.code, "python", code_width=width), crop=False)
        out.print("dry run: nothing written")
        return
    for c in built.verification:
        out.print(f"[green]ok[/] {c['name']}: {c['detail']}", highlight=False)
    out.print(f"saved {built.path}", highlight=False)
    out.print(f"backtest it: ava backtest {built.name} --universe us_sample", highlight=False)
