"""Build a strategy from plain English: read the rules, compile them, and (on save) verify the
code, write the file to the first user-strategy directory and register it without a restart.

``preview`` never executes anything. Every saving path (``save`` for English, ``save_code`` for
code edited by hand, the Pine/OCR/LLM front ends through ``register``) goes through
``builder.verify`` first: an AST allow-list, then import, the look-ahead check on the sample
universe and a smoke backtest in a worker process with CPU, memory and wall-time limits. Only
code that passed is written and imported by this process (through the plugin loader, so the
registered class is exactly the file on disk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ava_backtest.builder.compile import NAME, compile_rule
from ava_backtest.builder.grammar import read_rules
from ava_backtest.builder.ocr import OcrResult
from ava_backtest.builder.rules import Rule, explain
from ava_backtest.builder.verify import Report
from ava_backtest.domain.errors import AvaError, ConfigError

CATEGORY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(slots=True)
class Built:
    name: str
    category: str
    rule: Rule | None
    code: str
    path: str | None = None
    checks: list[str] = field(default_factory=list)
    verification: list[dict[str, Any]] = field(default_factory=list)
    direction: str | None = None

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "name": self.name,
            "category": self.category,
            "direction": self.direction or (rule.direction if rule else "long_only"),
            "rule": rule.model_dump(mode="json") if rule else None,
            "explained": explain(rule) if rule else [],
            "parameters": [p.model_dump(mode="json") for p in rule.parameters] if rule else [],
            "code": self.code,
            "path": self.path,
            "checks": self.checks,
            "verification": self.verification,
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


def preview_pine(source: str, name: str, category: str = "custom") -> Built:
    """Pine Script -> the generated code (``builder.pine``); nothing is written or run."""
    from ava_backtest.builder.pine import transpile

    _check_name(name, category)
    result = transpile(source, name, category)
    return Built(
        name=name, category=category, rule=None, code=result.code, direction=result.direction
    )


def preview_llm(text: str, name: str, category: str = "custom") -> Built:
    """Free text -> the rule form through the configured LLM endpoint -> the code."""
    from ava_backtest.builder.llm import rules_from_text

    _check_name(name, category)
    rule = rules_from_text(text).rule
    return Built(name=name, category=category, rule=rule, code=compile_rule(rule, name, category))


@dataclass(slots=True)
class ImagePreview:
    """What an image became: the recognised text (None when the LLM read the image itself),
    which front end read it (english, pine or llm) and the strategy."""

    ocr: OcrResult | None
    source: str
    built: Built

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.built.to_dict(),
            "source": self.source,
            "ocr": self.ocr.to_dict() if self.ocr else None,
        }


def preview_text(text: str, name: str, category: str = "custom") -> tuple[str, Built]:
    """Recognised or typed text -> (front end, strategy): Pine when it has ``//@version`` or
    ``strategy(``, else the English grammar."""
    from ava_backtest.builder.ocr import classify

    if classify(text) == "pine":
        return "pine", preview_pine(text, name, category)
    return "english", preview(text, name, category)


def preview_image(
    image: bytes, name: str, category: str = "custom", *, llm: bool = False
) -> ImagePreview:
    """A screenshot -> OCR -> the Pine or English reader; an image without readable rules (a
    chart) -> the LLM (vision) when one is configured, else a ConfigError saying it needs one.
    ``llm=True`` sends the image to the LLM directly. Errors of the readers carry the
    recognised text (``details["ocr_text"]``) so it can be corrected."""
    from ava_backtest.builder.llm import NEEDS_ENDPOINT, configured, image_mime, rules_from_image
    from ava_backtest.builder.ocr import read_image

    _check_name(name, category)
    if llm:
        image_mime(image)
        rule = rules_from_image(image).rule
        built = Built(
            name=name, category=category, rule=rule, code=compile_rule(rule, name, category)
        )
        return ImagePreview(ocr=None, source="llm", built=built)
    ocr = read_image(image)
    if ocr.kind == "none":
        if not configured():
            raise ConfigError(
                f"no trading rules or Pine code could be read in the image; reading a chart "
                f"{NEEDS_ENDPOINT}",
                field="image",
                details={"ocr_text": ocr.text, "confidence": ocr.confidence},
            )
        rule = rules_from_image(image, note=ocr.text).rule
        built = Built(
            name=name, category=category, rule=rule, code=compile_rule(rule, name, category)
        )
        return ImagePreview(ocr=ocr, source="llm", built=built)
    try:
        source, built = preview_text(ocr.text, name, category)
    except AvaError as e:
        if isinstance(e.details, dict):
            e.details.setdefault("ocr_text", ocr.text)
        elif e.details is None:
            e.details = {"ocr_text": ocr.text}
        raise
    return ImagePreview(ocr=ocr, source=source, built=built)


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
    """Read the English rules, then ``register`` the generated code (verified first)."""
    return register(
        preview(text, name, category), directory=directory, overwrite=overwrite, universe=universe
    )


def save_code(
    code: str,
    name: str,
    category: str = "custom",
    *,
    rule: Rule | None = None,
    directory: Path | None = None,
    overwrite: bool = False,
    universe: str = "us_sample",
) -> Built:
    """Register code written or edited by hand (the UI's code pane): verified like generated
    code; its own ``category``/``direction`` are what the registered class declares."""
    _check_name(name, category)
    return register(
        Built(name=name, category=category, rule=rule, code=code),
        directory=directory,
        overwrite=overwrite,
        universe=universe,
    )


def save_rule(
    rule: Rule | dict[str, Any],
    name: str,
    category: str = "custom",
    *,
    directory: Path | None = None,
    overwrite: bool = False,
    universe: str = "us_sample",
) -> Built:
    """Compile and register a rule form (e.g. an LLM preview, or a rule edited as JSON); its
    numbers are named as parameters again, so a hand-edited rule cannot smuggle names in."""
    from ava_backtest.builder.llm import finish_rule

    _check_name(name, category)
    finished = finish_rule(rule, field="rule")
    built = Built(
        name=name, category=category, rule=finished, code=compile_rule(finished, name, category)
    )
    return register(built, directory=directory, overwrite=overwrite, universe=universe)


def check_code(code: str, name: str, universe: str = "us_sample") -> tuple[Report, int | None]:
    """Run the verification of ``register`` without saving: the report (each check ok or failed
    with its reason) and the line at fault when a static check names one. Nothing is written
    or registered."""
    from ava_backtest.builder.verify import VerificationError, verify

    if not NAME.match(name):
        _check_name(name, "custom")
    try:
        return verify(code, name, universe), None
    except VerificationError as e:
        return e.report, e.line


def register(
    built: Built,
    *,
    directory: Path | None = None,
    overwrite: bool = False,
    universe: str = "us_sample",
) -> Built:
    """Verify ``built.code`` (allow-list, then import + look-ahead check + smoke backtest in a
    limited worker process: ``builder.verify``), and only then write it to the first
    AVA_STRATEGY_DIRS directory and register it. Refused code writes and registers nothing;
    if the registration itself fails, the previous file (if any) is restored."""
    from ava_backtest.builder.verify import verify
    from ava_backtest.settings import get_settings
    from ava_backtest.strategies.registry import get_strategy, reload_plugins

    name = built.name
    if name in _builtin_names():
        raise ConfigError(f"{name!r} is a built-in strategy; choose another name", field="name")
    if directory is None:
        dirs = get_settings().strategy_paths()
        if not dirs:
            raise ConfigError("AVA_STRATEGY_DIRS names no directory", field="AVA_STRATEGY_DIRS")
        directory = dirs[0]
    path = directory / f"{name}.py"
    if path.exists() and not overwrite:
        raise ConfigError(
            f"{path} exists; pass overwrite to replace it",
            field="name",
            details={"path": str(path)},
        )
    report = verify(built.code, name, universe)  # raises VerificationError: nothing written
    directory.mkdir(parents=True, exist_ok=True)
    previous = path.read_text() if path.exists() else None
    path.write_text(built.code)
    try:
        plugins = reload_plugins()
        errors = [e for e in plugins.errors if Path(e["file"]).resolve() == path.resolve()]
        if errors:
            raise AvaError(f"the file does not import: {errors[0]['error']}", field="code")
        if name not in plugins.strategies:
            raise AvaError(
                f"{path} was imported but {name!r} is not registered (is {directory} in "
                "AVA_STRATEGY_DIRS?)",
                field="name",
            )
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(previous)
        reload_plugins()
        raise
    report.add("registered", True, f"imported {path} and registered {name!r}")
    built.verification = report.to_list()
    built.checks = [c.detail for c in report.checks]
    built.path = str(path)
    cls = get_strategy(name)
    built.category = str(cls.category)
    built.direction = str(cls.direction)
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
