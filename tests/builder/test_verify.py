"""Verification before registration: the allow-list refuses imports of os/subprocess/socket, file
access, dunder tricks and dynamic code with the line and the reason; the worker process stops an
infinite loop (CPU limit), a huge allocation (address-space limit) and a hang (wall timeout).
Refused or stopped code is neither written nor registered, and the API server keeps answering."""

from __future__ import annotations

from pathlib import Path

import pytest

from ava_backtest.builder import preview
from ava_backtest.builder.service import save_code
from ava_backtest.builder.verify import VerificationError, check_source, run_in_sandbox
from ava_backtest.strategies.registry import all_strategies

README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"
NAME = "edited_cross"
BODY_MARK = "        ema_fast = ema(bars.close, self.ema_fast_period)\n"


def _code(module: str = "", body: str = "") -> str:
    """The README strategy's generated code with ``module`` lines after the imports and
    ``body`` lines at the start of signals()."""
    code = preview(README, NAME, "trend").code
    if module:
        code = code.replace("\n\nclass ", f"\n{module}\n\n\nclass ", 1)
    if body:
        lines = "".join(f"        {line}\n" for line in body.splitlines())
        code = code.replace(BODY_MARK, lines + BODY_MARK, 1)
    return code


def _line_of(code: str, fragment: str) -> int:
    return next(i for i, line in enumerate(code.splitlines(), 1) if fragment in line)


REFUSED = [
    ("import os", "", "'import os': only ava_backtest.strategies, math and numpy"),
    ("import subprocess", "", "'import subprocess'"),
    ("from socket import socket", "", "'from socket import ...'"),
    ("import pathlib", "", "'import pathlib'"),
    ("from numpy import load", "", "'from numpy import load' is not allowed"),
    ("import numpy as np", "x = np.fromfile('prices.bin')", "numpy's 'fromfile'"),
    ("import numpy as np", "x = np.lib.npyio.DataSource()", "numpy's 'lib'"),
    ("", "data = open('/etc/passwd').read()", "'open' is not allowed"),
    ("", "k = ().__class__.__bases__[0].__subclasses__()", "dunder attribute access"),
    ("", "f = getattr(bars, 'clo' + 'se')", "'getattr' is not allowed"),
    ("", "m = __import__('os')", "the dunder name '__import__'"),
    ("", "eval('1 + 1')", "'eval' is not allowed"),
    ("", "exec('x = 1')", "'exec' is not allowed"),
    ("", "g = (i for i in []).gi_frame", "'.gi_frame'"),
    ("", "b = (lambda: 0).__globals__", "dunder attribute access"),
    ("", "k = {'__builtins__': 1}", "a string containing '__'"),
    ("", "k = '{0.x}'.format(bars)", "'.format' reads attributes by name"),
    ("", "r = bars._panel", "private attribute '._panel'"),
    ("from ava_backtest.strategies import registry", "", "'registry' is not a public name"),
    ("import ava_backtest.strategies", "", "import the kit's names with"),
    (
        "from ava_backtest.strategies.timeframes import session_schedule",
        "",
        "offers HigherBars, align, resample; not 'session_schedule'",
    ),
    ("", "try:\n    x = 1\nexcept MemoryError:\n    x = 2", "catching MemoryError"),
]


@pytest.mark.parametrize(("module", "body", "reason"), REFUSED, ids=[r[2][:40] for r in REFUSED])
def test_the_allow_list_refuses_with_the_line_and_the_reason(module, body, reason):
    code = _code(module, body)
    report, line = check_source(code, NAME)
    bad = report.failed()
    assert bad is not None and bad.name == "allow-list", report.checks
    assert reason in bad.detail
    fragment = (body or module).splitlines()[0] if not body.startswith("try") else "except"
    assert line == _line_of(code, fragment)
    assert bad.detail.startswith(f"line {line}: ")


def test_generated_and_plain_numpy_code_passes_the_allow_list():
    code = _code(
        "import math\nimport numpy as np\nfrom ava_backtest.strategies.timeframes import align",
        "scale = math.sqrt(np.nanmax(bars.close))",
    )
    report, line = check_source(code, NAME)
    assert report.ok and line is None
    assert [c.name for c in report.checks] == ["syntax", "allow-list", "strategy class"]
    report, line = check_source("def f(:\n", NAME)
    assert not report.ok and report.checks[0].name == "syntax" and line == 1
    report, _ = check_source(_code(), "another_name")
    assert report.failed().name == "strategy class"


