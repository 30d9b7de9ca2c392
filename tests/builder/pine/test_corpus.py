"""The Pine corpus (tests/builder/pine/corpus, written for these tests, v4 and v5): every script
transpiles to a file that imports only the kit (and numpy), passes the look-ahead check on
us_sample and trades there; thirteen of them trade exactly like a hand-written kit strategy with
the same rules (tests/builder/pine/equivalents.py)."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ava_backtest.builder.pine import transpile
from ava_backtest.builder.service import check_causal
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import reload_plugins

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "corpus").glob("*.pine"))
COLUMNS = (
    "symbol",
    "direction",
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "qty",
    "exit_reason",
)


def _name(path: Path) -> str:
    return f"pine_{path.stem}"


def test_the_corpus_has_40_scripts_in_both_versions():
    versions = [p.read_text().splitlines()[0] for p in CORPUS]
    assert len(CORPUS) >= 40
    assert versions.count("//@version=4") >= 8
    assert versions.count("//@version=5") >= 30


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_script_transpiles_to_kit_only_code(path: Path):
    result = transpile(path.read_text(), _name(path), "pine_corpus")
    tree = ast.parse(result.code)
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert modules <= {"numpy", "ava_backtest.strategies", "ava_backtest.strategies.timeframes"}
    assert result.direction in ("long_only", "short_only", "long_short")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every corpus script transpiled into one strategy directory, plus the hand-written
    equivalents, registered once for the module."""
    d = tmp_path_factory.mktemp("pine_strategies")
    for path in CORPUS:
        (d / f"{_name(path)}.py").write_text(transpile(path.read_text(), _name(path)).code)
    shutil.copy(HERE / "equivalents.py", d / "pine_equivalents.py")
    mp = pytest.MonkeyPatch()
    mp.setenv("AVA_STRATEGY_DIRS", str(d))
    report = reload_plugins()
    assert report.errors == []
    yield d
    mp.undo()
    reload_plugins()


def _trades(name: str):
    result = run_backtest(RunConfig(strategy_name=name, universe="us_sample"))
    return result.trades.select(*COLUMNS)


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_script_is_causal_and_trades_on_the_sample(corpus_dir: Path, path: Path):
    assert check_causal(_name(path)).startswith("look-ahead check: signals on 12 prefixes")
    assert _trades(_name(path)).height > 0


def _equivalents() -> dict[str, str]:
    namespace: dict[str, object] = {}
    tree = ast.parse((HERE / "equivalents.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EQUIVALENT":
            namespace["EQUIVALENT"] = ast.literal_eval(node.value)
    return namespace["EQUIVALENT"]  # type: ignore[return-value]


EQUIVALENT = _equivalents()


def test_at_least_ten_scripts_have_a_hand_written_twin():
    assert len(EQUIVALENT) >= 10
    assert {f"{k}.pine" for k in EQUIVALENT} <= {p.name for p in CORPUS}


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(EQUIVALENT))
def test_transpiled_script_trades_exactly_like_its_hand_written_twin(corpus_dir: Path, stem: str):
    ours = _trades(f"pine_{stem}")
    theirs = _trades(EQUIVALENT[stem])
    assert ours.height > 5
    assert ours.equals(theirs), (ours.head(5), theirs.head(5))
