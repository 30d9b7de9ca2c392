"""Verification of a strategy file before it is registered: every builder path (English, Pine,
OCR, LLM, code edited in the UI) ends in a source file, and that file is checked here first.

1. **Allow-list** (``check_source``, no execution): the file parses; it imports only the authoring
   kit (``from ava_backtest.strategies import ...`` of its public names), ``math`` and ``numpy``
   (without numpy's file, ctypes and compiler corners; and ``align``/``resample`` of
   ``ava_backtest.strategies.timeframes`` for higher-timeframe bars); it names no dunder (``__class__``,
   ``__import__``, ``"__globals__"`` in a string), no private attribute outside ``self``, no
   frame/code attribute (``gi_frame``, ``f_globals``...), and none of ``open``, ``exec``,
   ``eval``, ``compile``, ``getattr``/``setattr``/``delattr``, ``globals``/``locals``/``vars``,
   ``__import__``, ``input``, ``breakpoint``; it catches no ``MemoryError``/``BaseException``
   (nor a bare ``except``), which could hide a limit being hit. It must define the strategy class
   named ``name``.
2. **Worker process** (``run_in_sandbox``): a fresh interpreter with ``RLIMIT_CPU`` (CPU seconds),
   ``RLIMIT_AS`` (address space), killed after a wall-clock timeout (file access is the
   allow-list's to refuse: the sample data's cache is written by the platform itself). Inside it: import the file from a private temporary
   directory and register it, the look-ahead check on the sample universe, and a smoke backtest.
   The caller's process never executes the code before all of that passed.

``verify`` runs both and returns a ``Report`` (each check: name, ok, detail) or raises
``VerificationError`` whose details carry the same report.
"""

from __future__ import annotations

import ast
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ava_backtest.domain.errors import ConfigError

ALLOWED_MODULES = {"math", "numpy", "__future__"}
KIT = "ava_backtest.strategies"
# Authoring modules of the kit outside its top-level names, with the names a file may import:
# higher-timeframe bars (Pine's request.security) come from timeframes.
KIT_MODULES = {"ava_backtest.strategies.timeframes": {"align", "resample", "HigherBars"}}
FORBIDDEN_NAMES = {
    "open",
    "exec",
    "eval",
    "compile",
    "getattr",
    "setattr",
    "delattr",
    "hasattr",
    "globals",
    "locals",
    "vars",
    "dir",
    "input",
    "breakpoint",
    "help",
    "memoryview",
    "exit",
    "quit",
    "copyright",
    "credits",
    "license",
}
# numpy's ways out of a pure computation: files, ctypes, the Fortran/C compilers, test runners
# (subprocess), documentation helpers that read source files.
FORBIDDEN_NUMPY = {
    "load",
    "save",
    "savez",
    "savez_compressed",
    "savetxt",
    "loadtxt",
    "genfromtxt",
    "fromfile",
    "tofile",
    "fromregex",
    "memmap",
    "DataSource",
    "ctypeslib",
    "ctypes",
    "f2py",
    "distutils",
    "testing",
    "lib",
    "info",
    "source",
    "lookfor",
    "show_config",
    "show_runtime",
    "get_include",
    "dump",
    "dumps",
}
FRAME_ATTRS = {
    "gi_frame",
    "gi_code",
    "gi_yieldfrom",
    "cr_frame",
    "cr_code",
    "cr_await",
    "ag_frame",
    "ag_code",
    "f_globals",
    "f_locals",
    "f_builtins",
    "f_back",
    "f_code",
    "tb_frame",
    "tb_next",
    "co_code",
    "func_globals",
    "mro",
}
HIDING_EXCEPTIONS = {
    "BaseException",
    "MemoryError",
    "SystemExit",
    "KeyboardInterrupt",
    "GeneratorExit",
    "RecursionError",
}


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number", field=name) from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be positive", field=name)
    return value


# The worker's limits; AVA_VERIFY_CPU_SECONDS / AVA_VERIFY_MEMORY_MB / AVA_VERIFY_TIMEOUT override
# them. A kit strategy on us_sample needs ~20 s CPU (imports, 12-prefix look-ahead check, smoke
# backtest) and well under 1 GiB resident; polars reserves address space generously, so the
# address-space limit is 4 GiB (at 1.5 GiB polars aborts while loading the sample data).
DEFAULT_CPU_SECONDS = 120
DEFAULT_MEMORY_MB = 4096
DEFAULT_TIMEOUT = 300.0


