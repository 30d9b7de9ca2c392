"""Build a strategy from plain English: read the rules, compile them, and (on save) write the file
to the first user-strategy directory, register it without a restart, and prove it causal.

``preview`` never executes anything; ``save`` imports the written file through the plugin loader
(so the registered class is exactly the file on disk), runs the look-ahead check on the sample
universe, and removes the file again if any of that fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ava_backtest.builder.compile import NAME, compile_rule
from ava_backtest.builder.grammar import read_rules
from ava_backtest.builder.rules import Rule, explain
from ava_backtest.domain.errors import AvaError, ConfigError

CATEGORY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(slots=True)
class Built:
    name: str
    category: str
    rule: Rule
    code: str
    path: str | None = None
    checks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "direction": self.rule.direction,
            "rule": self.rule.model_dump(mode="json"),
            "explained": explain(self.rule),
            "parameters": [p.model_dump(mode="json") for p in self.rule.parameters],
            "code": self.code,
            "path": self.path,
            "checks": self.checks,
        }


def _check_name(name: str, category: str) -> None:
    if not NAME.match(name):
        raise ConfigError(
            f"{name!r} is not a strategy name: lower-case letters, digits and '_', starting "
            "with a letter, 2-63 characters",
            field="name",
        )
    if not category or not set(category) <= CATEGORY_CHARS or len(category) > 40:
        raise ConfigError(
            f"{category!r} is not a category: lower-case letters, digits and '_'",
            field="category",
        )


def preview(text: str, name: str, category: str = "custom") -> Built:
    """The rule form and the generated code; nothing is written or run."""
    _check_name(name, category)
    rule = read_rules(text)
    return Built(name=name, category=category, rule=rule, code=compile_rule(rule, name, category))


def _builtin_names() -> set[str]:
    from ava_backtest.strategies import registry

    registry._load()
    return set(registry._BUILTIN)


def save(
    text: str,
    name: str,
    category: str = "custom",
    *,
    directory: Path | None = None,
    overwrite: bool = False,
    universe: str = "us_sample",
) -> Built:
    """Write, register and check the strategy; on any failure nothing stays registered or on disk."""
    from ava_backtest.settings import get_settings
    from ava_backtest.strategies.registry import reload_plugins

    built = preview(text, name, category)
    if name in _builtin_names():
        raise ConfigError(f"{name!r} is a built-in strategy; choose another name", field="name")
    if directory is None:
        dirs = get_settings().strategy_paths()
        if not dirs:
            raise ConfigError("AVA_STRATEGY_DIRS names no directory", field="AVA_STRATEGY_DIRS")
        directory = dirs[0]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    if path.exists() and not overwrite:
        raise ConfigError(
            f"{path} exists; pass overwrite to replace it",
            field="name",
            details={"path": str(path)},
        )
    previous = path.read_text() if path.exists() else None
    path.write_text(built.code)
    try:
        report = reload_plugins()
        errors = [e for e in report.errors if Path(e["file"]).resolve() == path.resolve()]
        if errors:
            raise AvaError(f"the generated file does not import: {errors[0]['error']}")
        if name not in report.strategies:
            raise AvaError(
                f"{path} was imported but {name!r} is not registered (is {directory} in "
                "AVA_STRATEGY_DIRS?)",
                field="name",
            )
        built.checks.append(f"imported {path} and registered {name!r}")
        built.checks.append(check_causal(name, universe))
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(previous)
        reload_plugins()
        raise
    built.path = str(path)
    return built


def check_causal(name: str, universe: str = "us_sample", points: int = 12) -> str:
    """Run the look-ahead proof on the registered strategy; raise if it reads the future."""
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.execute import build_strategy, load_run_panel, with_required_data
    from ava_backtest.runs.service import database_universes, resolve_run_universe
    from ava_backtest.strategies.lookahead import check_lookahead

    config = RunConfig.model_validate({"strategy_name": name, "universe": universe})
    strategy = build_strategy(config)
    resolved = resolve_run_universe(config, database_universes())
    panel, _ = load_run_panel(config, strategy, resolved)
    bars = with_required_data(strategy, panel, config.market)
    report = check_lookahead(strategy, bars, points=points)
    if not report.ok:
        raise AvaError(f"look-ahead: {report.first_difference}", field="code")
    return (
        f"look-ahead check: signals on {len(report.points)} prefixes of {universe} "
        f"({bars.n_bars} bars x {bars.n_symbols} symbols) equal the full-history signals"
    )