def _assert_nothing_kept(strategy_dir: Path) -> None:
    assert not (strategy_dir / f"{NAME}.py").exists()
    assert NAME not in all_strategies()


@pytest.mark.parametrize(
    ("module", "body", "reason"),
    [REFUSED[0], REFUSED[7], REFUSED[8], REFUSED[9]],
    ids=["os", "open", "dunder", "getattr"],
)
def test_refused_code_is_neither_written_nor_registered(strategy_dir, module, body, reason):
    with pytest.raises(VerificationError) as e:
        save_code(_code(module, body), NAME, "trend")
    assert reason in e.value.message
    checks = e.value.details["checks"]
    assert [c["name"] for c in checks if not c["ok"]] == ["allow-list"]
    assert e.value.details["line"] is not None
    _assert_nothing_kept(strategy_dir)


def test_an_infinite_loop_is_stopped_by_the_cpu_limit(strategy_dir, monkeypatch):
    monkeypatch.setenv("AVA_VERIFY_CPU_SECONDS", "20")
    with pytest.raises(VerificationError, match="CPU-time limit of 20 s exceeded") as e:
        save_code(_code(body="n = 0\nwhile True:\n    n += 1"), NAME, "trend")
    names = [(c["name"], c["ok"]) for c in e.value.details["checks"]]
    # the file imported in the worker; its signals() looped until the limit stopped it
    assert ("allow-list", True) in names and ("import", True) in names
    assert names[-1] == ("worker", False)
    _assert_nothing_kept(strategy_dir)


def test_a_huge_allocation_is_stopped_by_the_memory_limit(strategy_dir, monkeypatch):
    monkeypatch.setenv("AVA_VERIFY_MEMORY_MB", "4096")
    huge = "import numpy as np"
    with pytest.raises(VerificationError, match="memory limit") as e:
        save_code(_code(huge, "waste = np.ones(1_500_000_000)"), NAME, "trend")  # 12 GB
    assert e.value.details["checks"][-1]["ok"] is False
    _assert_nothing_kept(strategy_dir)


def test_the_wall_timeout_kills_the_worker():
    report = run_in_sandbox(_code(), NAME, timeout=1.0)
    assert not report.ok
    assert report.checks[-1].name == "worker"
    assert "no answer within the 1 s wall timeout" in report.checks[-1].detail


def test_edited_code_is_verified_then_saved_and_registered(strategy_dir):
    code = _code().replace("Int(20, 2, 200", "Int(10, 2, 200")  # the user edits a default
    built = save_code(code, NAME, "trend")
    assert Path(built.path).read_text() == code
    assert all_strategies()[NAME].ema_fast_period.default == 10
    by_name = {c["name"]: c for c in built.verification}
    assert list(by_name) == [
        "syntax",
        "allow-list",
        "strategy class",
        "import",
        "look-ahead",
        "smoke backtest",
        "worker",
        "registered",
    ]
    assert all(c["ok"] for c in built.verification)
    assert by_name["smoke backtest"]["detail"].split()[0].isdigit()
    assert built.direction == "long_only" and built.rule is None


def test_the_api_refuses_and_stops_bad_code_and_keeps_answering(
    strategy_dir, sqlite_url, monkeypatch
):
    from tests.api.conftest import make_client

    with make_client(sqlite_url, workers=1) as client:
        for code, says in (
            (_code("import subprocess"), "'import subprocess'"),
            (_code("import numpy as np", "waste = np.ones(1_500_000_000)"), "memory limit"),
        ):
            r = client.post("/api/v2/builder/strategies", json={"code": code, "name": NAME})
            assert r.status_code == 422, r.text
            err = r.json()["error"]
            assert err["code"] == "verification_failed" and says in err["message"]
            assert err["details"]["field"] == "code"
            assert any(not c["ok"] for c in err["details"]["checks"])
            assert client.get("/api/v2/health").status_code == 200
            assert client.get("/api/v2/strategies/ema_crossover").status_code == 200
            assert client.get(f"/api/v2/strategies/{NAME}").status_code == 404
        r = client.post(
            "/api/v2/builder/strategies", json={"code": _code(), "input": README, "name": NAME}
        )
        assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "code"
    _assert_nothing_kept(strategy_dir)