def limits() -> tuple[int, int, float]:
    """(CPU seconds, MiB of address space, wall seconds) in force."""
    return (
        int(_env_number("AVA_VERIFY_CPU_SECONDS", DEFAULT_CPU_SECONDS)),
        int(_env_number("AVA_VERIFY_MEMORY_MB", DEFAULT_MEMORY_MB)),
        _env_number("AVA_VERIFY_TIMEOUT", DEFAULT_TIMEOUT),
    )


@dataclass(slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(slots=True)
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> Check:
        c = Check(name, ok, detail)
        self.checks.append(c)
        return c

    def to_list(self) -> list[dict[str, Any]]:
        return [asdict(c) for c in self.checks]

    def failed(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)


class VerificationError(ConfigError):
    """The code was refused or stopped before registration; ``details["checks"]`` says which
    check failed and why, and ``details["line"]`` the line at fault when there is one."""

    code = "verification_failed"

    def __init__(self, report: Report, line: int | None = None) -> None:
        bad = report.failed()
        msg = f"{bad.name}: {bad.detail}" if bad else "verification failed"
        super().__init__(msg, field="code", details={"checks": report.to_list(), "line": line})
        self.report = report
        self.line = line


def _kit_names() -> set[str]:
    import ava_backtest.strategies as kit

    return set(kit.__all__)


class _Refusal(Exception):
    def __init__(self, node: ast.AST | None, reason: str) -> None:
        super().__init__(reason)
        self.line = getattr(node, "lineno", None)
        self.reason = reason


def _where(node: ast.AST) -> str:
    line = getattr(node, "lineno", None)
    return f"line {line}: " if line else ""


def _walk_checks(tree: ast.Module, kit_names: set[str]) -> None:
    numpy_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name not in ALLOWED_MODULES - {"__future__"}:
                    why = (
                        f"'import {a.name}': import the kit's names with 'from {KIT} import ...'"
                        if a.name.startswith("ava_backtest")
                        else f"'import {a.name}': only {KIT}, math and numpy may be imported"
                    )
                    raise _Refusal(node, why)
                if a.name == "numpy":
                    numpy_aliases.add(a.asname or "numpy")
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                raise _Refusal(node, "relative imports are not allowed")
            if mod == KIT:
                for a in node.names:
                    if a.name != "*" and a.name not in kit_names:
                        raise _Refusal(node, f"{a.name!r} is not a public name of {KIT}")
            elif mod in KIT_MODULES:
                for a in node.names:
                    if a.name not in KIT_MODULES[mod]:
                        allowed = ", ".join(sorted(KIT_MODULES[mod]))
                        raise _Refusal(node, f"{mod} offers {allowed}; not {a.name!r}")
            elif mod in ALLOWED_MODULES:
                for a in node.names:
                    if mod == "numpy" and (a.name in FORBIDDEN_NUMPY or a.name == "*"):
                        raise _Refusal(node, f"'from numpy import {a.name}' is not allowed")
            else:
                raise _Refusal(
                    node, f"'from {mod} import ...': only {KIT}, math and numpy may be imported"
                )
        elif isinstance(node, ast.Name):
            if node.id.startswith("__"):
                raise _Refusal(node, f"the dunder name {node.id!r} is not allowed")
            if node.id in FORBIDDEN_NAMES:
                raise _Refusal(node, f"{node.id!r} is not allowed (no I/O, no dynamic code)")
        elif isinstance(node, ast.Attribute):
            attr = node.attr
            if attr.startswith("__"):
                raise _Refusal(node, f"dunder attribute access '.{attr}' is not allowed")
            if attr.startswith("_") and not (
                isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            ):
                raise _Refusal(node, f"private attribute '.{attr}' is not allowed outside self")
            if attr in FRAME_ATTRS:
                raise _Refusal(node, f"'.{attr}' (frames, code objects) is not allowed")
            if attr in FORBIDDEN_NUMPY and (
                isinstance(node.value, ast.Name) and node.value.id in numpy_aliases
            ):
                raise _Refusal(node, f"numpy's '{attr}' (files, ctypes, compilers) is not allowed")
            if attr in ("format", "format_map"):
                raise _Refusal(node, f"'.{attr}' reads attributes by name; use an f-string")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if "__" in text:
                raise _Refusal(node, "a string containing '__' (a dunder name) is not allowed")
        elif isinstance(node, ast.ExceptHandler):
            if node.type is None:
                raise _Refusal(node, "a bare 'except:' could hide a limit being hit")
            names = [n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)] + [
                n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)
            ]
            hidden = HIDING_EXCEPTIONS.intersection(names)
            if hidden:
                raise _Refusal(node, f"catching {sorted(hidden)[0]} could hide a limit being hit")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            raise _Refusal(node, "'global'/'nonlocal' are not allowed")
        elif isinstance(node, ast.AsyncFunctionDef | ast.Await | ast.AsyncFor | ast.AsyncWith):
            raise _Refusal(node, "async code is not allowed")
        elif isinstance(node, ast.arg) and node.arg.startswith("__"):
            raise _Refusal(node, f"the dunder argument {node.arg!r} is not allowed")
        elif isinstance(node, ast.alias) and (node.asname or "").startswith("__"):
            raise _Refusal(node, f"the dunder alias {node.asname!r} is not allowed")
        elif (
            isinstance(node, ast.FunctionDef | ast.ClassDef)
            and node.name.startswith("__")
            and (not isinstance(node, ast.FunctionDef) or node.name not in ("__init__",))
        ):
            raise _Refusal(node, f"the dunder definition {node.name!r} is not allowed")


