"""Schemathesis against the app's own OpenAPI schema: no 5xx, every response as documented.

The app runs in-process through schemathesis' ASGI transport, which runs the lifespan (store,
event bus, worker pool) once for the module and is shut down at the end. Each operation is fuzzed
with schema-valid requests, and, where it has query parameters or a body, schema-invalid ones;
then the operations with path parameters are fuzzed again against real resources (a completed
backtest, real strategies, markets, symbols, a custom universe), so 2xx bodies are checked too.

Checks: every built-in one that applies to a single call (``not_a_server_error``, status code,
content type, headers and response schema conformance, ``negative_data_rejection``) except
``positive_data_acceptance``: a schema-valid body naming a strategy or symbol that does not exist
is rightly a 422, which that check counts as a failure.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi as schemathesis_asgi
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from ava_backtest.api.app import create_app
from ava_backtest.settings import Settings

MAX_EXAMPLES = 20
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# The schema is known without starting anything: only the lifespan starts the store and workers.
SPEC: dict[str, Any] = create_app(Settings()).openapi()
OPERATIONS = sorted(
    (method.upper(), path) for path, item in SPEC["paths"].items() for method in item
)

RUN_BODY = {
    "strategy_name": "sma_crossover",
    "symbols": ["GOOG"],
    "params": {"fast_period": 10, "slow_period": 30},
}
UNIVERSE_BODY = {"name": "fuzz_custom", "market": "US", "symbols": ["GOOG", "AAPL"]}


def _negatable(method: str, path: str) -> bool:
    """Only query parameters and bodies have invalid values: any string is a valid path segment."""
    op = SPEC["paths"][path][method.lower()]
    return "requestBody" in op or any(p["in"] == "query" for p in op.get("parameters", []))


def _lenient_timestamps(case: Any) -> bool:
    """``created_from``/``created_to`` accept a number as a Unix timestamp (pydantic's datetime
    parsing), which the date-time schema does not say; harmless, so not counted as accepting bad
    input (``not_a_server_error`` and the response checks still apply to these cases)."""
    query = case.query or {}
    return any(
        isinstance(query.get(k), int | float) and not isinstance(query.get(k), bool)
        for k in ("created_from", "created_to")
    )


def _negative_data_rejection(ctx: Any, response: Any, case: Any) -> bool | None:
    if _lenient_timestamps(case):
        return None
    return negative_data_rejection(ctx, response, case)


_negative_data_rejection.__name__ = "negative_data_rejection"


def _call(case: Any) -> None:
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
        additional_checks=[_negative_data_rejection],
    )


@pytest.fixture(scope="module")
def app_schema(tmp_path_factory) -> Iterator[Any]:
    home = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AVA_HOME", str(home))  # uploads land here, not in the working tree
        app = create_app(Settings(database_url=f"sqlite:///{home / 'ava.db'}", workers=1))
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the lifespan
        try:
            yield schema
        finally:
            schemathesis_asgi.shutdown_lifespans()  # the worker pool and the store, stopped


def _fuzz(schema: Any, method: str, path: str, mode: GenerationMode, **fixed: Any) -> None:
    strategy = schema[path][method].as_strategy(generation_mode=mode, **fixed)

    @FUZZ
    @given(case=strategy)
    def run(case: Any) -> None:
        _call(case)

    run()


CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _negatable(method, path)
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_fuzz_operation(app_schema, method, path, mode):
    _fuzz(app_schema, method, path, mode)


def _wait_completed(schema: Any, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    op = schema["/api/v2/backtests/{run_id}"]["GET"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = op.Case(path_parameters={"run_id": run_id}).call().json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not finished after {timeout} s")


def test_fuzz_real_resources(app_schema):
    """Path parameters pinned to things that exist; queries fuzzed; every 2xx body validated."""
    create = app_schema["/api/v2/backtests"]["POST"].Case(body=RUN_BODY)
    run_id = create.call_and_validate(excluded_checks=[positive_data_acceptance]).json()["id"]
    assert _wait_completed(app_schema, run_id)["status"] == "completed"
    universe = app_schema["/api/v2/universes"]["POST"].Case(body=UNIVERSE_BODY)
    assert universe.call_and_validate().status_code == 201

    real: dict[str, list[str]] = {  # by path parameter name
        "run_id": [run_id],
        "name": ["sma_crossover", "rsi_mean_reversion", UNIVERSE_BODY["name"]],
        "code": ["US", "IN", "24x7"],
        "market": ["US"],
        "symbol": ["GOOG"],
    }
    with_params = sorted((m == "DELETE", m, p) for m, p in OPERATIONS if "{" in p)  # deletes last
    fuzzed = 0
    for _, method, path in with_params:
        names = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
        if not all(n in real for n in names):
            continue
        fuzzed += 1
        for i in range(max(len(real[n]) for n in names)):
            pinned = {n: real[n][i % len(real[n])] for n in names}
            _fuzz(app_schema, method, path, GenerationMode.POSITIVE, path_parameters=pinned)
    assert fuzzed >= 8