def _strategy_class(tree: ast.Module, name: str) -> ast.ClassDef | None:
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "name" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                    and stmt.value.value == name
                ):
                    return node
    return None


def check_source(code: str, name: str, report: Report | None = None) -> tuple[Report, int | None]:
    """The static checks; returns the report and the line at fault (None when all passed)."""
    report = report if report is not None else Report()
    try:
        tree = ast.parse(code)
    except SyntaxError as e:
        report.add("syntax", False, f"line {e.lineno}: {e.msg}")
        return report, e.lineno
    report.add("syntax", True, f"{len(code.splitlines())} lines parse as Python")
    try:
        _walk_checks(tree, _kit_names())
    except _Refusal as r:
        report.add("allow-list", False, (f"line {r.line}: " if r.line else "") + r.reason)
        return report, r.line
    report.add(
        "allow-list",
        True,
        f"imports only {KIT}, math, numpy; no I/O, no dunder or private access, no dynamic code",
    )
    if _strategy_class(tree, name) is None:
        report.add("strategy class", False, f"no class with name = {name!r} in the file")
        return report, None
    report.add("strategy class", True, f"a class declares name = {name!r}")
    return report, None


def _limits(cpu_seconds: int, memory_mb: int) -> None:
    """Set by the worker on itself before it reads the job (no preexec_fn: the API server has
    threads, and fork-then-run-Python is unsafe there)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_in_sandbox(
    code: str,
    name: str,
    universe: str = "us_sample",
    *,
    report: Report | None = None,
    cpu_seconds: int | None = None,
    memory_mb: int | None = None,
    timeout: float | None = None,
) -> Report:
    """Import, look-ahead check and smoke backtest in a limited worker process."""
    report = report if report is not None else Report()
    default_cpu, default_mem, default_wall = limits()
    cpu_seconds = cpu_seconds or default_cpu
    memory_mb = memory_mb or default_mem
    timeout = timeout or default_wall
    bounds = f"{cpu_seconds} s CPU, {memory_mb} MiB address space, {timeout:g} s wall"
    with tempfile.TemporaryDirectory(prefix="ava-verify-") as tmp:
        (Path(tmp) / f"{name}.py").write_text(code)
        env = dict(os.environ)
        env.update(
            AVA_STRATEGY_DIRS=tmp,
            PYTHONDONTWRITEBYTECODE="1",
            POLARS_MAX_THREADS=env.get("POLARS_MAX_THREADS", "2"),
        )
        job = json.dumps({"dir": tmp, "name": name, "universe": universe})
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ava_backtest.builder.verify",
                str(cpu_seconds),
                str(memory_mb),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
            text=True,
        )
        try:
            out, err = proc.communicate(job, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            report.add(
                "worker",
                False,
                f"stopped: no answer within the {timeout:g} s wall timeout ({bounds})",
            )
            return report
    results: list[dict[str, Any]] = []
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                results.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    for r in results:
        report.add(str(r["name"]), bool(r["ok"]), str(r["detail"]))
    rc = proc.returncode
    if rc == 0 and results and all(r["ok"] for r in results):
        report.add("worker", True, f"ran within the limits ({bounds})")
        return report
    if rc < 0:
        sig = -rc
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and not results):
            reason = f"stopped: CPU-time limit of {cpu_seconds} s exceeded (signal {signal.Signals(sig).name})"
        else:
            reason = f"stopped by signal {signal.Signals(sig).name} ({bounds})"
            if sig in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
                reason += (
                    f"; native code aborts when an allocation fails under the {memory_mb} MiB limit"
                )
        report.add("worker", False, reason)
        return report
    if not any(not r["ok"] for r in results):
        tail = (err.strip().splitlines() or ["(no output)"])[-1]
        report.add("worker", False, f"exited with code {rc}: {tail[:300]}")
    return report


def verify(
    code: str,
    name: str,
    universe: str = "us_sample",
    *,
    cpu_seconds: int | None = None,
    memory_mb: int | None = None,
    timeout: float | None = None,
) -> Report:
    """Static checks, then the worker run; raise VerificationError at the first failure."""
    report, line = check_source(code, name)
    if not report.ok:
        raise VerificationError(report, line)
    run_in_sandbox(
        code,
        name,
        universe,
        report=report,
        cpu_seconds=cpu_seconds,
        memory_mb=memory_mb,
        timeout=timeout,
    )
    if not report.ok:
        raise VerificationError(report)
    return report


# ------------------------------------------------------------------------- the worker (child)


def _emit(name: str, ok: bool, detail: str) -> None:
    sys.stdout.write(json.dumps({"name": name, "ok": ok, "detail": detail}) + "\n")
    sys.stdout.flush()


def _worker(cpu_seconds: int, memory_mb: int) -> int:
    _limits(cpu_seconds, memory_mb)
    job = json.loads(sys.stdin.read())
    name, universe = job["name"], job["universe"]
    path = Path(job["dir"]) / f"{name}.py"
    try:
        from ava_backtest.domain.config import RunConfig
        from ava_backtest.runs.execute import run_backtest
        from ava_backtest.strategies.registry import reload_plugins

        plugin = reload_plugins()
        errors = [e for e in plugin.errors if Path(e["file"]).resolve() == path.resolve()]
        if errors:
            _emit("import", False, f"the file does not import: {errors[0]['error']}")
            return 1
        if name not in plugin.strategies:
            _emit("import", False, f"the file imported but registered no strategy {name!r}")
            return 1
        _emit("import", True, f"imported and registered {name!r} in the worker")
    except MemoryError:
        _emit("import", False, "stopped: memory limit (RLIMIT_AS) exceeded while importing")
        return 1
    try:
        from ava_backtest.builder.service import check_causal

        _emit("look-ahead", True, check_causal(name, universe))
    except MemoryError:
        _emit("look-ahead", False, "stopped: memory limit (RLIMIT_AS) exceeded")
        return 1
    except Exception as e:
        _emit("look-ahead", False, f"{type(e).__name__}: {e}"[:500])
        return 1
    try:
        result = run_backtest(RunConfig(strategy_name=name, universe=universe))
        n = result.trades.height
        _emit(
            "smoke backtest",
            True,
            f"{n} trades on {universe} ({len(result.symbols)} symbols, {len(result.dates)} bars)",
        )
    except MemoryError:
        _emit("smoke backtest", False, "stopped: memory limit (RLIMIT_AS) exceeded")
        return 1
    except Exception as e:
        _emit("smoke backtest", False, f"{type(e).__name__}: {e}"[:500])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_worker(int(sys.argv[1]), int(sys.argv[2])))
